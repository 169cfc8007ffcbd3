package records

import (
	"fmt"

	"github.com/relasi/relasi/internal/web"
)

type deletePage struct {
	Entity  *Entity
	Heading string
	URL     string
}

// confirmDelete asks before a record goes to the trash.
func (h *pages) confirmDelete(c *web.Ctx) error {
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	rec, err := h.s.Get(c.R.Context(), *c.User, h.e, id)
	if err != nil {
		return err
	}
	d := deletePage{Entity: h.e, Heading: h.heading(c, &rec), URL: fmt.Sprintf("%s/%d", h.base, id)}
	return c.Render("records_delete", h.e.Singular, h.nav, d)
}

func (h *pages) delete(c *web.Ctx) error {
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	if err := h.s.Delete(c.R.Context(), *c.User, h.e, id); err != nil {
		return err
	}
	return c.Redirect(h.base, "flash.record_deleted")
}

// trashedPage is a record in the trash: its fields, read-only, and what
// can be done with it.
type trashedPage struct {
	Entity  *Entity
	Base    string
	URL     string
	Heading string
	Deleted string
	Fields  []detailField
	Owner   string
}

// trashed shows a record in the trash, so that a trash list can link
// somewhere: the detail page only serves live records, whose panels and
// actions assume they are.
func (h *pages) trashed(c *web.Ctx) error {
	ctx := c.R.Context()
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	rec, err := h.s.GetDeleted(ctx, *c.User, h.e, id)
	if err != nil {
		return err
	}
	fields, err := h.s.Fields(ctx, h.e)
	if err != nil {
		return err
	}
	fm, err := h.formatter(c)
	if err != nil {
		return err
	}
	d := trashedPage{Entity: h.e, Base: h.base, URL: fmt.Sprintf("%s/%d", h.base, id), Heading: h.heading(c, &rec)}
	if rec.DeletedAt != nil {
		d.Deleted = c.Fmt().DateTime(*rec.DeletedAt)
	}
	for _, f := range fields {
		if f.Name == "owner_id" {
			d.Owner = fm.cell(f, &rec).Text
			continue
		}
		d.Fields = append(d.Fields, detailField{Name: f.Name, Label: fieldLabel(c, f), Custom: f.Custom, Value: fm.cell(f, &rec)})
	}
	return c.Render("records_trashed", h.e.Singular, h.nav, d)
}

func (h *pages) restore(c *web.Ctx) error {
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	if _, err := h.s.Restore(c.R.Context(), *c.User, h.e, id); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("%s/%d", h.base, id), "flash.record_restored")
}
