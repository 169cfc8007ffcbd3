package bulk

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the bulk change pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// RegisterWeb adds the pages:
//
//	POST /{entity}/bulk        the list's bulk form: the chosen rows (id) or all matching (scope=all, filter)
//	GET  /bulk/{id}            what a bulk change did, its progress while it runs, and Undo
//	POST /bulk/{id}/undo       take it back
func (m *Module) RegisterWeb(rt *web.Router) {
	for _, e := range m.entities.All() {
		rt.Page("POST /"+e.Name+"/bulk", func(c *web.Ctx) error { return m.submit(c, e) })
	}
	rt.Page("GET /bulk/{id}", m.page)
	rt.Page("POST /bulk/{id}/undo", m.undoPage)
}

// formRequest reads the list's bulk form. Its action menu names the
// action and its value in one choice — "assign:12", "set:status:new",
// "tag_add" (the tag typed beside it), "delete", "export:csv" — so that
// the form works without JavaScript.
func formRequest(c *web.Ctx, e *records.Entity) (req Request, export string) {
	req = Request{Entity: e.Name, Filter: c.Form("filter"), AllMatching: c.Form("scope") == "all"}
	if !req.AllMatching {
		for _, s := range c.R.PostForm["id"] {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
				req.IDs = append(req.IDs, id)
			}
		}
	}
	parts := strings.SplitN(c.Form("op"), ":", 3)
	req.Action = parts[0]
	switch {
	case req.Action == "export" && len(parts) == 2:
		return req, parts[1]
	case req.Action == Assign && len(parts) == 2:
		req.Value = parts[1]
	case req.Action == Set && len(parts) == 3:
		req.Field, req.Value = parts[1], parts[2]
	case req.Action == TagAdd || req.Action == TagRemove:
		req.Value = c.Form("tag")
	}
	return req, ""
}

// exportURL is the list's export of the chosen records.
func exportURL(e *records.Entity, req Request, format string) string {
	filter := req.Filter
	if !req.AllMatching {
		ids := make([]string, len(req.IDs))
		for i, id := range req.IDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		filter = "id in (" + strings.Join(ids, ", ") + ")"
	}
	return "/" + e.Name + "/export?" + url.Values{"format": {format}, "filter": {filter}}.Encode()
}

func (m *Module) submit(c *web.Ctx, e *records.Entity) error {
	if err := c.User.CanWriteAny(); err != nil {
		return err
	}
	back := web.LocalPath(c.Form("back"), "/"+e.Name)
	req, export := formRequest(c, e)
	if export == "csv" || export == "xlsx" {
		if !req.AllMatching && len(req.IDs) == 0 {
			return m.refused(c, e, back, req, errs.E(errs.Invalid, "Choose the records to export.").WithKey("bulk.error.none_chosen"))
		}
		return c.Redirect(exportURL(e, req, export), "")
	}
	if !req.AllMatching && len(req.IDs) == 0 {
		return m.refused(c, e, back, req, errs.E(errs.Invalid, "Choose the records to change.").WithKey("bulk.error.none_chosen"))
	}
	if req.Action == "" {
		return m.refused(c, e, back, req, errs.E(errs.Invalid, "Choose what to do with the records.").WithKey("bulk.error.no_action"))
	}
	o, err := m.Start(c.R.Context(), *c.User, req)
	if err != nil {
		return m.refused(c, e, back, req, err)
	}
	return c.Redirect("/bulk/"+strconv.FormatInt(o.ID, 10)+"?"+url.Values{"back": {back}}.Encode(), "")
}

// refusedPage is a bulk form refused: the reason beside what was chosen,
// with the choice kept to try again.
type refusedPage struct {
	Entity *records.Entity
	Back   string
	Req    Request
	Op     string
	Tag    string
}

func (m *Module) refused(c *web.Ctx, e *records.Entity, back string, req Request, err error) error {
	if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Forbidden && code != errs.NotFound {
		return err
	}
	return c.RenderForm("bulk_refused", "bulk.title", strings.TrimPrefix(e.Label, "nav."),
		refusedPage{Entity: e, Back: back, Req: req, Op: c.Form("op"), Tag: c.Form("tag")}, err)
}

// operationPage is what bulk_operation.html shows.
type operationPage struct {
	Op       Operation
	Entity   *records.Entity
	What     string // "Owner → Budi Santoso"
	Back     string
	Failures []Failure
	CanUndo  bool
	Refresh  string // the page's own URL while it runs, for htmx to poll
}

func (m *Module) page(c *web.Ctx) error {
	id, err := records.PathID(c.R)
	if err != nil {
		return err
	}
	o, err := m.Get(c.R.Context(), *c.User, id)
	if err != nil {
		return err
	}
	e, ok := m.entities.Get(o.Entity)
	if !ok {
		return errs.E(errs.NotFound, "There is no such bulk change.").WithKey("error.not_found")
	}
	d := operationPage{Op: o, Entity: e, Back: web.LocalPath(c.R.URL.Query().Get("back"), "/"+e.Name),
		CanUndo: o.Status == "done" && o.Changed > 0 && c.User.CanWriteAny() == nil}
	if d.What, err = m.describe(c, e, o); err != nil {
		return err
	}
	if d.Failures, err = m.Failures(c.R.Context(), *c.User, o, 50); err != nil {
		return err
	}
	if !o.Finished() {
		d.Refresh = c.R.URL.RequestURI()
	}
	if c.R.Header.Get("HX-Request") == "true" {
		return c.RenderPartial("bulk_operation", "bulk_operation_body", d)
	}
	return c.Render("bulk_operation", "bulk.title", strings.TrimPrefix(e.Label, "nav."), d)
}

func (m *Module) undoPage(c *web.Ctx) error {
	id, err := records.PathID(c.R)
	if err != nil {
		return err
	}
	if _, err := m.Undo(c.R.Context(), *c.User, id); err != nil {
		return err
	}
	return c.Redirect("/bulk/"+strconv.FormatInt(id, 10)+"?"+url.Values{"back": {web.LocalPath(c.Form("back"), "/")}}.Encode(), "flash.bulk_undone")
}

// describe says what an operation does, in the user's language: "Owner:
// Budi Santoso", "Status: Contacted", "Add the tag vip", "Move to the
// trash".
func (m *Module) describe(c *web.Ctx, e *records.Entity, o Operation) (string, error) {
	switch o.Action {
	case Assign:
		name, err := m.userName(c.R.Context(), o.Value)
		return c.T("bulk.what.assign", name), err
	case Set:
		f, ok, err := fieldOf(c.R.Context(), m.records, e, o.Field)
		if err != nil {
			return "", err
		}
		if !ok {
			return o.Field + ": " + o.Value, nil
		}
		label := f.Label
		if !f.Custom {
			label = c.T(f.Label)
		}
		value := o.Value
		switch {
		case o.Value == "":
			value = c.T("bulk.what.empty")
		case f.Kind == records.Select && !f.Custom && c.HasMessage("choice."+f.Name+"."+o.Value):
			value = c.T("choice." + f.Name + "." + o.Value)
		case f.Kind == records.Bool:
			value = c.T("records.no")
			if o.Value == "true" {
				value = c.T("records.yes")
			}
		case f.Kind == records.Ref:
			if re, ok := m.entities.Get(f.Ref); ok {
				id, _ := strconv.ParseInt(o.Value, 10, 64)
				if title, ok, err := m.records.ReadableTitle(c.R.Context(), *c.User, re, id); err != nil {
					return "", err
				} else if ok {
					value = title
				}
			}
		}
		return c.T("bulk.what.set", label, value), nil
	case TagAdd:
		return c.T("bulk.what.tag_add", o.Value), nil
	case TagRemove:
		return c.T("bulk.what.tag_remove", o.Value), nil
	}
	return c.T("bulk.what.delete"), nil
}

func (m *Module) userName(ctx context.Context, id string) (string, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return id, nil
	}
	u, err := m.auth.GetUser(ctx, n)
	if errs.CodeOf(err) == errs.NotFound {
		return fmt.Sprintf("#%d", n), nil
	}
	return u.Name, err
}
