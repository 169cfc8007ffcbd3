package imports

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the import pages:
//
//	GET  /imports                    the user's imports, with undo
//	GET  /imports/new                choose the entity and the file
//	POST /imports/new                upload it
//	GET  /imports/{id}/mapping       map the columns (guessed, with sample values)
//	POST /imports/{id}/mapping       save the mapping and check the file (dry run)
//	GET  /imports/{id}               progress, dry-run report or summary
//	GET  /imports/{id}/progress      the progress bar, polled by htmx
//	GET  /imports/{id}/errors.csv    the rejected rows with their reason
//	POST /imports/{id}/start         import a checked file for real
//	POST /imports/{id}/resume        continue an import that stopped
//	POST /imports/{id}/undo          take an import back
//	POST /imports/{id}/delete        discard a dry run
func (m *Module) RegisterWeb(rt *web.Router) {
	rt.Page("GET /imports", m.pageList)
	rt.Page("GET /imports/new", m.pageNew)
	rt.Page("POST /imports/new", m.pageUpload)
	rt.Page("GET /imports/{id}/mapping", m.pageMapping)
	rt.Page("POST /imports/{id}/mapping", m.pageMappingSave)
	rt.Page("GET /imports/{id}", m.pageShow)
	rt.Page("GET /imports/{id}/progress", m.pageProgress)
	rt.Page("GET /imports/{id}/errors.csv", m.pageErrors)
	rt.Page("POST /imports/{id}/start", m.pageStart)
	rt.Page("POST /imports/{id}/resume", m.pageResume)
	rt.Page("POST /imports/{id}/undo", m.pageUndo)
	rt.Page("POST /imports/{id}/delete", m.pageDelete)
	rt.EnableNav("imports", "/imports")
}

// pageImport reads the import a page's path names, if it is the user's.
func (m *Module) pageImport(c *web.Ctx) (Import, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return Import{}, errNoImport
	}
	return m.Get(c.R.Context(), *c.User, id)
}

func importURL(id int64) string { return "/imports/" + itoa(id) }

// entityChoice is an entity offered on the upload form.
type entityChoice struct {
	Name, Label string
}

func (m *Module) entityChoices(c *web.Ctx) []entityChoice {
	var out []entityChoice
	for _, e := range m.importable() {
		out = append(out, entityChoice{Name: e.Name, Label: c.T(e.Label)})
	}
	return out
}

// entityLabel is an entity's plural name in the user's language.
func (m *Module) entityLabel(c *web.Ctx, name string) string {
	if e, ok := m.entities.Get(name); ok {
		return c.T(e.Label)
	}
	return name
}

// canImport refuses the pages to users who may not create records.
func canImport(p *auth.Principal) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "Sign in first.")
	}
	return p.CanWriteAny()
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// ListLink is the "Import" button of an importable entity's list page.
func ListLink(entity string) records.ListLink {
	return records.ListLink{Label: "imports.list_link", Href: "/imports/new?entity=" + entity, TestID: "import-link", Create: true}
}
