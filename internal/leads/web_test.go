package leads_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// site is the browser side: the record pages of leads, contacts and
// accounts, and the leads and notification pages, on a fresh database.
type site struct {
	*httptest.Server
	DB    *store.DB
	Auth  *auth.Service
	Store *records.Store
	Leads *leads.Module
	Admin auth.User
}

const password = "rahasia-123"

func startSite(t *testing.T, engine store.Engine, cfg leads.Config) *site {
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
	renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), leads.Templates(), notifications.Templates())
	if err != nil {
		t.Fatal(err)
	}
	s := &site{DB: db, Auth: auth.NewService(db), Store: records.NewStore(db)}
	cfg.Catalog = catalog
	s.Leads = leads.New(s.Store, cfg)
	mux := http.NewServeMux()
	mux.Handle("GET /static/{path...}", assets)
	rt := web.NewRouter(mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	rt.RegisterSessionPages()
	people.New(s.Auth).RegisterWeb(rt)
	for _, e := range []*records.Entity{s.Leads.Entity(), contacts.Entity(db.Engine), accounts.Entity(db.Engine)} {
		records.RegisterWeb(rt, s.Store, e)
	}
	s.Leads.RegisterWeb(rt)
	s.Leads.RegisterHome(rt)
	notifications.New(db, catalog).RegisterWeb(rt)
	rt.RegisterNotFound()
	s.Server = httptest.NewServer(httpx.SecurityHeaders(false, mux))
	t.Cleanup(s.Server.Close)
	s.Admin, err = s.Auth.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func eachEngineSite(t *testing.T, cfg leads.Config, fn func(t *testing.T, s *site)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, startSite(t, engine, cfg))
		})
	}
}

// browser is a signed-in, cookie-keeping client that does not follow
// redirects, so a test sees where each form sends the user.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *site) browser(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
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

func wantRedirect(t *testing.T, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("want 303 to %s, got %d to %q", to, res.StatusCode, res.Header.Get("Location"))
	}
}

func wantPage(t *testing.T, status int, body string, wantStatus int, wants ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d", status, wantStatus)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestConvertPage(t *testing.T) {
	deals := leads.Config{CreateDeal: func(ctx context.Context, tx *sql.Tx, p auth.Principal, in records.Input) (int64, error) {
		return 77, nil
	}}
	eachEngineSite(t, deals, func(t *testing.T, s *site) {
		admin := s.Admin.Principal()
		lead, err := s.Store.Create(context.Background(), admin, s.Leads.Entity(), records.Input{
			"first_name": "Budi", "last_name": "<script>alert(1)</script>", "company": "PT Maju Jaya", "rating": "hot", "source": "referral"})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t, "sari@example.co.id")
		path := fmt.Sprintf("/leads/%d", lead.ID)
		status, body := b.get(path)
		wantPage(t, status, body, 200, `href="`+path+`/convert"`, "Lead score", "&#43;30 rating Hot", "&#43;20 source Referral", html.EscapeString("<script>alert(1)</script>"))
		if strings.Contains(body, "<script>alert(1)</script>") {
			t.Error("the lead's name is not escaped")
		}

		status, body = b.get(path + "/convert")
		wantPage(t, status, body, 200, `<option value="new" selected>`, `name="account_name" value="PT Maju Jaya"`, `name="deal_create"`)

		// A bad amount comes back beside its field, with what was typed.
		res, body := b.submit(path+"/convert", path+"/convert", url.Values{
			"account_mode": {"new"}, "account_name": {"PT Maju Jaya Tbk"}, "deal_create": {"1"}, "deal_name": {"Seragam"}, "deal_amount": {"banyak"}})
		wantPage(t, res.StatusCode, body, 422, "Enter an amount like 150,000,000.00", `value="PT Maju Jaya Tbk"`, `value="banyak"`, `value="Seragam"`)
		// An amount typed without ticking "Create a deal" is not dropped.
		res, body = b.submit(path+"/convert", path+"/convert", url.Values{
			"account_mode": {"new"}, "account_name": {"PT Maju Jaya"}, "deal_name": {"Seragam"}, "deal_amount": {"1500000"}})
		wantPage(t, res.StatusCode, body, 422, "is only used when a deal is created: tick “Create a deal”", `value="1500000"`)
		// An existing account that is not there.
		res, body = b.submit(path+"/convert", path+"/convert", url.Values{"account_mode": {"existing"}, "account_id": {"4242"}})
		wantPage(t, res.StatusCode, body, 422, "field-error")

		res, body = b.submit(path+"/convert", path+"/convert", url.Values{
			"account_mode": {"new"}, "account_name": {"PT Maju Jaya"}, "deal_create": {"1"}, "deal_name": {"Seragam"}, "deal_amount": {"1500000"}})
		var contactID int64
		s.DB.Read().QueryRow("SELECT converted_contact_id FROM leads WHERE id = $1", lead.ID).Scan(&contactID)
		wantRedirect(t, res, fmt.Sprintf("/contacts/%d", contactID))
		status, body = b.get(fmt.Sprintf("/contacts/%d", contactID))
		wantPage(t, status, body, 200, "The lead was converted.", "PT Maju Jaya")
		// The lead no longer offers conversion, and its page sends one to the contact.
		status, body = b.get(path)
		if status != 200 || strings.Contains(body, path+"/convert") {
			t.Errorf("a converted lead still offers conversion")
		}
		status, loc := b.get(path + "/convert")
		if status != http.StatusSeeOther || loc != fmt.Sprintf("/contacts/%d", contactID) {
			t.Errorf("converting again: %d to %s", status, loc)
		}
	})
}

func TestLeadSettingsPage(t *testing.T) {
	eachEngineSite(t, leads.Config{}, func(t *testing.T, s *site) {
		ctx := context.Background()
		team, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Tim Surabaya"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: "ani@example.co.id", Name: "Ani", Password: password, Role: auth.Sales}); err != nil {
			t.Fatal(err)
		}
		b := s.browser(t, "sari@example.co.id")
		status, body := b.get("/settings/leads")
		wantPage(t, status, body, 200, `name="response_minutes" type="number" min="1" value="5"`, "Tim Surabaya")

		res, body := b.submit("/settings/leads", "/settings/leads", url.Values{"response_minutes": {"0"}, "assignment_mode": {"rules"}})
		wantPage(t, res.StatusCode, body, 422, `value="0"`, `<option value="rules" selected>`)
		res, _ = b.submit("/settings/leads", "/settings/leads", url.Values{"response_minutes": {"10"}, "assignment_mode": {"rules"}, "default_team_id": {fmt.Sprint(team.ID)}})
		wantRedirect(t, res, "/settings/leads")
		st, _ := s.Leads.Settings(ctx)
		if st.ResponseMinutes != 10 || st.AssignmentMode != "rules" || st.DefaultTeamID == nil || *st.DefaultTeamID != team.ID {
			t.Errorf("saved: %+v", st)
		}

		res, body = b.submit("/settings/leads", "/settings/leads/rules", url.Values{"filter": {`kota = "Surabaya"`}, "assignee": {""}})
		wantPage(t, res.StatusCode, body, 422, `value="kota = &#34;Surabaya&#34;"`, "position 1", "choose a team or a user")
		res, _ = b.submit("/settings/leads", "/settings/leads/rules", url.Values{"filter": {`city = "Surabaya"`}, "assignee": {fmt.Sprintf("team:%d", team.ID)}})
		wantRedirect(t, res, "/settings/leads")
		status, body = b.get("/settings/leads")
		wantPage(t, status, body, 200, "team Tim Surabaya, in turn", `city = &#34;Surabaya&#34;`)
		rules, _ := s.Leads.Rules(ctx)
		res, _ = b.submit("/settings/leads", fmt.Sprintf("/settings/leads/rules/%d/delete", rules[0].ID), url.Values{})
		wantRedirect(t, res, "/settings/leads")
		if rules, _ := s.Leads.Rules(ctx); len(rules) != 0 {
			t.Errorf("rule not deleted")
		}

		// Round robin without a team is refused next to the team; once its
		// team is deleted the page says leads are no longer dealt.
		res, body = b.submit("/settings/leads", "/settings/leads", url.Values{"response_minutes": {"10"}, "assignment_mode": {"round_robin"}})
		wantPage(t, res.StatusCode, body, 422, `<option value="round_robin" selected>`, `id="default_team_id" name="default_team_id" aria-invalid="true"`)
		res, _ = b.submit("/settings/leads", "/settings/leads", url.Values{"response_minutes": {"10"}, "assignment_mode": {"round_robin"}, "default_team_id": {fmt.Sprint(team.ID)}})
		wantRedirect(t, res, "/settings/leads")
		if _, body := b.get("/settings/leads"); strings.Contains(body, "lead-team-missing") {
			t.Errorf("warned with a team set")
		}
		if err := s.Auth.DeleteTeam(ctx, s.Admin.Principal(), team.ID); err != nil {
			t.Fatal(err)
		}
		status, body = b.get("/settings/leads")
		wantPage(t, status, body, 200, `data-testid="lead-team-missing"`, "Pick a default team")

		sales := s.browser(t, "ani@example.co.id")
		if status, _ := sales.get("/settings/leads"); status != 403 {
			t.Errorf("a sales user opened the settings: %d", status)
		}
	})
}

func TestResponseTimesAndNotificationPages(t *testing.T) {
	eachEngineSite(t, leads.Config{}, func(t *testing.T, s *site) {
		ctx := context.Background()
		ani, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: "ani@example.co.id", Name: "Ani Lestari", Password: password, Role: auth.Sales, Locale: "id"})
		if err != nil {
			t.Fatal(err)
		}
		lead, err := s.Store.Create(ctx, s.Admin.Principal(), s.Leads.Entity(), records.Input{"first_name": "Budi", "owner_id": ani.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Ani answers after 3 minutes; the report shows it in Bahasa Indonesia.
		assigned := lead.Get("assigned_at").(time.Time)
		err = s.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return leads.RecordResponse(ctx, tx, lead.ID, ani.ID, assigned.Add(3*time.Minute))
		})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t, "ani@example.co.id")
		status, body := b.get("/leads/response-times?days=7")
		wantPage(t, status, body, 200, "Waktu respons prospek", "Ani Lestari", "3 mnt", `href="/leads?filter=overdue%20%3D%20true"`)

		// A lead left waiting: Ani is told in her language.
		waiting, err := s.Store.Create(ctx, s.Admin.Principal(), s.Leads.Entity(), records.Input{"first_name": "Citra", "last_name": "Dewi", "owner_id": ani.ID})
		if err != nil {
			t.Fatal(err)
		}
		w := &leads.OverdueWorker{DB: s.DB, Now: func() time.Time { return time.Now().Add(time.Hour) }}
		if n, err := w.Flag(ctx); err != nil || n != 1 {
			t.Fatalf("flagged %d: %v", n, err)
		}
		status, body = b.get("/notifications")
		wantPage(t, status, body, 200, "Prospek Citra Dewi menunggu: belum dijawab tepat waktu.", "Tandai sudah dibaca")
		res, _ := b.submit("/notifications", "/notifications/1/read", url.Values{"open": {"1"}})
		wantRedirect(t, res, fmt.Sprintf("/leads/%d", waiting.ID))
		status, body = b.get("/notifications")
		if status != 200 || strings.Contains(body, "Tandai sudah dibaca</button>") {
			t.Errorf("the notification is still unread")
		}
		res, _ = b.submit("/notifications", "/notifications/read-all", url.Values{})
		wantRedirect(t, res, "/notifications")
		// The overdue list is the lead list filtered.
		status, body = b.get("/leads?filter=overdue%20%3D%20true")
		wantPage(t, status, body, 200, "Citra")
		if strings.Contains(body, ">Budi<") {
			t.Errorf("an answered lead is in the overdue list")
		}
	})
}
