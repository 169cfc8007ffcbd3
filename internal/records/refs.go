package records

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sync"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
)

// Links between records. A Ref field names a record of another entity (a
// contact's account, a deal's contact). The one rule, kept here for every
// entity: a caller may link only to a record it may read, and never sees
// anything of a linked record it may not read — its name in "display", in
// pages and in exports, nor its values through a filter such as
// "account.name startswith …". The ID stays: it is the linking record's
// value, and an ID alone tells nothing.

// entitySet is the entities a store serves (registered by RegisterAPI and
// RegisterWeb), so that a Ref field can find the entity it points at —
// whether that entity is owned, and its pages — whichever order the
// entities were registered in.
type entitySet struct {
	mu     sync.RWMutex
	byName map[string]*Entity
}

func (set *entitySet) add(e *Entity) {
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.byName == nil {
		set.byName = map[string]*Entity{}
	}
	set.byName[e.Name] = e
}

func (set *entitySet) get(name string) (*Entity, bool) {
	set.mu.RLock()
	defer set.mu.RUnlock()
	e, ok := set.byName[name]
	return e, ok
}

// Serve makes an entity known to the store as the target of Ref fields.
// RegisterAPI and RegisterWeb call it; domain code need not.
func (s *Store) Serve(e *Entity) { s.entities.add(e) }

// linkScope returns the SQL condition that the record a Ref field f links
// to, whose ID is the expression col, is one p may read, with arguments
// numbered from $firstArg; "" when p may read every record f can link to
// (f's entity is not owned, or p's role reads all records).
func (s *Store) linkScope(p auth.Principal, f Field, col string, firstArg int) (string, []any) {
	target := s.scopedTarget(p, f)
	if target == nil {
		return "", nil
	}
	scope, args := p.Scope(auth.Read, "lx.owner_id", firstArg)
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s lx WHERE lx.id = %s AND %s)", target.Table, col, scope), args
}

// scopedTarget is the entity a Ref field f links to when p's read scope
// limits which of its records p may see; nil when p sees them all.
func (s *Store) scopedTarget(p auth.Principal, f Field) *Entity {
	if f.Kind != Ref || p.Reads() == auth.VisibleAll {
		return nil
	}
	target, ok := s.entities.get(f.Ref)
	if !ok || !target.Owned {
		return nil
	}
	return target
}

// linkTitle is the display name of the record f links to, as an SQL
// expression over the ID in col: ” when there is none, or when p may not
// read it.
func (s *Store) linkTitle(p auth.Principal, f Field, col string, firstArg int) (string, []any) {
	title := refTitle(f, col)
	if f.Kind == Ref {
		if cond, args := s.linkScope(p, f, col, firstArg); cond != "" {
			return "COALESCE(CASE WHEN " + cond + " THEN " + title + " END, '')", args
		}
	}
	return "COALESCE(" + title + ", '')", nil
}

// checkLinks adds to the validation result verr an error for each link
// (Ref field) to a record that does not exist, is in the trash, or that p
// may not read, so that a bad link is a 422 naming the field — the same
// answer for a hidden record as for a missing one, so that trying IDs
// tells nothing. Only links that change are checked: a record whose
// account went to the trash, or to another team, can still be edited.
func (s *Store) checkLinks(ctx context.Context, tx *sql.Tx, p auth.Principal, fields []Field, old, r *Record, verr error) error {
	var fe errs.Fields
	if e, ok := errs.As(verr); ok && e.Code == errs.Invalid {
		fe = e.Fields
	} else if verr != nil {
		return verr
	}
	for _, f := range fields {
		v := r.Get(f.Name)
		if f.Kind != Ref || f.RefTitle == "" || v == nil || fe.Has(f.Name) || old != nil && reflect.DeepEqual(old.Get(f.Name), v) {
			continue
		}
		cond := refTitle(f, "$1") + " IS NOT NULL"
		args := []any{v}
		if scope, sargs := s.linkScope(p, f, "$1", 2); scope != "" {
			cond += " AND " + scope
			args = append(args, sargs...)
		}
		var ok int
		if err := tx.QueryRowContext(ctx, "SELECT CASE WHEN "+cond+" THEN 1 ELSE 0 END", args...).Scan(&ok); err != nil {
			return fmt.Errorf("check %s: %w", f.Name, err)
		}
		if ok == 0 {
			fe.Add(f.Name, "not_found", "refers to no record that you may see")
		}
	}
	return fe.Err()
}

// Related is a filter field read from the record a Ref field links to,
// such as "account.employees" through a contact's account_id.
type Related struct {
	Name    string // as filters write it: "account.employees"
	Via     string // the Ref field: "account_id"
	Table   string // the linked table: "accounts"
	Column  string // its column: "employees"
	Type    filter.Type
	Choices []string
}

// relatedFields are e's Related fields for p: a linked record p may not
// read has no values, so "account.name startswith …" cannot probe it.
func (s *Store) relatedFields(p *auth.Principal, e *Entity) []filter.Field {
	out := make([]filter.Field, 0, len(e.Related))
	for _, rf := range e.Related {
		via, ok := e.Field(rf.Via)
		if !ok {
			panic(fmt.Sprintf("records: %s's related filter %s goes through %s, which is no field", e.Name, rf.Name, rf.Via))
		}
		where := "rf.id = " + e.Alias + "." + via.Column
		var args []any
		if p != nil && s.scopedTarget(*p, via) != nil {
			var scope string
			scope, args = p.Scope(auth.Read, "rf.owner_id", 1)
			where += " AND " + scope
		}
		out = append(out, filter.Field{Name: rf.Name, Type: rf.Type, Choices: rf.Choices, Args: args,
			SQL: fmt.Sprintf("(SELECT rf.%s FROM %s rf WHERE %s)", rf.Column, rf.Table, where)})
	}
	return out
}
