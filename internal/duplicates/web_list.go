package duplicates

import (
	"fmt"
	"net/url"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// listView is the page of likely duplicates of one entity.
type listView struct {
	Entity  string
	Label   string // the entity's plural
	Tabs    []tab
	Groups  []groupView
	Total   int
	NextURL string
	LogURL  string
}

type groupView struct {
	IDs      string // "3,7"
	MergeURL string
	Score    string // "92% — same e-mail, similar name"
	Reasons  []string
	Records  []recordView
	// CanChange says the user may change every record of the group, which
	// merging and dismissing it need.
	CanChange bool
}

type recordView struct {
	ID      int64
	Title   string
	URL     string
	Details []detail
	Updated string
}

type detail struct{ Label, Text string }

func (m *Module) listPage(c *web.Ctx) error {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	e, rule, err := m.pageEntity(c, q.Get("entity"))
	if err != nil {
		return err
	}
	page, err := m.Find(ctx, *c.User, e.Name, url.Values{"cursor": {q.Get("cursor")}})
	if err != nil {
		return err
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return err
	}
	v := listView{Entity: e.Name, Label: c.T(e.Label), Tabs: m.tabs(c, "/duplicates", e.Name), Total: page.Total,
		LogURL: "/duplicates/merges?entity=" + e.Name}
	for _, g := range page.Items {
		gv := groupView{IDs: joinIDs(g.IDs), MergeURL: fmt.Sprintf("/duplicates/merge?entity=%s&ids=%s", e.Name, joinIDs(g.IDs))}
		switch err := m.canWrite(ctx, m.db.Read(), *c.User, e, g.IDs, false, errMayNotDismiss); {
		case err == nil:
			gv.CanChange = true
		case !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.NotFound):
			return err
		}
		gv.Score = scoreText(c, g)
		for _, r := range g.Reasons {
			gv.Reasons = append(gv.Reasons, reasonText(c, r))
		}
		for i := range g.Records {
			gv.Records = append(gv.Records, recordSummary(c, e, rule, fields, &g.Records[i]))
		}
		v.Groups = append(v.Groups, gv)
	}
	if page.NextCursor != "" {
		v.NextURL = fmt.Sprintf("/duplicates?entity=%s&cursor=%s", e.Name, page.NextCursor)
	}
	return c.Render("duplicates_list", "duplicates.title", nav(e), v)
}

// recordSummary is a record's name and the fields that tell duplicates
// apart.
func recordSummary(c *web.Ctx, e *records.Entity, rule Rule, fields []records.Field, r *records.Record) recordView {
	rv := recordView{ID: r.ID, Title: r.Title, URL: fmt.Sprintf("/%s/%d", e.Name, r.ID), Updated: c.Fmt().DateTime(r.UpdatedAt)}
	if rv.Title == "" {
		rv.Title = fmt.Sprintf("#%d", r.ID)
	}
	for _, name := range rule.Show {
		for _, f := range fields {
			if f.Name != name {
				continue
			}
			if text := valueText(c, f, r, r.Get(name)); text != "" {
				rv.Details = append(rv.Details, detail{Label: fieldLabel(c, f), Text: text})
			}
		}
	}
	return rv
}

func (m *Module) dismissSubmit(c *web.Ctx) error {
	e, _, err := m.pageEntity(c, c.Form("entity"))
	if err != nil {
		return err
	}
	ids, err := parseIDs(c.Form("ids"))
	if err != nil {
		return err
	}
	if err := m.Dismiss(c.R.Context(), *c.User, e.Name, ids); err != nil {
		return err
	}
	return c.Redirect("/duplicates?entity="+e.Name, "flash.duplicates_dismissed")
}
