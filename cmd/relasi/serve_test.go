package main

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/store/storetest"
)

// The "done when": an admin created and given a token on the
// command line can call the API of a running relasi, which then stops
// gracefully on SIGTERM.
func TestTokenFromCLIWorksAgainstServe(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			out := in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--name", "Ayu Lestari", "--password", "rahasia-123", "--role", "admin")
			if !strings.Contains(out, "Created user") || !strings.Contains(out, "ayu@example.co.id") {
				t.Errorf("user create printed %q; want it to confirm the new user", out)
			}
			token := strings.TrimSpace(in.mustRun(t, "token", "create", "--email", "ayu@example.co.id"))
			if !strings.HasPrefix(token, "rls_") || strings.ContainsAny(token, " \n") {
				t.Fatalf("token create printed %q; want one token starting with rls_", token)
			}

			srv := in.serve(t)

			resp, body := get(t, srv.URL+"/api/v1/me", "Bearer "+token)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /api/v1/me with the token: status %d, body %s", resp.StatusCode, body)
			}
			if mt := mediaType(resp); mt != "application/json" {
				t.Errorf("GET /api/v1/me: Content-Type %q, want application/json", mt)
			}
			var me struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
				Name  string `json:"name"`
				Role  string `json:"role"`
			}
			if err := json.Unmarshal(body, &me); err != nil {
				t.Fatalf("GET /api/v1/me: %v in %s", err, body)
			}
			if me.ID == 0 || me.Email != "ayu@example.co.id" || me.Name != "Ayu Lestari" || me.Role != "admin" {
				t.Errorf("GET /api/v1/me = %+v; want the admin created on the command line", me)
			}

			resp, body = get(t, srv.URL+"/api/v1/me", "")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET /api/v1/me without a token: status %d, want 401; body %s", resp.StatusCode, body)
			}
			if mt := mediaType(resp); mt != "application/problem+json" {
				t.Errorf("GET /api/v1/me without a token: Content-Type %q, want application/problem+json", mt)
			}
			if !strings.Contains(string(body), "Authorization") {
				t.Errorf("the 401 body should tell how to authenticate: %s", body)
			}

			resp, body = get(t, srv.URL+"/api/v1/me", "Bearer rls_not-a-real-token")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET /api/v1/me with a made-up token: status %d, want 401; body %s", resp.StatusCode, body)
			}

			srv.stop(t)
		})
	}
}

// user passwd changes the password of a running installation: the old one
// stops working at the sign-in page, the new one works, and the user's
// existing browser sessions end. user create and user passwd read the
// password from standard input when --password is left out.
func TestUserPasswdChangesWhatSignInAccepts(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			const email, oldPassword, newPassword = "budi@example.co.id", "lama-sekali-1", "baru-sekali-2"
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
			r := in.run(t, oldPassword+"\n", "user", "create", "--email", email, "--role", "sales")
			if r.code != 0 {
				t.Fatalf("user create with the password on stdin:\n%s", r)
			}
			if strings.Contains(r.stdout+r.stderr, oldPassword) {
				t.Errorf("user create echoed the password:\n%s", r)
			}

			srv := in.serve(t)

			before := newBrowser(t, srv.URL)
			if ok, page := before.signIn(t, email, oldPassword); !ok {
				t.Fatalf("sign-in with the password given on stdin to user create failed:\n%s", page)
			}

			// A password that is too short is refused and changes nothing.
			r = in.run(t, "", "user", "passwd", "--email", email, "--password", "pendek")
			if r.code == 0 || !strings.Contains(r.stderr, "--password") {
				t.Errorf("user passwd with a short password: want a non-zero exit naming --password\n%s", r)
			}
			if ok, page := newBrowser(t, srv.URL).signIn(t, email, oldPassword); !ok {
				t.Fatalf("after a refused user passwd, the old password no longer works:\n%s", page)
			}

			r = in.run(t, newPassword+"\n", "user", "passwd", "--email", email)
			if r.code != 0 || !strings.Contains(r.stdout, "changed") {
				t.Fatalf("user passwd with the password on stdin:\n%s", r)
			}

			if ok, page := newBrowser(t, srv.URL).signIn(t, email, oldPassword); ok {
				t.Errorf("the old password still signs in after user passwd")
			} else if !strings.Contains(page, "Wrong e-mail or password") {
				t.Errorf("sign-in with the old password: the page does not say \"Wrong e-mail or password\":\n%s", page)
			}
			if ok, page := newBrowser(t, srv.URL).signIn(t, email, newPassword); !ok {
				t.Errorf("the new password does not sign in:\n%s", page)
			}
			if loc := before.homeRedirect(t); !strings.HasPrefix(loc, "/login") {
				t.Errorf("the session from before user passwd still opens the home page (redirect %q); want it signed out", loc)
			}

			srv.stop(t)
		})
	}
}

// get sends a GET with an optional Authorization header.
func get(t *testing.T, url, authorization string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp, body
}

func mediaType(resp *http.Response) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt
}

// browser is a cookie-keeping HTTP client that, like a test should, looks
// at redirects instead of following them.
type browser struct {
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{base: base, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfFieldRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn fills in the sign-in form as a browser would (the CSRF cookie from
// GET /login, the token from its hidden field). It reports whether relasi
// signed the user in (303 to /) and returns the page it showed otherwise.
func (b *browser) signIn(t *testing.T, email, password string) (bool, string) {
	t.Helper()
	page := b.do(t, http.MethodGet, "/login", nil)
	if page.status != http.StatusOK {
		t.Fatalf("GET /login: status %d\n%s", page.status, page.body)
	}
	m := csrfFieldRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("GET /login: no csrf_token field in the form\n%s", page.body)
	}
	form := url.Values{"csrf_token": {m[1]}, "email": {email}, "password": {password}}
	res := b.do(t, http.MethodPost, "/login", form)
	if res.status == http.StatusSeeOther && res.location == "/" {
		return true, ""
	}
	return false, res.body
}

// homeRedirect opens the home page and returns where it redirects ("" when
// it shows the page).
func (b *browser) homeRedirect(t *testing.T) string {
	t.Helper()
	return b.do(t, http.MethodGet, "/", nil).location
}

type response struct {
	status   int
	location string
	body     string
}

func (b *browser) do(t *testing.T, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "en")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(data)}
}
