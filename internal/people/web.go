package people

import (
	"strconv"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the profile and settings pages.
func (m *Module) RegisterWeb(rt *web.Router) {
	rt.Page("GET /profile", m.profile)
	rt.Page("POST /profile", m.profileSave)
	rt.Page("POST /profile/password", m.passwordChange)
	rt.Page("POST /profile/sessions/{id}/revoke", m.sessionRevoke)
	rt.Page("POST /profile/sessions/revoke-others", m.sessionsRevokeOthers)
	rt.Enrolment("GET /profile/two-factor", m.twoFactor)
	rt.Enrolment("POST /profile/two-factor/enable", m.twoFactorEnable)
	rt.Page("POST /profile/two-factor/disable", m.twoFactorDisable)
	rt.Page("POST /profile/two-factor/recovery-codes", m.twoFactorRenewCodes)

	rt.Page("GET /settings", m.settings)
	rt.Page("GET /settings/users", m.userList)
	rt.Page("GET /settings/users/new", m.userNew)
	rt.Page("POST /settings/users", m.userCreate)
	rt.Page("GET /settings/users/{id}", m.userEdit)
	rt.Page("POST /settings/users/{id}", m.userSave)
	rt.Page("POST /settings/users/{id}/password", m.userResetPassword)
	rt.Page("POST /settings/users/{id}/two-factor/reset", m.userResetTwoFactor)
	rt.Page("POST /settings/two-factor", m.twoFactorRequirementSave)

	rt.Page("GET /settings/teams", m.teamList)
	rt.Page("POST /settings/teams", m.teamCreate)
	rt.Page("GET /settings/teams/{id}", m.teamEdit)
	rt.Page("POST /settings/teams/{id}", m.teamSave)
	rt.Page("POST /settings/teams/{id}/delete", m.teamDelete)

	rt.Page("GET /settings/tokens", m.tokenList)
	rt.Page("POST /settings/tokens", m.tokenCreate)
	rt.Page("POST /settings/tokens/{id}/revoke", m.tokenRevoke)
}

// TimeZones offered in pickers: Indonesia's three zones first, then the
// region's and the world's business capitals.
var TimeZones = []string{
	"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura",
	"Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Manila",
	"Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Asia/Kolkata", "Asia/Dubai",
	"Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
	"Europe/London", "Europe/Amsterdam", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC",
}

func formID(c *web.Ctx, name string) (int64, bool) {
	s := c.Form(name)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

func pathIDWeb(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "No such page.").WithKey("error.not_found")
	}
	return id, nil
}

func (m *Module) settings(c *web.Ctx) error {
	if c.User.CanManage() == nil {
		return c.Redirect("/settings/users", "")
	}
	return c.Redirect("/settings/tokens", "")
}

// requireAdmin is the guard of the admin-only settings pages.
func requireAdmin(c *web.Ctx) error { return c.User.CanManage() }
