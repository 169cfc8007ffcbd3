package people

import (
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/web"
)

type teamsPage struct {
	Teams []auth.Team
	Users []auth.User // manager candidates
	Team  *auth.Team  // the team being edited
}

func (m *Module) teamsData(c *web.Ctx, team *auth.Team) (teamsPage, error) {
	teams, err := m.auth.AllTeams(c.R.Context())
	if err != nil {
		return teamsPage{}, err
	}
	pr, _ := page.Parse(nil, auth.UserSort, "name", "u.id")
	pr.Limit = page.MaxLimit
	users, err := m.auth.ListUsers(c.R.Context(), auth.UserFilter{}, pr)
	if err != nil {
		return teamsPage{}, err
	}
	return teamsPage{Teams: teams, Users: users.Items, Team: team}, nil
}

func teamInput(c *web.Ctx) auth.TeamInput {
	in := auth.TeamInput{Name: c.Form("name")}
	if id, ok := formID(c, "manager_id"); ok && id != 0 {
		in.ManagerID = &id
	}
	return in
}

func (m *Module) teamList(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	d, err := m.teamsData(c, nil)
	if err != nil {
		return err
	}
	return c.Render("teams", "settings.teams", "settings", d)
}

func (m *Module) teamCreate(c *web.Ctx) error {
	if _, err := m.auth.CreateTeam(c.R.Context(), *c.User, teamInput(c)); err != nil {
		d, derr := m.teamsData(c, nil)
		if derr != nil {
			return derr
		}
		return c.RenderForm("teams", "settings.teams", "settings", d, err)
	}
	return c.Redirect("/settings/teams", "flash.team_created")
}

func (m *Module) teamEdit(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	t, err := m.auth.GetTeam(c.R.Context(), id)
	if err != nil {
		return err
	}
	d, err := m.teamsData(c, &t)
	if err != nil {
		return err
	}
	return c.Render("team_form", "teams.edit", "settings", d)
}

func (m *Module) teamSave(c *web.Ctx) error {
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	version, _ := formID(c, "version")
	if _, err := m.auth.UpdateTeam(c.R.Context(), *c.User, id, teamInput(c), version); err != nil {
		t, gerr := m.auth.GetTeam(c.R.Context(), id)
		if gerr != nil {
			return gerr
		}
		d, derr := m.teamsData(c, &t)
		if derr != nil {
			return derr
		}
		return c.RenderForm("team_form", "teams.edit", "settings", d, err)
	}
	return c.Redirect("/settings/teams", "flash.team_saved")
}

func (m *Module) teamDelete(c *web.Ctx) error {
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	if err := m.auth.DeleteTeam(c.R.Context(), *c.User, id); err != nil {
		return err
	}
	return c.Redirect("/settings/teams", "flash.team_deleted")
}
