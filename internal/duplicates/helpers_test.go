package duplicates_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// crm is a Relasi with contacts, accounts, leads and what links to them
// (activities, deals, orders), the duplicates module's API and pages, on a
// fresh database.
type crm struct {
	*recordstest.Server
	Dup                                 *duplicates.Module
	Contacts, Accounts, Leads           *records.Entity
	Activities, Deals, Orders, Products *records.Entity

	mu    sync.Mutex
	clock time.Time
}

const password = "rahasia-123"

func start(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	c := &crm{clock: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		s.Store.SetClock(c.now)
		db := s.DB
		c.Contacts, c.Accounts = contacts.Entity(db.Engine), accounts.Entity(db.Engine)
		accounts.OnRename(c.Accounts, db.Engine, contacts.ReindexAccount, deals.ReindexAccount)
		c.Leads = leads.New(s.Store, leads.Config{}).Entity()
		c.Deals = deals.Entity(db.Engine)
		c.Activities = activities.Entity(db.Engine, activities.Hooks{})
		c.Products, c.Orders = orders.ProductEntity(db.Engine), orders.OrderEntity(db.Engine)
		reg := records.NewRegistry(c.Accounts, c.Contacts, c.Leads, c.Deals, c.Activities, c.Products, c.Orders)
		c.Dup = duplicates.New(s.Store, reg, duplicates.Config{Reindex: map[string][]func(ctx context.Context, tx *sql.Tx, engine store.Engine, id int64) error{
			"accounts": {contacts.ReindexAccount, deals.ReindexAccount},
		}})
		for _, name := range []string{"contacts", "accounts", "leads"} {
			e, _ := reg.Get(name)
			e.Panels = append(e.Panels, c.Dup.Panel(name))
		}
		for _, e := range reg.All() {
			records.RegisterAPI(s.Router, s.Store, e)
		}
		c.Dup.RegisterAPI(s.Router)

		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		assets, err := web.LoadAssets()
		if err != nil {
			t.Fatal(err)
		}
		renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), leads.Templates(), duplicates.Templates())
		if err != nil {
			t.Fatal(err)
		}
		rt := web.NewRouter(s.Mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		rt.RegisterSessionPages()
		for _, e := range reg.All() {
			records.RegisterWeb(rt, s.Store, e)
		}
		c.Dup.RegisterWeb(rt)
		rt.RegisterNotFound()
	})
	return c
}

// now is the store's clock: each save a second after the last, so
// "newest" is well defined.
func (c *crm) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock = c.clock.Add(time.Second)
	return c.clock
}

// eachEngine runs fn on a fresh CRM per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, c *crm)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, start(t, engine))
		})
	}
}

// create saves a record as p through the records store, with its hooks.
func (c *crm) create(t testing.TB, p auth.Principal, e *records.Entity, in records.Input) records.Record {
	t.Helper()
	r, err := c.Store.Create(context.Background(), p, e, in)
	if err != nil {
		t.Fatalf("create %s %v: %v", e.Name, in, err)
	}
	return r
}

func (c *crm) admin() auth.Principal { return c.Admin.Principal() }

// exec runs a statement on the database directly.
func (c *crm) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := c.DB.Writer().Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// rows runs a query and returns every row as text, one string per row,
// sorted, for comparing states of the database.
func (c *crm) rows(t testing.TB, query string, args ...any) []string {
	t.Helper()
	rs, err := c.DB.Read().Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				parts[i] = string(x)
			case time.Time:
				parts[i] = x.UTC().Format(time.RFC3339Nano)
			case nil:
				parts[i] = "NULL"
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// count runs a counting query.
func (c *crm) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.DB.Read().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// groups reads the duplicates of an entity through the API as token's
// user and returns each group's IDs ("3,7") with its reasons.
func (c *crm) groups(t testing.TB, token, entity string) map[string][]string {
	t.Helper()
	var page struct {
		Items []struct {
			IDs     []int64 `json:"ids"`
			Reasons []struct {
				Kind, Value string
			} `json:"reasons"`
			Records []map[string]any `json:"records"`
		} `json:"items"`
		Total int `json:"total"`
	}
	c.Do(t, token, "GET", "/api/v1/duplicates?entity="+entity+"&limit=100", nil).Want(t, 200).JSON(t, &page)
	out := map[string][]string{}
	for _, g := range page.Items {
		if len(g.Records) != len(g.IDs) {
			t.Errorf("group %v shows %d records", g.IDs, len(g.Records))
		}
		var reasons []string
		for _, r := range g.Reasons {
			reasons = append(reasons, r.Kind+":"+r.Value)
		}
		out[ids(g.IDs...)] = reasons
	}
	if page.Total != len(page.Items) {
		t.Errorf("total %d, but %d groups listed", page.Total, len(page.Items))
	}
	return out
}

func ids(list ...int64) string {
	s := make([]string, len(list))
	for i, id := range list {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

// num reads a JSON number.
func num(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// browser is a signed-in, cookie-keeping client that does not follow
// redirects, so a test sees where each form sends the user.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (c *crm) browser(t testing.TB, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: c.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	res, _ := b.submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusSeeOther {
		return res.StatusCode, res.Header.Get("Location")
	}
	return res.StatusCode, string(body)
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads a page, takes the CSRF token from it and posts form.
func (b *browser) submit(pagePath, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get(pagePath)
	m := csrfToken.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", pagePath)
	}
	form.Set("csrf_token", m[1])
	res, err := b.c.PostForm(b.base+action, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func wantRedirect(t testing.TB, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("want 303 to %s, got %d to %q", to, res.StatusCode, res.Header.Get("Location"))
	}
}

func wantPage(t testing.TB, status int, body string, wantStatus int, wants ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d:\n%s", status, wantStatus, body)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
