package exports

import (
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the download links of the list and search pages:
//
//	GET /{entity}/export?format=csv|xlsx&filter=&sort=&columns=&view=&headers=
//	GET /search/export?q=&format=csv|xlsx&entity=
//
// A request the export refuses (a filter that does not compile) shows the
// error page; the list page itself explains such a filter before anyone
// clicks.
func (x *Exporter) RegisterWeb(rt *web.Router) {
	for _, e := range x.reg.All() {
		rt.Page("GET /"+e.Name+"/export", func(c *web.Ctx) error {
			req, err := parseList(c.R.URL.Query(), e)
			if err != nil {
				return err
			}
			req.Lang, req.Location = c.Lang, c.Loc
			ex, err := x.List(c.R.Context(), *c.User, req)
			if err != nil {
				return err
			}
			return x.send(c.W, c.R, ex)
		})
	}
	rt.Page("GET /search/export", func(c *web.Ctx) error {
		req, err := parseSearch(c.R.URL.Query())
		if err != nil {
			return err
		}
		req.Lang, req.Location = c.Lang, c.Loc
		ex, err := x.Search(c.R.Context(), *c.User, req)
		if err != nil {
			return err
		}
		return x.send(c.W, c.R, ex)
	})
}
