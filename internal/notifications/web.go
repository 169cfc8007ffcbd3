package notifications

import (
	"net/url"

	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the inbox page and its buttons.
func (s *Service) RegisterWeb(rt *web.Router) {
	rt.Page("GET /notifications", s.listPage)
	rt.Page("POST /notifications/{id}/read", s.readPage)
	rt.Page("POST /notifications/read-all", s.readAllPage)
}

type listView struct {
	List page.List[Notification]
	// Next is the URL of the next page, "" on the last.
	Next string
}

func (s *Service) listPage(c *web.Ctx) error {
	q := c.R.URL.Query()
	list, err := s.List(c.R.Context(), *c.User, false, q)
	if err != nil {
		return err
	}
	v := listView{List: list}
	if list.NextCursor != "" {
		v.Next = "/notifications?" + url.Values{"cursor": {list.NextCursor}}.Encode()
	}
	return c.Render("notifications_list", "notifications.title", "", v)
}

func (s *Service) readPage(c *web.Ctx) error {
	id, err := pathID(c.R.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := s.MarkRead(c.R.Context(), *c.User, id)
	if err != nil {
		return err
	}
	// "Open" marks read and goes where the notification points.
	if c.Form("open") != "" && n.Link != "" {
		return c.Redirect(n.Link, "")
	}
	return c.Redirect("/notifications", "")
}

func (s *Service) readAllPage(c *web.Ctx) error {
	if _, err := s.MarkAllRead(c.R.Context(), *c.User); err != nil {
		return err
	}
	return c.Redirect("/notifications", "flash.notifications_read")
}
