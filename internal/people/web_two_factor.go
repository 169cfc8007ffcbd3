package people

import (
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/web"
)

// twoFactorPage is the profile's two-factor page: enrolment while it is
// off, and the recovery codes and the way to turn it off while it is on.
type twoFactorPage struct {
	Status    auth.TwoFactorStatus
	Enrolment auth.Enrolment // while off
	// RecoveryCodes are shown once, right after they were made.
	RecoveryCodes []string
	// Form names the form an error belongs to ("disable", "renew"), since
	// both ask for a password and a code.
	Form string
}

func (m *Module) twoFactorData(c *web.Ctx) (twoFactorPage, error) {
	st, err := m.auth.TwoFactorStatus(c.R.Context(), c.User.UserID)
	if err != nil {
		return twoFactorPage{}, err
	}
	d := twoFactorPage{Status: st}
	if !st.Enabled {
		if d.Enrolment, err = m.auth.BeginTwoFactor(c.R.Context(), c.User.UserID); err != nil {
			return twoFactorPage{}, err
		}
	}
	return d, nil
}

func (m *Module) twoFactor(c *web.Ctx) error {
	d, err := m.twoFactorData(c)
	if err != nil {
		return err
	}
	return c.Render("two_factor", "two_factor.title", "", d)
}

// twoFactorAgain shows the page again after err on form.
func (m *Module) twoFactorAgain(c *web.Ctx, form string, err error) error {
	d, derr := m.twoFactorData(c)
	if derr != nil {
		return derr
	}
	d.Form = form
	return c.RenderForm("two_factor", "two_factor.title", "", d, err)
}

func (m *Module) twoFactorEnable(c *web.Ctx) error {
	codes, err := m.auth.EnableTwoFactor(c.R.Context(), c.User.UserID, c.R.PostForm.Get("code"))
	if err != nil {
		return m.twoFactorAgain(c, "enable", err)
	}
	return m.showRecoveryCodes(c, codes)
}

// showRecoveryCodes renders the page with new recovery codes, which are
// not kept anywhere they could be shown again.
func (m *Module) showRecoveryCodes(c *web.Ctx, codes []string) error {
	d, err := m.twoFactorData(c)
	if err != nil {
		return err
	}
	d.RecoveryCodes = codes
	c.W.Header().Set("Cache-Control", "no-store")
	return c.Render("two_factor", "two_factor.title", "", d)
}

func (m *Module) twoFactorDisable(c *web.Ctx) error {
	err := m.auth.DisableTwoFactor(c.R.Context(), c.User.UserID, c.R.PostForm.Get("password"), c.R.PostForm.Get("code"))
	if err != nil {
		return m.twoFactorAgain(c, "disable", err)
	}
	return c.Redirect("/profile", "flash.two_factor_disabled")
}

func (m *Module) twoFactorRenewCodes(c *web.Ctx) error {
	codes, err := m.auth.RenewRecoveryCodes(c.R.Context(), c.User.UserID, c.R.PostForm.Get("password"), c.R.PostForm.Get("code"))
	if err != nil {
		return m.twoFactorAgain(c, "renew", err)
	}
	return m.showRecoveryCodes(c, codes)
}

func (m *Module) userResetTwoFactor(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id, err := pathIDWeb(c)
	if err != nil {
		return err
	}
	if err := m.auth.ResetTwoFactor(c.R.Context(), *c.User, id); err != nil {
		return m.userEditAgain(c, id, err)
	}
	return c.Redirect("/settings/users/"+c.R.PathValue("id"), "flash.two_factor_reset")
}

func (m *Module) twoFactorRequirementSave(c *web.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	if err := m.auth.SetRequireTwoFactorForAdmins(c.R.Context(), *c.User, c.Form("require_two_factor_for_admins") == "on"); err != nil {
		return err
	}
	return c.Redirect("/settings/users", "flash.two_factor_setting_saved")
}
