package records_test

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
)

// sortKey is how a list orders one value: numbers first, then text; a
// missing value is the smallest of its kind.
type sortKey struct {
	n float64
	s string
}

func (a sortKey) compare(b sortKey) int {
	return cmp.Or(cmp.Compare(a.n, b.n), strings.Compare(a.s, b.s))
}

// numberKey orders a JSON number, missing first.
func numberKey(v any) sortKey {
	if v == nil {
		return sortKey{n: -1e300}
	}
	f, _ := strconv.ParseFloat(show(v), 64)
	return sortKey{n: f}
}

// textKey orders text without regard to case, missing first; dates and
// instants in the API's fixed-width forms order as text too.
func textKey(v any) sortKey { return sortKey{s: strings.ToLower(show(v))} }

// wantOrder returns the IDs of items ordered by key, descending when desc,
// ties by ID — the order every page walk must reproduce.
func wantOrder(t testing.TB, items []map[string]any, key func(map[string]any) sortKey, desc bool) []int64 {
	t.Helper()
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b map[string]any) int {
		o := key(a).compare(key(b))
		if desc {
			o = -o
		}
		return cmp.Or(o, cmp.Compare(recID(t, a), recID(t, b)))
	})
	ids := make([]int64, len(sorted))
	for i, it := range sorted {
		ids[i] = recID(t, it)
	}
	return ids
}

// checkSorts walks the list of entity sorted by each field, both ways, in
// pages of 2, and holds the result against the order key gives.
func (c *crmAPI) checkSorts(t *testing.T, entity string, keys map[string]func(map[string]any) sortKey) {
	t.Helper()
	all := c.list(t, c.AdminToken, entity, "limit", "500")
	for field, key := range keys {
		for _, desc := range []bool{false, true} {
			spec := field
			if desc {
				spec = "-" + field
			}
			for _, limit := range []int{2, 3} {
				got := c.walk(t, c.AdminToken, entity, limit, "sort", spec)
				gotIDs := make([]int64, len(got))
				for i, g := range got {
					gotIDs[i] = recID(t, g)
				}
				if want := wantOrder(t, all, key, desc); !slices.Equal(gotIDs, want) {
					t.Errorf("%s sort=%s limit=%d: ids %v, want %v", entity, spec, limit, gotIDs, want)
				}
			}
		}
	}
}

func TestListSortContacts(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		a1 := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Satu"})
		a2 := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Dua"})
		t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		rows := []struct {
			at   time.Duration // created at t0 + at: ties on purpose
			body map[string]any
			last *time.Time
		}{
			{0, map[string]any{"first_name": "budi", "last_name": "santoso", "birth_date": "1990-05-17", "account_id": a2["id"], "city": "Jakarta"}, nil},
			{0, map[string]any{"first_name": "Budi", "birth_date": "1985-01-01", "city": "jakarta"}, ptrTo(t0.Add(48 * time.Hour))},
			{time.Microsecond, map[string]any{"first_name": "ani", "last_name": "Wijaya", "account_id": a1["id"]}, ptrTo(t0.Add(time.Hour))},
			{time.Second, map[string]any{"first_name": "Citra", "last_name": "wijaya", "birth_date": "1990-05-17", "account_id": a1["id"], "city": "Bandung"}, ptrTo(t0.Add(48 * time.Hour))},
			{time.Second, map[string]any{"first_name": "ANI", "last_name": "Anwar", "birth_date": "2001-12-31"}, nil},
			{time.Hour, map[string]any{"first_name": "dewi", "account_id": a2["id"], "city": "Surabaya"}, ptrTo(t0.Add(-time.Hour))},
			{time.Hour, map[string]any{"first_name": "Eko", "last_name": "Anwar", "birth_date": "1985-01-01", "city": "Bandung"}, ptrTo(t0.Add(time.Hour + 500*time.Microsecond))},
			{48 * time.Hour, map[string]any{"first_name": "fajar", "last_name": "zulkarnain"}, nil},
		}
		for _, r := range rows {
			c.at(t0.Add(r.at))
			m := c.create(t, c.AdminToken, "contacts", r.body)
			if r.last != nil {
				err := c.DB.WriteTx(t.Context(), func(tx *sql.Tx) error {
					return c.Store.SetSystem(t.Context(), tx, c.Admin.Principal(), c.Contacts, recID(t, m), map[string]any{"last_activity_at": *r.last}, "")
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		timeKey := func(field string) func(map[string]any) sortKey {
			return func(m map[string]any) sortKey {
				if m[field] == nil {
					return sortKey{}
				}
				tm, err := time.Parse(time.RFC3339Nano, m[field].(string))
				if err != nil {
					t.Fatalf("%s %v: %v", field, m[field], err)
				}
				return sortKey{s: tm.UTC().Format("2006-01-02T15:04:05.000000")}
			}
		}
		c.checkSorts(t, "contacts", map[string]func(map[string]any) sortKey{
			"first_name":       func(m map[string]any) sortKey { return textKey(m["first_name"]) },
			"last_name":        func(m map[string]any) sortKey { return textKey(m["last_name"]) },
			"city":             func(m map[string]any) sortKey { return textKey(m["city"]) },
			"birth_date":       func(m map[string]any) sortKey { return textKey(m["birth_date"]) },
			"account_id":       func(m map[string]any) sortKey { return numberKey(m["account_id"]) },
			"created_at":       timeKey("created_at"),
			"updated_at":       timeKey("updated_at"),
			"last_activity_at": timeKey("last_activity_at"),
			"id":               func(m map[string]any) sortKey { return numberKey(m["id"]) },
		})

		// The default order is newest first; two keys sort together.
		items := c.walk(t, c.AdminToken, "contacts", 3)
		if got := column(items, "first_name"); !slices.Equal(got, []string{"fajar", "dewi", "Eko", "Citra", "ANI", "ani", "budi", "Budi"}) {
			t.Errorf("default order %v", got)
		}
		items = c.walk(t, c.AdminToken, "contacts", 2, "sort", "last_name,-birth_date")
		var got []string
		for _, it := range items {
			got = append(got, fmt.Sprintf("%s/%s", show(it["last_name"]), show(it["birth_date"])))
		}
		want := []string{"/1985-01-01", "/", "Anwar/2001-12-31", "Anwar/1985-01-01", "santoso/1990-05-17", "wijaya/1990-05-17", "Wijaya/", "zulkarnain/"}
		if !slices.Equal(got, want) {
			t.Errorf("sort=last_name,-birth_date: %v, want %v", got, want)
		}

		// Sorted by a date and filtered on it, records without one stay
		// out of "<" and the order holds (on SQLite the filter is then
		// written on the sort's expression).
		for _, sort := range []string{"last_activity_at", "-last_activity_at"} {
			items = c.walk(t, c.AdminToken, "contacts", 2, "sort", sort, "filter", "last_activity_at < 2026-01-06T12:00:00Z")
			got := column(items, "first_name")
			want := []string{"dewi", "ani", "Eko"}
			if sort[0] == '-' {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("sort=%s, last_activity_at < 2026-01-06T12:00:00Z: %v, want %v", sort, got, want)
			}
		}
		items = c.walk(t, c.AdminToken, "contacts", 2, "sort", "-last_activity_at", "filter", "last_activity_at >= 2026-01-06T12:00:00Z")
		if got := column(items, "first_name"); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"Budi", "Citra"}) { // a tie on the date
			t.Errorf("sort=-last_activity_at, last_activity_at >= 2026-01-06T12:00:00Z: %v", got)
		}

		// A cursor belongs to its sort.
		_, next := c.listPage(t, c.AdminToken, "contacts", "limit", "2", "sort", "first_name")
		wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?limit=2&sort=last_name&cursor="+next, nil), map[string]string{"cursor": "invalid"})
	})
}

func TestListSortAccounts(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, body := range []map[string]any{
			{"name": "pt maju", "employees": 20, "annual_revenue": json.Number("1500000.50")},
			{"name": "PT Maju", "employees": 20, "annual_revenue": 1500000.5},
			{"name": "CV Abadi", "annual_revenue": 250},
			{"name": "Koperasi Sejahtera", "employees": 0},
			{"name": "bank Rakyat", "employees": 90000, "annual_revenue": json.Number("92233720368547.75")},
			{"name": "Toko Jaya", "employees": 3, "annual_revenue": 0.01},
			{"name": "PT Maju", "employees": 3},
		} {
			c.create(t, c.AdminToken, "accounts", body)
		}
		c.checkSorts(t, "accounts", map[string]func(map[string]any) sortKey{
			"name":           func(m map[string]any) sortKey { return textKey(m["name"]) },
			"employees":      func(m map[string]any) sortKey { return numberKey(m["employees"]) },
			"annual_revenue": func(m map[string]any) sortKey { return numberKey(m["annual_revenue"]) },
			"owner_id":       func(m map[string]any) sortKey { return numberKey(m["owner_id"]) },
		})
		// Accounts list by name by default.
		if got := column(c.walk(t, c.AdminToken, "accounts", 4), "name"); !slices.Equal(got, []string{"bank Rakyat", "CV Abadi", "Koperasi Sejahtera", "pt maju", "PT Maju", "PT Maju", "Toko Jaya"}) {
			t.Errorf("default order %v", got)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
