package app

import (
	"net/http"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/store"
)

// TestBrowserFirstRunLoginLanguageLogout walks through Relasi's first minutes
// in a real headless Chromium, as a person would: set up the first
// administrator on a fresh database, sign out and in again, switch the UI to
// Bahasa Indonesia, open the menu on a phone, and sign out. Throughout, no
// page may break its Content-Security-Policy or throw a script error.
func TestBrowserFirstRunLoginLanguageLogout(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	b := newChromeTab(t, srv.URL)

	const (
		name     = "Sari Wulandari"
		email    = "sari@example.co.id"
		password = "kopi-tubruk-2026"
	)

	// 1. First run: every page leads to setup.
	b.open("/")
	b.wantPath("first visit", "/setup")
	if lang := chromeEval[string](b, "document.documentElement.lang"); lang != "en" {
		t.Errorf("setup page is in %q, want en (the browser asks for en-US)", lang)
	}
	b.typeInto("#name", name)
	b.typeInto("#email", email)
	b.typeInto("#password", password)
	b.typeInto("#password_confirm", password+"x")
	resp := b.click(`form[action="/setup"] button[type=submit]`)
	if resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("setup with mismatching passwords answered %d, want %d", resp.Status, http.StatusUnprocessableEntity)
	}
	b.wantPath("setup with mismatching passwords", "/setup")
	if got := b.text("#password_confirm + .field-error"); got != "does not match" {
		t.Errorf("error next to password_confirm = %q, want %q", got, "does not match")
	}
	if got := chromeEval[string](b, `document.getElementById("password_confirm").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Errorf("password_confirm aria-invalid = %q, want true", got)
	}
	if got := b.value("#name"); got != name {
		t.Errorf("name after the failed setup = %q, want what was typed, %q", got, name)
	}
	if got := b.value("#email"); got != email {
		t.Errorf("email after the failed setup = %q, want what was typed, %q", got, email)
	}
	// The browser never gets a password back; the person types both again.
	b.typeInto("#password", password)
	b.typeInto("#password_confirm", password)
	b.click(`form[action="/setup"] button[type=submit]`)
	b.wantPath("setup", "/")
	if got := b.text("#main h1"); got != "Welcome, "+name {
		t.Errorf("home heading = %q, want %q", got, "Welcome, "+name)
	}

	// 2. Sign out.
	b.click("[data-testid=logout]")
	b.wantPath("sign out", "/login")

	// 3. Sign in, first with a wrong password.
	b.typeInto("#email", email)
	b.typeInto("#password", "wrong-password")
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in with a wrong password", "/login")
	if got := b.text("[data-testid=form-error]"); got != "Wrong e-mail or password." {
		t.Errorf("form error = %q, want %q", got, "Wrong e-mail or password.")
	}
	if got := b.value("#email"); got != email {
		t.Errorf("email after the failed sign-in = %q, want %q", got, email)
	}
	b.typeInto("#password", password)
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")

	// 4. Switch the UI to Bahasa Indonesia on the profile page.
	b.click("[data-testid=user-name]")
	b.wantPath("open the profile", "/profile")
	b.do("choose Bahasa Indonesia", chromedp.SetValue(chromedp.CSS("#locale"), "id"))
	if got := chromeEval[string](b, `document.querySelector("#locale").selectedOptions[0].textContent`); got != "Bahasa Indonesia" {
		t.Fatalf("the chosen language reads %q, want Bahasa Indonesia", got)
	}
	b.click("[data-testid=profile-save]")
	b.wantPath("save the profile", "/profile")
	if got := b.text(".flash"); got != "Profil Anda sudah disimpan." {
		t.Errorf("flash after saving = %q, want it in Indonesian", got)
	}
	if lang := chromeEval[string](b, "document.documentElement.lang"); lang != "id" {
		t.Errorf(`<html lang=%q>, want "id"`, lang)
	}
	// A disabled item reads "Kontak segera hadir": its label is the first
	// text node, the "coming soon" note a <small> after it.
	navJS := `Array.from(document.querySelectorAll("[data-nav]"), e => e.firstChild.textContent.trim())`
	wantNav := []string{"Beranda", "Kontak", "Akun", "Prospek", "Peluang", "Aktivitas", "Pesanan", "Produk", "Kasus", "Kampanye", "Laporan", "Pengaturan"}
	if got := chromeEval[[]string](b, navJS); !slices.Equal(got, wantNav) {
		t.Errorf("navigation = %q, want %q", got, wantNav)
	}
	if got := b.text("[data-testid=logout]"); got != "Keluar" {
		t.Errorf("sign-out button = %q, want Keluar", got)
	}

	// 5. On a phone the side navigation hides behind the menu button. The
	// window is 1280 wide, so first check that it shows there.
	sidenavDisplay := `getComputedStyle(document.querySelector("nav.sidenav")).display`
	if got := chromeEval[string](b, sidenavDisplay); got == "none" {
		t.Errorf("side navigation is hidden on a 1280px wide window")
	}
	b.do("turn into a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateScale(3)))
	if got := chromeEval[string](b, sidenavDisplay); got != "none" {
		t.Errorf("side navigation on a phone before the menu is opened: display %q, want none", got)
	}
	b.do("open the menu", chromedp.Click(chromedp.CSS(`label[for="nav-toggle"]`)))
	if got := chromeEval[string](b, sidenavDisplay); got == "none" {
		t.Errorf("side navigation is still hidden after the menu button was clicked")
	}
	b.do("see the first menu item", chromedp.WaitVisible(chromedp.CSS(`[data-nav="home"]`)))

	// 6. Sign out, and the pages are closed again.
	if got := b.text("[data-testid=logout]"); got != "Keluar" {
		t.Errorf("sign-out button on a phone = %q, want Keluar", got)
	}
	b.click("[data-testid=logout]")
	b.wantPath("sign out", "/login")
	// The sign-in page keeps the language the user chose.
	if got := b.text("h1"); got != "Masuk ke Relasi" {
		t.Errorf("sign-in page after signing out in Indonesian = %q, want Masuk ke Relasi", got)
	}
	b.do("back to a desktop window", chromedp.ResetViewport())
	b.open("/profile")
	loc := b.location()
	if loc.Path != "/login" || loc.Query().Get("next") != "/profile" {
		t.Errorf("/profile after signing out led to %s, want /login?next=/profile", loc.RequestURI())
	}

	b.checkConsole()
}
