package timeline

import (
	"context"
	"embed"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages and partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// PanelItems is how many items the detail page's timeline panel shows.
const PanelItems = 20

// View is what the timeline panel and page show.
type View struct {
	Record *records.Record
	Items  []Item
	// More is the page with the items after these, or "".
	More string
	// Back is the record's page (on the full timeline page).
	Back string
	// Refresh is where the panel reloads its items from when an activity
	// is logged on the page (the event "activity-logged").
	Refresh string
}

// ContactPanels are the panels of a contact's detail page, to put first:
// the summary, then the timeline.
func (t *Timeline) ContactPanels() []records.Panel {
	return []records.Panel{t.summaryPanel(t.contact), t.timelinePanel("contacts", t.contact)}
}

// AccountPanels are the panels of an account's detail page, to put first.
func (t *Timeline) AccountPanels() []records.Panel {
	return []records.Panel{t.summaryPanel(t.account), t.timelinePanel("accounts", t.account)}
}

// OwnPanel is the timeline panel of a lead's or deal's page (see AddOwn).
func (t *Timeline) OwnPanel(e *records.Entity) records.Panel {
	return t.timelinePanel(e.Name, func(id int64) subject { return t.ownRecord(e, id) })
}

func (t *Timeline) summaryPanel(of func(int64) subject) records.Panel {
	return records.Panel{Title: "timeline.summary", Template: "timeline_summary",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			return t.summary(ctx, p, of(r.ID))
		}}
}

func (t *Timeline) timelinePanel(entity string, of func(int64) subject) records.Panel {
	return records.Panel{Title: "timeline.title", Template: "timeline_panel",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			page, err := t.page(ctx, p, of(r.ID), "", PanelItems)
			if err != nil {
				return nil, err
			}
			if err := Reword(records.HistoryViewFrom(ctx), page.Items); err != nil {
				return nil, err
			}
			return View{Record: r, Items: page.Items, More: moreLink(entity, r.ID, page.NextCursor), Refresh: pageLink(entity, r.ID)}, nil
		}}
}

func pageLink(entity string, id int64) string {
	return "/" + entity + "/" + strconv.FormatInt(id, 10) + "/timeline"
}

func moreLink(entity string, id int64, cursor string) string {
	if cursor == "" {
		return ""
	}
	return pageLink(entity, id) + "?cursor=" + url.QueryEscape(cursor)
}

// RegisterWeb adds the full timeline pages that the panels' "more" link
// leads to: /contacts/{id}/timeline, /accounts/{id}/timeline and those
// of the entities given to AddOwn. Asked by htmx (HX-Request), a page
// answers only its first items, which the panel swaps in when an
// activity is logged on the record's page.
func (t *Timeline) RegisterWeb(rt *web.Router) {
	rt.Page("GET /contacts/{id}/timeline", t.servePage("contacts", "contacts", t.contact))
	rt.Page("GET /accounts/{id}/timeline", t.servePage("accounts", "accounts", t.account))
	for name, e := range t.own {
		rt.Page("GET /"+name+"/{id}/timeline", t.servePage(name, strings.TrimPrefix(e.Label, "nav."), func(id int64) subject { return t.ownRecord(e, id) }))
	}
}

func (t *Timeline) servePage(entity, nav string, of func(int64) subject) web.Handler {
	return func(c *web.Ctx) error {
		id, err := records.PathID(c.R)
		if err != nil {
			return err
		}
		s := of(id)
		r, err := t.store.Get(c.R.Context(), *c.User, s.entity, id)
		if err != nil {
			return err
		}
		partial := c.R.Header.Get("HX-Request") == "true"
		limit := DefaultLimit
		if partial {
			limit = PanelItems
		}
		page, err := t.page(c.R.Context(), *c.User, s, c.R.URL.Query().Get("cursor"), limit)
		if err != nil {
			return err
		}
		hv, err := t.store.NewHistoryView(c)
		if err != nil {
			return err
		}
		if err := Reword(hv, page.Items); err != nil {
			return err
		}
		v := View{Record: &r, Items: page.Items, More: moreLink(entity, id, page.NextCursor), Back: "/" + entity + "/" + strconv.FormatInt(id, 10)}
		if partial {
			return c.RenderPartial("timeline_page", "timeline_refresh", v)
		}
		return c.Render("timeline_page", "timeline.title", nav, v)
	}
}
