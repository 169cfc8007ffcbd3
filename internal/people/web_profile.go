package people

import (
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

type profilePage struct {
	User      auth.User
	Sessions  []auth.Session
	Current   int64
	TimeZones []string
}

func (m *Module) profileData(c *web.Ctx) (profilePage, error) {
	u, err := m.auth.GetUser(c.R.Context(), c.User.UserID)
	if err != nil {
		return profilePage{}, err
	}
	sessions, err := m.auth.ListSessions(c.R.Context(), c.User.UserID)
	if err != nil {
		return profilePage{}, err
	}
	return profilePage{User: u, Sessions: sessions, Current: c.Session.ID, TimeZones: withZone(TimeZones, u.TimeZone)}, nil
}

func withZone(zones []string, tz string) []string {
	for _, z := range zones {
		if z == tz {
			return zones
		}
	}
	return append([]string{tz}, zones...)
}

func (m *Module) profile(c *web.Ctx) error {
	d, err := m.profileData(c)
	if err != nil {
		return err
	}
	return c.Render("profile", "profile.title", "", d)
}

func (m *Module) profileSave(c *web.Ctx) error {
	name, locale, tz := c.Form("name"), c.Form("locale"), c.Form("time_zone")
	version, _ := formID(c, "version")
	_, err := m.auth.UpdateUser(c.R.Context(), *c.User, c.User.UserID, auth.UserUpdate{Name: &name, Locale: &locale, TimeZone: &tz}, version)
	if err != nil {
		d, derr := m.profileData(c)
		if derr != nil {
			return derr
		}
		return c.RenderForm("profile", "profile.title", "", d, err)
	}
	c.RememberLanguage(locale)
	return c.Redirect("/profile", "flash.profile_saved")
}

func (m *Module) passwordChange(c *web.Ctx) error {
	next := c.R.PostForm.Get("new_password")
	var err error
	if next != c.R.PostForm.Get("new_password_confirm") {
		var fe errs.Fields
		fe.Add("new_password_confirm", "mismatch", "does not match the new password")
		err = fe.Err()
	} else {
		err = m.auth.ChangePassword(c.R.Context(), c.User.UserID, c.R.PostForm.Get("current_password"), next, c.Session.ID)
	}
	if err != nil {
		d, derr := m.profileData(c)
		if derr != nil {
			return derr
		}
		return c.RenderForm("profile", "profile.title", "", d, err)
	}
	return c.Redirect("/profile", "flash.password_changed")
}

func (m *Module) sessionRevoke(c *web.Ctx) error {
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	if err := m.auth.RevokeSession(c.R.Context(), c.User.UserID, id); err != nil {
		return err
	}
	if id == c.Session.ID {
		return c.Redirect("/login", "flash.signed_out")
	}
	return c.Redirect("/profile", "flash.session_revoked")
}

func (m *Module) sessionsRevokeOthers(c *web.Ctx) error {
	if err := m.auth.RevokeAllSessions(c.R.Context(), c.User.UserID, c.Session.ID); err != nil {
		return err
	}
	return c.Redirect("/profile", "flash.sessions_revoked")
}
