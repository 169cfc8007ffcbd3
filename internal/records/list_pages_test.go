package records_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// titles are the titles of a page's records, in its order.
func titles(items []records.Record) []string {
	out := make([]string, len(items))
	for i, r := range items {
		out[i] = r.Title
	}
	return out
}

// TestListCount holds the list's total to the records the viewer may see
// and the filter keeps, exact up to the bound and the bound beyond it.
func TestListCount(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		sales, _ := c.user(t, "sales", auth.Sales, 0)
		for i := range 7 {
			owner := any(nil)
			if i < 3 {
				owner = sales.ID
			} else if i < 6 {
				owner = c.Admin.ID
			}
			city := "Bandung"
			if i%2 == 0 {
				city = "Jakarta"
			}
			c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": fmt.Sprintf("Kontak %d", i), "owner_id": owner, "city": city})
		}
		for _, tc := range []struct {
			name   string
			p      auth.Principal
			filter string
			bound  int
			n      int
			more   bool
		}{
			{"admin, everything", c.Admin.Principal(), "", 10, 7, false},
			{"admin, at the bound", c.Admin.Principal(), "", 7, 7, false},
			{"admin, past the bound", c.Admin.Principal(), "", 5, 5, true},
			{"admin, filtered", c.Admin.Principal(), `city = "Jakarta"`, 10, 4, false},
			{"sales sees its own and the unowned", sales.Principal(), "", 10, 4, false},
			{"sales, filtered", sales.Principal(), `city = "Bandung"`, 10, 1, false},
			{"sales, past the bound", sales.Principal(), "", 3, 3, true},
		} {
			n, more, err := c.Store.Count(ctx, tc.p, c.Contacts, records.Query{Filter: tc.filter}, tc.bound)
			if err != nil || n != tc.n || more != tc.more {
				t.Errorf("%s: Count = %d, %v (err %v), want %d, %v", tc.name, n, more, err, tc.n, tc.more)
			}
		}
		// A page's position counts for nothing; a bad filter is the same 422 as the list's.
		if n, _, err := c.Store.Count(ctx, c.Admin.Principal(), c.Contacts, records.Query{Page: url.Values{"cursor": {"x"}}}, 10); err != nil || n != 7 {
			t.Errorf("Count with a cursor = %d (err %v), want 7", n, err)
		}
		if _, _, err := c.Store.Count(ctx, c.Admin.Principal(), c.Contacts, records.Query{Filter: "cty = 1"}, 10); err == nil {
			t.Error("Count with an unknown field: no error")
		}
	})
}

// TestListPreviousPage walks a list forward and back again with the
// cursors each page gives: the same pages, in the same order, whatever
// the sort, and no previous page on the first one.
func TestListPreviousPage(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		admin := c.Admin.Principal()
		for _, name := range []string{"Citra", "Agus", "Dewi", "Budi", "Eka", "agus", "Fajar"} {
			c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": name})
		}
		for _, sort := range []string{"", "first_name", "-first_name", "-created_at,first_name"} {
			for _, limit := range []int{2, 3, 7} {
				q := func(param, cursor string) records.Query {
					return records.Query{Page: url.Values{"limit": {fmt.Sprint(limit)}, "sort": {sort}, param: {cursor}}}
				}
				// Forward, remembering each page.
				var pages [][]string
				list, err := c.Store.List(ctx, admin, c.Contacts, q("cursor", ""))
				if err != nil {
					t.Fatal(err)
				}
				if list.PrevCursor != "" {
					t.Errorf("sort %q limit %d: the first page has a previous page", sort, limit)
				}
				for {
					pages = append(pages, titles(list.Items))
					if list.NextCursor == "" {
						break
					}
					if list, err = c.Store.List(ctx, admin, c.Contacts, q("cursor", list.NextCursor)); err != nil {
						t.Fatal(err)
					}
				}
				// Back from the last page to the first.
				for i := len(pages) - 1; i > 0; i-- {
					if list.PrevCursor == "" {
						t.Fatalf("sort %q limit %d: page %d has no previous page", sort, limit, i+1)
					}
					if list, err = c.Store.List(ctx, admin, c.Contacts, q("before", list.PrevCursor)); err != nil {
						t.Fatal(err)
					}
					if got := titles(list.Items); !slices.Equal(got, pages[i-1]) {
						t.Errorf("sort %q limit %d: back to page %d shows %v, want %v", sort, limit, i, got, pages[i-1])
					}
					if list.NextCursor == "" {
						t.Errorf("sort %q limit %d: page %d, reached going back, has no next page", sort, limit, i)
					}
				}
				if list.PrevCursor != "" {
					t.Errorf("sort %q limit %d: the first page, reached going back, has a previous page", sort, limit)
				}
				// And forward again from a page reached going back.
				if len(pages) > 1 {
					if list, err = c.Store.List(ctx, admin, c.Contacts, q("cursor", list.NextCursor)); err != nil || !slices.Equal(titles(list.Items), pages[1]) {
						t.Errorf("sort %q limit %d: forward from the first page again: %v (err %v), want %v", sort, limit, titles(list.Items), err, pages[1])
					}
				}
			}
		}

		// The API: before is the previous page; with cursor it is a 422 on before.
		items, next := c.listPage(t, c.AdminToken, "contacts", "limit", "3", "sort", "first_name")
		page2 := c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?limit=3&sort=first_name&cursor="+next, nil).Want(t, 200).Map(t)
		prev, _ := page2["prev_cursor"].(string)
		back, _ := c.listPage(t, c.AdminToken, "contacts", "limit", "3", "sort", "first_name", "before", prev)
		if column(back, "first_name")[0] != column(items, "first_name")[0] || len(back) != 3 {
			t.Errorf("API before: %v, want %v", column(back, "first_name"), column(items, "first_name"))
		}
		res := c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?limit=3&sort=first_name&cursor="+next+"&before="+prev, nil).Want(t, 422)
		if fe := fieldErrors(t, res); fe["before"] == "" {
			t.Errorf("cursor and before together: %v, want an error on before", fe)
		}
	})
}

// TestOwnerFilters: me is whoever is signed in, my team is theirs, and a
// filter never reaches past the viewer's scope.
func TestOwnerFilters(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		utara, selatan := c.team(t, "Utara"), c.team(t, "Selatan")
		mgr, _ := c.user(t, "manajer", auth.Manager, utara)
		budi, _ := c.user(t, "budi", auth.Sales, utara)
		sari, _ := c.user(t, "sari", auth.Sales, selatan)
		if _, err := c.Auth.UpdateUser(ctx, c.Admin.Principal(), budi.ID, auth.UserUpdate{Name: new("Budi Santoso")}, 0); err != nil {
			t.Fatal(err)
		}
		for name, owner := range map[string]any{"Milik Manajer": mgr.ID, "Milik Budi": budi.ID, "Milik Sari": sari.ID, "Umum": nil} {
			c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": name, "owner_id": owner})
		}
		for _, tc := range []struct {
			who    string
			p      auth.Principal
			filter string
			want   []string
		}{
			{"manager", mgr.Principal(), "owner = me", []string{"Milik Manajer"}},
			{"manager", mgr.Principal(), "owner != me", []string{"Milik Budi", "Umum"}}, // Sari's is not in reach
			{"manager", mgr.Principal(), "owner.team = my", []string{"Milik Budi", "Milik Manajer"}},
			{"manager", mgr.Principal(), fmt.Sprintf("owner.team = %d", selatan), nil},
			{"manager", mgr.Principal(), fmt.Sprintf("owner in (me, %d)", budi.ID), []string{"Milik Budi", "Milik Manajer"}},
			{"manager", mgr.Principal(), `owner.name = "budi santoso"`, []string{"Milik Budi"}},
			{"manager", mgr.Principal(), "owner_id = me or owner is null", []string{"Milik Manajer", "Umum"}},
			{"sales", budi.Principal(), "owner = me", []string{"Milik Budi"}},
			{"sales", budi.Principal(), "owner.team = my", []string{"Milik Budi"}}, // the manager's is the team's, not Budi's to see
			{"sales", budi.Principal(), fmt.Sprintf("owner = %d", mgr.ID), nil},
			{"admin", c.Admin.Principal(), "owner.team = my", nil}, // the admin is in no team
			{"admin", c.Admin.Principal(), fmt.Sprintf("owner.team = %d", selatan), []string{"Milik Sari"}},
			{"admin", c.Admin.Principal(), `owner.name startswith "sar"`, []string{"Milik Sari"}},
		} {
			list, err := c.Store.List(ctx, tc.p, c.Contacts, records.Query{Filter: tc.filter, Page: url.Values{"sort": {"first_name"}}})
			if err != nil {
				t.Errorf("%s, %s: %v", tc.who, tc.filter, err)
				continue
			}
			if got := titles(list.Items); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s, %s: %v, want %v", tc.who, tc.filter, got, tc.want)
			}
			n, _, err := c.Store.Count(ctx, tc.p, c.Contacts, records.Query{Filter: tc.filter}, 100)
			if err != nil || n != len(tc.want) {
				t.Errorf("%s, %s: count %d (err %v), want %d", tc.who, tc.filter, n, err, len(tc.want))
			}
		}
		// Through the API, a misuse names the field and what it takes.
		_, tok := c.user(t, "api", auth.Sales, 0)
		res := c.Do(t, tok, "GET", "/api/v1/contacts?filter="+url.QueryEscape("owner = you"), nil).Want(t, 422)
		if fe := fieldErrors(t, res); fe["filter"] == "" {
			t.Errorf("owner = you: %v", fe)
		}
	})
}
