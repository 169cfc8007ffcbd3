package records_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// crmAPI is a running API serving accounts, contacts, custom fields and
// search on a fresh database, with its clock under the test's control.
type crmAPI struct {
	*recordstest.Server
	Contacts *records.Entity
	Accounts *records.Entity
	clock    time.Time
}

// onEveryEngine runs fn as a parallel subtest per engine.
func onEveryEngine(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

// newCRM starts the API. The store's clock starts at 2026-03-02 09:00 UTC
// and moves one second per write, unless a test sets it.
func newCRM(t testing.TB, engine store.Engine) *crmAPI {
	t.Helper()
	c := &crmAPI{Contacts: contacts.Entity(engine), Accounts: accounts.Entity(engine),
		clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		records.RegisterAPI(s.Router, s.Store, c.Accounts)
		records.RegisterAPI(s.Router, s.Store, c.Contacts)
		records.RegisterCustomFieldAPI(s.Router, s.Store, records.NewRegistry(c.Accounts, c.Contacts))
		search.RegisterAPI(s.Router, s.DB)
	})
	c.Store.SetClock(func() time.Time {
		c.clock = c.clock.Add(time.Second)
		return c.clock
	})
	return c
}

// at fixes the clock at t: every write from now on happens at that instant.
func (c *crmAPI) at(t time.Time) {
	c.Store.SetClock(func() time.Time { return t })
}

// call sends a request with extra headers ("If-Match: \"v1\"").
func (c *crmAPI) call(t testing.TB, token, method, path string, body any, headers ...string) recordstest.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return recordstest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// create posts a record as token and returns it; the answer must be 201.
func (c *crmAPI) create(t testing.TB, token, entity string, body map[string]any) map[string]any {
	t.Helper()
	return c.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
}

// list fetches one page of entity with the query parameters (as
// "filter", "a = 1", "sort", "name", …) and returns the items.
func (c *crmAPI) list(t testing.TB, token, entity string, params ...string) []map[string]any {
	t.Helper()
	items, _ := c.listPage(t, token, entity, params...)
	return items
}

func (c *crmAPI) listPage(t testing.TB, token, entity string, params ...string) (items []map[string]any, next string) {
	t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	c.Do(t, token, "GET", "/api/v1/"+entity+"?"+q.Encode(), nil).Want(t, http.StatusOK).JSON(t, &page)
	if page.Items == nil {
		t.Fatalf("list %s: items is not an array", entity)
	}
	return page.Items, page.NextCursor
}

// walk reads every page of a list with the given page size and returns
// the items in the order the pages gave them.
func (c *crmAPI) walk(t testing.TB, token, entity string, limit int, params ...string) []map[string]any {
	t.Helper()
	var all []map[string]any
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("list %s %v: more than 100 pages; the cursor does not advance", entity, params)
		}
		p := append([]string{"limit", fmt.Sprint(limit)}, params...)
		if cursor != "" {
			p = append(p, "cursor", cursor)
		}
		items, next := c.listPage(t, token, entity, p...)
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) != limit {
			t.Fatalf("list %s %v: a page of %d items has a next cursor; want %d", entity, params, len(items), limit)
		}
		cursor = next
	}
}

// user adds a user with a role (and team, when not 0).
func (c *crmAPI) user(t testing.TB, name string, role auth.Role, team int64) (auth.User, string) {
	t.Helper()
	return c.User(t, name+"@example.co.id", role, team)
}

// team adds a team.
func (c *crmAPI) team(t testing.TB, name string) int64 {
	t.Helper()
	tm, err := c.Auth.CreateTeam(t.Context(), c.Admin.Principal(), auth.TeamInput{Name: name})
	if err != nil {
		t.Fatalf("create team %s: %v", name, err)
	}
	return tm.ID
}

// customField adds a custom field through the API as the admin.
func (c *crmAPI) customField(t testing.TB, entity, key string, kind records.Kind, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"entity": entity, "key": key, "label": strings.ToUpper(key[:1]) + key[1:], "kind": kind}
	for k, v := range extra {
		body[k] = v
	}
	return c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", body).Want(t, http.StatusCreated).Map(t)
}

// fieldErrors returns the field → code list of a 422 answer.
func fieldErrors(t testing.TB, res recordstest.Response) map[string]string {
	t.Helper()
	res.Want(t, http.StatusUnprocessableEntity)
	var p struct {
		Errors []struct{ Field, Code, Message string } `json:"errors"`
	}
	res.JSON(t, &p)
	out := map[string]string{}
	for _, e := range p.Errors {
		if _, dup := out[e.Field]; dup {
			t.Errorf("field %q is listed twice in %s", e.Field, res.Body)
		}
		out[e.Field] = e.Code
	}
	return out
}

// wantFieldErrors fails unless the 422 answer lists exactly these field errors.
func wantFieldErrors(t testing.TB, res recordstest.Response, want map[string]string) {
	t.Helper()
	got := fieldErrors(t, res)
	if len(got) != len(want) {
		t.Errorf("field errors %v, want %v (%s)", got, want, res.Body)
		return
	}
	for f, code := range want {
		if got[f] != code {
			t.Errorf("field %q: error %q, want %q (%s)", f, got[f], code, res.Body)
		}
	}
}

// recID reads a record's ID.
func recID(t testing.TB, m map[string]any) int64 {
	t.Helper()
	n, err := m["id"].(json.Number).Int64()
	if err != nil {
		t.Fatalf("record without an id: %v", m)
	}
	return n
}

// recPath is the API path of a record.
func recPath(entity string, m map[string]any) string {
	return fmt.Sprintf("/api/v1/%s/%s", entity, m["id"])
}

// column returns each item's field value as text, in order.
func column(items []map[string]any, field string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = show(it[field])
	}
	return out
}

// show writes a decoded JSON value the way tests compare it.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = show(p)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// urlQuery escapes a query parameter value.
func urlQuery(s string) string { return url.QueryEscape(s) }
