package audit_test

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
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/audit"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

const password = "rahasia-123"

// site is the browser side: sign-in, the settings tabs and the audit page.
type site struct {
	*httptest.Server
	Store    *records.Store
	Contacts *records.Entity
	Accounts *records.Entity
	Admin    auth.User
	Auth     *auth.Service
}

func eachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, engine)
			catalog, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			assets, err := web.LoadAssets()
			if err != nil {
				t.Fatal(err)
			}
			renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), audit.Templates())
			if err != nil {
				t.Fatal(err)
			}
			s := &site{Store: records.NewStore(db), Contacts: contacts.Entity(engine), Accounts: accounts.Entity(engine), Auth: auth.NewService(db)}
			reg := records.NewRegistry(s.Accounts, s.Contacts)
			mux := http.NewServeMux()
			rt := web.NewRouter(mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
			rt.RegisterSessionPages()
			for _, e := range reg.All() {
				records.RegisterWeb(rt, s.Store, e)
			}
			audit.New(s.Store, reg).RegisterWeb(rt)
			s.Server = httptest.NewServer(httpx.SecurityHeaders(false, mux))
			t.Cleanup(s.Server.Close)
			if s.Admin, err = s.Auth.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "admin@example.co.id", Name: "Ayu Admin", Password: password}); err != nil {
				t.Fatal(err)
			}
			fn(t, s)
		})
	}
}

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *site) signIn(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	login := b.get("/login")
	m := csrfToken.FindStringSubmatch(login.body)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err := b.c.PostForm(s.URL+"/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: status %d", email, res.StatusCode)
	}
	return b
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

type webPage struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(path string) webPage {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return webPage{status: res.StatusCode, header: res.Header, body: string(body)}
}

var auditRow = regexp.MustCompile(`<tr data-id="(\d+)">`)

func rowCount(body string) int { return len(auditRow.FindAllString(body, -1)) }

func TestAuditPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := s.Admin.Principal()
		ctx := context.Background()
		s.Store.SetClock(func() time.Time { return time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC) })
		acc, err := s.Store.Create(ctx, admin, s.Accounts, records.Input{"name": "PT Maju Jaya"})
		if err != nil {
			t.Fatal(err)
		}
		budi, err := s.Store.Create(ctx, admin, s.Contacts, records.Input{"first_name": "Budi", "city": "Jakarta", "account_id": acc.ID})
		if err != nil {
			t.Fatal(err)
		}
		long := strings.TrimSpace(strings.Repeat("Jalan panjang sekali ", 10))
		if _, err := s.Store.Update(ctx, admin, s.Contacts, budi.ID, records.Input{"city": "Bandung", "street": long}, 0); err != nil {
			t.Fatal(err)
		}
		for i := range 60 {
			if _, err := s.Store.Create(ctx, admin, s.Contacts, records.Input{"first_name": fmt.Sprintf("Kontak %02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Store.Delete(ctx, admin, s.Contacts, budi.ID); err != nil {
			t.Fatal(err)
		}
		b := s.signIn(t, "admin@example.co.id")

		p := b.get("/settings/audit")
		if p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
		if n := rowCount(p.body); n != 50 {
			t.Errorf("the first page has %d rows, want 50", n)
		}
		for _, want := range []string{`href="/settings/audit.csv"`, `rel="next"`, "Moved to the trash", "Ayu Admin", "in the trash", `href="/contacts/61"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the audit page lacks %q", want)
			}
		}

		// The filter form: Budi's changes of the street.
		p = b.get("/settings/audit?" + url.Values{"entity": {"contacts"}, "record_id": {fmt.Sprint(budi.ID)}, "field": {"street"}}.Encode())
		if n := rowCount(p.body); n != 1 {
			t.Fatalf("%d rows for Budi's street, want 1", n)
		}
		body := html.UnescapeString(p.body)
		shown := []rune(long)[:79]
		if !strings.Contains(body, string(shown)+"…") || !strings.Contains(body, `title="`+long+`"`) {
			t.Error("a long value is not cut short with the whole value in its title")
		}
		if !strings.Contains(body, `href="/settings/trash?entity=contacts"`) {
			t.Error("the entry of a record in the trash does not link to the trash")
		}
		if strings.Contains(p.body, `rel="next"`) {
			t.Error("one row, yet a next page")
		}
		csvLink := regexp.MustCompile(`href="(/settings/audit\.csv[^"]*)"`).FindStringSubmatch(p.body)
		if csvLink == nil {
			t.Fatal("no CSV link")
		}
		dl := b.get(html.UnescapeString(csvLink[1]))
		if dl.status != http.StatusOK || !strings.HasPrefix(dl.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV download: %d %s", dl.status, dl.header.Get("Content-Type"))
		}
		// One row per field the entry changed: the city and the whole street.
		if lines := strings.Count(strings.TrimSpace(dl.body), "\n"); lines != 2 || !strings.Contains(dl.body, ",street,,"+long+"\n") {
			t.Errorf("the filtered CSV has %d rows (want 2, with the whole street):\n%s", lines, dl.body)
		}

		// Links to other records and users show their names.
		p = b.get("/settings/audit?" + url.Values{"entity": {"contacts"}, "record_id": {fmt.Sprint(budi.ID)}, "action": {"created"}}.Encode())
		for _, want := range []string{"Account:</span>\n          <span>—</span> → <span>PT Maju Jaya</span>", "Owner:</span>\n          <span>—</span> → <span>Ayu Admin</span>"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("Budi's creation lacks %q", want)
			}
		}
		if err := s.Store.Delete(ctx, admin, s.Accounts, acc.ID); err != nil {
			t.Fatal(err)
		}
		p = b.get("/settings/audit?" + url.Values{"entity": {"contacts"}, "record_id": {fmt.Sprint(budi.ID)}, "action": {"created"}}.Encode())
		if !strings.Contains(p.body, "<span>PT Maju Jaya</span>") {
			t.Error("an account in the trash is no longer named in the changes that link to it")
		}

		// The next page keeps the filter.
		p = b.get("/settings/audit?action=created")
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(p.body)
		if next == nil || !strings.Contains(html.UnescapeString(next[1]), "action=created") {
			t.Fatalf("the next page link %v loses the filter", next)
		}
		if n := rowCount(b.get(html.UnescapeString(next[1])).body); n != 12 {
			t.Errorf("the second page of creations has %d rows, want 12", n)
		}

		// A bad filter is shown beside its field.
		p = b.get("/settings/audit?from=2026-03-05&to=2026-03-01&record_id=abc")
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad filter answers %d, want 422", p.status)
		}
		for _, want := range []string{"must not be before the start date", "must be an ID", `value="abc"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the page with a bad filter lacks %q", want)
			}
		}
		if strings.Contains(p.body, "No changes match") {
			t.Error("a bad filter claims that no changes match it")
		}
	})
}

func TestAuditPageIsForAdministrators(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		for _, role := range []auth.Role{auth.Manager, auth.Sales} {
			email := string(role) + "@example.co.id"
			if _, err := s.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Name: email, Password: password, Role: role}); err != nil {
				t.Fatal(err)
			}
			b := s.signIn(t, email)
			for _, path := range []string{"/settings/audit", "/settings/audit.csv"} {
				if p := b.get(path); p.status != http.StatusForbidden {
					t.Errorf("%s opens %s: status %d, want 403", role, path, p.status)
				}
			}
		}
	})
}
