package deals

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
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

// Module serves the pipeline API and pages: the board, moving a deal, and
// the pipeline settings.
type Module struct {
	Pipelines *Pipelines
	store     *records.Store
	entity    *records.Entity
	catalog   *i18n.Catalog
}

// New returns the module for the opportunities entity e (Entity's result,
// as registered with the app). The catalog translates the shipped stage
// names and the messages a drag on the board answers with.
func New(s *records.Store, e *records.Entity, catalog *i18n.Catalog) *Module {
	return &Module{Pipelines: NewPipelines(s), store: s, entity: e, catalog: catalog}
}

// RegisterWeb adds the board, the move form and the pipeline settings.
func (m *Module) RegisterWeb(rt *web.Router) {
	rt.Page("GET /deals/board", m.board)
	// Detail pages link a deal's pipeline and stage as /pipelines/{id} and
	// /stages/{id}: the board and the deals in the stage answer them.
	rt.Page("GET /pipelines/{id}", m.pipelineLink)
	rt.Page("GET /stages/{id}", m.stageLink)
	rt.Page("GET /deals/{id}/move", m.moveForm)
	rt.Page("POST /deals/{id}/move", m.moveSubmit)

	rt.Page("GET /settings/pipelines", m.pipelineList)
	rt.Page("POST /settings/pipelines", m.pipelineCreate)
	rt.Page("GET /settings/pipelines/{id}", m.pipelineEdit)
	rt.Page("POST /settings/pipelines/{id}", m.pipelineSave)
	rt.Page("POST /settings/pipelines/{id}/position", m.pipelinePosition)
	rt.Page("POST /settings/pipelines/{id}/delete", m.pipelineDelete)
	rt.Page("POST /settings/pipelines/{id}/stages", m.stageCreate)
	rt.Page("POST /settings/stages/{id}", m.stageSave)
	rt.Page("POST /settings/stages/{id}/position", m.stagePosition)
	rt.Page("POST /settings/stages/{id}/delete", m.stageDelete)
}

// stageName is how the UI names a stage: the catalog's translation of a
// shipped stage, or the name an administrator typed.
func (m *Module) stageName(lang string, s Stage) string {
	if s.Key != "" {
		if key := "deals.stage." + s.Key; m.catalog.Has(key) {
			return m.catalog.T(lang, key)
		}
	}
	return s.Name
}

// pipelineName is stageName for pipelines.
func (m *Module) pipelineName(lang string, p Pipeline) string {
	if p.Key != "" {
		if key := "deals.pipeline." + p.Key; m.catalog.Has(key) {
			return m.catalog.T(lang, key)
		}
	}
	return p.Name
}

// errorText is an error as one translated sentence, for answers to the
// board's script, which shows it beside the card it could not move.
func (m *Module) errorText(lang string, err error) string {
	e, ok := errs.As(err)
	if !ok {
		return m.catalog.T(lang, "error.internal")
	}
	if e.Key != "" && m.catalog.Has(e.Key) {
		return m.catalog.T(lang, e.Key, e.Args...)
	}
	if e.Code == errs.Invalid && len(e.Fields) > 0 {
		f := e.Fields[0]
		label := f.Field
		if field, ok := m.entity.Field(f.Field); ok && m.catalog.Has(field.Label) {
			label = m.catalog.T(lang, field.Label)
		}
		msg := f.Message
		if key := "validation." + f.Code; m.catalog.Has(key) {
			msg = m.catalog.T(lang, key, f.Args...)
		}
		return label + " " + msg
	}
	return e.Message
}

// pathID reads the {id} of a page's path.
func pathID(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "No such page.").WithKey("error.not_found")
	}
	return id, nil
}

// formInt reads a whole number from a form; ok is false when the value
// is there but not a number.
func formInt(c *web.Ctx, name string) (n int64, ok bool) {
	s := c.Form(name)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// intPtr reads an optional whole number from a form, reporting a field
// error when it is not one.
func intPtr(c *web.Ctx, fe *errs.Fields, name string) *int {
	s := c.Form(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.Add(name, "wrong_type", "must be a whole number")
		return nil
	}
	return &n
}

// boardURL is the board of a pipeline, with the owner filter's value
// (ParseOwner's) when there is one.
func boardURL(pipelineID int64, owner string) string {
	u := fmt.Sprintf("/deals/board?pipeline=%d", pipelineID)
	if owner != OwnerAnyone {
		u += "&owner=" + url.QueryEscape(owner)
	}
	return u
}

// stageListURL is the deals list filtered by a stage and, when given, a
// further condition (the board's owner filter, in the filter language):
// where a column's "more" link leads.
func stageListURL(stageID int64, and string) string {
	filter := fmt.Sprintf("stage_id = %d", stageID)
	if and != "" {
		filter += " and " + and
	}
	return "/" + EntityName + "?filter=" + url.QueryEscape(filter)
}
