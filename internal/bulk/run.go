package bulk

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Item states.
const (
	pending   = "pending"
	changed   = "changed"
	unchanged = "unchanged" // already as asked: nothing to undo
	failed    = "failed"
	undone    = "undone"
	kept      = "kept" // changed again since: undo left it
)

// Run works through an operation's pending records as its creator, a
// batch per step, and finishes it. It resumes where it stopped.
func (m *Module) Run(ctx context.Context, id int64) error {
	o, err := m.get(ctx, m.db.Read(), id)
	if err != nil {
		return err
	}
	if o.Status != "queued" && o.Status != "running" {
		return nil
	}
	u, err := m.auth.GetUser(ctx, o.CreatedBy)
	if err != nil {
		return m.fail(ctx, id, fmt.Errorf("the user who started it: %w", err))
	}
	p := u.Principal()
	c, err := m.checkAction(ctx, p, Request{Entity: o.Entity, Action: o.Action, Field: o.Field, Value: o.Value,
		AllMatching: o.AllMatching, Filter: o.Filter})
	if err != nil {
		return m.fail(ctx, id, err)
	}
	// The records matching the filter are found once, before the run
	// starts; a run cut short while finding them finds them again (an
	// item already there is not added twice).
	if o.AllMatching && o.Status == "queued" {
		if err := m.fillMatching(ctx, p, c, id); err != nil {
			return m.fail(ctx, id, err)
		}
	}
	if err := m.setStatus(ctx, id, "running"); err != nil {
		return err
	}
	for {
		ids, err := m.itemsIn(ctx, id, pending, m.BatchSize)
		if err != nil {
			return err
		}
		for _, rid := range ids {
			if err := m.apply(ctx, p, c, id, rid); err != nil {
				return err
			}
		}
		if len(ids) < m.BatchSize {
			break
		}
	}
	return m.setStatus(ctx, id, "done")
}

// fillMatching records every record matching the operation's filter, in
// the creator's scope, as its items.
func (m *Module) fillMatching(ctx context.Context, p auth.Principal, c checked, op int64) error {
	var after int64
	for {
		ids, err := m.records.MatchingIDs(ctx, p, c.e, records.Query{Filter: c.Filter}, after, 1000)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		if err := m.db.WriteTx(ctx, func(tx *sql.Tx) error { return insertItems(ctx, tx, op, ids) }); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
	return nil
}

// itemsIn lists up to limit records of an operation in a state.
func (m *Module) itemsIn(ctx context.Context, op int64, state string, limit int) ([]int64, error) {
	ids, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	}, "SELECT record_id FROM bulk_items WHERE operation_id = $1 AND state = $2 ORDER BY record_id LIMIT $3", op, state, limit)
	if err != nil {
		return nil, fmt.Errorf("records of bulk change %d: %w", op, err)
	}
	return ids, nil
}

// apply changes one record as a single edit would, in one transaction
// with the item that remembers what it had. A refusal (not found, not
// the user's to change, a value the record does not take) marks the
// item failed with the reason; anything else stops the run.
func (m *Module) apply(ctx context.Context, p auth.Principal, c checked, op, id int64) error {
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		old, err := m.records.GetTx(ctx, tx, p, c.e, id)
		if err != nil {
			return err
		}
		if c.Action == Delete {
			if err := m.records.DeleteTx(ctx, tx, p, c.e, id); err != nil {
				return err
			}
			return markItem(ctx, tx, op, id, changed, "null", old.Version+1, "")
		}
		prev := old.Get(c.Field)
		in, same, err := c.input(old)
		if err != nil {
			return err
		}
		if same {
			return markItem(ctx, tx, op, id, unchanged, "", 0, "")
		}
		r, err := m.records.UpdateTx(ctx, tx, p, c.e, id, in, 0)
		if err != nil {
			return err
		}
		if r.Version == old.Version {
			return markItem(ctx, tx, op, id, unchanged, "", 0, "")
		}
		b, err := json.Marshal(prev)
		if err != nil {
			return err
		}
		return markItem(ctx, tx, op, id, changed, string(b), r.Version, "")
	})
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		return m.db.WriteTx(ctx, func(tx *sql.Tx) error { return markItem(ctx, tx, op, id, failed, "", 0, refusal(e)) })
	}
	return err
}

// refusal is why a record was not changed, as one line.
func refusal(e *errs.Error) string {
	msg := e.Message
	for _, fe := range e.Fields {
		msg += " " + fe.Field + ": " + fe.Message
	}
	return msg
}

// input is the change for one record, and whether it already is as asked.
func (c checked) input(old records.Record) (records.Input, bool, error) {
	switch c.Action {
	case TagAdd, TagRemove:
		tags := old.Strings(tagsField)
		has := slices.Contains(tags, c.Value)
		if c.Action == TagAdd {
			if has {
				return nil, true, nil
			}
			return records.Input{tagsField: append(slices.Clone(tags), c.Value)}, false, nil
		}
		if !has {
			return nil, true, nil
		}
		return records.Input{tagsField: slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return t == c.Value })}, false, nil
	}
	v, err := c.value(c.Value)
	if err != nil {
		return nil, false, err
	}
	return records.Input{c.Field: v}, false, nil
}

// value reads a value as typed for the field the action changes.
func (c checked) value(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch c.field.Kind {
	case records.Ref, records.User:
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			var fe errs.Fields
			fe.Add("value", "invalid", "must be a record's ID")
			return nil, fe.Err()
		}
		return id, nil
	case records.Bool:
		return s == "true", nil
	}
	return s, nil
}

// counters are the operation's counts an item's new state adds to: a
// record worked through is done, and changed or failed; undo turns a
// changed one undone or kept.
var counters = map[string][]string{
	changed:   {"done_count", "changed_count"},
	unchanged: {"done_count"},
	failed:    {"done_count", "failed_count"},
	undone:    {"undone_count"},
	kept:      {"kept_count"},
}

// markItem records what happened to one record and adds it to the
// operation's counts, in the caller's transaction: the counts stay exact
// through a crash and a resume, and no step recounts the items.
func markItem(ctx context.Context, tx *sql.Tx, op, id int64, state, previous string, version int64, errText string) error {
	var prev, ver any
	if previous != "" {
		prev = previous
	}
	if version != 0 {
		ver = version
	}
	_, err := tx.ExecContext(ctx, "UPDATE bulk_items SET state = $1, previous = COALESCE($2, previous), version = COALESCE($3, version), error = $4 WHERE operation_id = $5 AND record_id = $6",
		state, prev, ver, errText, op, id)
	if err != nil {
		return fmt.Errorf("bulk change %d, record %d: %w", op, id, err)
	}
	sets := make([]string, len(counters[state]))
	for i, c := range counters[state] {
		sets[i] = c + " = " + c + " + 1"
	}
	if _, err := tx.ExecContext(ctx, "UPDATE bulk_operations SET "+strings.Join(sets, ", ")+" WHERE id = $1", op); err != nil {
		return fmt.Errorf("count bulk change %d: %w", op, err)
	}
	return nil
}

func (m *Module) setStatus(ctx context.Context, op int64, status string) error {
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE bulk_operations SET status = $1, updated_at = $2 WHERE id = $3", status, m.records.Now(), op); err != nil {
			return fmt.Errorf("bulk change %d: %w", op, err)
		}
		return nil
	})
}

// fail stops an operation for good, saying why, and returns err.
func (m *Module) fail(ctx context.Context, op int64, err error) error {
	werr := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, e := tx.ExecContext(ctx, "UPDATE bulk_operations SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3", err.Error(), m.records.Now(), op)
		return e
	})
	return errors.Join(err, werr)
}

// Undo takes an operation back as p (its creator or an administrator):
// every record it changed gets what it had, as one more edit each,
// unless the record changed again since, which undo leaves as it is
// (Kept). Many records go to a background job.
func (m *Module) Undo(ctx context.Context, p auth.Principal, id int64) (Operation, error) {
	o, err := m.Get(ctx, p, id)
	if err != nil {
		return Operation{}, err
	}
	if err := p.CanWriteAny(); err != nil {
		return Operation{}, err
	}
	switch o.Status {
	case "undone", "undoing":
		return o, nil
	case "done":
	default:
		return Operation{}, errs.E(errs.Conflict, "The change is still running; undo it when it is done.").WithKey("bulk.error.running")
	}
	if err := m.setStatus(ctx, id, "undoing"); err != nil {
		return Operation{}, err
	}
	if o.Changed > int64(m.InlineRows) {
		if err := m.enqueue(ctx, RunArgs{OperationID: id, Undo: true, UserID: p.UserID}); err != nil {
			return Operation{}, err
		}
		return m.Get(ctx, p, id)
	}
	if err := m.runUndo(ctx, p, id); err != nil {
		return Operation{}, err
	}
	return m.Get(ctx, p, id)
}

// runUndo undoes the changed records of an operation that is undoing.
func (m *Module) runUndo(ctx context.Context, p auth.Principal, id int64) error {
	o, err := m.get(ctx, m.db.Read(), id)
	if err != nil {
		return err
	}
	e, ok := m.entities.Get(o.Entity)
	if !ok {
		return m.fail(ctx, id, fmt.Errorf("bulk: no entity %q", o.Entity))
	}
	c := checked{Request: Request{Entity: o.Entity, Action: o.Action, Field: o.Field, Value: o.Value}, e: e}
	if o.Field != "" {
		if c.field, ok, err = fieldOf(ctx, m.records, e, o.Field); err != nil {
			return err
		} else if !ok {
			return m.fail(ctx, id, fmt.Errorf("bulk: %s has no field %q", o.Entity, o.Field))
		}
	}
	for {
		items, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (undoItem, error) {
			var it undoItem
			var prev sql.NullString
			err := row.Scan(&it.id, &prev, &it.version)
			it.previous = []byte(prev.String)
			return it, err
		}, "SELECT record_id, previous, version FROM bulk_items WHERE operation_id = $1 AND state = 'changed' ORDER BY record_id LIMIT $2", id, m.BatchSize)
		if err != nil {
			return fmt.Errorf("records of bulk change %d: %w", id, err)
		}
		for _, it := range items {
			if err := m.undoOne(ctx, p, c, id, it); err != nil {
				return err
			}
		}
		if len(items) < m.BatchSize {
			break
		}
	}
	return m.setStatus(ctx, id, "undone")
}

type undoItem struct {
	id       int64
	previous []byte
	version  int64
}

// undoOne puts one record back, or keeps it when it changed since.
func (m *Module) undoOne(ctx context.Context, p auth.Principal, c checked, op int64, it undoItem) error {
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var version int64
		err := tx.QueryRowContext(ctx, "SELECT version FROM "+c.e.Table+" WHERE id = $1", it.id).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) || err == nil && version != it.version {
			return markItem(ctx, tx, op, it.id, kept, "", 0, "changed since")
		}
		if err != nil {
			return fmt.Errorf("%s %d: %w", c.e.Name, it.id, err)
		}
		if c.Action == Delete {
			if err := m.records.RestoreTx(ctx, tx, p, c.e, it.id); err != nil {
				return err
			}
			return markItem(ctx, tx, op, it.id, undone, "", 0, "")
		}
		prev, err := c.decodePrevious(it.previous)
		if err != nil {
			return err
		}
		if _, err := m.records.UpdateTx(ctx, tx, p, c.e, it.id, records.Input{c.Field: prev}, it.version); err != nil {
			return err
		}
		return markItem(ctx, tx, op, it.id, undone, "", 0, "")
	})
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		return m.db.WriteTx(ctx, func(tx *sql.Tx) error { return markItem(ctx, tx, op, it.id, kept, "", 0, refusal(e)) })
	}
	return err
}

// decodePrevious reads a stored value back as the store takes it: IDs
// as integers, lists as strings.
func (c checked) decodePrevious(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("bulk: a stored value: %w", err)
	}
	switch x := v.(type) {
	case json.Number:
		return x.Int64()
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, fmt.Sprint(s))
		}
		return out, nil
	}
	return v, nil
}

// fieldOf is the field of e named name, custom fields included, and the
// owner (owner_id, which assign changes).
func fieldOf(ctx context.Context, rs *records.Store, e *records.Entity, name string) (records.Field, bool, error) {
	if name == "owner_id" {
		return records.Field{Name: "owner_id", Kind: records.User}, true, nil
	}
	fields, err := rs.Fields(ctx, e)
	if err != nil {
		return records.Field{}, false, err
	}
	i := slices.IndexFunc(fields, func(f records.Field) bool { return f.Name == name })
	if i < 0 {
		return records.Field{}, false, nil
	}
	return fields[i], true, nil
}
