package imports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// What undo did with one item.
const (
	undoTrashed  = "trashed"  // a created record went to the trash
	undoRestored = "restored" // an updated record got its values back
	undoKept     = "kept"     // the record changed since the import: left alone
	undoGone     = "gone"     // the record is deleted already
)

// Undo takes back what an import did: the records it created go to the
// trash (where they stay restorable), the records it updated get back the
// values they had — except records, or fields, changed since the import,
// which are left as they are and counted as kept. It works in batches from
// the last row to the first, committed with their progress, so an undo
// that stops can be resumed by calling Undo again. An undone import cannot
// be undone again.
func (m *Module) Undo(ctx context.Context, p auth.Principal, id int64, progress func(Import)) (Import, error) {
	imp, err := m.startUndo(ctx, p, id)
	if err != nil {
		return imp, err
	}
	if err := m.undo(ctx, p, &imp, progress); err != nil {
		m.db.WriteTx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE imports SET error = $1, updated_at = $2 WHERE id = $3",
				"The undo stopped before the end; start it again to finish.", m.now(), id)
			return err
		})
		return imp, err
	}
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := m.now()
		res, err := tx.ExecContext(ctx, "UPDATE imports SET status = 'undone', undone_at = $1, updated_at = $1, error = '' WHERE id = $2 AND status = 'undoing'", now, id)
		if err != nil {
			return fmt.Errorf("finish undo of import %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return records.RecordChange(ctx, tx, now, "imports", id, "import_undone", p, map[string][2]any{
			"entity": {nil, imp.Entity}, "file_name": {nil, imp.FileName}, "undone": {nil, imp.Counts.Undone}, "kept": {nil, imp.Counts.Kept},
		})
	})
	if err != nil {
		return imp, err
	}
	return m.load(ctx, m.db.Read(), id)
}

// startUndo checks that the import may be undone by p and marks it undoing.
func (m *Module) startUndo(ctx context.Context, p auth.Principal, id int64) (Import, error) {
	var imp Import
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if imp, err = m.load(ctx, tx, id); err != nil {
			return err
		}
		if !imp.mine(p) {
			return errNoImport
		}
		if err := p.CanWriteAny(); err != nil {
			return err
		}
		switch {
		case imp.DryRun:
			return errs.E(errs.Conflict, "Import %d was a dry run: it changed nothing to undo.", id).WithKey("imports.error_undo_dry_run")
		case imp.Status == Undone:
			return errs.E(errs.Conflict, "Import %d is undone already; an import is undone only once.", id).WithKey("imports.error_undone_twice")
		case imp.Status != Done && imp.Status != Failed && imp.Status != Undoing:
			return errs.E(errs.Conflict, "Import %d cannot be undone while it is %s.", id, imp.Status).WithKey("imports.error_undo_active")
		}
		_, err = tx.ExecContext(ctx, "UPDATE imports SET status = 'undoing', undone_by = $1, updated_at = $2 WHERE id = $3", p.UserID, m.now(), id)
		imp.Status, imp.UndoneBy = Undoing, p.UserID
		return err
	})
	return imp, err
}

// undoItem is an item of the import that undo works on.
type undoItem struct {
	id, recordID, version int64
	entity, action        string
	previous              sql.NullString
}

func (m *Module) undo(ctx context.Context, p auth.Principal, imp *Import, progress func(Import)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var done, kept int64
		var n int
		err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, "UPDATE imports SET updated_at = $1 WHERE id = $2 AND status = 'undoing'", m.now(), imp.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errLostClaim
			}
			items, err := store.Collect(ctx, tx, func(row store.Scanner) (undoItem, error) {
				var it undoItem
				var rec, ver sql.NullInt64
				err := row.Scan(&it.id, &it.entity, &it.action, &rec, &ver, &it.previous)
				it.recordID, it.version = rec.Int64, ver.Int64
				return it, err
			}, `SELECT id, entity, action, record_id, version, `+jsonText(m.db.Engine, "previous")+` FROM import_items
				WHERE import_id = $1 AND action IN ('created', 'updated') AND undo = '' ORDER BY id DESC LIMIT $2`, imp.ID, m.BatchSize)
			if err != nil {
				return fmt.Errorf("items of import %d: %w", imp.ID, err)
			}
			n = len(items)
			for _, it := range items {
				result, version, err := m.undoOne(ctx, tx, p, imp, it)
				if err != nil {
					return err
				}
				if result == undoKept {
					kept++
				} else if result != undoGone {
					done++
				}
				if _, err := tx.ExecContext(ctx, "UPDATE import_items SET undo = $1, undo_version = $2 WHERE id = $3", result, nullInt(version), it.id); err != nil {
					return fmt.Errorf("undo item %d: %w", it.id, err)
				}
			}
			_, err = tx.ExecContext(ctx, "UPDATE imports SET undone_count = undone_count + $1, kept_count = kept_count + $2 WHERE id = $3", done, kept, imp.ID)
			return err
		})
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		imp.Counts.Undone += done
		imp.Counts.Kept += kept
		if progress != nil {
			progress(*imp)
		}
	}
}

// undoOne takes back one item inside its own savepoint, returning what it
// did and, for a restored record, its new version.
func (m *Module) undoOne(ctx context.Context, tx *sql.Tx, p auth.Principal, imp *Import, it undoItem) (string, int64, error) {
	e, ok := m.entities.Get(it.entity)
	if !ok {
		return undoKept, 0, nil
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT import_undo"); err != nil {
		return "", 0, err
	}
	// The external IDs the import attached go first, so that the search
	// document the undo rewrites is without them; a record left as it is
	// keeps them (the rollback below).
	err := dropExternalIDs(ctx, tx, imp.ID, it.entity, it.recordID)
	result, version := "", int64(0)
	if err == nil {
		result, version, err = m.undoRecord(ctx, tx, p, imp, e, it)
	}
	if err == nil && (result == undoKept || result == undoGone) {
		_, err = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_undo")
		if err == nil {
			_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT import_undo")
		}
		return result, version, err
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT import_undo")
		return result, version, err
	}
	if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_undo"); rerr != nil {
		return "", 0, errors.Join(err, rerr)
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT import_undo"); rerr != nil {
		return "", 0, rerr
	}
	if rowProblem(err) {
		// Not allowed, or no longer valid: the record stays as it is.
		return undoKept, 0, nil
	}
	return "", 0, err
}

func (m *Module) undoRecord(ctx context.Context, tx *sql.Tx, p auth.Principal, imp *Import, e *records.Entity, it undoItem) (string, int64, error) {
	rec, err := m.records.GetTx(ctx, tx, p, e, it.recordID)
	if errs.Is(err, errs.NotFound) {
		return undoGone, 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	if it.action == "updated" {
		return m.restore(ctx, tx, p, e, rec, it)
	}

	// A created record goes only if nothing happened to it since: its
	// version is still the one this import left (after undo restored what
	// later rows of the same import updated).
	expected := it.version
	var later sql.NullString
	var laterVersion sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT undo, undo_version FROM import_items WHERE import_id = $1 AND entity = $2 AND record_id = $3
		AND id > $4 AND action IN ('created', 'updated') ORDER BY id DESC LIMIT 1`, imp.ID, it.entity, it.recordID, it.id).Scan(&later, &laterVersion)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", 0, fmt.Errorf("later changes of %s %d: %w", e.Name, it.recordID, err)
	case later.String == undoRestored:
		expected = laterVersion.Int64
	default:
		return undoKept, 0, nil
	}
	if rec.Version != expected {
		return undoKept, 0, nil
	}
	if e.Name == "accounts" {
		// An account someone has since linked a contact to stays.
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM contacts WHERE account_id = $1 AND deleted_at IS NULL LIMIT 1", rec.ID).Scan(&one)
		if err == nil {
			return undoKept, 0, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", 0, fmt.Errorf("contacts of account %d: %w", rec.ID, err)
		}
	}
	if err := m.trash(ctx, tx, p, e, rec); err != nil {
		return "", 0, err
	}
	return undoTrashed, 0, nil
}

// restore puts back the values an update replaced, field by field: a field
// that someone changed after the import keeps its newer value.
func (m *Module) restore(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, rec records.Record, it undoItem) (string, int64, error) {
	var ch change
	if err := json.Unmarshal([]byte(it.previous.String), &ch); err != nil {
		return "", 0, fmt.Errorf("previous values of %s %d: %w", e.Name, rec.ID, err)
	}
	names := make([]string, 0, len(ch.New))
	for name := range ch.New {
		names = append(names, name)
	}
	cur, err := valuesOf(rec, names)
	if err != nil {
		return "", 0, err
	}
	in := records.Input{}
	for _, name := range names {
		if !sameJSON(cur[name], ch.New[name]) {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(ch.Old[name]))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", 0, fmt.Errorf("previous %s of %s %d: %w", name, e.Name, rec.ID, err)
		}
		in[name] = v
	}
	if len(in) == 0 {
		return undoKept, 0, nil
	}
	if _, err := m.records.UpdateTx(ctx, tx, p, e, rec.ID, in, rec.Version); err != nil {
		return "", 0, err
	}
	version, err := currentVersion(ctx, tx, e, rec.ID)
	if err != nil {
		return "", 0, err
	}
	return undoRestored, version, nil
}

func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
