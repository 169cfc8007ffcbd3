package duplicates

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// mergesView is the merge log of one entity.
type mergesView struct {
	Entity  string
	Label   string
	Tabs    []tab
	Merges  []mergeItem
	NextURL string
	BackURL string
}

// mergeItem is one merge as the pages show it.
type mergeItem struct {
	ID          int64
	SurvivorURL string
	Survivor    string
	Merged      []string
	Actor       string
	At          string
	Moved       string
	Undone      string // when it was undone, or ""
}

func (m *Module) mergeItem(c *web.Ctx, mg Merge) mergeItem {
	it := mergeItem{ID: mg.ID, SurvivorURL: fmt.Sprintf("/%s/%d", mg.Entity, mg.SurvivorID), Survivor: mg.Title(mg.SurvivorID),
		Actor: mg.Actor, At: c.Fmt().DateTime(mg.MergedAt)}
	for _, id := range mg.MergedIDs {
		it.Merged = append(it.Merged, fmt.Sprintf("%s (#%d)", mg.Title(id), id))
	}
	var moved []string
	for _, mc := range mg.Moved {
		what := mc.Table + "." + mc.Column
		if key := "duplicates.moved." + what; c.HasMessage(key) {
			what = c.T(key)
		}
		moved = append(moved, fmt.Sprintf("%s: %s", what, c.Fmt().Int(int64(mc.Count))))
	}
	it.Moved = strings.Join(moved, ", ")
	if mg.UndoneAt != nil {
		it.Undone = c.Fmt().DateTime(*mg.UndoneAt)
	}
	return it
}

func (m *Module) mergesData(c *web.Ctx, entity, cursor string) (mergesView, error) {
	e, _, err := m.pageEntity(c, entity)
	if err != nil {
		return mergesView{}, err
	}
	page, err := m.ListMerges(c.R.Context(), *c.User, e.Name, 0, url.Values{"cursor": {cursor}})
	if err != nil {
		return mergesView{}, err
	}
	v := mergesView{Entity: e.Name, Label: c.T(e.Label), Tabs: m.tabs(c, "/duplicates/merges", e.Name), BackURL: "/duplicates?entity=" + e.Name}
	for _, mg := range page.Items {
		v.Merges = append(v.Merges, m.mergeItem(c, mg))
	}
	if page.NextCursor != "" {
		v.NextURL = fmt.Sprintf("/duplicates/merges?entity=%s&cursor=%s", e.Name, page.NextCursor)
	}
	return v, nil
}

func (m *Module) mergesPage(c *web.Ctx) error {
	q := c.R.URL.Query()
	v, err := m.mergesData(c, q.Get("entity"), q.Get("cursor"))
	if err != nil {
		return err
	}
	return c.Render("duplicates_merges", "duplicates.merges_title", nav(m.entities[v.Entity]), v)
}

// undoSubmit undoes a merge and shows the survivor; a refusal (409)
// shows the merge log with the reason.
func (m *Module) undoSubmit(c *web.Ctx) error {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	}
	mg, _, err := m.Undo(c.R.Context(), *c.User, id)
	if err == nil {
		return c.Redirect(fmt.Sprintf("/%s/%d", mg.Entity, mg.SurvivorID), "flash.merge_undone")
	}
	found, gerr := m.GetMerge(c.R.Context(), *c.User, id)
	if gerr != nil {
		return err
	}
	v, verr := m.mergesData(c, found.Entity, "")
	if verr != nil {
		return err
	}
	return c.RenderForm("duplicates_merges", "duplicates.merges_title", nav(m.entities[v.Entity]), v, err)
}
