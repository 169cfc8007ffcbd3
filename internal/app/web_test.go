package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// formClient is a cookie-keeping HTTP client that does not follow redirects,
// so tests see where each form sends the user.
type formClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newFormClient(t *testing.T, base string) *formClient {
	jar, _ := cookiejar.New(nil)
	return &formClient{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *formClient) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads page, takes the CSRF token from its form, and posts form to action.
func (b *formClient) submit(page, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	_, body := b.get(page)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token in the form on %s", page)
	}
	form.Set("csrf_token", m[1])
	return b.post(action, form)
}

func (b *formClient) post(action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+action, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func wantRedirect(t *testing.T, resp *http.Response, to string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != to {
		t.Fatalf("want 303 to %s, got %d to %q", to, resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestFirstRunSetupHappensOnce(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			b := newFormClient(t, srv.URL)
			resp, _ := b.get("/")
			wantRedirect(t, resp, "/setup")
			resp, _ = b.get("/login")
			wantRedirect(t, resp, "/setup")

			form := url.Values{"name": {"Sari"}, "email": {"sari@example.co.id"}, "password": {"rahasia-123"}, "password_confirm": {"rahasia-123"}, "locale": {"id"}}
			resp, _ = b.submit("/setup", "/setup", form)
			wantRedirect(t, resp, "/")
			resp, body := b.get("/")
			if resp.StatusCode != 200 || !strings.Contains(body, "Selamat datang, Sari") {
				t.Fatalf("home after setup: %d, Indonesian welcome missing", resp.StatusCode)
			}

			// A second visitor cannot run setup again, even by posting the form.
			other := newFormClient(t, srv.URL)
			resp, _ = other.get("/setup")
			wantRedirect(t, resp, "/login")
			_, loginPage := other.get("/login")
			tok := csrfInput.FindStringSubmatch(loginPage)[1]
			form.Set("email", "mallory@example.com")
			form.Set("csrf_token", tok)
			resp, _ = other.post("/setup", form)
			wantRedirect(t, resp, "/login")
			if n, _ := srv.App.Auth.CountUsers(context.Background()); n != 1 {
				t.Fatalf("users after a second setup attempt = %d, want 1", n)
			}
		})
	}
}

func TestSetupFormKeepsInputAndShowsFieldErrors(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	b := newFormClient(t, srv.URL)
	resp, body := b.submit("/setup", "/setup", url.Values{"name": {"Budi <b>Santoso</b>"}, "email": {"budi@"}, "password": {"short"}, "password_confirm": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{
		`value="Budi &lt;b&gt;Santoso&lt;/b&gt;"`, // kept, and escaped
		`value="budi@"`,
		"is not a valid e-mail address",
		"must be at least 8 characters",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("setup form after bad input lacks %q", want)
		}
	}
	if n, _ := srv.App.Auth.CountUsers(context.Background()); n != 0 {
		t.Fatalf("a rejected setup created %d users", n)
	}
}

func setUpAdmin(t *testing.T, srv *testServer) auth.User {
	t.Helper()
	u, err := srv.App.Auth.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func signIn(t *testing.T, b *formClient, email, password string) {
	t.Helper()
	resp, _ := b.submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
	wantRedirect(t, resp, "/")
}

func TestFormsRefusePostsWithoutTheirCSRFToken(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	b := newFormClient(t, srv.URL)
	b.get("/login") // receives the CSRF cookie
	resp, body := b.post("/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This form has expired") {
		t.Fatalf("login without token: %d", resp.StatusCode)
	}
	resp, _ = b.post("/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}, "csrf_token": {strings.Repeat("x", 43)}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login with a forged token: %d, want 403", resp.StatusCode)
	}
	// Signed in, a cross-site POST is refused even with the right token.
	signIn(t, b, "sari@example.co.id", "rahasia-123")
	_, page := b.get("/profile")
	tok := csrfInput.FindStringSubmatch(page)[1]
	req, _ := http.NewRequest("POST", srv.URL+"/profile", strings.NewReader(url.Values{"csrf_token": {tok}, "name": {"Hacked"}, "locale": {"en"}, "time_zone": {"UTC"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	u, _ := srv.App.Auth.GetUserByEmail(context.Background(), "sari@example.co.id")
	if u.Name != "Sari" {
		t.Fatalf("a refused POST changed the name to %q", u.Name)
	}
}

func TestLoginErrorsThrottleAndRedirects(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	b := newFormClient(t, srv.URL)
	resp, body := b.submit("/login", "/login", url.Values{"email": {"Sari@Example.co.id"}, "password": {"salah"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong e-mail or password.") || !strings.Contains(body, `value="Sari@Example.co.id"`) {
		t.Fatalf("wrong password: status %d; the error and the typed e-mail must show", resp.StatusCode)
	}
	// An off-site "next" is ignored.
	resp, _ = b.submit("/login?next=//evil.example/x", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}, "next": {"//evil.example/x"}})
	wantRedirect(t, resp, "/")
	// A local one is honoured.
	b2 := newFormClient(t, srv.URL)
	resp, _ = b2.get("/settings/users?q=a")
	wantRedirect(t, resp, "/login?next=%2Fsettings%2Fusers%3Fq%3Da")
	resp, _ = b2.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}, "next": {"/settings/users?q=a"}})
	wantRedirect(t, resp, "/settings/users?q=a")

	// Regression: five wrong passwords used to lock the account, for its
	// owner too. Now they slow down that browser's address, and the right
	// password still signs in.
	b3 := newFormClient(t, srv.URL)
	for range 6 {
		resp, _ := b3.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"salah"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: status %d, want 401", resp.StatusCode)
		}
	}
	srv.Slept()
	resp, _ = b3.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}})
	wantRedirect(t, resp, "/")
	if d := srv.Slept(); len(d) != 1 || d[0] != auth.LoginDelay(6, 6) {
		t.Fatalf("the right password after failures waited %v, want [%v]", d, auth.LoginDelay(6, 6))
	}
}

func TestSessionCookieAndLogout(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	b := newFormClient(t, srv.URL)
	resp, _ := b.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"rahasia-123"}})
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "relasi_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, not Secure over http", session)
	}
	resp, _ = b.submit("/profile", "/logout", url.Values{})
	wantRedirect(t, resp, "/login")
	// The old cookie no longer works, even if replayed.
	replay := newFormClient(t, srv.URL)
	u, _ := url.Parse(srv.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "relasi_session", Value: session.Value}})
	resp, _ = replay.get("/profile")
	wantRedirect(t, resp, "/login?next=%2Fprofile")
}

func TestSecureCookiesBehindHTTPS(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), LogFormat: "text", BaseURL: "https://crm.example.co.id"}
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	setUpAdmin(t, &testServer{App: a})
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	res := rec.Result()
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header behind https")
	}
	for _, c := range res.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure behind https", c.Name)
		}
	}
}

func TestRoleChecksOnSettingsPages(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	srv.createUser(t, "agus@example.co.id", auth.Sales)
	b := newFormClient(t, srv.URL)
	resp, _ := b.submit("/login", "/login", url.Values{"email": {"agus@example.co.id"}, "password": {"rahasia-123"}})
	wantRedirect(t, resp, "/")
	for _, path := range []string{"/settings/users", "/settings/users/new", "/settings/teams", "/settings/users/1"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sales user on %s: %d, want 403", path, resp.StatusCode)
		}
	}
	resp, _ = b.submit("/settings/tokens", "/settings/users", url.Values{"email": {"x@example.co.id"}, "name": {"X"}, "password": {"rahasia-123"}, "role": {"admin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sales user creating a user: %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.get("/settings"); resp.Header.Get("Location") != "/settings/tokens" {
		t.Errorf("settings for a non-admin should lead to their API tokens")
	}
}

func TestNamesAreEscapedEverywhere(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	admin := setUpAdmin(t, srv)
	evil := "<script>alert(1)</script>"
	if _, err := srv.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: "x@example.co.id", Name: evil, Password: "rahasia-123", Role: auth.Sales}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Auth.CreateTeam(context.Background(), admin.Principal(), auth.TeamInput{Name: evil}); err != nil {
		t.Fatal(err)
	}
	b := newFormClient(t, srv.URL)
	signIn(t, b, "sari@example.co.id", "rahasia-123")
	for _, path := range []string{"/settings/users", "/settings/teams", "/settings/users/2"} {
		_, body := b.get(path)
		if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the name as escaped text", path)
		}
	}
}

func TestUserAdminThroughTheForms(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	b := newFormClient(t, srv.URL)
	signIn(t, b, "sari@example.co.id", "rahasia-123")
	resp, _ := b.submit("/settings/teams", "/settings/teams", url.Values{"name": {"Penjualan Jakarta"}})
	wantRedirect(t, resp, "/settings/teams")
	resp, body := b.submit("/settings/teams", "/settings/teams", url.Values{"name": {"penjualan jakarta"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is already in use") {
		t.Fatalf("duplicate team name: %d", resp.StatusCode)
	}
	resp, _ = b.submit("/settings/users/new", "/settings/users", url.Values{"email": {"dewi@example.co.id"}, "name": {"Dewi"}, "password": {"rahasia-123"}, "role": {"sales"}, "team_id": {"1"}, "locale": {"id"}, "time_zone": {"Asia/Makassar"}})
	wantRedirect(t, resp, "/settings/users")
	resp, body = b.submit("/settings/users/new", "/settings/users", url.Values{"email": {"DEWI@example.co.id"}, "name": {"Dewi 2"}, "password": {"rahasia-123"}, "role": {"sales"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Dewi 2"`) {
		t.Fatalf("duplicate e-mail: status %d, and the form must keep what was typed", resp.StatusCode)
	}
	u, err := srv.App.Auth.GetUserByEmail(context.Background(), "dewi@example.co.id")
	if err != nil || u.TeamName != "Penjualan Jakarta" || u.TimeZone != "Asia/Makassar" || u.Locale != "id" {
		t.Fatalf("created user = %+v, %v", u, err)
	}
	// A stale edit (an older version) is refused and changes nothing.
	form := url.Values{"version": {"99"}, "name": {"Dewi Lestari"}, "role": {"manager"}, "team_id": {"1"}, "locale": {"id"}, "time_zone": {"Asia/Makassar"}}
	resp, body = b.submit("/settings/users/2", "/settings/users/2", form)
	if resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, "Someone else changed this record") {
		t.Fatalf("stale edit: %d", resp.StatusCode)
	}
	form.Set("version", "1")
	resp, _ = b.submit("/settings/users/2", "/settings/users/2", form)
	wantRedirect(t, resp, "/settings/users")
	u, _ = srv.App.Auth.GetUserByEmail(context.Background(), "dewi@example.co.id")
	if u.Name != "Dewi Lestari" || u.Role != auth.Manager {
		t.Fatalf("after edit: %+v", u)
	}
}

// Every message key the templates and handlers use exists in the catalogs
// (which i18n.Load already checks have the same keys in both languages).
func TestEveryMessageKeyIsInTheCatalog(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.T "([a-z_.]+)"`),
		regexp.MustCompile(`WithKey\("([a-z_.]+)"`),
		regexp.MustCompile(`"(flash\.[a-z_]+)"`),
		regexp.MustCompile(`c\.Render(?:Form)?\("[a-z_]+", "([a-z_.]+)"`),
	}
	files := 0
	err = filepath.Walk("..", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if !strings.HasSuffix(path, ".html") && !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !cat.Has(m[1]) {
					t.Errorf("%s uses message key %q, which the catalog lacks", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil || files < 10 {
		t.Fatalf("scanned %d files: %v", files, err)
	}
	for _, r := range auth.Roles {
		for _, k := range []string{"role." + string(r), "role." + string(r) + ".help"} {
			if !cat.Has(k) {
				t.Errorf("catalog lacks %q", k)
			}
		}
	}
	for _, nav := range []string{"home", "contacts", "accounts", "leads", "deals", "activities", "orders", "products", "cases", "campaigns", "reports", "settings"} {
		if !cat.Has("nav." + nav) {
			t.Errorf("catalog lacks nav.%s", nav)
		}
	}
}
