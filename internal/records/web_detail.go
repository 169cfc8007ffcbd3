package records

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/relasi/relasi/internal/web"
)

// historyLimit is how many changes a detail page shows.
const historyLimit = 100

type detailPage struct {
	Entity   *Entity
	Base     string
	URL      string
	Heading  string
	Record   *Record
	Fields   []detailField
	Owner    string
	Created  string
	Updated  string
	Panels   []detailPanel
	Linked   []linkedList
	Actions  []detailAction
	History  []historyItem
	CanWrite bool
	// Imported are the record's IDs in the systems it was imported from.
	Imported []importedAs
}

// importedAs is one "Imported from HubSpot as 1025" line.
type importedAs struct{ System, ID string }

type detailField struct {
	Name, Label string
	Custom      bool
	Value       cell
	// Edit is the field's inline form's address, "" when it may not be
	// changed here.
	Edit string
}

type detailPanel struct {
	Title    string
	Template string
	Data     any
}

type detailAction struct {
	Label string
	URL   string
	Post  bool
}

type historyItem struct {
	Actor   string
	At      string
	Action  string
	Changes []ChangeLine
}

// PanelView is what a panel's template receives; the detail template
// calls it with the page's View.
func (d *detailPage) PanelView(page any, p detailPanel) PanelView {
	return PanelView{Page: page, Record: d.Record, Data: p.Data}
}

func (h *pages) detail(c *web.Ctx) error {
	ctx := c.R.Context()
	p := *c.User
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	rec, err := h.s.Get(ctx, p, h.e, id)
	if errors.Is(err, errNotFound) {
		// A link to a record since moved to the trash (from history, the
		// audit log, a bookmark) shows it there.
		if _, derr := h.s.GetDeleted(ctx, p, h.e, id); derr == nil {
			http.Redirect(c.W, c.R, fmt.Sprintf("%s/%d/trash", h.base, id), http.StatusSeeOther)
			return nil
		}
	}
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
	d := &detailPage{Entity: h.e, Base: h.base, URL: fmt.Sprintf("%s/%d", h.base, id), Heading: h.heading(c, &rec), Record: &rec,
		Created: c.Fmt().DateTime(rec.CreatedAt), Updated: c.Fmt().DateTime(rec.UpdatedAt), CanWrite: h.canWriteRecord(ctx, p, &rec)}
	for _, f := range fields {
		if f.Name == "owner_id" {
			d.Owner = fm.cell(f, &rec).Text
			continue
		}
		df := detailField{Name: f.Name, Label: fieldLabel(c, f), Custom: f.Custom, Value: fm.cell(f, &rec)}
		if d.CanWrite && inlineEditable(f) {
			df.Edit = fmt.Sprintf("%s/%d/fields/%s/edit", h.base, id, f.Name)
		}
		d.Fields = append(d.Fields, df)
	}
	ids, err := ExternalIDsOf(ctx, h.s.db.Read(), h.e.Name, id)
	if err != nil {
		return err
	}
	for _, x := range ids {
		d.Imported = append(d.Imported, importedAs{System: SystemLabel(x.System), ID: x.ExternalID})
	}
	if d.Linked, err = h.linkedLists(c, fm, id); err != nil {
		return err
	}
	hv, err := h.s.NewHistoryView(c)
	if err != nil {
		return err
	}
	panelCtx := WithHistoryView(ctx, hv)
	for _, panel := range h.e.Panels {
		if panel.Show != nil && !panel.Show(p, &rec) {
			continue
		}
		var data any
		if panel.Data != nil {
			if data, err = panel.Data(panelCtx, p, &rec); err != nil {
				return err
			}
		}
		d.Panels = append(d.Panels, detailPanel{Title: c.T(panel.Title), Template: panel.Template, Data: data})
	}
	for _, a := range h.e.Actions {
		if a.Show != nil && !a.Show(p, &rec) {
			continue
		}
		d.Actions = append(d.Actions, detailAction{Label: c.T(a.Label), URL: a.URL(&rec), Post: a.Method == "POST"})
	}
	history, err := h.s.History(ctx, h.e.Name, id, historyLimit)
	if err != nil {
		return err
	}
	for _, entry := range history {
		item := historyItem{Actor: entry.Actor, At: c.Fmt().DateTime(entry.At), Action: hv.Action(entry.Action)}
		if item.Actor == "" {
			item.Actor = c.T("records.history.system")
		}
		if item.Changes, err = hv.Changes(h.e, id, entry.Changes); err != nil {
			return err
		}
		d.History = append(d.History, item)
	}
	return c.Render("records_detail", h.e.Singular, h.nav, d)
}
