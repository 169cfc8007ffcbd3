package page_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
)

var cols = page.Columns{
	"name":       {Expr: "lower(c.name)", Kind: page.Text},
	"created_at": {Expr: "c.created_at", Kind: page.Time},
	"score":      {Expr: "c.score", Kind: page.Int},
	"amount":     {Expr: "COALESCE(c.amount, 0)", Kind: page.Float},
}

func parse(t *testing.T, q url.Values) page.Request {
	t.Helper()
	r, err := page.Parse(q, cols, "name", "c.id")
	if err != nil {
		t.Fatalf("Parse(%v): %v", q, err)
	}
	return r
}

// encode builds a cursor by hand, as a client tampering with one would.
func encode(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestParseDefaults(t *testing.T) {
	r := parse(t, nil)
	if r.Limit != page.DefaultLimit || r.After != nil {
		t.Fatalf("limit %d after %v, want %d and nil", r.Limit, r.After, page.DefaultLimit)
	}
	if want := []page.SortField{{Field: "name"}}; !reflect.DeepEqual(r.Sort, want) {
		t.Fatalf("sort %+v, want the default %+v", r.Sort, want)
	}
	if r.Fetch() != page.DefaultLimit+1 {
		t.Fatalf("Fetch() = %d, want one more than the limit", r.Fetch())
	}
	for limit, want := range map[string]int{"1": 1, "500": page.MaxLimit, "": page.DefaultLimit} {
		if r := parse(t, url.Values{"limit": {limit}}); r.Limit != want {
			t.Fatalf("limit %q gives %d, want %d", limit, r.Limit, want)
		}
	}
	r = parse(t, url.Values{"sort": {" -created_at , name "}})
	if want := []page.SortField{{Field: "created_at", Desc: true}, {Field: "name"}}; !reflect.DeepEqual(r.Sort, want) {
		t.Fatalf("sort %+v, want %+v", r.Sort, want)
	}
}

func TestParseRejects(t *testing.T) {
	nameCursor := parse(t, nil).Cursor("ana", int64(7))
	cases := []struct {
		name  string
		q     url.Values
		field string
	}{
		{"limit 0", url.Values{"limit": {"0"}}, "limit"},
		{"limit 501", url.Values{"limit": {"501"}}, "limit"},
		{"limit -1", url.Values{"limit": {"-1"}}, "limit"},
		{"limit abc", url.Values{"limit": {"abc"}}, "limit"},
		{"limit 2.5", url.Values{"limit": {"2.5"}}, "limit"},
		{"unknown sort field", url.Values{"sort": {"password_hash"}}, "sort"},
		{"sort by an expression", url.Values{"sort": {"lower(c.name)"}}, "sort"},
		{"duplicate sort field", url.Values{"sort": {"name,-name"}}, "sort"},
		{"cursor not base64", url.Values{"cursor": {"not a cursor!"}}, "cursor"},
		{"cursor cut short", url.Values{"cursor": {nameCursor[:len(nameCursor)-4]}}, "cursor"},
		{"cursor with an extra character", url.Values{"cursor": {nameCursor + "A"}}, "cursor"},
		{"cursor of an object", url.Values{"cursor": {encode(map[string]any{"name": "ana", "id": 7})}}, "cursor"},
		{"cursor with a text ID", url.Values{"cursor": {encode([]any{"ana", "7"})}}, "cursor"},
		{"cursor with a number for text", url.Values{"cursor": {encode([]any{5, 7})}}, "cursor"},
		{"cursor with a bad time", url.Values{"sort": {"created_at"}, "cursor": {encode([]any{"yesterday", 7})}}, "cursor"},
		{"cursor with a fraction for an int", url.Values{"sort": {"score"}, "cursor": {encode([]any{1.5, 7})}}, "cursor"},
		{"cursor from another sort", url.Values{"sort": {"name,created_at"}, "cursor": {nameCursor}}, "cursor"},
		{"cursor from the first page of a shorter sort", url.Values{"sort": {"name"}, "cursor": {encode([]any{7})}}, "cursor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := page.Parse(c.q, cols, "name", "c.id")
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("want Invalid, got %v", err)
			}
			e, _ := errs.As(err)
			if len(e.Fields) != 1 || e.Field(c.field) == "" {
				t.Fatalf("want one field error on %q, got %+v", c.field, e.Fields)
			}
		})
	}
}

func TestWhereAndOrderBy(t *testing.T) {
	first := parse(t, url.Values{"sort": {"name,-created_at"}})
	if cond, args := first.Where(3); cond != "" || args != nil {
		t.Fatalf("first page: Where = %q %v, want nothing", cond, args)
	}
	if got, want := first.OrderBy(), "lower(c.name) ASC, c.created_at DESC, c.id ASC"; got != want {
		t.Fatalf("OrderBy =\n %s\nwant\n %s", got, want)
	}

	at := time.Date(2025, 3, 10, 9, 30, 0, 0, time.UTC)
	next := parse(t, url.Values{"sort": {"name,-created_at"}, "cursor": {first.Cursor("ana", at, int64(42))}})
	cond, args := next.Where(3)
	want := "((lower(c.name) > $3)" +
		" OR (lower(c.name) = $3 AND c.created_at < $4)" +
		" OR (lower(c.name) = $3 AND c.created_at = $4 AND c.id > $5))"
	if cond != want {
		t.Fatalf("Where(3) =\n %s\nwant\n %s", cond, want)
	}
	if wantArgs := []any{"ana", at, int64(42)}; !reflect.DeepEqual(args, wantArgs) {
		t.Fatalf("args %#v, want %#v", args, wantArgs)
	}
	if got, want := next.OrderBy(), "lower(c.name) ASC, c.created_at DESC, c.id ASC"; got != want {
		t.Fatalf("OrderBy =\n %s\nwant\n %s", got, want)
	}

	// With only the ID left to compare.
	byID := parse(t, url.Values{"sort": {","}, "cursor": {encode([]any{"", 9})}})
	if cond, _ := byID.Where(1); cond != "((c.id > $1))" {
		t.Fatalf("Where with no sort fields = %q", cond)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	jakarta := time.FixedZone("WIB", 7*60*60)
	at := time.Date(2025, 12, 31, 23, 59, 59, 123456789, jakarta)
	r := parse(t, url.Values{"sort": {"name,-score,amount,created_at"}})
	const bigID = int64(1)<<53 + 1 // not exactly representable as a float64
	values := []any{`Ana "Ani" Wijaya, ü/+=`, int64(-9_000_000_000), 1234.5678, at, bigID}
	next := parse(t, url.Values{"sort": {"name,-score,amount,created_at"}, "cursor": {r.Cursor(values...)}})
	want := []any{values[0], values[1], values[2], at.UTC(), bigID}
	if !reflect.DeepEqual(next.After, want) {
		t.Fatalf("after round trip %#v, want %#v", next.After, want)
	}
	if got := next.After[3].(time.Time); !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("time %v, want %v in UTC", got, at)
	}
}

func TestTrim(t *testing.T) {
	type row struct {
		id   int64
		name string
	}
	r := parse(t, url.Values{"limit": {"2"}})
	values := func(x row) map[string]any { return map[string]any{"name": x.name} }
	id := func(x row) int64 { return x.id }

	l := page.Trim(r, []row{{1, "ana"}, {2, "budi"}, {3, "citra"}}, values, id)
	if len(l.Items) != 2 || l.Items[1].id != 2 || l.NextCursor == "" {
		t.Fatalf("a full page: %+v", l)
	}
	next := parse(t, url.Values{"limit": {"2"}, "cursor": {l.NextCursor}})
	if want := []any{"budi", int64(2)}; !reflect.DeepEqual(next.After, want) {
		t.Fatalf("next page starts after %#v, want %#v", next.After, want)
	}

	l = page.Trim(r, []row{{1, "ana"}, {2, "budi"}}, values, id)
	if len(l.Items) != 2 || l.NextCursor != "" {
		t.Fatalf("the last page: %+v", l)
	}
	l = page.Trim(r, nil, values, id)
	if b, _ := json.Marshal(l); string(b) != `{"items":[]}` {
		t.Fatalf("an empty page is %s, want an empty list", b)
	}
}
