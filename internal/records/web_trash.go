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
	d := deletePage{Entity: h.e, Heading: rec.Title, URL: fmt.Sprintf("%s/%d", h.base, id)}
	if d.Heading == "" {
		d.Heading = fmt.Sprintf("%s #%d", c.T(h.e.Singular), id)
	}
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
