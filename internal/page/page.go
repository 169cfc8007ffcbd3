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
	if c := q.Get("cursor"); c != "" {
		after, err := r.decodeCursor(c)
		if err != nil {
			fe.Add("cursor", "invalid", "is not a cursor from this list with this sort; start again without it")
			return Request{}, fe.Err()
		}
		r.After = after
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
func (r Request) Where(firstArg int) (string, []any) {
	if r.After == nil {
		return "", nil
	}
	exprs := make([]string, 0, len(r.Sort)+1)
	ops := make([]string, 0, len(r.Sort)+1)
	for _, f := range r.Sort {
		exprs = append(exprs, r.cols[f.Field].Expr)
		ops = append(ops, map[bool]string{false: ">", true: "<"}[f.Desc])
	}
	exprs = append(exprs, r.idExpr)
	ops = append(ops, ">")
	var ors []string
	for i := range exprs {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, fmt.Sprintf("%s = $%d", exprs[j], firstArg+j))
		}
		ands = append(ands, fmt.Sprintf("%s %s $%d", exprs[i], ops[i], firstArg+i))
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", r.After
}

// OrderBy returns the ORDER BY list, ending with the ID.
func (r Request) OrderBy() string {
	parts := make([]string, 0, len(r.Sort)+1)
	for _, f := range r.Sort {
		dir := "ASC"
		if f.Desc {
			dir = "DESC"
		}
		parts = append(parts, r.cols[f.Field].Expr+" "+dir)
	}
	return strings.Join(append(parts, r.idExpr+" ASC"), ", ")
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

// List is one page of results as the API returns it.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Trim cuts rows fetched with Fetch() down to the page and sets NextCursor
// from the last row shown. values returns a row's value for each sortable
// field name; id returns its ID.
func Trim[T any](r Request, rows []T, values func(T) map[string]any, id func(T) int64) List[T] {
	out := List[T]{Items: rows}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(rows) > r.Limit {
		out.Items = rows[:r.Limit]
		last := out.Items[r.Limit-1]
		v := values(last)
		keys := make([]any, 0, len(r.Sort)+1)
		for _, f := range r.Sort {
			keys = append(keys, v[f.Field])
		}
		out.NextCursor = r.Cursor(append(keys, id(last))...)
	}
	return out
}
