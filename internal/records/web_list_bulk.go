package records

import (
	"slices"
	"strconv"

	"github.com/relasi/relasi/internal/web"
)

// bulkBar is the form above a list that changes the chosen rows, or all
// matching the filter, at once (package bulk runs it). Each option of its
// menu names an action and its value — "assign:12", "set:status:new",
// "tag_add", "delete", "export:csv" — so that it works without
// JavaScript.
type bulkBar struct {
	Groups []bulkGroup
	Tags   bool // tags can be added and removed: a box for the tag
}

type bulkGroup struct {
	Label   string
	Options []option
}

// bulkBar offers: a new owner among the people whose records the viewer
// reads; a value of each choice field the header filters by, and of a
// listed reference to a fixed set (a deal's stage); tags; the trash;
// exports. people are the owners the list offers (pages.owners).
func (h *pages) bulkBar(c *web.Ctx, fields []Field, people []Owner) (*bulkBar, error) {
	b := &bulkBar{}
	p := *c.User
	if h.e.Owned {
		g := bulkGroup{Label: c.T("records.bulk.assign")}
		for _, o := range people {
			label := o.Name
			if o.ID == p.UserID {
				label = c.T("records.bulk.assign_me", o.Name)
			}
			g.Options = append(g.Options, option{Value: "assign:" + strconv.FormatInt(o.ID, 10), Label: label})
		}
		b.Groups = append(b.Groups, g)
	}
	controls := h.listFilters(fields)
	for _, f := range fields {
		if f.ReadOnly || f.Name == "owner_id" {
			continue
		}
		g := bulkGroup{Label: c.T("records.bulk.set", fieldLabel(c, f))}
		switch {
		case f.Kind == Select && slices.ContainsFunc(controls, func(lf ListFilter) bool { return lf.Field == f.Name }):
			for _, ch := range f.Choices {
				g.Options = append(g.Options, option{Value: "set:" + f.Name + ":" + ch, Label: choiceLabel(c, f, ch)})
			}
		case f.Kind == Ref && f.RefChoices != nil && f.InList:
			choices, err := f.RefChoices(c.R.Context(), h.s.db.Read())
			if err != nil {
				return nil, err
			}
			for _, o := range refChoiceOptions(c, f, choices) {
				g.Options = append(g.Options, option{Value: "set:" + f.Name + ":" + o.Value, Label: o.Label})
			}
		case f.Kind == List && f.Name == "tags":
			b.Tags = true
			continue
		default:
			continue
		}
		if !f.Required {
			g.Options = append(g.Options, option{Value: "set:" + f.Name + ":", Label: c.T("records.bulk.clear")})
		}
		b.Groups = append(b.Groups, g)
	}
	if b.Tags {
		b.Groups = append(b.Groups, bulkGroup{Label: c.T("records.bulk.tags"), Options: []option{
			{Value: "tag_add", Label: c.T("records.bulk.tag_add")}, {Value: "tag_remove", Label: c.T("records.bulk.tag_remove")}}})
	}
	b.Groups = append(b.Groups, bulkGroup{Label: c.T("records.bulk.other"), Options: []option{
		{Value: "export:csv", Label: c.T("exports.csv")}, {Value: "export:xlsx", Label: c.T("exports.xlsx")},
		{Value: "delete", Label: c.T("records.bulk.delete")}}})
	return b, nil
}
