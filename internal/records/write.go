package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// Input is a create or update request: field name → raw value (decoded
// JSON with json.Number, or form strings). Custom fields are given either
// as "custom.<key>" entries or as a "custom" object.
type Input map[string]any

// flatten turns a nested "custom" object into "custom.<key>" entries. A
// "custom" that is not an object is reported in fe, and the other fields
// are still checked, so the caller learns every problem at once.
func (in Input) flatten(fe *errs.Fields) Input {
	out := make(Input, len(in))
	for k, v := range in {
		if k != "custom" {
			out[k] = v
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			fe.Add("custom", "wrong_type", "must be an object of custom field values")
			continue
		}
		for ck, cv := range m {
			out["custom."+ck] = cv
		}
	}
	return out
}

// shownOnly are the names the API shows on every record but never accepts:
// a client that sends back what it read learns they are Relasi's to set.
var shownOnly = map[string]bool{"id": true, "title": true, "display": true, "created_at": true,
	"updated_at": true, "deleted_at": true, "version": true}

// apply validates in against the fields and writes the accepted values
// into r. Unknown and read-only fields are errors, never ignored.
func apply(fields []Field, r *Record, in Input) error {
	var fe errs.Fields
	in = in.flatten(&fe)
	byName := make(map[string]Field, len(fields))
	for _, f := range fields {
		byName[f.Name] = f
	}
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	// Currency fields first: money fields read them.
	sort.SliceStable(names, func(i, j int) bool { return byName[names[i]].Kind == Select && byName[names[j]].Kind != Select })
	for _, name := range names {
		f, ok := byName[name]
		if !ok && shownOnly[name] {
			fe.Add(name, "read_only", "is set by Relasi and cannot be changed")
			continue
		}
		if !ok {
			fe.Add(name, "unknown_field", "is not a field of this record")
			continue
		}
		if f.ReadOnly {
			fe.Add(name, "read_only", "is set by Relasi and cannot be changed")
			continue
		}
		cur, _ := r.Get(f.CurrencyField).(string)
		v, err := f.Accept(in[name], cur)
		if AddProblem(&fe, name, err) {
			continue
		}
		if err != nil {
			return err
		}
		r.set(f, v)
	}
	return fe.Err()
}

// validate applies in to r and reports every problem at once: values
// that were refused and required fields left empty.
func validate(fields []Field, r *Record, in Input) error {
	err := apply(fields, r, in)
	var fe errs.Fields
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		fe = e.Fields
	} else if err != nil {
		return err
	}
	for _, f := range fields {
		if f.Required && !f.ReadOnly && isEmpty(r.Get(f.Name)) && !fe.Has(f.Name) {
			fe.Add(f.Name, "required", "is required")
		}
	}
	return fe.Err()
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	return false
}

// ownerTeam returns the team of a user, for the authorisation check of a
// record that user owns. A new owner must be an active user (else a field
// error); a record's current owner may have left, and the record must
// stay editable so that it can be handed over.
func ownerTeam(ctx context.Context, tx *sql.Tx, ownerID int64, newOwner bool) (int64, error) {
	var team sql.NullInt64
	query := "SELECT team_id FROM users WHERE id = $1"
	if newOwner {
		query += " AND disabled_at IS NULL"
	}
	err := tx.QueryRowContext(ctx, query, ownerID).Scan(&team)
	if errors.Is(err, sql.ErrNoRows) {
		var fe errs.Fields
		fe.Add("owner_id", "not_found", "no active user has this ID")
		return 0, fe.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("owner's team: %w", err)
	}
	return team.Int64, nil
}

// canWrite is the authorisation check of a write: the caller must be
// allowed to write a record owned by the record's owner. newOwner says the
// owner is being given the record (created for or handed to).
func canWrite(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, r *Record, newOwner bool) error {
	if err := p.CanWriteAny(); err != nil {
		return err
	}
	if !e.Owned {
		return nil
	}
	var team int64
	if r.OwnerID != 0 {
		var err error
		if team, err = ownerTeam(ctx, tx, r.OwnerID, newOwner); err != nil {
			return err
		}
	}
	return p.Can(auth.Write, auth.Owned{OwnerID: r.OwnerID, OwnerTeamID: team})
}

// Create adds a record. Owned records belong to the caller unless the
// input names another owner the caller may give records to.
func (s *Store) Create(ctx context.Context, p auth.Principal, e *Entity, in Input) (Record, error) {
	var id int64
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		r, err := s.CreateTx(ctx, tx, p, e, in)
		id = r.ID
		return err
	})
	if err != nil {
		return Record{}, err
	}
	return s.Get(ctx, p, e, id)
}

// CreateTx is Create inside the caller's transaction.
func (s *Store) CreateTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, in Input) (Record, error) {
	return s.createTx(ctx, tx, p, e, in, time.Time{})
}

// createTx creates a record; a createdAt that is not zero is when the
// record was created in the system it comes from (see CreateTxAt).
func (s *Store) createTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, in Input, createdAt time.Time) (Record, error) {
	fields, err := s.fields(ctx, tx, e)
	if err != nil {
		return Record{}, err
	}
	r := &Record{Values: map[string]any{}, Custom: map[string]any{}, Titles: map[string]string{}, fields: fields}
	if e.Owned {
		r.OwnerID = p.UserID
	}
	err = validate(fields, r, in)
	if err := s.checkLinks(ctx, tx, p, fields, nil, r, err); err != nil {
		return Record{}, err
	}
	c := &Change{Actor: p, Action: "created", New: r, Origin: OriginOf(ctx)}
	if e.BeforeSave != nil {
		if err := e.BeforeSave(ctx, tx, c); err != nil {
			return Record{}, err
		}
	}
	if err := canWrite(ctx, tx, p, e, r, true); err != nil {
		return Record{}, err
	}
	now := s.now()
	created := now
	if !createdAt.IsZero() {
		created = createdAt.UTC().Truncate(time.Microsecond)
	}
	cols := []string{"custom", "created_at", "updated_at", "created_by", "updated_by"}
	customJSON, _ := json.Marshal(r.Custom)
	args := []any{string(customJSON), created, now, p.UserID, p.UserID}
	if e.Owned {
		cols = append(cols, "owner_id")
		args = append(args, nullID(r.OwnerID))
	}
	for _, f := range fields {
		if f.Custom || f.Column == "" || f.Name == "owner_id" || f.ReadOnly && r.Get(f.Name) == nil {
			continue
		}
		cols = append(cols, f.Column)
		args = append(args, toDB(f, r.Get(f.Name)))
	}
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	query := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING id", e.Table, strings.Join(cols, ", "), strings.Join(ph, ", "))
	if err := tx.QueryRowContext(ctx, query, args...).Scan(&r.ID); err != nil {
		return Record{}, s.writeError(e, err)
	}
	r.CreatedAt, r.UpdatedAt, r.Version = created, now, 1
	changes := diff(fields, nil, r)
	if !createdAt.IsZero() {
		changes["created_at"] = [2]any{nil, created}
	}
	if err := s.recordChange(ctx, tx, e, r.ID, "created", p, changes); err != nil {
		return Record{}, err
	}
	if e.AfterSave != nil {
		if err := e.AfterSave(ctx, tx, c); err != nil {
			return Record{}, err
		}
	}
	return *r, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// writeError turns constraint violations into errors the caller can act on.
func (s *Store) writeError(e *Entity, err error) error {
	var fe errs.Fields
	switch {
	case store.IsForeignKeyViolation(err):
		fe.Add("", "not_found", "refers to a record that does not exist")
		ferr, _ := errs.As(fe.Err())
		ferr.Message = "The record refers to another record that does not exist."
		return ferr
	}
	return fmt.Errorf("write %s: %w", e.Name, err)
}

// Update changes the fields given in in. ifVersion, when not 0, must be the
// record's current version or nothing changes (PreconditionFailed).
func (s *Store) Update(ctx context.Context, p auth.Principal, e *Entity, id int64, in Input, ifVersion int64) (Record, error) {
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := s.UpdateTx(ctx, tx, p, e, id, in, ifVersion)
		return err
	})
	if err != nil {
		return Record{}, err
	}
	return s.Get(ctx, p, e, id)
}

// UpdateTx is Update inside the caller's transaction.
func (s *Store) UpdateTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, id int64, in Input, ifVersion int64) (Record, error) {
	old, err := s.get(ctx, tx, p, e, id, auth.Read, false)
	if err != nil {
		return Record{}, err
	}
	if ifVersion != 0 && old.Version != ifVersion {
		return Record{}, errs.E(errs.PreconditionFailed,
			"The record was changed by someone else since you loaded it (now at version %d); reload it and apply your change again.", old.Version).
			WithKey("error.stale_version")
	}
	if err := canWrite(ctx, tx, p, e, &old, false); err != nil {
		return Record{}, err
	}
	fields := old.fields
	r := old.clone()
	err = validate(fields, r, in)
	if err := s.checkLinks(ctx, tx, p, fields, &old, r, err); err != nil {
		return Record{}, err
	}
	c := &Change{Actor: p, Action: "updated", Old: &old, New: r, Origin: OriginOf(ctx)}
	if e.BeforeSave != nil {
		if err := e.BeforeSave(ctx, tx, c); err != nil {
			return Record{}, err
		}
	}
	if r.OwnerID != old.OwnerID {
		// Giving a record away needs the right to write it at its new owner too.
		if err := canWrite(ctx, tx, p, e, r, true); err != nil {
			return Record{}, err
		}
	}
	changes := diff(fields, &old, r)
	if len(changes) == 0 {
		return old, nil
	}
	now := s.now()
	customJSON, _ := json.Marshal(r.storedCustom())
	sets := []string{"custom = $1", "updated_at = $2", "updated_by = $3", "version = version + 1"}
	args := []any{string(customJSON), now, p.UserID}
	if e.Owned {
		args = append(args, nullID(r.OwnerID))
		sets = append(sets, fmt.Sprintf("owner_id = $%d", len(args)))
	}
	for _, f := range fields {
		if f.Custom || f.Column == "" || f.Name == "owner_id" || f.ReadOnly {
			continue
		}
		if _, changed := changes[f.Name]; !changed {
			continue
		}
		args = append(args, toDB(f, r.Get(f.Name)))
		sets = append(sets, fmt.Sprintf("%s = $%d", f.Column, len(args)))
	}
	args = append(args, id, old.Version)
	query := fmt.Sprintf("UPDATE %s SET %s WHERE id = $%d AND version = $%d", e.Table, strings.Join(sets, ", "), len(args)-1, len(args))
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return Record{}, s.writeError(e, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Record{}, errs.E(errs.PreconditionFailed, "The record was changed by someone else meanwhile; reload it and apply your change again.").WithKey("error.stale_version")
	}
	r.UpdatedAt, r.Version = now, old.Version+1
	if err := s.recordChange(ctx, tx, e, id, "updated", p, changes); err != nil {
		return Record{}, err
	}
	if e.AfterSave != nil {
		if err := e.AfterSave(ctx, tx, c); err != nil {
			return Record{}, err
		}
	}
	return *r, nil
}

// SetSystem writes read-only fields (scores, response times, links set by
// domain operations) without the input rules, recording the change.
func (s *Store) SetSystem(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, id int64, values map[string]any, action string) error {
	var sets []string
	var args []any
	changes := map[string][2]any{}
	for name, v := range values {
		f, ok := e.Field(name)
		if !ok || f.Column == "" {
			return fmt.Errorf("records: %s has no column field %q", e.Name, name)
		}
		args = append(args, toDB(f, v))
		sets = append(sets, fmt.Sprintf("%s = $%d", f.Column, len(args)))
		changes[name] = [2]any{nil, v}
	}
	sort.Strings(sets)
	args = append(args, s.now(), id)
	query := fmt.Sprintf("UPDATE %s SET %s, updated_at = $%d, version = version + 1 WHERE id = $%d", e.Table, strings.Join(sets, ", "), len(args)-1, len(args))
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("update %s %d: %w", e.Name, id, err)
	}
	if action == "" {
		return nil
	}
	return s.recordChange(ctx, tx, e, id, action, p, changes)
}

// Delete moves a record to the trash. It stays restorable, with its
// relations, until the trash is emptied.
func (s *Store) Delete(ctx context.Context, p auth.Principal, e *Entity, id int64) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error { return s.DeleteTx(ctx, tx, p, e, id) })
}

// DeleteTx is Delete inside the caller's transaction.
func (s *Store) DeleteTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, id int64) error {
	old, err := s.get(ctx, tx, p, e, id, auth.Read, false)
	if err != nil {
		return err
	}
	if err := canWrite(ctx, tx, p, e, &old, false); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET deleted_at = $1, updated_by = $2, version = version + 1 WHERE id = $3", e.Table), now, p.UserID, id); err != nil {
		return fmt.Errorf("delete %s %d: %w", e.Name, id, err)
	}
	del := old.clone()
	del.DeletedAt = &now
	if err := s.recordChange(ctx, tx, e, id, "deleted", p, nil); err != nil {
		return err
	}
	if e.AfterSave != nil {
		return e.AfterSave(ctx, tx, &Change{Actor: p, Action: "deleted", Old: &old, New: del})
	}
	return nil
}

// Restore brings a record back from the trash.
func (s *Store) Restore(ctx context.Context, p auth.Principal, e *Entity, id int64) (Record, error) {
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error { return s.RestoreTx(ctx, tx, p, e, id) })
	if err != nil {
		return Record{}, err
	}
	return s.Get(ctx, p, e, id)
}

// RestoreTx is Restore inside the caller's transaction.
func (s *Store) RestoreTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, id int64) error {
	old, err := s.get(ctx, tx, p, e, id, auth.Read, true)
	if err != nil {
		return err
	}
	if err := canWrite(ctx, tx, p, e, &old, false); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET deleted_at = NULL, updated_by = $1, version = version + 1 WHERE id = $2", e.Table), p.UserID, id); err != nil {
		return fmt.Errorf("restore %s %d: %w", e.Name, id, err)
	}
	if err := s.recordChange(ctx, tx, e, id, "restored", p, nil); err != nil {
		return err
	}
	if e.AfterSave != nil {
		back := old.clone()
		back.DeletedAt = nil
		return e.AfterSave(ctx, tx, &Change{Actor: p, Action: "restored", Old: &old, New: back})
	}
	return nil
}

// diff lists the fields whose values differ, as field → [old, new].
func diff(fields []Field, old, cur *Record) map[string][2]any {
	out := map[string][2]any{}
	for _, f := range fields {
		var ov any
		if old != nil {
			ov = old.Get(f.Name)
		}
		nv := cur.Get(f.Name)
		if f.Name == "owner_id" && old == nil && nv == nil {
			continue
		}
		if !reflect.DeepEqual(ov, nv) {
			var shownOld any
			if old != nil {
				shownOld = jsonValue(f, old, ov)
			}
			out[f.Name] = [2]any{shownOld, jsonValue(f, cur, nv)}
		}
	}
	return out
}
