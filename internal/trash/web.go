package trash

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the trash's pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// RegisterWeb adds the trash pages:
//
//	GET  /settings/trash                          every deleted record; the retention period
//	POST /settings/trash/retention                set the retention period (administrators)
//	POST /settings/trash/{entity}/{id}/restore    bring a record back
//	GET  /settings/trash/{entity}/{id}/purge      asks first; POST deletes it forever (administrators)
func (t *Trash) RegisterWeb(rt *web.Router) {
	rt.Page("GET /settings/trash", t.listPage)
	rt.Page("POST /settings/trash/retention", t.saveRetention)
	rt.Page("POST /settings/trash/{entity}/{id}/restore", t.restorePage)
	rt.Page("GET /settings/trash/{entity}/{id}/purge", t.confirmPurge)
	rt.Page("POST /settings/trash/{entity}/{id}/purge", t.purgePage)
}

type option struct {
	Value, Label string
}

type listView struct {
	Items    []itemView
	Entities []option
	Entity   string // the entity filter
	NextURL  string
	Settings Settings
	// Back is this page, for the forms to return to.
	Back string
}

type itemView struct {
	Item
	EntityLabel string
	Name        string
}

func (t *Trash) listData(c *web.Ctx) (listView, error) {
	q := c.R.URL.Query()
	v := listView{Entity: q.Get("entity"), Back: "/settings/trash"}
	if v.Entity != "" {
		v.Back += "?" + url.Values{"entity": {v.Entity}}.Encode()
	}
	labels := map[string]string{}
	for _, e := range t.reg.All() {
		v.Entities = append(v.Entities, option{Value: e.Name, Label: c.T(e.Label)})
		labels[e.Name] = c.T(e.Singular)
	}
	var err error
	if v.Settings, err = t.Settings(c.R.Context()); err != nil {
		return v, err
	}
	page, err := t.List(c.R.Context(), *c.User, Query{Entity: v.Entity, Cursor: q.Get("cursor")})
	if err != nil {
		return v, err
	}
	for _, it := range page.Items {
		name := it.Title
		if name == "" {
			name = fmt.Sprintf("#%d", it.ID)
		}
		v.Items = append(v.Items, itemView{Item: it, EntityLabel: labels[it.Entity], Name: name})
	}
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		if v.Entity != "" {
			next.Set("entity", v.Entity)
		}
		v.NextURL = "/settings/trash?" + next.Encode()
	}
	return v, nil
}

func (t *Trash) listPage(c *web.Ctx) error {
	v, err := t.listData(c)
	if err != nil {
		return err
	}
	return c.Render("trash_list", "trash.title", "settings", v)
}

func (t *Trash) saveRetention(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	days, err := strconv.Atoi(c.Form("retention_days"))
	if err != nil {
		days = 0 // out of range: SaveSettings says so
	}
	if _, err := t.SaveSettings(c.R.Context(), *c.User, days); err != nil {
		v, derr := t.listData(c)
		if derr != nil {
			return derr
		}
		return c.RenderForm("trash_list", "trash.title", "settings", v, err)
	}
	return c.Redirect("/settings/trash", "flash.trash_retention_saved")
}

// back is where a form on the trash page returns to: the page it was
// sent from, if that is the trash page.
func back(c *web.Ctx) string {
	b := c.Form("back")
	if b == "/settings/trash" || strings.HasPrefix(b, "/settings/trash?") {
		return b
	}
	return "/settings/trash"
}

func pathID(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "%q is not a record ID.", c.R.PathValue("id"))
	}
	return id, nil
}

func (t *Trash) restorePage(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := t.Restore(c.R.Context(), *c.User, c.R.PathValue("entity"), id); err != nil {
		return err
	}
	return c.Redirect(back(c), "flash.trash_restored")
}

type purgeView struct {
	EntityLabel string
	Name        string
	URL         string
	Back        string
}

func (t *Trash) confirmPurge(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := t.entity(c.R.PathValue("entity"))
	if err != nil {
		return err
	}
	var title string
	x := e.Alias
	sel := "''"
	if e.TitleSQL != "" {
		sel = "COALESCE(" + e.TitleSQL + ", '')"
	}
	err = t.db.Read().QueryRowContext(c.R.Context(), "SELECT "+sel+" FROM "+e.Table+" "+x+" WHERE "+x+".id = $1 AND "+x+".deleted_at IS NOT NULL", id).Scan(&title)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotInTrash
	}
	if err != nil {
		return fmt.Errorf("trash: %s %d: %w", e.Name, id, err)
	}
	if title == "" {
		title = fmt.Sprintf("#%d", id)
	}
	v := purgeView{EntityLabel: c.T(e.Singular), Name: title, URL: fmt.Sprintf("/settings/trash/%s/%d/purge", e.Name, id), Back: "/settings/trash"}
	return c.Render("trash_purge", "trash.purge_title", "settings", v)
}

func (t *Trash) purgePage(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := t.Purge(c.R.Context(), *c.User, c.R.PathValue("entity"), id); err != nil {
		return err
	}
	return c.Redirect("/settings/trash", "flash.trash_purged")
}
