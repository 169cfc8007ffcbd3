package people

import (
	"net/url"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/web"
)

type userListPage struct {
	Users    page.List[auth.User]
	Filter   auth.UserFilter
	NextURL  string
	Teams    []auth.Team
	FilterQS url.Values
	// RequireTwoFactor is the setting that makes administrators use
	// two-factor sign-in.
	RequireTwoFactor bool
}

func (m *Module) userList(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	q := c.R.URL.Query()
	pr, err := page.Parse(q, auth.UserSort, "name", "u.id")
	if err != nil {
		return err
	}
	f := auth.UserFilter{Query: q.Get("q"), Role: auth.Role(q.Get("role")), IncludeDisabled: q.Get("include_disabled") == "on"}
	if !f.Role.Valid() {
		f.Role = ""
	}
	users, err := m.auth.ListUsers(c.R.Context(), f, pr)
	if err != nil {
		return err
	}
	d := userListPage{Users: users, Filter: f}
	if d.RequireTwoFactor, err = m.auth.RequireTwoFactorForAdmins(c.R.Context()); err != nil {
		return err
	}
	if users.NextCursor != "" {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("cursor", users.NextCursor)
		d.NextURL = "/settings/users?" + next.Encode()
	}
	return c.Render("users", "settings.users", "settings", d)
}

type userFormPage struct {
	User      *auth.User // nil when creating
	Teams     []auth.Team
	TimeZones []string
}

func (m *Module) userFormData(c *web.Ctx, u *auth.User) (userFormPage, error) {
	teams, err := m.auth.AllTeams(c.R.Context())
	if err != nil {
		return userFormPage{}, err
	}
	tz := "Asia/Jakarta"
	if u != nil {
		tz = u.TimeZone
	}
	return userFormPage{User: u, Teams: teams, TimeZones: withZone(TimeZones, tz)}, nil
}

func (m *Module) userNew(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	d, err := m.userFormData(c, nil)
	if err != nil {
		return err
	}
	return c.Render("user_form", "users.new", "settings", d)
}

func (m *Module) userCreate(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	in := auth.NewUser{Email: c.Form("email"), Name: c.Form("name"), Password: c.R.PostForm.Get("password"),
		Role: auth.Role(c.Form("role")), Locale: c.Form("locale"), TimeZone: c.Form("time_zone")}
	team, ok := formID(c, "team_id")
	var err error
	if !ok {
		var fe errs.Fields
		fe.Add("team_id", "not_found", "no team has this ID")
		err = fe.Err()
	} else {
		if team != 0 {
			in.TeamID = &team
		}
		_, err = m.auth.CreateUser(c.R.Context(), in)
	}
	if err != nil {
		d, derr := m.userFormData(c, nil)
		if derr != nil {
			return derr
		}
		return c.RenderForm("user_form", "users.new", "settings", d, err)
	}
	return c.Redirect("/settings/users", "flash.user_created")
}

func (m *Module) userEdit(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	u, err := m.auth.GetUser(c.R.Context(), id)
	if err != nil {
		return err
	}
	d, err := m.userFormData(c, &u)
	if err != nil {
		return err
	}
	return c.Render("user_form", "users.edit", "settings", d)
}

func (m *Module) userSave(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	name, locale, tz, role := c.Form("name"), c.Form("locale"), c.Form("time_zone"), auth.Role(c.Form("role"))
	disabled := c.Form("disabled") == "on"
	team, _ := formID(c, "team_id")
	version, _ := formID(c, "version")
	_, err = m.auth.UpdateUser(c.R.Context(), *c.User, id, auth.UserUpdate{
		Name: &name, Role: &role, TeamID: &team, Locale: &locale, TimeZone: &tz, Disabled: &disabled,
	}, version)
	if err != nil {
		return m.userEditAgain(c, id, err)
	}
	return c.Redirect("/settings/users", "flash.user_saved")
}

func (m *Module) userResetPassword(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	if err := m.auth.SetPassword(c.R.Context(), id, c.R.PostForm.Get("password")); err != nil {
		return m.userEditAgain(c, id, err)
	}
	return c.Redirect("/settings/users/"+c.R.PathValue("id"), "flash.password_reset")
}

// userEditAgain shows the edit form of user id again after err.
func (m *Module) userEditAgain(c *web.Ctx, id int64, err error) error {
	u, gerr := m.auth.GetUser(c.R.Context(), id)
	if gerr != nil {
		return gerr
	}
	d, derr := m.userFormData(c, &u)
	if derr != nil {
		return derr
	}
	return c.RenderForm("user_form", "users.edit", "settings", d, err)
}
