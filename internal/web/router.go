package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
)

// Cookie names.
const (
	sessionCookie = "relasi_session"
	csrfCookie    = "relasi_csrf"
	langCookie    = "relasi_lang"
	flashCookie   = "relasi_flash"
	csrfField     = "csrf_token"
	// multipartMemory is how much of an upload form is held in memory; the
	// rest of its files goes to temporary files.
	multipartMemory = 8 << 20
)

// Router registers browser pages on a ServeMux. Page handlers run only for
// signed-in users (others are sent to sign in, or to first-run setup when
// no user exists yet); every POST must carry the form's CSRF token and come
// from this site.
type Router struct {
	mux      *http.ServeMux
	renderer *Renderer
	auth     *auth.Service
	logger   *slog.Logger
	secure   bool // cookies only over HTTPS
	xorigin  *http.CrossOriginProtection
	// setUp becomes true once a user exists; until then every page leads to /setup.
	setUp atomic.Bool
	// nav holds the links of navigation items whose module is registered.
	nav map[string]string
	// home lists the sections modules add to the home page.
	homeSections []homeSection
	// unread counts a user's unread notifications for the top bar.
	unread func(ctx context.Context, userID int64) (int, error)
	// routes are the registered patterns, for the authorisation matrix test.
	routes []string
}

// NewRouter returns a Router. secure marks cookies Secure, for deployments
// served over HTTPS.
func NewRouter(mux *http.ServeMux, renderer *Renderer, authSvc *auth.Service, logger *slog.Logger, secure bool) *Router {
	return &Router{mux: mux, renderer: renderer, auth: authSvc, logger: logger, secure: secure, xorigin: http.NewCrossOriginProtection(),
		nav: map[string]string{}}
}

// EnableNav makes the navigation item key ("contacts", "deals", …) a link
// to href. Items of modules that never call it show as "coming soon".
// Call it while registering routes, before serving.
func (rt *Router) EnableNav(key, href string) { rt.nav[key] = href }

// CountUnread sets how the top bar learns a user's unread notifications.
func (rt *Router) CountUnread(count func(ctx context.Context, userID int64) (int, error)) {
	rt.unread = count
}

// homeSection is a section a module adds to the home page.
type homeSection struct {
	template string
	data     func(c *Ctx) (any, error)
}

// AddHomeSection adds a section to the home page, above the page's own
// cards and in the order added: template names a partial (a {{define}} in a module's
// _*.html) that receives a SectionView with what data returns for the
// signed-in user. Call it while registering routes, before serving.
func (rt *Router) AddHomeSection(template string, data func(c *Ctx) (any, error)) {
	rt.homeSections = append(rt.homeSections, homeSection{template: template, data: data})
}

// SectionView is what a home section's template receives: the page (for
// T, Fmt, CSRF) and the section's data.
type SectionView struct {
	Page *View
	Data any
}

// Handler is a page handler. Returning an error renders the error page
// with the error's status; handlers that show a form again after bad input
// render it themselves.
type Handler func(c *Ctx) error

// Ctx is one browser request.
type Ctx struct {
	W       http.ResponseWriter
	R       *http.Request
	User    *auth.Principal // nil on public pages
	Session auth.Session
	Lang    string
	Loc     *time.Location
	csrf    string
	router  *Router
}

// Page registers a handler for signed-in users.
func (rt *Router) Page(pattern string, h Handler) {
	rt.routes = append(rt.routes, pattern)
	rt.mux.Handle(pattern, rt.wrap(h, signedIn))
}

// Public registers a handler that needs no sign-in (sign-in, setup).
func (rt *Router) Public(pattern string, h Handler) {
	rt.routes = append(rt.routes, pattern)
	rt.mux.Handle(pattern, rt.wrap(h, public))
}

// TwoFactorSetupPath is where a user who must set up two-factor sign-in
// (an administrator, when it is required for them) is sent from every
// other page.
const TwoFactorSetupPath = "/profile/two-factor"

// Enrolment registers a page for signed-in users that stays open while
// they must set up two-factor sign-in: the set-up pages themselves.
func (rt *Router) Enrolment(pattern string, h Handler) {
	rt.routes = append(rt.routes, pattern)
	rt.mux.Handle(pattern, rt.wrap(h, enrolling))
}

// Routes returns every pattern registered with Page, Public or
// Enrolment, in the order registered.
func (rt *Router) Routes() []string { return slices.Clone(rt.routes) }

// access is who may reach a page.
type access int

const (
	public    access = iota // anyone
	signedIn                // signed-in users who need nothing set up first
	enrolling               // signed-in users, also those who must set up two-factor sign-in
)

func (rt *Router) wrap(h Handler, who access) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Ctx{W: w, R: r, router: rt, Lang: rt.guessLang(r), Loc: jakarta}
		if err := rt.xorigin.Check(r); err != nil {
			rt.fail(c, errs.E(errs.Forbidden, "Cross-origin form submissions are refused.").WithKey("error.csrf"))
			return
		}
		c.csrf = rt.ensureCSRF(w, r)
		if r.Method == http.MethodPost && !rt.validCSRF(r, c.csrf) {
			rt.fail(c, errs.E(errs.Forbidden, "This form has expired. Go back, reload the page and try again.").WithKey("error.csrf"))
			return
		}
		if who != public {
			if !rt.isSetUp(r.Context()) {
				http.Redirect(w, r, "/setup", http.StatusSeeOther)
				return
			}
			ck, _ := r.Cookie(sessionCookie)
			secret := ""
			if ck != nil {
				secret = ck.Value
			}
			p, sess, err := rt.auth.Authenticate(r.Context(), secret)
			if errs.Is(err, errs.Unauthorized) {
				if ck != nil {
					rt.clearCookie(w, sessionCookie)
				}
				login := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
				if r.Header.Get("HX-Request") == "true" {
					// htmx would put the sign-in page inside the part of
					// the page it asked for; have it load the page instead.
					back := "/"
					if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && u.Path != "" {
						back = u.RequestURI()
					}
					login = "/login?next=" + url.QueryEscape(back)
					w.Header().Set("HX-Redirect", login)
					w.WriteHeader(http.StatusNoContent)
					return
				}
				http.Redirect(w, r, login, http.StatusSeeOther)
				return
			}
			if err != nil {
				rt.fail(c, err)
				return
			}
			c.User, c.Session = &p, sess
			if sess.NeedsTwoFactor && who != enrolling {
				if r.Header.Get("HX-Request") == "true" {
					w.Header().Set("HX-Redirect", TwoFactorSetupPath)
					w.WriteHeader(http.StatusNoContent)
					return
				}
				http.Redirect(w, r, TwoFactorSetupPath, http.StatusSeeOther)
				return
			}
			if lang, tz, err := rt.auth.UserPrefs(r.Context(), p.UserID); err == nil {
				c.Lang = lang
				if loc, err := time.LoadLocation(tz); err == nil {
					c.Loc = loc
				}
			}
		}
		if err := h(c); err != nil {
			rt.fail(c, err)
		}
	})
}

var jakarta = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
}()

func (rt *Router) isSetUp(ctx context.Context) bool {
	if rt.setUp.Load() {
		return true
	}
	n, err := rt.auth.CountUsers(ctx)
	if err == nil && n > 0 {
		rt.setUp.Store(true)
		return true
	}
	return false
}

// guessLang is the language before sign-in: the language cookie, or the
// browser's Accept-Language.
func (rt *Router) guessLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && i18n.IsSupported(ck.Value) {
		return ck.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func (rt *Router) ensureCSRF(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	return rt.newCSRF(w)
}

func (rt *Router) newCSRF(w http.ResponseWriter) string {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: rt.secure, SameSite: http.SameSiteLaxMode})
	return tok
}

// validCSRF checks the double-submitted token: the form field must equal
// the cookie, which another site can neither read nor set.
//
// An upload form (multipart) carries the token in its body too; reading it
// spools large files to temporary files, which the handler removes.
func (rt *Router) validCSRF(r *http.Request, cookieTok string) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			return false
		}
	} else if err := r.ParseForm(); err != nil {
		return false
	}
	sent := r.PostForm.Get(csrfField)
	return sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(cookieTok)) == 1
}

func (rt *Router) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: rt.secure, SameSite: http.SameSiteLaxMode})
}

// fail renders the error page for err.
func (rt *Router) fail(c *Ctx, err error) {
	status := http.StatusInternalServerError
	if e, ok := errs.As(err); ok {
		status = httpx.Status(e.Code)
	} else {
		rt.logger.ErrorContext(c.R.Context(), "page failed", "method", c.R.Method, "path", c.R.URL.Path, "err", err)
		err = errs.E(errs.Internal, "").WithKey("error.internal")
	}
	e, _ := errs.As(err)
	if c.User == nil {
		rt.signedInPrefs(c)
	}
	v := c.view("error", "error.title", "")
	v.Err = e
	v.Data = status
	if rerr := rt.renderer.render(c.W, status, v); rerr != nil {
		rt.logger.Error("render error page", "err", rerr)
		http.Error(c.W, http.StatusText(status), status)
	}
}

// signedInPrefs gives a public page — the not-found page, an error —
// the language and time zone of the user whose session the request
// carries; the cookie and Accept-Language are only for visitors.
func (rt *Router) signedInPrefs(c *Ctx) {
	ck, err := c.R.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return
	}
	p, _, err := rt.auth.Authenticate(c.R.Context(), ck.Value)
	if err != nil {
		return
	}
	if lang, tz, err := rt.auth.UserPrefs(c.R.Context(), p.UserID); err == nil {
		c.Lang = lang
		if loc, err := time.LoadLocation(tz); err == nil {
			c.Loc = loc
		}
	}
}

func (c *Ctx) view(page, titleKey, nav string) *View {
	v := c.partialView(page)
	v.Nav = nav
	if c.User != nil && c.router.unread != nil {
		if n, err := c.router.unread(c.R.Context(), c.User.UserID); err == nil {
			v.Unread = n
		}
	}
	if titleKey != "" {
		v.Title = v.T(titleKey)
	}
	if ck, err := c.R.Cookie(flashCookie); err == nil && ck.Value != "" {
		if key, err := url.QueryUnescape(ck.Value); err == nil && v.catalog.Has(key) {
			v.Flash = v.T(key)
		}
		c.router.clearCookie(c.W, flashCookie)
	}
	return v
}

// partialView is the View of a page without the flash message, which
// stays for the next whole page.
func (c *Ctx) partialView(page string) *View {
	v := &View{Page: page, User: c.User, Lang: c.Lang, Fmt: i18n.NewFormatter(c.Lang, c.Loc), CSRF: c.csrf, Path: c.R.URL.Path}
	v.catalog, v.ctx = c.router.renderer.catalog, c
	return v
}

// Render shows a page. titleKey is the catalog key of the page title and
// nav the navigation item to highlight.
func (c *Ctx) Render(page, titleKey, nav string, data any) error {
	v := c.view(page, titleKey, nav)
	v.Data = data
	return c.router.renderer.render(c.W, http.StatusOK, v)
}

// RenderForm shows a form again after err, keeping what was submitted. For
// errors other than bad input it returns err, for the error page.
func (c *Ctx) RenderForm(page, titleKey, nav string, data any, err error) error {
	e, ok := errs.As(err)
	if !ok || (e.Code != errs.Invalid && e.Code != errs.Conflict && e.Code != errs.Unauthorized &&
		e.Code != errs.TooManyRequests && e.Code != errs.PreconditionFailed) {
		return err
	}
	v := c.view(page, titleKey, nav)
	v.Data, v.Form, v.Err = data, c.R.PostForm, e
	return c.router.renderer.render(c.W, httpx.Status(e.Code), v)
}

// Redirect sends the browser to url after a successful POST, with an
// optional flash message (a catalog key) shown on the next page.
func (c *Ctx) Redirect(url, flashKey string) error {
	if flashKey != "" {
		http.SetCookie(c.W, &http.Cookie{Name: flashCookie, Value: flashKey, Path: "/", HttpOnly: true, Secure: c.router.secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(c.W, c.R, url, http.StatusSeeOther)
	return nil
}

// T translates a catalog key into the request's language, for handlers
// that prepare text for a page.
func (c *Ctx) T(key string, args ...any) string {
	return c.router.renderer.catalog.T(c.Lang, key, args...)
}

// HasMessage reports whether the catalog has key.
func (c *Ctx) HasMessage(key string) bool { return c.router.renderer.catalog.Has(key) }

// Fmt formats numbers, money and dates for the user's language and zone.
func (c *Ctx) Fmt() i18n.Formatter { return i18n.NewFormatter(c.Lang, c.Loc) }

// RenderPartial renders one {{define}}d template of a page without the
// layout, for requests that replace part of a page (htmx).
func (c *Ctx) RenderPartial(page, name string, data any) error {
	v := c.partialView(page)
	v.Data = data
	return c.router.renderer.renderPartial(c.W, v, name)
}

// RenderPartialForm renders one {{define}}d template of a page again
// after err, keeping what was submitted, for a form that htmx replaces
// in place. Errors other than bad input are returned, for the error page.
func (c *Ctx) RenderPartialForm(page, name string, data any, err error) error {
	e, ok := errs.As(err)
	if !ok || (e.Code != errs.Invalid && e.Code != errs.Conflict && e.Code != errs.PreconditionFailed) {
		return err
	}
	v := c.partialView(page)
	v.Data, v.Form, v.Err = data, c.R.PostForm, e
	return c.router.renderer.renderPartialStatus(c.W, httpx.Status(e.Code), v, name)
}

// Form returns a trimmed form value.
func (c *Ctx) Form(name string) string { return strings.TrimSpace(c.R.PostForm.Get(name)) }
