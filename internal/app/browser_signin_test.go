package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// TestBrowserTwoFactorSignIn sets up two-factor sign-in from the profile
// in a real Chromium, signs out, and signs in with the password and then a
// code from the "app", with no script error or CSP violation on the way.
func TestBrowserTwoFactorSignIn(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	setUpAdmin(t, srv)
	b := newChromeTab(t, srv.URL)
	b.open("/login")
	b.typeInto("#email", "sari@example.co.id")
	b.typeInto("#password", "rahasia-123")
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")

	b.open("/profile")
	b.click("[data-testid=profile-two-factor-link]")
	b.wantPath("open two-factor set-up", "/profile/two-factor")
	secret := b.text("[data-testid=totp-secret]")
	if !strings.HasPrefix(b.text("[data-testid=totp-uri]"), "otpauth://totp/Relasi:") {
		t.Fatalf("no otpauth URI on the set-up page")
	}
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.typeInto("#code", code)
	b.click("[data-testid=two-factor-enable]")
	if n := len(strings.Fields(b.text("[data-testid=recovery-codes] pre"))); n != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", n, auth.RecoveryCodeCount)
	}

	b.click("[data-testid=logout]")
	b.wantPath("sign out", "/login")
	b.typeInto("#email", "sari@example.co.id")
	b.typeInto("#password", "rahasia-123")
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("password accepted", "/login/code")
	b.typeInto("#code", "000000")
	b.click("[data-testid=login-code-submit]")
	if got := b.text("#code + .field-error"); got != "is not a valid code" {
		t.Errorf("error beside the code = %q", got)
	}
	// The enrolment code's time step is used up; the next step's code is
	// within the one step of drift allowed, so nobody waits for the clock.
	next, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	b.do("clear the code", chromedp.Clear(chromedp.CSS("#code")))
	b.typeInto("#code", next)
	b.click("[data-testid=login-code-submit]")
	b.wantPath("code accepted", "/")
}
