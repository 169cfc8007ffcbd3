package records

import (
	"net/url"

	"github.com/relasi/relasi/internal/web"
)

// saveView saves the list's current filter, sort and columns under a
// name, then opens the list with it.
func (h *pages) saveView(c *web.Ctx) error {
	in := ViewInput{Name: c.Form("name"), Filter: c.Form("filter"), Sort: c.Form("sort"),
		Columns: splitList(c.Form("columns")), Shared: c.Form("shared") != ""}
	v, err := h.s.CreateView(c.R.Context(), *c.User, h.e, in)
	if err != nil {
		q := url.Values{"filter": {in.Filter}, "sort": {in.Sort}, "columns": {c.Form("columns")}}
		d, derr := h.listData(c, q, false)
		if derr != nil && d == nil {
			return derr
		}
		d.SaveFailed = true
		return c.RenderForm("records_list", h.e.Label, h.nav, d, err)
	}
	return c.Redirect(listURL(h.base, v.Query()), "flash.view_saved")
}

func (h *pages) deleteView(c *web.Ctx) error {
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	if err := h.s.DeleteView(c.R.Context(), *c.User, id); err != nil {
		return err
	}
	return c.Redirect(h.base, "flash.view_deleted")
}
