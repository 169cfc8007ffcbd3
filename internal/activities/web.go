package activities

import (
	"embed"
	"io/fs"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// HomeTasks is how many open tasks the home page shows.
const HomeTasks = 10

// RegisterWeb adds the inline "Log an activity" form's routes, the "done"
// button's route and the "My open tasks"
// section of the home page. e is the activities entity.
func RegisterWeb(rt *web.Router, s *records.Store, e *records.Entity) {
	registerLog(rt, s, e)
	rt.Page("POST /activities/{id}/done", func(c *web.Ctx) error {
		id, err := records.PathID(c.R)
		if err != nil {
			return err
		}
		if _, err := s.Update(c.R.Context(), *c.User, e, id, records.Input{"done": true}, 0); err != nil {
			return err
		}
		return c.Redirect(web.LocalPath(c.Form("next"), "/"), "flash.activity_done")
	})
	rt.AddHomeSection("activities_mytasks", func(c *web.Ctx) (any, error) {
		return MyOpenTasks(c.R.Context(), s.DB().Read(), *c.User, HomeTasks)
	})
}
