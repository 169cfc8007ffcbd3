// Package page implements the list conventions every Relasi entity follows:
// keyset pagination (limit + opaque cursor) and sorting by whitelisted
// fields. Keyset pages stay fast at any depth because each page starts from
// the last row's sort values instead of skipping OFFSET rows.
//
// A list query declares its sortable fields as Columns, parses the request
// with Parse, and appends Request.Where and Request.OrderBy to its SQL. The
// record ID is always the final sort key, so ordering is total and a cursor
// never skips or repeats a row.
package page

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
)

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Kind is the type of a sort column's values, needed to decode cursors.
type Kind int

const (
	Text Kind = iota
	Int
	Float
	Time
)

// Column is a sortable field: the API name maps to an SQL expression that
// must never be NULL (wrap nullable columns in COALESCE).
type Column struct {
	Expr string
	Kind Kind
}

// Columns maps API field names to sortable columns.
type Columns map[string]Column

// SortField is one key of the requested order.
type SortField struct {
	Field string
	Desc  bool
}

// Request is a parsed list request.
type Request struct {
	Limit int
	Sort  []SortField
	// After holds the last row's sort values from the cursor (one per sort
	// field, then the ID), or nil for the first page.
	After []any
	// Before holds the first row's sort values of the page after the one
	// asked for (the before parameter: a previous page); the query then
	// runs backwards, and Window puts the rows back in order.
	Before []any

	cols   Columns
	idExpr string
}

// Parse reads limit, cursor and sort from q. sort is a comma-separated list
// of field names, each optionally prefixed with "-" for descending, e.g.
// "sort=-created_at,name". idExpr is the ID column ("id", "c.id").
func Parse(q url.Values, cols Columns, defaultSort, idExpr string) (Request, error) {
	var fe errs.Fields
	r := Request{Limit: DefaultLimit, cols: cols, idExpr: idExpr}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
		} else {
			r.Limit = n
		}
	}
	sortSpec := q.Get("sort")
	if sortSpec == "" {
		sortSpec = defaultSort
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(sortSpec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := SortField{Field: strings.TrimPrefix(part, "-"), Desc: strings.HasPrefix(part, "-")}
		if _, ok := cols[f.Field]; !ok || seen[f.Field] {
			fe.Add("sort", "unknown_field", "cannot sort by %q; sortable fields: %s", f.Field, strings.Join(cols.names(), ", "))
			continue
		}
		seen[f.Field] = true
		r.Sort = append(r.Sort, f)
	}
	if err := fe.Err(); err != nil {
		return Request{}, err
	}
	if q.Get("cursor") != "" && q.Get("before") != "" {
		fe.Add("before", "invalid", "cannot be given with cursor; a page is either after a cursor or before one")
		return Request{}, fe.Err()
	}
	for _, name := range []string{"cursor", "before"} {
		c := q.Get(name)
		if c == "" {
			continue
		}
		keys, err := r.decodeCursor(c)
		if err != nil {
			fe.Add(name, "invalid", "is not a cursor from this list with this sort; start again without it")
			return Request{}, fe.Err()
		}
		if name == "cursor" {
			r.After = keys
		} else {
			r.Before = keys
		}
	}
	return r, nil
}

func (c Columns) names() []string {
	return slices.Sorted(maps.Keys(c))
}

// Where returns the keyset condition (or "" on the first page) with its
// arguments numbered from $firstArg.
//
// For sort (a ASC, b DESC) after (x, y, id0) it is
// (a > x) OR (a = x AND b < y) OR (a = x AND b = y AND id > id0).
//
// Before a cursor, every comparison is turned round: the rows before it.
func (r Request) Where(firstArg int) (string, []any) {
	keys, back := r.After, r.Before != nil
	if back {
		keys = r.Before
	}
	if keys == nil {
		return "", nil
	}
	exprs := make([]string, 0, len(r.Sort)+1)
	ops := make([]string, 0, len(r.Sort)+1)
	for _, f := range r.Sort {
		exprs = append(exprs, r.cols[f.Field].Expr)
		ops = append(ops, map[bool]string{false: ">", true: "<"}[f.Desc != back])
	}
	exprs = append(exprs, r.idExpr)
	ops = append(ops, map[bool]string{false: ">", true: "<"}[back])
	var ors []string
	for i := range exprs {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, fmt.Sprintf("%s = $%d", exprs[j], firstArg+j))
		}
		ands = append(ands, fmt.Sprintf("%s %s $%d", exprs[i], ops[i], firstArg+i))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", keys
}

// OrderBy returns the ORDER BY list, ending with the ID; before a cursor,
// in reverse, nearest the cursor first.
func (r Request) OrderBy() string {
	back := r.Before != nil
	dir := func(desc bool) string {
		if desc != back {
			return "DESC"
		}
		return "ASC"
	}
	parts := make([]string, 0, len(r.Sort)+1)
	for _, f := range r.Sort {
		parts = append(parts, r.cols[f.Field].Expr+" "+dir(f.Desc))
	}
	return strings.Join(append(parts, r.idExpr+" "+dir(false)), ", ")
}

// Window cuts rows fetched with Fetch(), in the query's order, down to
// the page in the list's order, and says whether pages come before it
// (prev) and after it (next).
func Window[T any](r Request, rows []T) (page []T, prev, next bool) {
	more := len(rows) > r.Limit
	if more {
		rows = rows[:r.Limit]
	}
	if r.Before == nil {
		return rows, r.After != nil, more
	}
	slices.Reverse(rows)
	// The cursor's own row comes after this page.
	return rows, more, true
}

// Fetch is the LIMIT to query: one more than the page, to know whether a
// next page exists.
func (r Request) Fetch() int { return r.Limit + 1 }

// sortSpec is the canonical text of the sort, stored in cursors so a
// cursor cannot be used with another sort.
func (r Request) sortSpec() string {
	parts := make([]string, len(r.Sort))
	for i, f := range r.Sort {
		parts[i] = map[bool]string{false: "", true: "-"}[f.Desc] + f.Field
	}
	return strings.Join(parts, ",")
}

// Cursor encodes the sort values of the last row shown (in Sort order, then
// the ID), preceded by the sort they belong to. Times must be time.Time.
func (r Request) Cursor(values ...any) string {
	enc := make([]any, 0, len(values)+1)
	enc = append(enc, r.sortSpec())
	for _, v := range values {
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339Nano)
		}
		enc = append(enc, v)
	}
	b, _ := json.Marshal(enc)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (r Request) decodeCursor(c string) ([]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	var spec string
	if len(raw) == 0 || json.Unmarshal(raw[0], &spec) != nil || spec != r.sortSpec() {
		return nil, fmt.Errorf("cursor belongs to another sort")
	}
	raw = raw[1:]
	if len(raw) != len(r.Sort)+1 {
		return nil, fmt.Errorf("cursor has %d values, want %d", len(raw), len(r.Sort)+1)
	}
	kinds := make([]Kind, 0, len(raw))
	for _, f := range r.Sort {
		kinds = append(kinds, r.cols[f.Field].Kind)
	}
	kinds = append(kinds, Int)
	out := make([]any, len(raw))
	for i, k := range kinds {
		switch k {
		case Text:
			var s string
			if err := json.Unmarshal(raw[i], &s); err != nil {
				return nil, err
			}
			out[i] = s
		case Int:
			var n int64
			if err := json.Unmarshal(raw[i], &n); err != nil {
				return nil, err
			}
			out[i] = n
		case Float:
			var f float64
			if err := json.Unmarshal(raw[i], &f); err != nil {
				return nil, err
			}
			out[i] = f
		case Time:
			var s string
			if err := json.Unmarshal(raw[i], &s); err != nil {
				return nil, err
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			out[i] = t.UTC()
		}
	}
	return out, nil
}

// List is one page of results as the API returns it. PrevCursor, given as
// before, asks for the page before this one.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
	PrevCursor string `json:"prev_cursor,omitempty"`
}

// Trim cuts rows fetched with Fetch() down to the page and sets NextCursor
// from the last row shown. values returns a row's value for each sortable
// field name; id returns its ID.
func Trim[T any](r Request, rows []T, values func(T) map[string]any, id func(T) int64) List[T] {
	items, prev, next := Window(r, rows)
	out := List[T]{Items: items}
	if out.Items == nil {
		out.Items = []T{}
	}
	cursor := func(row T) string {
		v := values(row)
		keys := make([]any, 0, len(r.Sort)+1)
		for _, f := range r.Sort {
			keys = append(keys, v[f.Field])
		}
		return r.Cursor(append(keys, id(row))...)
	}
	if len(items) > 0 && next {
		out.NextCursor = cursor(items[len(items)-1])
	}
	if len(items) > 0 && prev {
		out.PrevCursor = cursor(items[0])
	}
	return out
}
