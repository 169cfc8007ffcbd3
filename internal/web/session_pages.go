package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
)

// RegisterSessionPages adds first-run setup, sign-in, sign-out, the
// language switch and the home page.
func (rt *Router) RegisterSessionPages() {
	rt.Public("GET /setup", rt.setupForm)
	rt.Public("POST /setup", rt.setupSubmit)
	rt.Public("GET /login", rt.loginForm)
	rt.Public("POST /login", rt.loginSubmit)
	rt.Public("GET /login/code", rt.loginCodeForm)
	rt.Public("POST /login/code", rt.loginCodeSubmit)
	rt.Public("POST /logout", rt.logout)
	rt.Public("GET /lang/{lang}", rt.switchLang)
	rt.Page("GET /{$}", rt.home)
}

func (rt *Router) setupForm(c *Ctx) error {
	if rt.isSetUp(c.R.Context()) {
		return c.Redirect("/login", "")
	}
	return c.Render("setup", "setup.title", "", nil)
}

func (rt *Router) setupSubmit(c *Ctx) error {
	if rt.isSetUp(c.R.Context()) {
		return c.Redirect("/login", "")
	}
	in := auth.NewUser{Email: c.Form("email"), Name: c.Form("name"), Password: c.R.PostForm.Get("password"), Locale: c.Form("locale"), TimeZone: c.Form("time_zone")}
	if in.Password != c.R.PostForm.Get("password_confirm") {
		var fe errs.Fields
		fe.Add("password_confirm", "mismatch", "does not match the password")
		return c.RenderForm("setup", "setup.title", "", nil, fe.Err())
	}
	u, err := rt.auth.CreateFirstAdmin(c.R.Context(), in)
	if err != nil {
		return c.RenderForm("setup", "setup.title", "", nil, err)
	}
	rt.setUp.Store(true)
	if err := rt.startSession(c, u.ID); err != nil {
		return err
	}
	return c.Redirect("/", "flash.setup_done")
}

func (rt *Router) loginForm(c *Ctx) error {
	if !rt.isSetUp(c.R.Context()) {
		return c.Redirect("/setup", "")
	}
	return c.Render("login", "login.title", "", c.R.URL.Query().Get("next"))
}

func (rt *Router) loginSubmit(c *Ctx) error {
	next := c.R.PostForm.Get("next")
	si, err := rt.auth.Login(c.R.Context(), c.Form("email"), c.R.PostForm.Get("password"), httpx.ClientIP(c.R))
	if err != nil {
		return c.RenderForm("login", "login.title", "", next, err)
	}
	if si.Challenge != "" {
		// The password was right; the code comes next. The challenge
		// cookie is worth nothing without the code.
		http.SetCookie(c.W, &http.Cookie{Name: challengeCookie, Value: si.Challenge, Path: "/login/code", HttpOnly: true, Secure: rt.secure,
			SameSite: http.SameSiteLaxMode, MaxAge: int(auth.ChallengeTTL.Seconds())})
		return c.Redirect("/login/code?next="+url.QueryEscape(safeNext(next)), "")
	}
	if err := rt.startSession(c, si.User.ID); err != nil {
		return err
	}
	return c.Redirect(safeNext(next), "")
}

// challengeCookie holds a sign-in that waits for its two-factor code.
const challengeCookie = "relasi_signin"

func (rt *Router) loginCodeForm(c *Ctx) error {
	if _, err := c.R.Cookie(challengeCookie); err != nil {
		return c.Redirect("/login", "")
	}
	return c.Render("login_code", "login.title", "", c.R.URL.Query().Get("next"))
}

func (rt *Router) loginCodeSubmit(c *Ctx) error {
	next := c.R.PostForm.Get("next")
	ck, err := c.R.Cookie(challengeCookie)
	if err != nil {
		return c.Redirect("/login", "flash.signin_again")
	}
	u, err := rt.auth.CompleteSignIn(c.R.Context(), ck.Value, c.R.PostForm.Get("code"), httpx.ClientIP(c.R))
	if errs.Is(err, errs.Invalid) {
		return c.RenderForm("login_code", "login.title", "", next, err)
	}
	rt.clearChallenge(c.W)
	if errs.Is(err, errs.Unauthorized) {
		return c.Redirect("/login?next="+url.QueryEscape(safeNext(next)), "flash.signin_again")
	}
	if err != nil {
		return err
	}
	if err := rt.startSession(c, u.ID); err != nil {
		return err
	}
	return c.Redirect(safeNext(next), "")
}

func (rt *Router) clearChallenge(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: "", Path: "/login/code", MaxAge: -1, HttpOnly: true, Secure: rt.secure, SameSite: http.SameSiteLaxMode})
}

// startSession signs the browser in and rotates the CSRF token, so a token
// planted before sign-in is worthless after it.
func (rt *Router) startSession(c *Ctx, userID int64) error {
	secret, _, err := rt.auth.CreateSession(c.R.Context(), userID, httpx.ClientIP(c.R), c.R.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(c.W, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: rt.secure,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(auth.SessionIdle)})
	c.csrf = rt.newCSRF(c.W)
	if locale, _, err := rt.auth.UserPrefs(c.R.Context(), userID); err == nil {
		c.RememberLanguage(locale)
	}
	return nil
}

// RememberLanguage keeps the user's language in a cookie, so that pages
// shown before sign-in (the sign-in page after signing out) use it too.
func (c *Ctx) RememberLanguage(lang string) {
	if !i18n.IsSupported(lang) {
		return
	}
	http.SetCookie(c.W, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, Secure: c.router.secure, SameSite: http.SameSiteLaxMode})
}

func (rt *Router) logout(c *Ctx) error {
	if ck, err := c.R.Cookie(sessionCookie); err == nil {
		if err := rt.auth.EndSession(c.R.Context(), ck.Value); err != nil {
			return err
		}
	}
	rt.clearCookie(c.W, sessionCookie)
	rt.newCSRF(c.W)
	return c.Redirect("/login", "flash.signed_out")
}

// switchLang sets the language used before sign-in (the sign-in page's
// language links). Signed-in users choose theirs on the profile page.
func (rt *Router) switchLang(c *Ctx) error {
	lang := c.R.PathValue("lang")
	if !i18n.IsSupported(lang) {
		return errs.E(errs.NotFound, "No such language.")
	}
	c.RememberLanguage(lang)
	back := "/login"
	if ref, err := url.Parse(c.R.Referer()); err == nil && ref.Host == c.R.Host {
		back = safeNext(ref.RequestURI())
	}
	return c.Redirect(back, "")
}

func (rt *Router) home(c *Ctx) error {
	return c.Render("home", "home.title", "home", nil)
}

// RegisterNotFound answers every path no other route matched with the
// not-found page. Register it last.
func (rt *Router) RegisterNotFound() {
	rt.Public("/", func(c *Ctx) error {
		return errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	})
}
