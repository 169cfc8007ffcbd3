package timeline

import (
	"context"
	"embed"
	"io/fs"
	"net/url"
	"strconv"

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
}

// ContactPanels are the panels of a contact's detail page, to put first:
// the summary, then the timeline.
func (t *Timeline) ContactPanels() []records.Panel {
	return t.panels("contacts", t.contact)
}

// AccountPanels are the panels of an account's detail page, to put first.
func (t *Timeline) AccountPanels() []records.Panel {
	return t.panels("accounts", t.account)
}

func (t *Timeline) panels(entity string, of func(int64) subject) []records.Panel {
	return []records.Panel{
		{Title: "timeline.summary", Template: "timeline_summary",
			Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
				return t.summary(ctx, p, of(r.ID))
			}},
		{Title: "timeline.title", Template: "timeline_panel",
			Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
				page, err := t.page(ctx, p, of(r.ID), "", PanelItems)
				if err != nil {
					return nil, err
				}
				if err := Reword(records.HistoryViewFrom(ctx), page.Items); err != nil {
					return nil, err
				}
				return View{Record: r, Items: page.Items, More: moreLink(entity, r.ID, page.NextCursor)}, nil
			}},
	}
}

func moreLink(entity string, id int64, cursor string) string {
	if cursor == "" {
		return ""
	}
	return "/" + entity + "/" + strconv.FormatInt(id, 10) + "/timeline?cursor=" + url.QueryEscape(cursor)
}

// RegisterWeb adds the full timeline pages that the panels' "more" link
// leads to: /contacts/{id}/timeline and /accounts/{id}/timeline.
func (t *Timeline) RegisterWeb(rt *web.Router) {
	for _, entity := range []string{"contacts", "accounts"} {
		of, nav := t.contact, "contacts"
		if entity == "accounts" {
			of, nav = t.account, "accounts"
		}
		rt.Page("GET /"+entity+"/{id}/timeline", func(c *web.Ctx) error {
			id, err := records.PathID(c.R)
			if err != nil {
				return err
			}
			s := of(id)
			r, err := t.store.Get(c.R.Context(), *c.User, s.entity, id)
			if err != nil {
				return err
			}
			page, err := t.page(c.R.Context(), *c.User, s, c.R.URL.Query().Get("cursor"), DefaultLimit)
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
			return c.Render("timeline_page", "timeline.title", nav, View{Record: &r, Items: page.Items,
				More: moreLink(entity, id, page.NextCursor), Back: "/" + entity + "/" + strconv.FormatInt(id, 10)})
		})
	}
}
