package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// Store reads and writes records of any entity. Every method takes the
// caller's Principal and applies the authorisation scope in the query
// itself, so a record the caller may not see is simply not found.
type Store struct {
	db       *store.DB
	now      func() time.Time
	entities entitySet // the targets of Ref fields
}

// NewStore returns a Store on db.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// DB is the database, for domain code that composes its own queries.
func (s *Store) DB() *store.DB { return s.db }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// SetClock replaces the clock, for tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// selection is a SELECT list for an entity and the way to scan it.
type selection struct {
	e      *Entity
	fields []Field
	cols   []string
	titles []Field // fields whose display name is selected too
	args   []any   // arguments of cols, numbered from the firstArg given
}

// selection selects e's records for p: the names of linked records p may
// not read are not selected. Its arguments are numbered from $firstArg.
func (s *Store) selection(p auth.Principal, e *Entity, fields []Field, firstArg int) selection {
	a := e.Alias
	sel := selection{e: e, fields: fields}
	owner := "NULL"
	if e.Owned {
		owner = a + ".owner_id"
	}
	title := "''"
	if e.TitleSQL != "" {
		title = "COALESCE(" + e.TitleSQL + ", '')"
	}
	sel.cols = []string{a + ".id", owner, a + ".version", a + ".created_at", a + ".updated_at", a + ".deleted_at",
		jsonText(s.db.Engine, a+".custom"), title}
	for _, f := range fields {
		if f.Custom || f.Name == "owner_id" || f.ReadOnly && (f.Name == "id" || f.Name == "created_at" || f.Name == "updated_at") {
			continue
		}
		col := a + "." + f.Column
		if f.Kind == List || f.Kind == MultiSelect {
			col = jsonText(s.db.Engine, col)
		}
		sel.cols = append(sel.cols, col)
	}
	for _, f := range fields {
		if f.RefTitle != "" {
			c := a + "." + f.Column
			if f.Name == "owner_id" {
				c = owner
			}
			title, args := s.linkTitle(p, f, c, firstArg+len(sel.args))
			sel.cols = append(sel.cols, title)
			sel.args = append(sel.args, args...)
			sel.titles = append(sel.titles, f)
		}
	}
	return sel
}

func (sel selection) sql() string { return strings.Join(sel.cols, ", ") }

func (sel selection) scan(row store.Scanner, extra ...any) (Record, error) {
	var (
		r       = Record{Values: map[string]any{}, Custom: map[string]any{}, Titles: map[string]string{}, fields: sel.fields}
		owner   sql.NullInt64
		deleted sql.NullTime
		custom  string
	)
	dest := []any{&r.ID, &owner, &r.Version, &r.CreatedAt, &r.UpdatedAt, &deleted, &custom, &r.Title}
	var std []Field
	for _, f := range sel.fields {
		if f.Custom || f.Name == "owner_id" || f.ReadOnly && (f.Name == "id" || f.Name == "created_at" || f.Name == "updated_at") {
			continue
		}
		std = append(std, f)
	}
	raw := make([]any, len(std))
	for i := range raw {
		dest = append(dest, &raw[i])
	}
	titles := make([]string, len(sel.titles))
	for i := range titles {
		dest = append(dest, &titles[i])
	}
	dest = append(dest, extra...)
	if err := row.Scan(dest...); err != nil {
		return Record{}, err
	}
	r.OwnerID = owner.Int64
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if deleted.Valid {
		t := deleted.Time.UTC()
		r.DeletedAt = &t
	}
	for i, f := range std {
		v, err := fromDB(f, raw[i])
		if err != nil {
			return Record{}, fmt.Errorf("read %s.%s: %w", sel.e.Name, f.Name, err)
		}
		if v != nil {
			r.Values[f.Name] = v
		}
	}
	if custom != "" {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(custom))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return Record{}, fmt.Errorf("read %s custom values: %w", sel.e.Name, err)
		}
		for _, f := range sel.fields {
			if !f.Custom {
				continue
			}
			if v, ok := m[f.Key]; ok && v != nil {
				cv, err := fromJSON(f, v)
				if err == nil && cv != nil {
					r.Custom[f.Key] = cv
				}
			}
			delete(m, f.Key)
		}
		if len(m) > 0 {
			r.orphans = m
		}
	}
	for i, f := range sel.titles {
		if titles[i] != "" {
			r.Titles[f.Name] = titles[i]
		}
	}
	return r, nil
}

// fromDB converts what a driver returned into the field's Go value.
func fromDB(f Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch f.Kind {
	case Integer, Ref, User, Money:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return int64(x), nil
		}
	case Number:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	case Date:
		switch x := v.(type) {
		case time.Time:
			return x.Format(time.DateOnly), nil
		case string:
			if len(x) >= 10 {
				return x[:10], nil
			}
		}
	case DateTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC(), nil
				}
			}
		}
	case List, MultiSelect:
		if s, ok := v.(string); ok {
			var l []string
			if err := json.Unmarshal([]byte(s), &l); err != nil {
				return nil, err
			}
			if len(l) == 0 {
				return nil, nil
			}
			return l, nil
		}
	default:
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unexpected %T for a %s field", v, f.Kind)
}

// fromJSON converts a value stored in the custom JSON.
func fromJSON(f Field, v any) (any, error) {
	switch f.Kind {
	case Money, Integer:
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			return i, err
		}
	case Number:
		if n, ok := v.(json.Number); ok {
			return n.Float64()
		}
	case MultiSelect:
		if l, ok := v.([]any); ok {
			out := make([]string, 0, len(l))
			for _, it := range l {
				if s, ok := it.(string); ok {
					out = append(out, s)
				}
			}
			return out, nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	default:
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("custom %s: unexpected %T", f.Key, v)
}

// toDB converts a field's Go value into a bind argument.
func toDB(f Field, v any) any {
	if v == nil {
		return nil
	}
	if l, ok := v.([]string); ok {
		b, _ := json.Marshal(l)
		return string(b)
	}
	return v
}

var errNotFound = errs.E(errs.NotFound, "No such record, or you may not see it.").WithKey("error.record_not_found")

// Get returns one record the caller may read. Deleted records are found
// only with includeDeleted (the trash).
func (s *Store) Get(ctx context.Context, p auth.Principal, e *Entity, id int64) (Record, error) {
	return s.get(ctx, s.db.Read(), p, e, id, auth.Read, false)
}

// GetDeleted returns a record in the trash that p may read.
func (s *Store) GetDeleted(ctx context.Context, p auth.Principal, e *Entity, id int64) (Record, error) {
	return s.get(ctx, s.db.Read(), p, e, id, auth.Read, true)
}

// GetTx is Get inside a transaction, for domain operations that compose.
func (s *Store) GetTx(ctx context.Context, tx *sql.Tx, p auth.Principal, e *Entity, id int64) (Record, error) {
	return s.get(ctx, tx, p, e, id, auth.Read, false)
}

func (s *Store) get(ctx context.Context, q store.Querier, p auth.Principal, e *Entity, id int64, a auth.Action, deleted bool) (Record, error) {
	fields, err := s.fields(ctx, q, e)
	if err != nil {
		return Record{}, err
	}
	where := []string{e.Alias + ".id = $1"}
	args := []any{id}
	if deleted {
		where = append(where, e.Alias+".deleted_at IS NOT NULL")
	} else {
		where = append(where, e.Alias+".deleted_at IS NULL")
	}
	if e.Owned {
		cond, sargs := p.Scope(a, e.Alias+".owner_id", len(args)+1)
		where = append(where, cond)
		args = append(args, sargs...)
	}
	sel := s.selection(p, e, fields, len(args)+1)
	args = append(args, sel.args...)
	query := fmt.Sprintf("SELECT %s FROM %s %s WHERE %s", sel.sql(), e.Table, e.Alias, strings.Join(where, " AND "))
	r, err := sel.scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, errNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("get %s %d: %w", e.Name, id, err)
	}
	return r, nil
}

// Query is a list request.
type Query struct {
	Filter string     // the filter language
	Where  string     // extra SQL condition from domain code (trusted), with $n args numbered from 1
	Args   []any      // arguments of Where
	Page   url.Values // limit, cursor, sort
	Trash  bool       // list deleted records instead
	// Location is the caller's time zone, for relative dates in filters.
	Location *time.Location
}

// Schema returns the filter schema of an entity with its custom fields.
func (s *Store) Schema(ctx context.Context, e *Entity) (filter.Schema, error) {
	fields, err := s.fields(ctx, s.db.Read(), e)
	if err != nil {
		return filter.Schema{}, err
	}
	return s.schema(e, fields), nil
}

func (s *Store) schema(e *Entity, fields []Field) filter.Schema {
	return s.filterSchema(nil, e, fields, "")
}

// filterSchema is the filter schema of a list for p sorted first by
// sortField ("" for the default order; see List). A nil p is Relasi
// itself (assignment rules), which reads every linked record.
func (s *Store) filterSchema(p *auth.Principal, e *Entity, fields []Field, sortField string) filter.Schema {
	var ff []filter.Field
	all := append(e.systemFields(), fields...)
	for _, f := range all {
		if !f.Filterable() {
			continue
		}
		x := expr(s.db.Engine, e, f)
		ordered := ""
		switch {
		case sortField == "":
		case f.Kind == Select && !f.Custom && s.db.Engine == store.SQLite:
			x = "+" + x
		case f.Name == sortField && f.Kind == DateTime:
			// Both engines: PostgreSQL, with statistics, also read every
			// match of "last_activity_at < -90d" to sort them (626 ms at
			// a million contacts, 0.4 ms on the sort index's range).
			ordered = sortColumn(s.db.Engine, e, f).Expr
		}
		ff = append(ff, filter.Field{Name: f.Name, Type: f.filterType(), SQL: x, Choices: f.Choices, Scale: f.exponent(""), OrderedSQL: ordered,
			Prefix: prefix(s.db.Engine, e, f, x), Self: f.self()})
	}
	if e.Owned {
		ff = append(ff, ownerFilters(e)...)
	}
	ff = append(ff, s.relatedFields(p, e)...)
	return filter.NewSchema(ff...)
}

// ownerFilters are the owner's fields a filter names beside owner_id:
// owner (owner = me, owner in (me, 12)), owner.team (owner.team = my) and
// owner.name. Each is a condition on the record's owner_id, which the
// entity's owner index serves; users are no owned records, so every
// viewer reads their names and teams as lists show them.
func ownerFilters(e *Entity) []filter.Field {
	col := e.Alias + ".owner_id"
	users := &filter.Via{ID: col, Table: "users", Key: "id"}
	return []filter.Field{
		{Name: "owner", Type: filter.ID, SQL: col, Self: filter.SelfUser},
		{Name: "owner.team", Type: filter.ID, SQL: "team_id", Self: filter.SelfTeam, Via: users},
		{Name: "owner.name", Type: filter.Text, SQL: "name", Via: users},
	}
}

// self is the word a User field takes for the viewer: owner_id = me.
func (f Field) self() filter.Self {
	if f.Kind == User {
		return filter.SelfUser
	}
	return filter.NoSelf
}

// SortColumns returns the sortable fields of an entity.
func (s *Store) SortColumns(e *Entity, fields []Field) page.Columns {
	cols := page.Columns{}
	for _, f := range append(e.systemFields(), fields...) {
		if f.Sortable() {
			cols[f.Name] = sortColumn(s.db.Engine, e, f)
		}
	}
	return cols
}

// List returns one page of the records the caller may read that match q.
func (s *Store) List(ctx context.Context, p auth.Principal, e *Entity, q Query) (page.List[Record], error) {
	st, err := s.listStatement(ctx, p, e, q)
	if err != nil {
		return page.List[Record]{}, err
	}
	rows, err := s.db.Read().QueryContext(ctx, st.query, st.args...)
	if err != nil {
		return page.List[Record]{}, fmt.Errorf("list %s: %w", e.Name, err)
	}
	defer rows.Close()
	type keyed struct {
		r    Record
		keys []any // the row's sort values, for its cursor
	}
	var out []keyed
	pr, sel := st.pr, st.sel
	for rows.Next() {
		keys := make([]any, len(pr.Sort))
		ptrs := make([]any, len(keys))
		for i := range keys {
			ptrs[i] = &keys[i]
		}
		r, err := sel.scan(rows, ptrs...)
		if err != nil {
			return page.List[Record]{}, fmt.Errorf("list %s: %w", e.Name, err)
		}
		out = append(out, keyed{r, keys})
	}
	if err := rows.Err(); err != nil {
		return page.List[Record]{}, fmt.Errorf("list %s: %w", e.Name, err)
	}
	shown, prev, next := page.Window(pr, out)
	list := page.List[Record]{Items: make([]Record, len(shown))}
	for i, k := range shown {
		list.Items[i] = k.r
	}
	if len(shown) > 0 {
		cursor := func(k keyed) string { return pr.Cursor(append(cursorValues(k.keys), k.r.ID)...) }
		if next {
			list.NextCursor = cursor(shown[len(shown)-1])
		}
		if prev {
			list.PrevCursor = cursor(shown[0])
		}
	}
	return list, nil
}

// ListStatement returns the SQL statement and arguments List runs for q,
// for reading its plan (EXPLAIN) in tests and tools.
func (s *Store) ListStatement(ctx context.Context, p auth.Principal, e *Entity, q Query) (string, []any, error) {
	st, err := s.listStatement(ctx, p, e, q)
	if err != nil {
		return "", nil, err
	}
	return st.query, st.args, nil
}

// listStmt is the statement of a list page and how to read its rows.
type listStmt struct {
	query string
	args  []any
	pr    page.Request
	sel   selection
	// match is the condition of the list's records (scope and filter,
	// not the page's position), with its arguments, for Count.
	match     string
	matchArgs []any
}

func (s *Store) listStatement(ctx context.Context, p auth.Principal, e *Entity, q Query) (listStmt, error) {
	fields, err := s.fields(ctx, s.db.Read(), e)
	if err != nil {
		return listStmt{}, err
	}
	cols := s.SortColumns(e, fields)
	defSort := e.DefaultSort
	if defSort == "" {
		defSort = "-created_at"
	}
	pr, err := page.Parse(q.Page, cols, defSort, e.Alias+".id")
	if err != nil {
		return listStmt{}, err
	}
	var where []string
	var args []any
	if q.Trash {
		where = append(where, e.Alias+".deleted_at IS NOT NULL")
	} else {
		where = append(where, s.listColumn(e, "deleted_at")+" IS NULL")
	}
	if e.Owned {
		cond, sargs := p.Scope(auth.Read, s.listColumn(e, "owner_id"), len(args)+1)
		where = append(where, cond)
		args = append(args, sargs...)
	}
	if q.Where != "" {
		where = append(where, "("+renumber(q.Where, len(args))+")")
		args = append(args, q.Args...)
	}
	if strings.TrimSpace(q.Filter) != "" {
		// Sorted by another column than created_at, a condition on a
		// select field (a quick filter: role, source, stage — a handful of
		// values, each shared by many records) is written as +column on
		// SQLite. That keeps its planner, which has no statistics, from
		// reading every record of the value through the (field,
		// created_at) index and sorting them all for one page (2 s for
		// "buyers by first name" at a million contacts): it walks the
		// sort's index instead and stops after a page.
		// Likewise, on both engines, a range on the date the list is
		// sorted by is written on the sort's expression, so that the
		// index's range is read.
		sortField := ""
		if len(pr.Sort) > 0 && pr.Sort[0].Field != "created_at" {
			sortField = pr.Sort[0].Field
		}
		w, err := filter.Compile(q.Filter, s.filterSchema(&p, e, fields, sortField), filter.Options{Engine: s.db.Engine, FirstArg: len(args) + 1, Now: s.now(), Location: q.Location,
			UserID: p.UserID, TeamID: p.TeamID})
		if err != nil {
			return listStmt{}, err
		}
		if w.SQL != "" {
			where = append(where, "("+w.SQL+")")
			args = append(args, w.Args...)
		}
	}
	match, matchArgs := strings.Join(where, " AND "), slices.Clone(args)
	if cond, kargs := pr.Where(len(args) + 1); cond != "" {
		where = append(where, cond)
		args = append(args, kargs...)
	}
	// The sort expressions are selected too: their values make the cursor.
	sortCols := make([]string, 0, len(pr.Sort))
	for _, f := range pr.Sort {
		sortCols = append(sortCols, cols[f.Field].Expr)
	}
	sel := s.selection(p, e, fields, len(args)+1)
	args = append(args, sel.args...)
	selectList := sel.sql()
	if len(sortCols) > 0 {
		selectList += ", " + strings.Join(sortCols, ", ")
	}
	// The page's ids are found first, then its rows read. A query that must
	// sort (an order no index gives, such as "lifecycle_stage DESC", where
	// the id tie-break runs the other way and every contact of the first
	// stage is sorted, or a custom field) would otherwise compute the whole
	// select list, with its subqueries for the titles of referenced records,
	// for every row sorted rather than for one page: 70 ms instead of 19 for
	// contacts by lifecycle stage, descending.
	query := fmt.Sprintf(`SELECT %[1]s FROM %[2]s %[3]s WHERE %[3]s.id IN (
			SELECT %[3]s.id FROM %[2]s %[3]s WHERE %[4]s ORDER BY %[5]s LIMIT %[6]d)
		ORDER BY %[5]s`,
		selectList, e.Table, e.Alias, strings.Join(where, " AND "), pr.OrderBy(), pr.Fetch())
	return listStmt{query: query, args: args, pr: pr, sel: sel, match: match, matchArgs: matchArgs}, nil
}

// CountBound is how far a list counts the records it matches: a list of
// a million contacts says "10,000+" rather than reading them all.
const CountBound = 10000

// Count returns how many records q matches, the same records List pages
// through, counting no further than bound: more reports that there are
// more than bound (n is then bound). The count reads at most bound+1 rows
// of the list's own condition — filter and authorisation scope — so its
// cost has a ceiling whatever the table's size.
func (s *Store) Count(ctx context.Context, p auth.Principal, e *Entity, q Query, bound int) (n int, more bool, err error) {
	q.Page = url.Values{"sort": {q.Page.Get("sort")}} // the position in the list counts for nothing
	st, err := s.listStatement(ctx, p, e, q)
	if err != nil {
		return 0, false, err
	}
	query := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s %s WHERE %s LIMIT %d) matched", e.Table, e.Alias, st.match, bound+1)
	if err := s.db.Read().QueryRowContext(ctx, query, st.matchArgs...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count %s: %w", e.Name, err)
	}
	if n > bound {
		return bound, true, nil
	}
	return n, false, nil
}

// listColumn is how List's own conditions name a column: deleted_at and
// owner_id, which every page of every list tests. SQLite plans without
// statistics (nothing runs ANALYZE) and two of its guesses mislead lists,
// whose work is finding the first page in the requested order. It takes
// "deleted_at IS NULL" as selective, so an index on deleted_at, or one of
// live records only (deals_board), looked cheaper to read whole and sort
// than the index of the order (5-24 ms for 20,000 deals). And it answered a
// sales user's "owner_id = $1 OR owner_id IS NULL" from the owner index,
// reading and sorting every record the user owns (16 ms for 14,000
// contacts, 100 ms for 43,000 activities). Written +x.col, the value is the
// same but the column is no index key, so SQLite walks the index of the
// order and stops after a page; the *_created_owner indexes of migration
// 00009 hold owner_id and deleted_at, so the default order skips other
// users' and deleted records without reading their rows. PostgreSQL plans
// from statistics and gets the plain column.
func (s *Store) listColumn(e *Entity, col string) string {
	if s.db.Engine == store.SQLite {
		return "+" + e.Alias + "." + col
	}
	return e.Alias + "." + col
}

// cursorValues makes scanned sort values encodable (bytes to text, floats
// that hold whole numbers stay floats).
func cursorValues(keys []any) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		switch x := k.(type) {
		case []byte:
			out[i] = string(x)
		case float64:
			if math.IsInf(x, 0) {
				x = -1e300
			}
			out[i] = x
		default:
			out[i] = x
		}
	}
	return out
}

// renumber shifts $1, $2, … in a trusted SQL fragment by offset.
func renumber(sqlText string, offset int) string {
	if offset == 0 {
		return sqlText
	}
	var b strings.Builder
	for i := 0; i < len(sqlText); i++ {
		if sqlText[i] == '$' && i+1 < len(sqlText) && sqlText[i+1] >= '0' && sqlText[i+1] <= '9' {
			j := i + 1
			n := 0
			for j < len(sqlText) && sqlText[j] >= '0' && sqlText[j] <= '9' {
				n = n*10 + int(sqlText[j]-'0')
				j++
			}
			fmt.Fprintf(&b, "$%d", n+offset)
			i = j - 1
			continue
		}
		b.WriteByte(sqlText[i])
	}
	return b.String()
}

// MatchingIDs returns up to limit IDs of the records that match q's
// filter and p's read scope, in ID order after the ID after: the records
// a bulk change to "all matching the filter" walks, a batch at a time.
func (s *Store) MatchingIDs(ctx context.Context, p auth.Principal, e *Entity, q Query, after int64, limit int) ([]int64, error) {
	q.Page = url.Values{}
	st, err := s.listStatement(ctx, p, e, q)
	if err != nil {
		return nil, err
	}
	n := len(st.matchArgs)
	query := fmt.Sprintf("SELECT %s.id FROM %s %s WHERE %s AND %s.id > $%d ORDER BY %s.id LIMIT %d",
		e.Alias, e.Table, e.Alias, st.match, e.Alias, n+1, e.Alias, limit)
	ids, err := store.Collect(ctx, s.db.Read(), func(row store.Scanner) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	}, query, append(slices.Clone(st.matchArgs), after)...)
	if err != nil {
		return nil, fmt.Errorf("ids of %s matching: %w", e.Name, err)
	}
	return ids, nil
}
