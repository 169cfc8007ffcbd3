package duplicates

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the pages:
//
//	GET  /duplicates?entity=contacts           likely duplicates, with "Merge" and "Not duplicates"
//	POST /duplicates/dismiss                    not duplicates
//	GET  /duplicates/merge?entity=…&ids=1,2     the records side by side, a choice per field
//	POST /duplicates/merge                      merge
//	GET  /duplicates/merges?entity=contacts     the merge log, with "Undo"
//	POST /duplicates/merges/{id}/undo           undo a merge
func (m *Module) RegisterWeb(rt *web.Router) {
	rt.Page("GET /duplicates", m.listPage)
	rt.Page("POST /duplicates/dismiss", m.dismissSubmit)
	rt.Page("GET /duplicates/merge", m.mergePage)
	rt.Page("POST /duplicates/merge", m.mergeSubmit)
	rt.Page("GET /duplicates/merges", m.mergesPage)
	rt.Page("POST /duplicates/merges/{id}/undo", m.undoSubmit)
}

// tab is a link to the same page for another entity.
type tab struct {
	URL, Label string
	Active     bool
}

func (m *Module) tabs(c *web.Ctx, path, current string) []tab {
	out := make([]tab, 0, len(m.names))
	for _, name := range m.names {
		out = append(out, tab{URL: path + "?entity=" + name, Label: c.T(m.entities[name].Label), Active: name == current})
	}
	return out
}

// pageEntity is the entity a page is about: the entity parameter, by
// default the first served.
func (m *Module) pageEntity(c *web.Ctx, value string) (*records.Entity, Rule, error) {
	if value == "" && len(m.names) > 0 {
		value = m.names[0]
	}
	e, rule, err := m.entity(value, "entity")
	if err != nil {
		return nil, Rule{}, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	}
	return e, rule, nil
}

// nav is the navigation item of an entity's pages.
func nav(e *records.Entity) string { return strings.TrimPrefix(e.Label, "nav.") }

// parseIDs reads "1,2,3".
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id < 1 {
			return nil, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// fieldLabel is a field's label in the user's language; custom fields
// carry the admin's own.
func fieldLabel(c *web.Ctx, f records.Field) string {
	if f.Custom {
		return f.Label
	}
	if c.HasMessage(f.Label) {
		return c.T(f.Label)
	}
	return f.Name
}

// valueText formats a field's value of a record for the pages, as the
// record's own page shows it.
func valueText(c *web.Ctx, f records.Field, r *records.Record, v any) string {
	return records.ValueText(c, f, r, v)
}

// reasonText explains a reason in the user's language; a phone number
// reads as the record pages show it ("(021) 5551234 ext. 12").
func reasonText(c *web.Ctx, r Reason) string {
	v := r.Value
	if r.Kind == "phone" {
		v = c.Fmt().Phone(v)
	}
	return c.T("duplicates.reason."+r.Kind, v)
}

// scoreText is a group's score with its evidence in the user's language:
// "92% — same e-mail, similar name".
func scoreText(c *web.Ctx, g Group) string {
	evidence := make([]string, len(g.Evidence))
	for i, ev := range g.Evidence {
		evidence[i] = c.T("duplicates.evidence." + string(ev))
	}
	return c.T("duplicates.score", c.Fmt().Percent(float64(g.Score), 0), strings.Join(evidence, ", "))
}

// Panel is the "Merges" section of a survivor's detail page: the merges
// into the record, each with its Undo button, and a link to the entity's
// duplicates. Add it to the Panels of contacts, accounts and leads, each
// with its entity's name.
func (m *Module) Panel(entity string) records.Panel {
	return records.Panel{Title: "duplicates.panel_title", Template: "duplicates_panel",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			return m.panelData(ctx, p, entity, r)
		}}
}

// panelView is what the panel shows.
type panelView struct {
	Merges    []Merge
	FindURL   string
	LogURL    string
	CanChange bool
}

func (m *Module) panelData(ctx context.Context, p auth.Principal, entity string, r *records.Record) (any, error) {
	page, err := m.ListMerges(ctx, p, entity, r.ID, url.Values{"limit": {"10"}})
	if err != nil {
		return nil, err
	}
	return panelView{Merges: page.Items, FindURL: "/duplicates?entity=" + entity, LogURL: "/duplicates/merges?entity=" + entity,
		CanChange: p.CanWriteAny() == nil}, nil
}

// ListLink is the "Find duplicates" button of an entity's list page.
func ListLink(entity string) records.ListLink {
	return records.ListLink{Label: "duplicates.list_link", Href: "/duplicates?entity=" + entity, TestID: "duplicates-link"}
}
