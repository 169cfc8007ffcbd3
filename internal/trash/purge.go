package trash

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Purge deletes a record in the trash forever, however long it has been
// there (administrators only). A record not in the trash is not found:
// a live record must be deleted first.
func (t *Trash) Purge(ctx context.Context, p auth.Principal, entity string, id int64) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	e, err := t.entity(entity)
	if err != nil {
		return err
	}
	var found bool
	err = t.db.WriteTx(ctx, func(tx *sql.Tx) error {
		found, err = t.purge(ctx, tx, p, e, id, time.Time{})
		return err
	})
	if err != nil {
		return err
	}
	if !found {
		return errNotInTrash
	}
	return nil
}

// purgeBatch is how many expired records PurgeExpired reads at a time.
const purgeBatch = 500

// maxReported bounds the failures PurgeExpired reports.
const maxReported = 10

// PurgeExpired deletes forever every record deleted more than the
// retention period ago, each in its own transaction, and returns how many
// it purged. A record that cannot be purged is skipped and reported in the
// error; the others are purged all the same.
func (t *Trash) PurgeExpired(ctx context.Context) (int, error) {
	settings, err := t.Settings(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := t.now().AddDate(0, 0, -settings.RetentionDays)
	purged, failures := 0, 0
	var failed []error
	for _, e := range t.reg.All() {
		var after *expired
		for {
			batch, err := t.expired(ctx, e, cutoff, after)
			if err != nil {
				return purged, err
			}
			for _, x := range batch {
				if err := ctx.Err(); err != nil {
					return purged, err
				}
				var found bool
				err := t.db.WriteTx(ctx, func(tx *sql.Tx) error {
					var err error
					found, err = t.purge(ctx, tx, auth.Principal{}, e, x.id, cutoff)
					return err
				})
				switch {
				case err != nil:
					if failures++; failures <= maxReported {
						failed = append(failed, fmt.Errorf("purge %s %d: %w", e.Name, x.id, err))
					}
				case found:
					purged++
				}
			}
			if len(batch) < purgeBatch {
				break
			}
			after = &batch[len(batch)-1]
		}
	}
	if failures > maxReported {
		failed = append(failed, fmt.Errorf("and %d more records could not be purged", failures-maxReported))
	}
	return purged, errors.Join(failed...)
}

// expired is a record past the retention period.
type expired struct {
	id        int64
	deletedAt time.Time
}

// expired reads the next batch of e's records deleted before cutoff, in
// the order they were deleted, after the given one.
func (t *Trash) expired(ctx context.Context, e *records.Entity, cutoff time.Time, after *expired) ([]expired, error) {
	query := "SELECT id, deleted_at FROM " + e.Table + " WHERE deleted_at IS NOT NULL AND deleted_at < $1"
	args := []any{cutoff}
	if after != nil {
		query += " AND (deleted_at > $2 OR (deleted_at = $2 AND id > $3))"
		args = append(args, after.deletedAt, after.id)
	}
	query += " ORDER BY deleted_at, id LIMIT " + strconv.Itoa(purgeBatch)
	out, err := store.Collect(ctx, t.db.Read(), func(row store.Scanner) (expired, error) {
		var x expired
		err := row.Scan(&x.id, &x.deletedAt)
		return x, err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("expired %s: %w", e.Name, err)
	}
	return out, nil
}

// purge deletes record id of e, when it is in the trash (and, unless
// before is zero, was deleted before it), with what would dangle without
// it. p is who purges: an administrator, or nobody for the purge job.
func (t *Trash) purge(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, id int64, before time.Time) (bool, error) {
	x := e.Alias
	title := "''"
	if e.TitleSQL != "" {
		title = "COALESCE(" + e.TitleSQL + ", '')"
	}
	query := "SELECT " + title + " FROM " + e.Table + " " + x + " WHERE " + x + ".id = $1 AND " + x + ".deleted_at IS NOT NULL"
	args := []any{id}
	if !before.IsZero() {
		query += " AND " + x + ".deleted_at < $2"
		args = append(args, before)
	}
	if t.db.Engine == store.Postgres {
		// A restore that comes at the same moment waits, then finds nothing.
		query += " FOR UPDATE"
	}
	var name string
	err := tx.QueryRowContext(ctx, query, args...).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("purge %s %d: %w", e.Name, id, err)
	}
	now := t.now()
	if err := t.unlink(ctx, tx, now, p, e, id); err != nil {
		return false, err
	}
	for _, h := range t.hooks {
		if err := h(ctx, tx, e.Name, id); err != nil {
			return false, err
		}
	}
	if err := search.Remove(ctx, tx, t.db.Engine, e.Name, id); err != nil {
		return false, err
	}
	// The IDs it had in the systems it was imported from name no record now.
	if _, err := tx.ExecContext(ctx, "DELETE FROM external_ids WHERE entity = $1 AND record_id = $2", e.Name, id); err != nil {
		return false, fmt.Errorf("purge %s %d: %w", e.Name, id, err)
	}
	// Side tables that belong to the record (a contact's e-mails and
	// phones, an order's lines) go with it: their foreign keys cascade.
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+e.Table+" WHERE id = $1", id); err != nil {
		return false, fmt.Errorf("purge %s %d: %w", e.Name, id, err)
	}
	err = records.RecordChange(ctx, tx, now, e.Name, id, "purged", p, map[string][2]any{"title": {name, nil}})
	return err == nil, err
}

// unlink clears every link to the record from other records, so none is
// left pointing at nothing, and records each change ("unlinked") in the
// history of the record that held the link: Ref fields naming the
// entity (a deal's contact, a lead's converted contact, which the foreign
// keys would otherwise null silently or not at all) and the related
// record of activities (related_type and related_id, the convention for
// links to a record of any type).
func (t *Trash) unlink(ctx context.Context, tx *sql.Tx, now time.Time, p auth.Principal, e *records.Entity, id int64) error {
	type holder struct {
		e  *records.Entity
		id int64
	}
	changes := map[holder]map[string][2]any{}
	note := func(other *records.Entity, ids []int64, field string, old any) {
		for _, rid := range ids {
			h := holder{other, rid}
			if changes[h] == nil {
				changes[h] = map[string][2]any{}
			}
			changes[h][field] = [2]any{old, nil}
		}
	}
	clearLinks := func(other *records.Entity, sets, where string, args ...any) ([]int64, error) {
		if other == e {
			where += " AND id <> " + strconv.FormatInt(id, 10)
		}
		ids, err := store.Collect(ctx, tx, func(row store.Scanner) (int64, error) {
			var n int64
			return n, row.Scan(&n)
		}, "SELECT id FROM "+other.Table+" WHERE "+where, args...)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+other.Table+" SET "+sets+", version = version + 1 WHERE "+where, args...)
		return ids, err
	}
	for _, other := range t.reg.All() {
		for _, f := range other.Fields {
			if f.Kind != records.Ref || f.Ref != e.Name || f.Column == "" || f.Custom {
				continue
			}
			ids, err := clearLinks(other, f.Column+" = NULL", f.Column+" = $1", id)
			if err != nil {
				return fmt.Errorf("unlink %s from %s %d: %w", other.Name, e.Name, id, err)
			}
			note(other, ids, f.Name, id)
		}
		typ, okType := other.Field("related_type")
		rel, okID := other.Field("related_id")
		if okType && okID && typ.Column != "" && rel.Column != "" {
			ids, err := clearLinks(other, typ.Column+" = NULL, "+rel.Column+" = NULL", typ.Column+" = $1 AND "+rel.Column+" = $2", e.Name, id)
			if err != nil {
				return fmt.Errorf("unlink %s from %s %d: %w", other.Name, e.Name, id, err)
			}
			note(other, ids, typ.Name, e.Name)
			note(other, ids, rel.Name, id)
		}
	}
	holders := make([]holder, 0, len(changes))
	for h := range changes {
		holders = append(holders, h)
	}
	sort.Slice(holders, func(i, j int) bool {
		if holders[i].e.Name != holders[j].e.Name {
			return holders[i].e.Name < holders[j].e.Name
		}
		return holders[i].id < holders[j].id
	})
	for _, h := range holders {
		if err := records.RecordChange(ctx, tx, now, h.e.Name, h.id, "unlinked", p, changes[h]); err != nil {
			return err
		}
	}
	return nil
}
