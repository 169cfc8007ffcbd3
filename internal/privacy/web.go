package privacy

import (
	"embed"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Action is the "Personal data" button of a contact's or lead's page,
// shown to administrators.
func Action(entity string) records.Action {
	return records.Action{
		Label: "privacy.action",
		URL:   func(r *records.Record) string { return fmt.Sprintf("/%s/%d/privacy", entity, r.ID) },
		Show:  func(p auth.Principal, _ *records.Record) bool { return p.CanManage() == nil },
	}
}

// RegisterWeb adds, for contacts and leads (administrators only):
//
//	GET  /{entity}/{id}/privacy              what the export holds and the erase form
//	GET  /{entity}/{id}/privacy/export.json  the export as a download
//	POST /{entity}/{id}/privacy/erase        erases the person after confirmation
func (m *Module) RegisterWeb(rt *web.Router) {
	for _, name := range Subjects {
		base := "/" + name + "/{id}/privacy"
		rt.Page("GET "+base, m.page(name))
		rt.Page("GET "+base+"/export.json", m.download(name))
		rt.Page("POST "+base+"/erase", m.erase(name))
	}
}

// personView is the privacy page of one record.
type personView struct {
	Entity, Singular, Title, URL string
	// Records are the records of the same person, each with its page.
	Records []recordLink
	Counts  map[string]int
	Word    string
}

type recordLink struct {
	Label, URL string
}

func pathID(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "No such record.").WithKey("error.record_not_found")
	}
	return id, nil
}

func (m *Module) view(c *web.Ctx, entity string, id int64) (*personView, error) {
	x, err := m.Export(c.R.Context(), *c.User, entity, id)
	if err != nil {
		return nil, err
	}
	e, _ := m.entities.Get(entity)
	v := &personView{Entity: entity, Singular: c.T(e.Singular), URL: fmt.Sprintf("/%s/%d", entity, id), Word: ConfirmWord,
		Counts: map[string]int{
			"activities": len(x.Related.Activities), "opportunities": len(x.Related.Opportunities), "orders": len(x.Related.Orders),
			"merges": len(x.Merges), "imports": len(x.Imports), "notifications": len(x.Notifications),
		}}
	for _, r := range x.Records {
		re, _ := m.entities.Get(r.Entity)
		link := recordLink{Label: fmt.Sprintf("%s #%d: %s", c.T(re.Singular), r.ID, r.Record.Title), URL: fmt.Sprintf("/%s/%d", r.Entity, r.ID)}
		if r.State == "trash" {
			link.Label += " (" + c.T("privacy.in_trash") + ")"
			link.URL = fmt.Sprintf("/%s/trash", r.Entity)
		}
		if r.Entity == entity && r.ID == id {
			v.Title = r.Record.Title
		}
		v.Records = append(v.Records, link)
	}
	return v, nil
}

func (m *Module) page(entity string) web.Handler {
	return func(c *web.Ctx) error {
		if err := allowed(*c.User); err != nil {
			return err
		}
		id, err := pathID(c)
		if err != nil {
			return err
		}
		v, err := m.view(c, entity, id)
		if err != nil {
			return err
		}
		return c.Render("privacy_person", "privacy.title", entity, v)
	}
}

func (m *Module) download(entity string) web.Handler {
	return func(c *web.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		x, err := m.Export(c.R.Context(), *c.User, entity, id)
		if err != nil {
			return err
		}
		c.W.Header().Set("Content-Type", "application/json")
		c.W.Header().Set("Content-Disposition", `attachment; filename="`+x.FileName()+`"`)
		c.W.Header().Set("Cache-Control", "no-store")
		return x.WriteJSON(c.W)
	}
}

func (m *Module) erase(entity string) web.Handler {
	return func(c *web.Ctx) error {
		if err := allowed(*c.User); err != nil {
			return err
		}
		id, err := pathID(c)
		if err != nil {
			return err
		}
		_, err = m.Erase(c.R.Context(), *c.User, entity, id, c.Form("confirm"))
		if err == nil {
			return c.Redirect(fmt.Sprintf("/%s/%d", entity, id), "privacy.flash_erased")
		}
		if !errs.Is(err, errs.Invalid) {
			return err
		}
		// The page again, with the problem beside the confirmation field.
		v, verr := m.view(c, entity, id)
		if verr != nil {
			return verr
		}
		return c.RenderForm("privacy_person", "privacy.title", entity, v, err)
	}
}
