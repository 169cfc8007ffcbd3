package deals

import (
	"fmt"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// pipelinesPage is what deals_pipelines.html shows.
type pipelinesPage struct {
	Pipelines []pipelineRow
}

type pipelineRow struct {
	ID         int64
	Name       string
	IsDefault  bool
	StageCount int
	Up, Down   int // positions for the reorder buttons
	First      bool
	Last       bool
}

// pipelinePage is what deals_pipeline.html shows: one pipeline and its
// stages, each editable in place.
type pipelinePage struct {
	ID        int64
	Name      string // as stored, for the form
	Shown     string // as shown, when a translation differs
	IsDefault bool
	Version   int64
	Stages    []stageRow
	Kinds     []option
	// ErrStage is the stage whose form failed (0: the new-stage form,
	// -1: none), so field errors appear in the right row.
	ErrStage int64
}

// Label is the pipeline's name as the viewer reads it.
func (d pipelinePage) Label() string {
	if d.Shown != "" {
		return d.Shown
	}
	return d.Name
}

type stageRow struct {
	Stage
	Number   int
	Shown    string
	Up, Down int
	First    bool
	Last     bool
}

// Label is the stage's name as the viewer reads it.
func (r stageRow) Label() string {
	if r.Shown != "" {
		return r.Shown
	}
	return r.Name
}

func (m *Module) pipelinesData(c *web.Ctx) (pipelinesPage, error) {
	all, err := m.Pipelines.List(c.R.Context())
	if err != nil {
		return pipelinesPage{}, err
	}
	var d pipelinesPage
	for i, p := range all {
		d.Pipelines = append(d.Pipelines, pipelineRow{ID: p.ID, Name: m.pipelineName(c.Lang, p), IsDefault: p.IsDefault, StageCount: len(p.Stages),
			Up: i - 1, Down: i + 1, First: i == 0, Last: i == len(all)-1})
	}
	return d, nil
}

func (m *Module) pipelineData(c *web.Ctx, id, errStage int64) (pipelinePage, error) {
	p, err := m.Pipelines.Get(c.R.Context(), id)
	if err != nil {
		return pipelinePage{}, err
	}
	d := pipelinePage{ID: p.ID, Name: p.Name, IsDefault: p.IsDefault, Version: p.Version, ErrStage: errStage}
	if shown := m.pipelineName(c.Lang, p); shown != p.Name {
		d.Shown = shown
	}
	for i, s := range p.Stages {
		row := stageRow{Stage: s, Number: i + 1, Up: i - 1, Down: i + 1, First: i == 0, Last: i == len(p.Stages)-1}
		if shown := m.stageName(c.Lang, s); shown != s.Name {
			row.Shown = shown
		}
		d.Stages = append(d.Stages, row)
	}
	for _, k := range StageKinds {
		d.Kinds = append(d.Kinds, option{Kind: k, Name: m.catalog.T(c.Lang, "deals.kind."+k)})
	}
	return d, nil
}

// canAdmin is the guard of the pipeline settings pages; the service
// checks again on every change.
func canAdmin(p *auth.Principal) error { return p.CanManage() }

func (m *Module) pipelineList(c *web.Ctx) error {
	if err := canAdmin(c.User); err != nil {
		return err
	}
	d, err := m.pipelinesData(c)
	if err != nil {
		return err
	}
	return c.Render("deals_pipelines", "deals.settings.title", "settings", d)
}

func (m *Module) pipelineCreate(c *web.Ctx) error {
	name := c.Form("name")
	p, err := m.Pipelines.Create(c.R.Context(), *c.User, PipelineInput{Name: &name})
	if err != nil {
		d, derr := m.pipelinesData(c)
		if derr != nil {
			return derr
		}
		return c.RenderForm("deals_pipelines", "deals.settings.title", "settings", d, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", p.ID), "flash.pipeline_created")
}

func (m *Module) pipelineEdit(c *web.Ctx) error {
	if err := canAdmin(c.User); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := m.pipelineData(c, id, -1)
	if err != nil {
		return err
	}
	return c.Render("deals_pipeline", "deals.settings.edit", "settings", d)
}

// pipelineFailed shows the pipeline page again after a refused change.
func (m *Module) pipelineFailed(c *web.Ctx, pipelineID, errStage int64, err error) error {
	d, derr := m.pipelineData(c, pipelineID, errStage)
	if derr != nil {
		return derr
	}
	return c.RenderForm("deals_pipeline", "deals.settings.edit", "settings", d, err)
}

func (m *Module) pipelineSave(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	version, _ := formInt(c, "version")
	name := c.Form("name")
	in := PipelineInput{Name: &name}
	if c.Form("is_default") != "" {
		yes := true
		in.IsDefault = &yes
	}
	if _, err := m.Pipelines.Update(c.R.Context(), *c.User, id, in, version); err != nil {
		return m.pipelineFailed(c, id, -1, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", id), "flash.pipeline_saved")
}

func (m *Module) pipelinePosition(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var fe errs.Fields
	pos := intPtr(c, &fe, "position")
	if err := fe.Err(); err != nil {
		return err
	}
	if _, err := m.Pipelines.Update(c.R.Context(), *c.User, id, PipelineInput{Position: pos}, 0); err != nil {
		return err
	}
	return c.Redirect("/settings/pipelines", "")
}

func (m *Module) pipelineDelete(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := m.Pipelines.Delete(c.R.Context(), *c.User, id); err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Conflict {
			return m.pipelineFailed(c, id, -1, err)
		}
		return err
	}
	return c.Redirect("/settings/pipelines", "flash.pipeline_deleted")
}

// stageInput reads a stage's form fields.
func stageInput(c *web.Ctx) (StageInput, error) {
	var fe errs.Fields
	name, kind := c.Form("name"), c.Form("kind")
	in := StageInput{Name: &name, Probability: intPtr(c, &fe, "probability")}
	if kind != "" {
		in.Kind = &kind
	}
	return in, fe.Err()
}

func (m *Module) stageCreate(c *web.Ctx) error {
	pipelineID, err := pathID(c)
	if err != nil {
		return err
	}
	in, err := stageInput(c)
	if err == nil {
		_, err = m.Pipelines.AddStage(c.R.Context(), *c.User, pipelineID, in)
	}
	if err != nil {
		return m.pipelineFailed(c, pipelineID, 0, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", pipelineID), "flash.stage_added")
}

func (m *Module) stageSave(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st, err := m.Pipelines.Stage(c.R.Context(), id)
	if err != nil {
		return err
	}
	version, _ := formInt(c, "version")
	in, err := stageInput(c)
	if err == nil {
		_, err = m.Pipelines.UpdateStage(c.R.Context(), *c.User, id, in, version)
	}
	if err != nil {
		return m.pipelineFailed(c, st.PipelineID, id, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", st.PipelineID), "flash.stage_saved")
}

func (m *Module) stagePosition(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st, err := m.Pipelines.Stage(c.R.Context(), id)
	if err != nil {
		return err
	}
	var fe errs.Fields
	pos := intPtr(c, &fe, "position")
	if err := fe.Err(); err != nil {
		return err
	}
	if _, err := m.Pipelines.UpdateStage(c.R.Context(), *c.User, id, StageInput{Position: pos}, 0); err != nil {
		return m.pipelineFailed(c, st.PipelineID, id, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", st.PipelineID), "")
}

func (m *Module) stageDelete(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	st, err := m.Pipelines.Stage(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := m.Pipelines.DeleteStage(c.R.Context(), *c.User, id); err != nil {
		return m.pipelineFailed(c, st.PipelineID, id, err)
	}
	return c.Redirect(fmt.Sprintf("/settings/pipelines/%d", st.PipelineID), "flash.stage_deleted")
}
