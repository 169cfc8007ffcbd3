package duplicates

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// Undo reverses a merge in one transaction: the merged records come back
// from the trash, every link the merge moved points at its old record
// again, and the survivor gets back the values it had. It is refused
// (409) when that would lose later work: the survivor changed since, a
// merged record left the trash, or a moved link was moved again.
func (m *Module) Undo(ctx context.Context, p auth.Principal, id int64) (Merge, records.Record, error) {
	mg, err := m.GetMerge(ctx, p, id)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	e, rule, err := m.entity(mg.Entity, "entity")
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		return m.undo(ctx, tx, p, e, rule, fields, mg.ID)
	})
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	mg, err = m.GetMerge(ctx, p, id)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	survivor, err := m.records.Get(ctx, p, e, mg.SurvivorID)
	return mg, survivor, err
}

func (m *Module) undo(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, rule Rule, fields []records.Field, id int64) error {
	var (
		survivorID                int64
		mergedJSON, before, after string
		undone                    sql.NullTime
	)
	err := tx.QueryRowContext(ctx, "SELECT survivor_id, "+m.jsonText("merged_ids")+", "+m.jsonText("survivor_before")+", "+m.jsonText("survivor_after")+
		", undone_at FROM merges WHERE id = $1", id).
		Scan(&survivorID, &mergedJSON, &before, &after, &undone)
	if errors.Is(err, sql.ErrNoRows) {
		return errMergeNotFound
	}
	if err != nil {
		return fmt.Errorf("merge %d: %w", id, err)
	}
	if undone.Valid {
		return errs.E(errs.Conflict, "This merge was already undone.").WithKey("duplicates.error.undone")
	}
	var merged []int64
	if err := json.Unmarshal([]byte(mergedJSON), &merged); err != nil {
		return fmt.Errorf("merge %d: %w", id, err)
	}

	// The survivor must be live and hold the values the merge left it
	// (activities logged with it since are no change of it: they stay).
	var deleted sql.NullTime
	err = tx.QueryRowContext(ctx, fmt.Sprintf("SELECT deleted_at FROM %s WHERE id = $1", e.Table), survivorID).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) || err == nil && deleted.Valid {
		return errs.E(errs.Conflict, "The record the others were merged into is in the trash or gone; restore it before undoing the merge.").
			WithKey("duplicates.error.survivor_gone")
	}
	if err != nil {
		return fmt.Errorf("merge %d: %w", id, err)
	}
	if err := m.canWrite(ctx, tx, p, e, []int64{survivorID}, false, errMayNotMerge); err != nil {
		return err
	}
	changed, err := m.changedSince(ctx, tx, p, e, fields, survivorID, after)
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		return errs.E(errs.Conflict, "The record was changed after the merge (%s), so undoing the merge would lose that. Undo the later changes first, or put the records right by hand.",
			strings.Join(changed, ", ")).WithKey("duplicates.error.changed_since")
	}
	// The merged records must still be in the trash.
	args := make([]any, len(merged))
	for i, mid := range merged {
		args[i] = mid
	}
	var trashed int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE id IN (%s) AND deleted_at IS NOT NULL", e.Table, placeholders(1, len(merged))), args...).Scan(&trashed); err != nil {
		return fmt.Errorf("merge %d: %w", id, err)
	}
	if trashed != len(merged) {
		return errs.E(errs.Conflict, "A merged record is no longer in the trash (restored or deleted for good), so the merge cannot be undone.").
			WithKey("duplicates.error.merged_gone")
	}
	if err := m.canWrite(ctx, tx, p, e, merged, true, errMayNotMerge); err != nil {
		return err
	}
	moves, err := loggedMoves(ctx, tx, id, e.Name)
	if err != nil {
		return err
	}
	present, conflicts, err := checkMoved(ctx, tx, moves, survivorID)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		c := conflicts[0]
		return errs.E(errs.Conflict, "%d links moved by the merge point elsewhere now (such as %s %d, whose %s changed), so undoing the merge would undo that too.",
			len(conflicts), c.ref.Table, c.rowID, c.ref.Column).WithKey("duplicates.error.links_moved", len(conflicts))
	}

	now := m.records.Now()
	if err := putBack(ctx, tx, present); err != nil {
		return err
	}
	for _, mid := range merged {
		if err := m.untrash(ctx, tx, p, e, mid); err != nil {
			return err
		}
	}
	if err := m.restoreSurvivor(ctx, tx, p, e, rule, fields, survivorID, before, after); err != nil {
		return err
	}
	for _, rid := range append([]int64{survivorID}, merged...) {
		if err := records.RecordChange(ctx, tx, now, e.Name, rid, "merge_undone", p, map[string][2]any{"merge_id": {nil, id}}); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE merges SET undone_at = $1, undone_by = $2 WHERE id = $3", now, nullID(p.UserID), id); err != nil {
		return fmt.Errorf("merge %d: %w", id, err)
	}
	return m.reindex(ctx, tx, e.Name, append([]int64{survivorID}, merged...)...)
}

// changedSince lists the fields of the survivor whose values are no longer
// those the merge left (after: the survivor as the API showed it then).
func (m *Module) changedSince(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, fields []records.Field, id int64, after string) ([]string, error) {
	next, err := decodeRecord(after)
	if err != nil {
		return nil, fmt.Errorf("survivor after the merge: %w", err)
	}
	cur, err := m.records.GetTx(ctx, tx, p, e, id)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, f := range fields {
		if !Mergeable(f) {
			continue
		}
		currency, _ := cur.Get(f.CurrencyField).(string)
		v, err := f.Accept(apiValue(next, f), currency)
		if err != nil || !same(v, cur.Get(f.Name)) {
			changed = append(changed, f.Name)
		}
	}
	return changed, nil
}

// apiValue is a field's value in a record as the API shows it.
func apiValue(rec map[string]any, f records.Field) any {
	if f.Custom {
		custom, _ := rec["custom"].(map[string]any)
		return custom[f.Key]
	}
	return rec[f.Name]
}

// untrash brings a merged record back, as Store.Restore does (inside this
// transaction), and tells the save hooks so lookups and search know it
// again.
func (m *Module) untrash(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, id int64) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET deleted_at = NULL, updated_by = $1, version = version + 1 WHERE id = $2", e.Table), nullID(p.UserID), id); err != nil {
		return fmt.Errorf("restore %s %d: %w", e.Name, id, err)
	}
	if e.AfterSave == nil {
		return nil
	}
	r, err := m.records.GetTx(ctx, tx, p, e, id)
	if err != nil {
		return err
	}
	old := r
	t := m.records.Now()
	old.DeletedAt = &t
	return e.AfterSave(ctx, tx, &records.Change{Actor: p, Action: "restored", Old: &old, New: &r})
}

// restoreSurvivor gives the survivor back the values it had before the
// merge (before and after: the record as the API showed it then).
func (m *Module) restoreSurvivor(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, rule Rule, fields []records.Field, id int64, before, after string) error {
	prev, err := decodeRecord(before)
	if err != nil {
		return fmt.Errorf("survivor before the merge: %w", err)
	}
	next, err := decodeRecord(after)
	if err != nil {
		return fmt.Errorf("survivor after the merge: %w", err)
	}
	cur, err := m.records.GetTx(ctx, tx, p, e, id)
	if err != nil {
		return err
	}
	in := records.Input{}
	for _, f := range fields {
		if !Mergeable(f) {
			continue
		}
		v := apiValue(prev, f)
		currency, _ := cur.Get(f.CurrencyField).(string)
		if goValue, err := f.Accept(v, currency); err == nil && same(goValue, cur.Get(f.Name)) {
			continue
		}
		in[f.Name] = v
	}
	if len(in) > 0 {
		if _, err := m.records.UpdateTx(ctx, tx, p, e, id, in, 0); err != nil {
			return err
		}
	}
	// The read-only fields the merge took the latest of, unless they
	// moved on since (an activity logged with the survivor).
	values := map[string]any{}
	for _, name := range rule.Latest {
		old, err := timeValue(prev[name])
		if err != nil {
			return fmt.Errorf("survivor's %s before the merge: %w", name, err)
		}
		set, err := timeValue(next[name])
		if err != nil {
			return fmt.Errorf("survivor's %s after the merge: %w", name, err)
		}
		if same(set, cur.Get(name)) && !same(old, set) {
			values[name] = old
		}
	}
	if len(values) == 0 {
		return nil
	}
	return m.records.SetSystem(ctx, tx, p, e, id, values, "")
}

// decodeRecord reads a record as the API showed it, numbers as
// json.Number, as Store input takes them.
func decodeRecord(s string) (map[string]any, error) {
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	err := dec.Decode(&out)
	return out, err
}

// timeValue reads a date and time the API wrote (nil for none).
func timeValue(v any) (any, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, err
	}
	return t.UTC(), nil
}
