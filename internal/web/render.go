// Package web is the browser side of Relasi that belongs to no single CRM
// domain: the page layout and its assets, the template renderer, sessions
// and CSRF for forms, the sign-in, first-run and home pages, and the Router
// through which domain packages add their own pages.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Renderer renders pages: each page template is parsed together with the
// layout, once, at start-up, so a missing or broken template stops the
// server from starting instead of failing a user's request.
type Renderer struct {
	catalog *i18n.Catalog
	pages   map[string]*template.Template
	assets  *Assets
}

// NewRenderer parses the layout and the page templates of the web package
// and of every domain package passed in extra (each an fs.FS whose *.html
// files are pages).
func NewRenderer(catalog *i18n.Catalog, assets *Assets, extra ...fs.FS) (*Renderer, error) {
	r := &Renderer{catalog: catalog, pages: map[string]*template.Template{}, assets: assets}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	sources := append([]fs.FS{mustSub(templateFiles, "templates")}, extra...)
	// Partials (_*.html) of every source are available to every page, so a
	// domain can add a panel to a page that another package renders.
	for _, src := range sources[1:] {
		partials, err := fs.Glob(src, "_*.html")
		if err != nil {
			return nil, err
		}
		if len(partials) > 0 {
			if _, err := layout.ParseFS(src, partials...); err != nil {
				return nil, fmt.Errorf("parse partials: %w", err)
			}
		}
	}
	for _, src := range sources {
		names, err := fs.Glob(src, "*.html")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasPrefix(name, "_") {
				continue
			}
			pageName := strings.TrimSuffix(name, ".html")
			if _, dup := r.pages[pageName]; dup {
				return nil, fmt.Errorf("two templates named %s", pageName)
			}
			t, err := template.Must(layout.Clone()).ParseFS(src, name)
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", name, err)
			}
			r.pages[pageName] = t
		}
	}
	return r, nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Has reports whether a page template exists.
func (r *Renderer) Has(page string) bool { _, ok := r.pages[page]; return ok }

// funcs are the few template helpers that need no request state; anything
// language- or user-dependent is a method of View.
var funcs = template.FuncMap{
	"lower": strings.ToLower,
	"int64": func(n int) int64 { return int64(n) },
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"eq64": func(a *int64, b int64) bool { return a != nil && *a == b },
	// dict passes several values to a sub-template: dict "V" . "Cur" "en".
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	// navItem links a navigation entry to href, or when href is "" to
	// where its module said (Router.EnableNav); without either it shows as
	// "coming soon".
	"navItem": func(v *View, key, href string) navItem {
		if href == "" && v.ctx != nil {
			href = v.ctx.router.nav[key]
		}
		return navItem{Key: key, Href: href, Label: v.T("nav." + key), Soon: v.T("nav.soon"), Active: v.Nav == key}
	},
}

// navItem is one entry of the main navigation. Modules that are not built
// yet show as disabled entries without a link, not as empty pages.
type navItem struct {
	Key, Href, Label, Soon string
	Active                 bool
}

// View is the data every page template receives. Page-specific data is in
// Data; forms re-rendered after an error carry the submitted Form values and
// the Err holding per-field messages.
type View struct {
	Page   string
	Title  string
	Nav    string // the navigation item to highlight
	User   *auth.Principal
	Lang   string
	Fmt    i18n.Formatter
	CSRF   string
	Flash  string
	Data   any
	Form   url.Values
	Err    *errs.Error
	Assets *Assets
	Path   string
	// Unread is the signed-in user's count of unread notifications.
	Unread  int
	catalog *i18n.Catalog
	ctx     *Ctx
	tmpl    *template.Template // the page's templates, for Partial
}

// T translates a catalog key into the page's language.
func (v *View) T(key string, args ...any) string { return v.catalog.T(v.Lang, key, args...) }

// Languages lists the languages a user may choose.
func (v *View) Languages() []i18n.Language { return i18n.Languages() }

// Roles lists the roles, for pickers.
func (v *View) Roles() []auth.Role { return auth.Roles }

// Value returns a submitted form value, so a form shown again after an
// error keeps what the user typed.
func (v *View) Value(name string) string { return v.Form.Get(name) }

// FieldError returns the translated error for one field, or "".
func (v *View) FieldError(name string) string {
	if v.Err == nil {
		return ""
	}
	for _, f := range v.Err.Fields {
		if f.Field == name {
			if key := "validation." + f.Code; v.catalog.Has(key) {
				// Validators pass arguments for their English message; a
				// translation that does not use them gets none, so no
				// "%!(EXTRA …)" reaches the page.
				if msg := v.catalog.T(v.Lang, key); !strings.Contains(msg, "%") {
					return msg
				}
				return v.catalog.T(v.Lang, key, f.Args...)
			}
			return f.Message
		}
	}
	return ""
}

// ErrorMessage returns the page-level error, translated when it has a key.
func (v *View) ErrorMessage() string {
	if v.Err == nil {
		return ""
	}
	if v.Err.Key != "" && v.catalog.Has(v.Err.Key) {
		return v.catalog.T(v.Lang, v.Err.Key, v.Err.Args...)
	}
	if v.Err.Code == errs.Invalid {
		return v.catalog.T(v.Lang, "error.form_invalid")
	}
	return v.Err.Message
}

// IsAdmin reports whether the signed-in user administers Relasi.
func (v *View) IsAdmin() bool { return v.User != nil && v.User.CanManage() == nil }

// Ago formats a time for tables: date and time in the user's zone.
func (v *View) DateTime(t time.Time) string { return v.Fmt.DateTime(t) }

// HasMessage reports whether the catalog has key, for optional labels
// such as "choice.<field>.<value>".
func (v *View) HasMessage(key string) bool { return v.catalog.Has(key) }

// Partial executes the template name — a {{define}} of any package's
// partials — with data and returns its output. It lets a page include a
// template whose name is data (a detail page's panels, the home page's
// sections), which {{template}} cannot. The output was escaped by
// html/template as it was produced, so it is safe to insert as it is.
func (v *View) Partial(name string, data any) (template.HTML, error) {
	if v.tmpl == nil || v.tmpl.Lookup(name) == nil {
		return "", fmt.Errorf("partial: no template %q", name)
	}
	var buf bytes.Buffer
	if err := v.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// HomeSections returns the sections modules added to the home page
// (Router.AddHomeSection) with their data for the signed-in user.
func (v *View) HomeSections() ([]HomeSectionView, error) {
	if v.ctx == nil {
		return nil, nil
	}
	out := make([]HomeSectionView, 0, len(v.ctx.router.homeSections))
	for _, s := range v.ctx.router.homeSections {
		data, err := s.data(v.ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, HomeSectionView{Template: s.template, View: SectionView{Page: v, Data: data}})
	}
	return out, nil
}

// HomeSectionView is one home section ready to render with Partial.
type HomeSectionView struct {
	Template string
	View     SectionView
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 rather than half a page.
func (r *Renderer) render(w http.ResponseWriter, status int, v *View) error {
	t, ok := r.pages[v.Page]
	if !ok {
		return fmt.Errorf("render: no template %q", v.Page)
	}
	return r.execute(w, status, v, t, "layout")
}

// renderPartial executes one {{define}}d template of a page, without the
// layout.
func (r *Renderer) renderPartial(w http.ResponseWriter, v *View, name string) error {
	return r.renderPartialStatus(w, http.StatusOK, v, name)
}

func (r *Renderer) renderPartialStatus(w http.ResponseWriter, status int, v *View, name string) error {
	t, ok := r.pages[v.Page]
	if !ok || t.Lookup(name) == nil {
		return fmt.Errorf("render: no template %q in page %q", name, v.Page)
	}
	return r.execute(w, status, v, t, name)
}

func (r *Renderer) execute(w http.ResponseWriter, status int, v *View, t *template.Template, name string) error {
	v.catalog, v.Assets, v.tmpl = r.catalog, r.assets, t
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("render %s: %w", v.Page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// safeNext returns next when it is a path on this site, and "/" otherwise,
// so a login link cannot redirect a user to another site.
func safeNext(next string) string { return LocalPath(next, "/") }

// LocalPath returns p, cleaned, when it is a path on this site, and
// fallback otherwise, so that a form's "back" or "next" cannot send
// anyone to another site.
func LocalPath(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.Contains(next, "\\") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return path.Clean(u.Path) + func() string {
		if u.RawQuery != "" {
			return "?" + u.RawQuery
		}
		return ""
	}()
}
