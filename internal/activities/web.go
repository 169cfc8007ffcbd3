package activities

import (
	"embed"
	"io/fs"
	"time"

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
// button's route and the home page's "My open tasks" and, for those who
// oversee others, "Team's overdue tasks". e is the activities entity.
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
	// Someone who oversees others' records sees what their people let slip.
	rt.AddHomeSection("activities_team_overdue", func(c *web.Ctx) (any, error) {
		if !c.User.ReadsOthers() {
			return nil, nil
		}
		return TeamOverdueTasks(c.R.Context(), s.DB().Read(), *c.User, time.Now(), HomeTasks)
	})
}
