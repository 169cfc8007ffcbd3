package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// forwardedClient is a formClient whose requests arrive through the
// reverse proxy with X-Forwarded-For: from.
func forwardedClient(t *testing.T, base, from string) *formClient {
	b := newFormClient(t, base)
	b.c.Transport = forwardedFor{from: from}
	return b
}

type forwardedFor struct{ from string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.from)
	return http.DefaultTransport.RoundTrip(r)
}

// Regression: behind a reverse proxy every sign-in came from the proxy's
// address, so fifty failures anywhere locked out everyone, and five for
// one e-mail locked out its owner. With --trusted-proxies the client's
// own address counts, and an attacker slows down only themself.
func TestSignInBehindTrustedProxy(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine, func(c *Config) { c.TrustedProxies = "127.0.0.1/32, ::1" })
			setUpAdmin(t, srv)
			attacker := forwardedClient(t, srv.URL, "198.51.100.66")
			for range auth.LoginIPFreeFailures + auth.LoginIPStep {
				resp, _ := attacker.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"salah-sekali"}})
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("wrong password: %d, want 401", resp.StatusCode)
				}
			}
			srv.Slept()
			owner := forwardedClient(t, srv.URL, "203.0.113.7")
			signIn(t, owner, "sari@example.co.id", "rahasia-123")
			if d := srv.Slept(); len(d) != 0 {
				t.Fatalf("the owner, from another address, waited %v", d)
			}
			var ip string
			if err := srv.App.DB.Read().QueryRowContext(context.Background(), "SELECT ip FROM sessions ORDER BY id DESC LIMIT 1").Scan(&ip); err != nil || ip != "203.0.113.7" {
				t.Fatalf("the session's address is %q (%v), want the client's", ip, err)
			}
			// The attacker's own right guess still works, after the longest delay.
			signIn(t, attacker, "sari@example.co.id", "rahasia-123")
			if d := srv.Slept(); len(d) != 1 || d[0] != auth.LoginMaxDelay {
				t.Fatalf("the attacker's address waited %v, want [%v]", d, auth.LoginMaxDelay)
			}
		})
	}
}

// Without trusted proxies a client cannot pick its address by sending the header.
func TestForwardedForIgnoredWithoutTrustedProxies(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	for i := range auth.LoginFreeFailures + 1 {
		b := forwardedClient(t, srv.URL, "198.51.100."+string(rune('1'+i)))
		b.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"salah-sekali"}})
	}
	srv.Slept()
	b := forwardedClient(t, srv.URL, "203.0.113.99")
	b.submit("/login", "/login", url.Values{"email": {"sari@example.co.id"}, "password": {"salah-sekali"}})
	if d := srv.Slept(); len(d) != 1 {
		t.Fatalf("a forged X-Forwarded-For escaped the throttle (waited %v)", d)
	}
}

var (
	secretText = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7]+)<`)
	codesBlock = regexp.MustCompile(`(?s)<pre class="recovery-codes">(.*?)</pre>`)
)

func TestTwoFactorThroughTheForms(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			admin := setUpAdmin(t, srv)
			srv.createUser(t, "agus@example.co.id", auth.Sales)
			b := newFormClient(t, srv.URL)
			signIn(t, b, "agus@example.co.id", "rahasia-123")

			// Enrolment: the secret and otpauth URI, then a code to confirm.
			_, page := b.get("/profile/two-factor")
			m := secretText.FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, "otpauth://totp/Relasi:agus@example.co.id?") {
				t.Fatalf("the enrolment page shows no secret and otpauth URI")
			}
			secret := m[1]
			resp, body := b.submit("/profile/two-factor", "/profile/two-factor/enable", url.Values{"code": {"12345"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a valid code") || !strings.Contains(body, `value="12345"`) {
				t.Fatalf("wrong enrolment code: %d; want the error beside the field and the input kept", resp.StatusCode)
			}
			code, _ := auth.TOTPCode(secret, time.Now())
			resp, body = b.submit("/profile/two-factor", "/profile/two-factor/enable", url.Values{"code": {code}})
			cm := codesBlock.FindStringSubmatch(body)
			if resp.StatusCode != http.StatusOK || cm == nil {
				t.Fatalf("enable: %d, no recovery codes shown", resp.StatusCode)
			}
			recovery := strings.Fields(cm[1])
			if len(recovery) != auth.RecoveryCodeCount {
				t.Fatalf("%d recovery codes shown", len(recovery))
			}
			if _, again := b.get("/profile/two-factor"); codesBlock.MatchString(again) {
				t.Fatal("recovery codes are shown a second time")
			}

			// Sign-in now asks for a code after the password.
			b2 := newFormClient(t, srv.URL)
			resp, _ = b2.submit("/login?next=/contacts", "/login", url.Values{"email": {"agus@example.co.id"}, "password": {"rahasia-123"}, "next": {"/contacts"}})
			wantRedirect(t, resp, "/login/code?next=%2Fcontacts")
			if resp, _ := b2.get("/profile"); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/profile") {
				t.Fatal("signed in before the code")
			}
			resp, body = b2.submit("/login/code?next=/contacts", "/login/code", url.Values{"code": {"000000"}, "next": {"/contacts"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a valid code") {
				t.Fatalf("wrong sign-in code: %d", resp.StatusCode)
			}
			resp, _ = b2.submit("/login/code?next=/contacts", "/login/code", url.Values{"code": {recovery[0]}, "next": {"/contacts"}})
			wantRedirect(t, resp, "/contacts")
			if resp, _ := b2.get("/profile"); resp.StatusCode != http.StatusOK {
				t.Fatalf("after the code: /profile %d", resp.StatusCode)
			}

			// In Indonesian, the code page and its error are translated.
			b3 := newFormClient(t, srv.URL)
			b3.get("/lang/id")
			b3.submit("/login", "/login", url.Values{"email": {"agus@example.co.id"}, "password": {"rahasia-123"}})
			_, body = b3.submit("/login/code", "/login/code", url.Values{"code": {"000000"}})
			if !strings.Contains(body, "Masukkan kode Anda") || !strings.Contains(body, "bukan kode yang berlaku") {
				t.Fatal("the code page is not in Indonesian")
			}

			// An administrator resets it; the user is signed out.
			ba := newFormClient(t, srv.URL)
			signIn(t, ba, "sari@example.co.id", "rahasia-123")
			resp, _ = ba.submit("/settings/users/2", "/settings/users/2/two-factor/reset", url.Values{})
			wantRedirect(t, resp, "/settings/users/2")
			if resp, _ := b2.get("/profile"); resp.StatusCode != http.StatusSeeOther {
				t.Fatal("still signed in after the reset")
			}
			signIn(t, newFormClient(t, srv.URL), "agus@example.co.id", "rahasia-123")

			var resets int
			err := srv.App.DB.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM record_changes WHERE entity = 'users' AND action = 'two_factor_reset' AND actor_id = $1", admin.ID).Scan(&resets)
			if err != nil || resets != 1 {
				t.Fatalf("%d resets by the admin in the history (%v), want 1", resets, err)
			}
			_, audit := ba.get("/settings/audit?entity=users")
			for _, want := range []string{"two-factor sign-in reset", "two-factor sign-in on", "signed in with a recovery code", "wrong sign-in code"} {
				if !strings.Contains(audit, want) {
					t.Errorf("the audit lacks %q", want)
				}
			}
		})
	}
}

func TestTwoFactorRequiredForAdmins(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	sales := srv.createUser(t, "agus@example.co.id", auth.Sales)
	token := srv.token(t, srv.createUser(t, "budi@example.co.id", auth.Admin))
	b := newFormClient(t, srv.URL)
	signIn(t, b, "sari@example.co.id", "rahasia-123")
	resp, _ := b.submit("/settings/users", "/settings/two-factor", url.Values{"require_two_factor_for_admins": {"on"}})
	wantRedirect(t, resp, "/settings/users")

	// The admin, without two-factor, is sent to set it up from every page.
	for _, path := range []string{"/", "/settings/users", "/profile"} {
		resp, _ := b.get(path)
		wantRedirect(t, resp, "/profile/two-factor")
	}
	_, page := b.get("/profile/two-factor")
	if !strings.Contains(page, "Administrators must use two-factor sign-in") {
		t.Fatal("the set-up page does not say why")
	}
	// Others are not affected, nor are API tokens.
	bs := newFormClient(t, srv.URL)
	signIn(t, bs, "agus@example.co.id", "rahasia-123")
	if resp, _ := bs.get("/profile"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a sales user: /profile %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/users/"+strconv.FormatInt(sales.ID, 10), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("an admin's API token: %d, want 200", res.StatusCode)
	}

	// Once enrolled, the admin gets in.
	secret := secretText.FindStringSubmatch(page)[1]
	code, _ := auth.TOTPCode(secret, time.Now())
	b.submit("/profile/two-factor", "/profile/two-factor/enable", url.Values{"code": {code}})
	if resp, _ := b.get("/settings/users"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after enrolling: /settings/users %d", resp.StatusCode)
	}
}

// Passwords that are blank or common are refused on the forms too, next
// to the field and in the user's language.
func TestCommonPasswordsRefusedOnTheForms(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	b := newFormClient(t, srv.URL)
	b.get("/lang/id")
	resp, body := b.submit("/setup", "/setup", url.Values{"name": {"Sari"}, "email": {"sari@example.co.id"}, "password": {"12345678"}, "password_confirm": {"12345678"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "termasuk kata sandi yang paling umum") || !strings.Contains(body, `value="sari@example.co.id"`) {
		t.Fatalf("setup with 12345678: %d", resp.StatusCode)
	}
	setUpAdmin(t, srv)
	ba := newFormClient(t, srv.URL)
	signIn(t, ba, "sari@example.co.id", "rahasia-123")
	_, body = ba.submit("/profile", "/profile/password", url.Values{"current_password": {"rahasia-123"}, "new_password": {"        "}, "new_password_confirm": {"        "}})
	if !strings.Contains(body, "must not be blank") {
		t.Fatal("a blank new password is not refused beside its field")
	}
	srv.createUser(t, "agus@example.co.id", auth.Sales)
	_, body = ba.submit("/settings/users/2", "/settings/users/2/password", url.Values{"password": {"password"}})
	if !strings.Contains(body, "is one of the most common passwords") {
		t.Fatal("an admin's reset to \"password\" is not refused")
	}
}

func TestResetTwoFactorThroughTheAPI(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	admin := setUpAdmin(t, srv)
	sales := srv.createUser(t, "agus@example.co.id", auth.Sales)
	en, err := srv.App.Auth.BeginTwoFactor(context.Background(), sales.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(en.Secret, time.Now())
	if _, err := srv.App.Auth.EnableTwoFactor(context.Background(), sales.ID, code); err != nil {
		t.Fatal(err)
	}
	del := func(token string) *http.Response {
		req, _ := http.NewRequest("DELETE", srv.URL+"/api/v1/users/"+strconv.FormatInt(sales.ID, 10)+"/two-factor", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := del(srv.token(t, sales)); res.StatusCode != http.StatusForbidden || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a sales user resetting: %d %s, want 403 problem+json", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := del(srv.token(t, admin)); res.StatusCode != http.StatusNoContent {
		t.Fatalf("an admin resetting: %d, want 204", res.StatusCode)
	}
	if u, _ := srv.App.Auth.GetUser(context.Background(), sales.ID); u.TwoFactor {
		t.Fatal("still on after the reset")
	}
}
