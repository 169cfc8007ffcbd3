package trash_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/trash"
	"github.com/relasi/relasi/internal/web"
)

const password = "rahasia-123"

// site is the browser side: sign-in, the settings tabs and the trash.
type site struct {
	*httptest.Server
	Store    *records.Store
	Auth     *auth.Service
	Contacts *records.Entity
	Accounts *records.Entity
	Admin    auth.User
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
			renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), trash.Templates())
			if err != nil {
				t.Fatal(err)
			}
			s := &site{Store: records.NewStore(db), Auth: auth.NewService(db), Contacts: contacts.Entity(engine), Accounts: accounts.Entity(engine)}
			reg := records.NewRegistry(s.Accounts, s.Contacts)
			mux := http.NewServeMux()
			rt := web.NewRouter(mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
			rt.RegisterSessionPages()
			for _, e := range reg.All() {
				records.RegisterWeb(rt, s.Store, e)
			}
			trash.New(s.Store, reg).RegisterWeb(rt)
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

type webPage struct {
	status   int
	location string
	body     string
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (s *site) signIn(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if p := b.submit("/login", "/login", url.Values{"email": {email}, "password": {password}}); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: status %d", email, p.status)
	}
	return b
}

func (b *browser) get(path string) webPage {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return webPage{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}
}

// submit loads a page, takes its CSRF token and posts form to action.
func (b *browser) submit(pagePath, action string, form url.Values) webPage {
	b.t.Helper()
	m := csrfToken.FindStringSubmatch(b.get(pagePath).body)
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
	return webPage{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}
}

func (s *site) contact(t *testing.T, p auth.Principal, name string) int64 {
	t.Helper()
	r, err := s.Store.Create(context.Background(), p, s.Contacts, records.Input{"first_name": name})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Store.Delete(context.Background(), p, s.Contacts, r.ID); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestTrashPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := s.Admin.Principal()
		budi := s.contact(t, admin, "Budi")
		wati := s.contact(t, admin, "Wati")
		acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": "PT Maju Jaya"})
		if err != nil {
			t.Fatal(err)
		}
		s.Store.Delete(context.Background(), admin, s.Accounts, acc.ID)
		b := s.signIn(t, "admin@example.co.id")

		p := b.get("/settings/trash")
		for _, want := range []string{"Budi", "Wati", "PT Maju Jaya", "Ayu Admin", "30 days", "stay here for 30 days", `action="/settings/trash/retention"`,
			`href="/settings/trash/contacts/` + itoa(budi) + `/purge"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the trash page lacks %q", want)
			}
		}
		// Every record in the trash links to a page that shows it.
		links := regexp.MustCompile(`<a href="([^"]+)" data-testid="trashed-record">`).FindAllStringSubmatch(p.body, -1)
		if len(links) != 3 {
			t.Errorf("%d links to trashed records, want 3", len(links))
		}
		for _, m := range links {
			if page := b.get(m[1]); page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="trashed-note"`) {
				t.Errorf("the trash links to %s, which answers %d", m[1], page.status)
			}
		}
		if p := b.get("/settings/trash?entity=accounts"); strings.Contains(p.body, "Budi") || !strings.Contains(p.body, "PT Maju Jaya") {
			t.Error("the entity filter does not keep to accounts")
		}

		// Restore goes back to the page it came from.
		r := b.submit("/settings/trash", "/settings/trash/contacts/"+itoa(budi)+"/restore", url.Values{"back": {"/settings/trash?entity=contacts"}})
		if r.status != http.StatusSeeOther || r.location != "/settings/trash?entity=contacts" {
			t.Fatalf("restore: %d to %q", r.status, r.location)
		}
		if _, err := s.Store.Get(context.Background(), admin, s.Contacts, budi); err != nil {
			t.Errorf("Budi is not back: %v", err)
		}

		// Delete forever asks first.
		confirm := b.get("/settings/trash/contacts/" + itoa(wati) + "/purge")
		if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "Wati") || !strings.Contains(confirm.body, "cannot be restored") {
			t.Fatalf("the confirmation: %d", confirm.status)
		}
		r = b.submit("/settings/trash/contacts/"+itoa(wati)+"/purge", "/settings/trash/contacts/"+itoa(wati)+"/purge", url.Values{})
		if r.status != http.StatusSeeOther || r.location != "/settings/trash" {
			t.Fatalf("purge: %d to %q", r.status, r.location)
		}
		if p := b.get("/settings/trash"); strings.Contains(p.body, "Wati") || !strings.Contains(p.body, "Deleted forever.") {
			t.Error("Wati is still in the trash, or the page does not say she was deleted forever")
		}
		if p := b.get("/settings/trash/contacts/" + itoa(wati) + "/purge"); p.status != http.StatusNotFound {
			t.Errorf("the confirmation for a purged record: %d, want 404", p.status)
		}

		// The retention period: refused out of range, shown beside the field.
		r = b.submit("/settings/trash", "/settings/trash/retention", url.Values{"retention_days": {"0"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "must be a whole number from 1 to 3650") || !strings.Contains(r.body, `value="0"`) {
			t.Errorf("retention 0: status %d", r.status)
		}
		r = b.submit("/settings/trash", "/settings/trash/retention", url.Values{"retention_days": {"lama"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("retention \"lama\": status %d", r.status)
		}
		r = b.submit("/settings/trash", "/settings/trash/retention", url.Values{"retention_days": {"90"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("retention 90: status %d", r.status)
		}
		if p := b.get("/settings/trash"); !strings.Contains(p.body, "stay here for 90 days") || !strings.Contains(p.body, "90 days") {
			t.Error("the page does not show the new period")
		}
	})
}

func TestTrashPageForOthers(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		sari, err := s.Auth.CreateUser(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: password, Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		mine := s.contact(t, sari.Principal(), "Punya Sari")
		theirs := s.contact(t, s.Admin.Principal(), "Punya Admin")
		b := s.signIn(t, "sari@example.co.id")
		p := b.get("/settings/trash")
		if !strings.Contains(p.body, "Punya Sari") || strings.Contains(p.body, "Punya Admin") {
			t.Error("Sari's trash should hold her contact and not the admin's")
		}
		if strings.Contains(p.body, "/purge") || strings.Contains(p.body, "/settings/trash/retention") {
			t.Error("Sari is offered to delete forever or to set the retention period")
		}
		if r := b.submit("/settings/trash", "/settings/trash/contacts/"+itoa(mine)+"/purge", url.Values{}); r.status != http.StatusForbidden {
			t.Errorf("Sari's purge: status %d, want 403", r.status)
		}
		if r := b.submit("/settings/trash", "/settings/trash/retention", url.Values{"retention_days": {"1"}}); r.status != http.StatusForbidden {
			t.Errorf("Sari's retention: status %d, want 403", r.status)
		}
		if r := b.submit("/settings/trash", "/settings/trash/contacts/"+itoa(theirs)+"/restore", url.Values{}); r.status != http.StatusNotFound {
			t.Errorf("Sari restoring the admin's contact: status %d, want 404", r.status)
		}
		if r := b.submit("/settings/trash", "/settings/trash/contacts/"+itoa(mine)+"/restore", url.Values{"back": {"https://evil.example/"}}); r.status != http.StatusSeeOther || r.location != "/settings/trash" {
			t.Errorf("Sari restoring her contact: %d to %q", r.status, r.location)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
