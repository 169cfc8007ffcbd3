package records_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// webCRM is Relasi's browser side — layout, sign-in, settings, the record
// pages of accounts and contacts, custom field administration and search —
// on a fresh database, served by httptest.
type webCRM struct {
	*httptest.Server
	DB       *store.DB
	Auth     *auth.Service
	Store    *records.Store
	Contacts *records.Entity
	Accounts *records.Entity
	Admin    auth.User
}

// webTestPartials are a panel, an action target and a home section that a
// domain package would bring, to see the pages render them.
var webTestPartials = fstest.MapFS{
	"_webtest.html": {Data: []byte(`{{define "webtest_panel"}}<p data-testid="panel">{{.Page.T "field.city"}}: {{.Data}} / {{.Record.Title}}</p>{{end}}
{{define "webtest_home"}}<section class="card" data-testid="home-section">{{.Page.T "nav.contacts"}}: {{.Data}}</section>{{end}}`)},
}

const webTestPassword = "rahasia-123"

func startWebCRM(t *testing.T, engine store.Engine) *webCRM {
	t.Helper()
	db := storetest.Open(t, engine)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), search.Templates(), webTestPartials)
	if err != nil {
		t.Fatal(err)
	}
	s := &webCRM{DB: db, Auth: auth.NewService(db), Store: records.NewStore(db),
		Contacts: contacts.Entity(db.Engine), Accounts: accounts.Entity(db.Engine)}
	s.Contacts.Panels = append(s.Contacts.Panels, records.Panel{Title: "field.city", Template: "webtest_panel",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			return "<b>" + r.String("city") + "</b>", nil
		}})
	s.Contacts.Actions = append(s.Contacts.Actions, records.Action{Label: "field.city", Method: "POST",
		URL: func(r *records.Record) string { return fmt.Sprintf("/contacts/%d/webtest", r.ID) }})
	s.Accounts.Linked = []records.Linked{{Title: "nav.contacts", Entity: s.Contacts, Column: "account_id", Columns: []string{"first_name", "last_name", "city"}}}
	s.Accounts.Actions = append(s.Accounts.Actions, records.NewFrom("records.new_deal", "/contacts", func(r *records.Record) url.Values {
		return url.Values{"account_id": {fmt.Sprint(r.ID)}, "city": {r.String("city")}}
	}))

	mux := http.NewServeMux()
	mux.Handle("GET /static/{path...}", assets)
	rt := web.NewRouter(mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	rt.RegisterSessionPages()
	people.New(s.Auth).RegisterWeb(rt)
	reg := records.NewRegistry(s.Accounts, s.Contacts)
	for _, e := range reg.All() {
		records.RegisterWeb(rt, s.Store, e)
	}
	records.RegisterCustomFieldsWeb(rt, s.Store, reg)
	search.RegisterWeb(rt, db)
	rt.AddHomeSection("webtest_home", func(c *web.Ctx) (any, error) { return "3 <tasks>", nil })
	rt.RegisterNotFound()
	s.Server = httptest.NewServer(httpx.SecurityHeaders(false, mux))
	t.Cleanup(s.Server.Close)

	s.Admin, err = s.Auth.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: webTestPassword})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachEngineWeb runs fn on a fresh site per engine, in parallel.
func eachEngineWeb(t *testing.T, fn func(t *testing.T, s *webCRM)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, startWebCRM(t, engine))
		})
	}
}

// contact creates a contact directly through the store.
func (s *webCRM) contact(t *testing.T, p auth.Principal, in records.Input) records.Record {
	t.Helper()
	r, err := s.Store.Create(context.Background(), p, s.Contacts, in)
	if err != nil {
		t.Fatalf("create contact %v: %v", in, err)
	}
	return r
}

// user adds a user who may sign in.
func (s *webCRM) user(t *testing.T, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := s.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Name: email, Password: webTestPassword, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// webBrowser is a cookie-keeping client that does not follow redirects, so
// a test sees where each form sends the user.
type webBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *webCRM) signIn(t *testing.T, email string) *webBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &webBrowser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	res, _ := b.submit("/login", "/login", url.Values{"email": {email}, "password": {webTestPassword}})
	wantWebRedirect(t, res, "/")
	return b
}

type webPage struct {
	Status int
	Header http.Header
	Body   string
}

func (b *webBrowser) get(path string, header ...string) webPage {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return webPage{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}

var webCSRFToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads a page, takes the CSRF token from it and posts form.
func (b *webBrowser) submit(pagePath, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	p := b.get(pagePath)
	m := webCSRFToken.FindStringSubmatch(p.Body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s (status %d)", pagePath, p.Status)
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

func wantWebRedirect(t *testing.T, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || (to != "" && res.Header.Get("Location") != to) {
		t.Fatalf("want 303 to %q, got %d to %q", to, res.StatusCode, res.Header.Get("Location"))
	}
}

func wantWebPage(t *testing.T, p webPage, status int, wants ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d", p.Status, status)
	}
	for _, w := range wants {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

var webRowID = regexp.MustCompile(`<tr data-id="(\d+)">`)

// webRowIDs are the record IDs of a list page's rows, in order.
func webRowIDs(body string) []string {
	var out []string
	for _, m := range webRowID.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

var (
	webNextPage = regexp.MustCompile(`href="([^"]+)" rel="next"`)
	webPrevPage = regexp.MustCompile(`href="([^"]+)" rel="prev"`)
)

func TestWebListFilterSortAndNextPage(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		ids := map[string]string{} // first name → ID
		for i := range 120 {
			city := "Bandung"
			if i%2 == 1 {
				city = "Surabaya"
			}
			r := s.contact(t, admin, records.Input{"first_name": fmt.Sprintf("Kontak %03d", i), "city": city})
			ids[fmt.Sprintf("Kontak %03d", i)] = fmt.Sprint(r.ID)
		}
		b := s.signIn(t, "sari@example.co.id")

		// The default list links the navigation and the New button.
		p := b.get("/contacts")
		wantWebPage(t, p, http.StatusOK, `href="/contacts" class="nav-item active"`, `href="/accounts"`, `href="/contacts/new"`, "Kontak 119")

		// Filter and sort by first name, descending: page 1 holds the 50
		// highest Bandung contacts, page 2 the remaining 10, with no overlap.
		q := url.Values{"filter": {`city = "Bandung"`}, "sort": {"-first_name"}}
		p = b.get("/contacts?" + q.Encode())
		wantWebPage(t, p, http.StatusOK)
		first := webRowIDs(p.Body)
		if len(first) != 50 || first[0] != ids["Kontak 118"] || first[49] != ids["Kontak 020"] {
			t.Fatalf("page 1 has %d rows from %v to %v; want 50 from Kontak 118 down to Kontak 020", len(first), first[:1], first[len(first)-1:])
		}
		if strings.Contains(p.Body, "Surabaya") {
			t.Error("the filter city = \"Bandung\" let a Surabaya contact through")
		}
		if !strings.Contains(p.Body, `data-testid="total">Total: 60<`) {
			t.Error("page 1 does not say the filter matches 60 contacts")
		}
		if webPrevPage.MatchString(p.Body) {
			t.Error("the first page offers a previous page")
		}
		if !strings.Contains(p.Body, `aria-sort="descending"`) {
			t.Error("the sorted column is not marked descending")
		}
		// Clicking the sorted header again sorts ascending.
		if !strings.Contains(p.Body, `data-sort="first_name"`) || !strings.Contains(p.Body, html.EscapeString("sort=first_name")) {
			t.Error("the first name header does not toggle to ascending")
		}
		m := webNextPage.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no Next webPage link on a full first page")
		}
		next := html.UnescapeString(m[1])
		if !strings.Contains(next, "cursor=") || strings.Contains(next, "offset") {
			t.Fatalf("next webPage link %q is not a cursor link", next)
		}
		p = b.get(next)
		second := webRowIDs(p.Body)
		if len(second) != 10 || second[0] != ids["Kontak 018"] || second[9] != ids["Kontak 000"] {
			t.Fatalf("page 2 has %v; want the 10 contacts Kontak 018 down to Kontak 000", second)
		}
		if webNextPage.MatchString(p.Body) {
			t.Error("the last webPage offers a next page")
		}
		if !strings.Contains(p.Body, `data-testid="total">Total: 60<`) {
			t.Error("page 2 does not keep the count of the whole filter")
		}
		// Previous goes back to page 1, the same 50 rows in the same order.
		m = webPrevPage.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no Previous link on page 2")
		}
		p = b.get(html.UnescapeString(m[1]))
		if back := webRowIDs(p.Body); !slices.Equal(back, first) {
			t.Errorf("Previous from page 2 shows %d rows %v…, want page 1's %v…", len(back), back[:min(1, len(back))], first[:1])
		}
		if webPrevPage.MatchString(p.Body) {
			t.Error("page 1, reached by Previous, offers a previous page")
		}

		// A quick filter adds its condition to the typed filter.
		res := b.get("/contacts?" + url.Values{"filter": {"first_name startswith \"Kontak 00\""}, "qf.lifecycle_stage": {"lead"}}.Encode())
		if res.Status != http.StatusSeeOther {
			t.Fatalf("quick filter: status %d, want a redirect to the combined filter", res.Status)
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		if got := loc.Query().Get("filter"); got != `first_name startswith "Kontak 00" and lifecycle_stage = "lead"` {
			t.Errorf("quick filter made %q", got)
		}
	})
}

func TestWebFilterErrorShowsPositionAndKeepsText(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		b := s.signIn(t, "sari@example.co.id")
		typed := `city = "Jakarta" and (`
		p := b.get("/contacts?filter=" + url.QueryEscape(typed))
		wantWebPage(t, p, http.StatusUnprocessableEntity, "The filter is not valid:", "position 23", `value="city = &#34;Jakarta&#34; and ("`)
		if !strings.Contains(p.Body, `data-testid="filter-error"`) {
			t.Error("the error is not shown beside the filter box")
		}
		p = b.get("/contacts?filter=" + url.QueryEscape("shoe_size > 40"))
		wantWebPage(t, p, http.StatusUnprocessableEntity, "position 1", "shoe_size")
	})
}

func TestWebCreateShowsErrorsBesideFieldsAndKeepsValues(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		b := s.signIn(t, "sari@example.co.id")
		acc, err := s.Store.Create(context.Background(), s.Admin.Principal(), s.Accounts, records.Input{"name": "PT Maju Jaya"})
		if err != nil {
			t.Fatal(err)
		}
		p := b.get("/contacts/new")
		wantWebPage(t, p, http.StatusOK, `name="first_name"`, `<textarea id="f-emails" name="emails"`, `name="birth_date" type="date"`,
			`<option value="decision_maker">Decision maker</option>`, fmt.Sprintf(`<option value="%d">PT Maju Jaya</option>`, acc.ID),
			fmt.Sprintf(`<option value="%d" selected>Sari</option>`, s.Admin.ID))

		form := url.Values{"first_name": {""}, "last_name": {"Santoso"}, "emails": {"budi@maju\nbudi@example.co.id"},
			"phones": {"0812-3456-7890"}, "city": {"Bandung"}, "birth_date": {"1990-02-31"}, "contact_role": {"buyer"}}
		res, body := b.submit("/contacts/new", "/contacts/new", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad contact: status %d, want 422", res.StatusCode)
		}
		for _, want := range []string{
			`id="f-first_name" name="first_name" value="" aria-invalid="true">` + "\n  " + `<p class="field-error" role="alert">is required</p>`,
			`is not a valid e-mail address`,
			`is not a date`,
			">budi@maju\nbudi@example.co.id</textarea>", // kept as typed
			`value="Santoso"`, `value="Bandung"`, ">0812-3456-7890</textarea>", `<option value="buyer" selected>`,
			`Please correct the fields marked below.`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("form after bad input lacks %q", want)
			}
		}

		form.Set("first_name", "Budi")
		form.Set("emails", "Budi@Maju.co.id, budi@example.co.id")
		form.Set("birth_date", "1990-02-28")
		form.Set("account_id", fmt.Sprint(acc.ID))
		form.Set("phones", "0812-3456-7890\n(021) 555-1234, ext. 12")
		res, _ = b.submit("/contacts/new", "/contacts/new", form)
		wantWebRedirect(t, res, "")
		p = b.get(res.Header.Get("Location"))
		wantWebPage(t, p, http.StatusOK, "Created.", "Budi Santoso", "budi@maju.co.id, budi@example.co.id",
			// phones as Indonesians write them, each dialled by a tel: link
			// of the stored E.164, the extension kept (html/template writes
			// + as &#43;)
			`<a href="tel:&#43;6281234567890">0812-3456-7890</a>, <a href="tel:&#43;62215551234;ext=12">(021) 5551234 ext. 12</a>`,
			"28 Feb 1990", "Buyer", fmt.Sprintf(`<a href="/accounts/%d">PT Maju Jaya</a>`, acc.ID),
			// the panel and the action the entity brings
			`<p data-testid="panel">City: &lt;b&gt;Bandung&lt;/b&gt; / Budi Santoso</p>`, `action="/contacts/`,
			// history names the creator and the fields with their labels
			"<strong>Sari</strong> created it", "<td>First name</td><td></td><td>Budi</td>")
	})
}

func TestWebEditStaleVersion(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		r := s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Dewi", "city": "Medan"})
		b := s.signIn(t, "sari@example.co.id")
		edit := fmt.Sprintf("/contacts/%d/edit", r.ID)
		p := b.get(edit)
		wantWebPage(t, p, http.StatusOK, `name="version" value="1"`, `value="Dewi"`, `value="Medan"`)

		// Someone else changes the contact meanwhile.
		if _, err := s.Store.Update(context.Background(), s.Admin.Principal(), s.Contacts, r.ID, records.Input{"city": "Padang"}, 0); err != nil {
			t.Fatal(err)
		}
		res, body := b.submit(edit, edit, url.Values{"version": {"1"}, "first_name": {"Dewi"}, "city": {"Makassar"}})
		if res.StatusCode != http.StatusPreconditionFailed {
			t.Fatalf("stale edit: status %d, want 412", res.StatusCode)
		}
		if !strings.Contains(body, "Someone else changed this record") || !strings.Contains(body, `value="Makassar"`) {
			t.Error("the stale edit must say someone else changed the record and keep what was typed")
		}
		cur, _ := s.Store.Get(context.Background(), s.Admin.Principal(), s.Contacts, r.ID)
		if cur.String("city") != "Padang" {
			t.Fatalf("a stale edit changed the city to %q", cur.String("city"))
		}

		// With the current version the edit goes through and shows in history.
		res, _ = b.submit(edit, edit, url.Values{"version": {"2"}, "first_name": {"Dewi"}, "city": {"Makassar"}, "lifecycle_stage": {"customer"}})
		wantWebRedirect(t, res, fmt.Sprintf("/contacts/%d", r.ID))
		p = b.get(fmt.Sprintf("/contacts/%d", r.ID))
		wantWebPage(t, p, http.StatusOK, "Saved.", "<td>City</td><td>Padang</td><td>Makassar</td>", "<td>Lifecycle stage</td><td></td><td>Customer</td>", "changed it")
	})
}

func TestWebCustomFieldFromAdminToListAndDetail(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		b := s.signIn(t, "sari@example.co.id")
		res, _ := b.submit("/settings/fields?entity=contacts", "/settings/fields", url.Values{
			"entity": {"contacts"}, "key": {"budget"}, "label": {"Anggaran <script>alert(1)</script>"}, "kind": {"money"}, "currency": {"IDR"}})
		wantWebRedirect(t, res, "/settings/fields?entity=contacts")
		res, _ = b.submit("/settings/fields?entity=contacts", "/settings/fields", url.Values{
			"entity": {"contacts"}, "key": {"segment"}, "label": {"Segment"}, "kind": {"select"}, "choices": {"gold\r\nsilver\r\n"}, "required": {"1"}})
		wantWebRedirect(t, res, "/settings/fields?entity=contacts")
		res, body := b.submit("/settings/fields?entity=contacts", "/settings/fields", url.Values{
			"entity": {"contacts"}, "key": {"Bad Key"}, "label": {""}, "kind": {"select"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must start with a letter") || !strings.Contains(body, `value="Bad Key"`) {
			t.Fatalf("a bad custom field: status %d; the errors and the typed key must show", res.StatusCode)
		}
		p := b.get("/settings/fields?entity=contacts")
		wantWebPage(t, p, http.StatusOK, "Anggaran &lt;script&gt;alert(1)&lt;/script&gt;", "<code>segment</code>", "gold, silver")

		// The new fields are in the form, after the standard ones.
		p = b.get("/contacts/new")
		wantWebPage(t, p, http.StatusOK, `name="custom.budget"`, `<span class="currency">IDR</span>`, `<option value="gold">gold</option>`)
		if strings.Index(p.Body, `name="custom.budget"`) < strings.Index(p.Body, `name="tags"`) {
			t.Error("custom fields come before standard ones")
		}
		form := url.Values{"first_name": {"Rina"}, "custom.budget": {"1,500,000"}}
		res, body = b.submit("/contacts/new", "/contacts/new", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="1,500,000"`) {
			t.Fatalf("a missing required custom field: status %d, and the typed amount must stay", res.StatusCode)
		}
		form.Set("custom.segment", "gold")
		res, _ = b.submit("/contacts/new", "/contacts/new", form)
		wantWebRedirect(t, res, "")
		detail := res.Header.Get("Location")
		p = b.get(detail)
		wantWebPage(t, p, http.StatusOK, `<dt>Anggaran &lt;script&gt;alert(1)&lt;/script&gt;</dt><dd>IDR 1,500,000<a class="inline-edit"`, `<dt>Segment</dt><dd>gold<a class="inline-edit"`)

		// Chosen as a column, filtered and sorted by.
		q := url.Values{"columns": {"first_name,custom.budget,custom.segment"}, "filter": {"custom.budget >= 1000000"}, "sort": {"-custom.budget"}}
		p = b.get("/contacts?" + q.Encode())
		wantWebPage(t, p, http.StatusOK, "Anggaran &lt;script&gt;alert(1)&lt;/script&gt;", `<td title="IDR 1,500,000">IDR 1,500,000<a class="inline-edit"`, `<td title="gold">gold<a class="inline-edit"`, ">Rina</a>")
		// The column chooser lists it and sends the choice back as columns=.
		res2 := b.get("/contacts?col_set=1&col=first_name&col=custom.segment")
		if res2.Status != http.StatusSeeOther || res2.Header.Get("Location") != "/contacts?columns="+url.QueryEscape("first_name,custom.segment") {
			t.Errorf("column chooser: %d to %q", res2.Status, res2.Header.Get("Location"))
		}

		// An edit of the field's label and choices shows everywhere.
		cfs, _ := s.Store.CustomFields(context.Background(), "contacts")
		seg := cfs[1]
		res, _ = b.submit(fmt.Sprintf("/settings/fields/%d", seg.ID), fmt.Sprintf("/settings/fields/%d", seg.ID),
			url.Values{"version": {"1"}, "label": {"Customer segment"}, "choices": {"gold\nsilver\nbronze"}, "position": {"5"}})
		wantWebRedirect(t, res, "/settings/fields?entity=contacts")
		p = b.get(detail)
		wantWebPage(t, p, http.StatusOK, `<dt>Customer segment</dt><dd>gold<a class="inline-edit"`)
		res, _ = b.submit("/settings/fields?entity=contacts", fmt.Sprintf("/settings/fields/%d/delete", seg.ID), url.Values{})
		wantWebRedirect(t, res, "/settings/fields?entity=contacts")
		if p = b.get(detail); strings.Contains(p.Body, "Customer segment") {
			t.Error("a deleted custom field still shows on the detail page")
		}

		// Only administrators manage fields.
		s.user(t, "agus@example.co.id", auth.Sales)
		sales := s.signIn(t, "agus@example.co.id")
		if p := sales.get("/settings/fields?entity=contacts"); p.Status != http.StatusForbidden {
			t.Errorf("a sales user on the custom fields webPage: %d, want 403", p.Status)
		}
	})
}

func TestWebDeleteToTrashAndRestore(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		r := s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Joko", "last_name": "Widodo"})
		b := s.signIn(t, "sari@example.co.id")
		detail := fmt.Sprintf("/contacts/%d", r.ID)
		wantWebPage(t, b.get(detail+"/delete"), http.StatusOK, "Delete Joko Widodo?", "Move to the trash")
		res, _ := b.submit(detail+"/delete", detail+"/delete", url.Values{})
		wantWebRedirect(t, res, "/contacts")
		wantWebPage(t, b.get("/contacts"), http.StatusOK, "Moved to the trash.")
		// The trash links to a page that shows the record where it is,
		// and the record's old address leads there too.
		p := b.get("/contacts/trash")
		wantWebPage(t, p, http.StatusOK, "Trash: Contacts", fmt.Sprintf(`<a href="%s/trash">Joko</a>`, detail), fmt.Sprintf(`action="/contacts/%d/restore"`, r.ID))
		if p := b.get(detail); p.Status != http.StatusSeeOther || p.Header.Get("Location") != detail+"/trash" {
			t.Fatalf("a deleted contact's page: %d to %q, want 303 to its page in the trash", p.Status, p.Header.Get("Location"))
		}
		wantWebPage(t, b.get(detail+"/trash"), http.StatusOK, "Joko Widodo", `data-testid="trashed-note"`, "In the trash since",
			fmt.Sprintf(`action="%s/restore"`, detail))
		// A live record, a missing one and one the user may not read are not in the trash.
		if p := b.get("/contacts/999999/trash"); p.Status != http.StatusNotFound {
			t.Errorf("a missing record in the trash: %d, want 404", p.Status)
		}
		s.user(t, "eko@example.co.id", auth.Sales)
		if p := s.signIn(t, "eko@example.co.id").get(detail + "/trash"); p.Status != http.StatusNotFound {
			t.Errorf("another salesperson's record in the trash: %d, want 404", p.Status)
		}
		if p := s.signIn(t, "eko@example.co.id").get(detail); p.Status != http.StatusNotFound {
			t.Errorf("another salesperson's deleted record: %d, want 404", p.Status)
		}
		res, _ = b.submit("/contacts/trash", detail+"/restore", url.Values{})
		wantWebRedirect(t, res, detail)
		wantWebPage(t, b.get(detail), http.StatusOK, "Restored from the trash.", "moved it to the trash", "restored it from the trash")
		if p := b.get(detail + "/trash"); p.Status != http.StatusNotFound {
			t.Errorf("a restored record's page in the trash: %d, want 404", p.Status)
		}
		if p := b.get("/contacts/trash"); len(webRowIDs(p.Body)) != 0 {
			t.Error("the restored contact is still in the trash")
		}

		// A read-only user sees no edit or delete button, and cannot delete.
		s.user(t, "ro@example.co.id", auth.ReadOnly)
		ro := s.signIn(t, "ro@example.co.id")
		if p := ro.get(detail); p.Status != http.StatusOK || strings.Contains(p.Body, `data-testid="edit"`) {
			t.Errorf("read-only detail: %d, edit button shown: %v", p.Status, strings.Contains(p.Body, `data-testid="edit"`))
		}
		if res, _ := ro.submit(detail, detail+"/delete", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("read-only delete: %d, want 403", res.StatusCode)
		}
	})
}

func TestWebSavedViews(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		s.contact(t, admin, records.Input{"first_name": "Ani", "city": "Bandung"})
		s.contact(t, admin, records.Input{"first_name": "Budi", "city": "Jakarta"})
		b := s.signIn(t, "sari@example.co.id")
		list := "/contacts?" + url.Values{"filter": {`city = "Bandung"`}, "sort": {"first_name"}, "columns": {"first_name,city"}}.Encode()

		res, body := b.submit(list, "/contacts/views", url.Values{"name": {""}, "filter": {`city = "Bandung"`}, "sort": {"first_name"}, "columns": {"first_name,city"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is required") {
			t.Fatalf("a view without a name: %d", res.StatusCode)
		}
		res, _ = b.submit(list, "/contacts/views", url.Values{"name": {"Bandung <b>"}, "filter": {`city = "Bandung"`}, "sort": {"first_name"}, "columns": {"first_name,city"}, "shared": {"1"}})
		wantWebRedirect(t, res, list)
		res, _ = b.submit(list, "/contacts/views", url.Values{"name": {"Private"}, "filter": {`city = "Jakarta"`}})
		wantWebRedirect(t, res, "/contacts?filter="+url.QueryEscape(`city = "Jakarta"`))

		p := b.get(list)
		wantWebPage(t, p, http.StatusOK, `class="view active" aria-current="page"`, "Bandung &lt;b&gt;", "Private", ">Ani</a>")
		if strings.Contains(p.Body, ">Budi</a>") {
			t.Error("the view's filter let Budi through")
		}

		// Another user sees the shared view, not the private one, and
		// cannot delete it.
		s.user(t, "agus@example.co.id", auth.Sales)
		other := s.signIn(t, "agus@example.co.id")
		p = other.get("/contacts")
		if !strings.Contains(p.Body, "Bandung &lt;b&gt;") || strings.Contains(p.Body, "Private") {
			t.Error("another user must see the shared view and not the private one")
		}
		views, _ := s.Store.Views(context.Background(), admin, "contacts")
		if len(views) != 2 {
			t.Fatalf("saved views: %d, want 2", len(views))
		}
		if res, _ := other.submit("/contacts", fmt.Sprintf("/contacts/views/%d/delete", views[0].ID), url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("deleting someone else's view: %d, want 403", res.StatusCode)
		}
		res, _ = b.submit("/contacts", fmt.Sprintf("/contacts/views/%d/delete", views[0].ID), url.Values{})
		wantWebRedirect(t, res, "/contacts")
		if p = b.get("/contacts"); strings.Contains(p.Body, "Bandung &lt;b&gt;") {
			t.Error("a deleted view is still offered")
		}
	})
}

func TestWebSearch(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		r := s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Putri", "last_name": "Ayu", "phones": []string{"0812-3456-7890"}})
		s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Other", "phones": []string{"0813-0000-1111"}})
		b := s.signIn(t, "sari@example.co.id")

		// As the user types, htmx asks for the hits only.
		p := b.get("/search?q="+url.QueryEscape("0812 3456"), "HX-Request", "true")
		// They are a listbox of options grouped by type under headings, each
		// with the field the number matched, written as the page shows it.
		wantWebPage(t, p, http.StatusOK, `role="listbox"`, `<span class="hit-group-name">Contacts</span>`, `<span class="hit-count" data-testid="hit-count">1</span>`,
			fmt.Sprintf(`<a class="hit" href="/contacts/%d" data-testid="search-hit" id="topsearch-hit-contacts-%d" role="option" aria-selected="false"`, r.ID, r.ID),
			`<span class="hit-title">Putri Ayu</span>`, `Phone: <mark>0812-3456-7890</mark>`)
		if strings.Contains(p.Body, "<html") || strings.Contains(p.Body, "Other") {
			t.Error("the type-ahead answer must be the hits alone, and only the matching contact")
		}
		// Enter without JavaScript opens the full results page.
		p = b.get("/search?q=" + url.QueryEscape("+62 812-3456-7890"))
		wantWebPage(t, p, http.StatusOK, "<html", `value="&#43;62 812-3456-7890"`, "Putri Ayu")
		if strings.Contains(p.Body, `role="option"`) {
			t.Error("the results page lists links, not the type-ahead's options")
		}
		// More of a type than the page shows: a link to all of that type.
		for i := range 6 {
			s.contact(t, s.Admin.Principal(), records.Input{"first_name": fmt.Sprintf("Kartika %d", i), "emails": []string{fmt.Sprintf("kartika%d@toko.id", i)}})
		}
		p = b.get("/search?q=toko.id")
		wantWebPage(t, p, http.StatusOK, `<span class="hit-count" data-testid="hit-count">6</span>`, `E-mail: <mark>kartika5@toko.id</mark>`,
			`<a href="/search?q=toko.id&amp;type=contacts" data-testid="hit-group-more">See all 6 in Contacts</a>`)
		if n := strings.Count(p.Body, `data-testid="search-hit"`); n != 5 {
			t.Errorf("the results page shows %d of the 6 contacts, want 5", n)
		}
		p = b.get("/search?q=toko.id&type=contacts")
		if n := strings.Count(p.Body, `data-testid="search-hit"`); n != 6 {
			t.Errorf("the contacts-only page shows %d contacts, want 6", n)
		}
		wantWebPage(t, p, http.StatusOK, `<input type="hidden" name="type" value="contacts">`, `<a href="/search?q=toko.id" data-testid="search-all">All types</a>`)
		wantWebPage(t, b.get("/search?q=zz"), http.StatusOK, "Type at least 3 letters or digits.")
		wantWebPage(t, b.get("/search?q=tidakada"), http.StatusOK, "Nothing found.")

		// The layout carries the search box and htmx, configured for the CSP.
		p = b.get("/")
		wantWebPage(t, p, http.StatusOK, `hx-get="/search"`, `/static/vendor/htmx.min.js?v=`, `includeIndicatorStyles`,
			`<section class="card" data-testid="home-section">Contacts: 3 &lt;tasks&gt;</section>`)
		// The bell is drawn, not a glyph that needs an emoji font, and is
		// named in words for a screen reader.
		wantWebPage(t, p, http.StatusOK, `<svg class="icon" viewBox="0 0 24 24"`, `aria-hidden="true"`, `<span class="visually-hidden">Notifications: 0 unread</span>`)
		if strings.Contains(p.Body, "&#128276;") || strings.Contains(p.Body, "\U0001F514") {
			t.Error("the top bar still shows the bell as an emoji")
		}
	})
}

func TestWebScriptShowsAsText(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		evil := "<script>alert(1)</script>"
		escaped := "&lt;script&gt;alert(1)&lt;/script&gt;"
		admin := s.Admin.Principal()
		acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": evil})
		if err != nil {
			t.Fatal(err)
		}
		r := s.contact(t, admin, records.Input{"first_name": evil, "last_name": "Jahat", "city": evil, "account_id": acc.ID, "tags": []string{evil}})
		if _, err := s.Store.CreateCustomField(context.Background(), admin, s.Contacts, records.CustomFieldInput{Key: "note", Label: evil, Kind: records.Text}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Store.Update(context.Background(), admin, s.Contacts, r.ID, records.Input{"custom.note": evil}, 0); err != nil {
			t.Fatal(err)
		}
		b := s.signIn(t, "sari@example.co.id")
		for _, path := range []string{
			"/contacts",
			"/contacts?columns=first_name,city,account_id,tags,custom.note",
			"/contacts?filter=" + url.QueryEscape(`city = "`+evil+`"`),
			"/contacts?filter=" + url.QueryEscape(evil),
			fmt.Sprintf("/contacts/%d", r.ID),
			fmt.Sprintf("/contacts/%d/edit", r.ID),
			fmt.Sprintf("/accounts/%d", acc.ID),
			"/accounts",
			"/search?q=jahat",
			"/settings/fields?entity=contacts",
		} {
			p := b.get(path)
			if p.Status >= 500 {
				t.Errorf("%s: status %d", path, p.Status)
			}
			if strings.Contains(p.Body, evil) || !strings.Contains(p.Body, escaped) {
				t.Errorf("%s does not show <script> as escaped text", path)
			}
		}
		p := b.get("/search?q=jahat", "HX-Request", "true")
		if strings.Contains(p.Body, evil) || !strings.Contains(p.Body, escaped) {
			t.Error("the search type-ahead does not show <script> as escaped text")
		}
	})
}

// The list and forms read and write values in the user's language and
// time zone.
func TestWebIndonesianFormats(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		lang, tz := "id", "Asia/Makassar"
		if _, err := s.Auth.UpdateUser(context.Background(), admin, s.Admin.ID, auth.UserUpdate{Locale: &lang, TimeZone: &tz}, 0); err != nil {
			t.Fatal(err)
		}
		acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": "PT Sinar", "annual_revenue": 2500000000, "employees": 1200})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Store.CreateCustomField(context.Background(), admin, s.Contacts, records.CustomFieldInput{Key: "met_at", Label: "Bertemu", Kind: records.Text}); err != nil {
			t.Fatal(err)
		}
		b := s.signIn(t, "sari@example.co.id")
		p := b.get(fmt.Sprintf("/accounts/%d", acc.ID))
		wantWebPage(t, p, http.StatusOK, "Rp 2.500.000.000", "1.200", `lang="id"`)
		edit := fmt.Sprintf("/accounts/%d/edit", acc.ID)
		wantWebPage(t, b.get(edit), http.StatusOK, `value="2500000000"`)
		res, _ := b.submit(edit, edit, url.Values{"version": {"1"}, "name": {"PT Sinar"}, "annual_revenue": {"Rp 3.000.000.000,50"}, "employees": {"1.500"}})
		wantWebRedirect(t, res, fmt.Sprintf("/accounts/%d", acc.ID))
		cur, _ := s.Store.Get(context.Background(), admin, s.Accounts, acc.ID)
		if cur.Int("annual_revenue") != 300000000050 || cur.Int("employees") != 1500 {
			t.Fatalf("revenue %d minor units, employees %d; want 300000000050 and 1500", cur.Int("annual_revenue"), cur.Int("employees"))
		}
		wantWebPage(t, b.get(edit), http.StatusOK, `value="3000000000,5"`)

		// Created and updated show in the user's zone (WITA, UTC+8).
		r := s.contact(t, admin, records.Input{"first_name": "Wayan"})
		want := r.CreatedAt.In(time.FixedZone("WITA", 8*3600)).Format("15:04")
		wantWebPage(t, b.get(fmt.Sprintf("/contacts/%d", r.ID)), http.StatusOK, want, "Dibuat")
	})
}

// With more accounts than a select can reasonably hold, a contact's
// account is entered by ID, and the form names the current one.
func TestWebRefFieldWithManyRecordsTakesAnID(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		var last records.Record
		for i := range 201 {
			acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": fmt.Sprintf("PT Nomor %03d", i)})
			if err != nil {
				t.Fatal(err)
			}
			last = acc
		}
		r := s.contact(t, admin, records.Input{"first_name": "Sinta", "account_id": last.ID})
		b := s.signIn(t, "sari@example.co.id")
		p := b.get(fmt.Sprintf("/contacts/%d/edit", r.ID))
		wantWebPage(t, p, http.StatusOK, fmt.Sprintf(`name="account_id" value="%d" inputmode="numeric"`, last.ID), "Now: PT Nomor 200.")
		if strings.Contains(p.Body, "PT Nomor 000") {
			t.Error("the form lists 201 accounts in a select")
		}
	})
}

func TestWebSignedOutAndReadOnly(t *testing.T) {
	s := startWebCRM(t, store.SQLite)
	// A signed-out type-ahead request is told to load the sign-in page,
	// rather than receiving it as its list of hits.
	req, _ := http.NewRequest("GET", s.URL+"/search?q=budi", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", s.URL+"/contacts?sort=city")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("HX-Redirect"); got != "/login?next="+url.QueryEscape("/contacts?sort=city") {
		t.Errorf("signed-out htmx request: %d, HX-Redirect %q", res.StatusCode, got)
	}

	r := s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Budi"})
	s.user(t, "ro@example.co.id", auth.ReadOnly)
	ro := s.signIn(t, "ro@example.co.id")
	for _, path := range []string{"/contacts/new", fmt.Sprintf("/contacts/%d/edit", r.ID)} {
		if p := ro.get(path); p.Status != http.StatusForbidden {
			t.Errorf("read-only user on %s: %d, want 403", path, p.Status)
		}
	}
	if p := ro.get("/contacts"); strings.Contains(p.Body, `data-testid="new-record"`) {
		t.Error("a read-only user is offered the New button")
	}
}
