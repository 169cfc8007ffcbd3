package leads

import (
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// settingsView is the speed-to-lead settings page.
type settingsView struct {
	Settings Settings
	Rules    []Rule
	Teams    []option
	Users    []option
	Modes    []string
	// TeamMissing is set when round robin has no team to deal within
	// (its team was deleted), so new leads stay with their creators.
	TeamMissing bool
}

func (m *Module) settingsData(c *web.Ctx) (settingsView, error) {
	ctx := c.R.Context()
	st, err := m.Settings(ctx)
	if err != nil {
		return settingsView{}, err
	}
	rules, err := m.Rules(ctx)
	if err != nil {
		return settingsView{}, err
	}
	ts, err := teams(ctx, m.db.Read())
	if err != nil {
		return settingsView{}, err
	}
	us, err := activeUsers(ctx, m.db.Read())
	if err != nil {
		return settingsView{}, err
	}
	missing := st.AssignmentMode == ModeRoundRobin && st.DefaultTeamID == nil
	return settingsView{Settings: st, Rules: rules, Teams: ts, Users: us, Modes: Modes, TeamMissing: missing}, nil
}

func (m *Module) settingsPage(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	v, err := m.settingsData(c)
	if err != nil {
		return err
	}
	return c.Render("leads_settings", "leads.settings_title", "settings", v)
}

// renderSettings shows the page again after err, keeping what was typed.
func (m *Module) renderSettings(c *web.Ctx, err error) error {
	v, derr := m.settingsData(c)
	if derr != nil {
		return derr
	}
	return c.RenderForm("leads_settings", "leads.settings_title", "settings", v, err)
}

func (m *Module) settingsSave(c *web.Ctx) error {
	var in SettingsInput
	var fe errs.Fields
	minutes, err := strconv.Atoi(c.Form("response_minutes"))
	if err != nil {
		fe.Add("response_minutes", "out_of_range", "must be a whole number from %d to %d", 1, MaxResponseMinutes)
	}
	in.ResponseMinutes = &minutes
	mode := c.Form("assignment_mode")
	in.AssignmentMode = &mode
	if s := c.Form("default_team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fe.Add("default_team_id", "not_found", "refers to a record that does not exist")
		}
		in.DefaultTeamID = &id
	}
	if err := fe.Err(); err != nil {
		return m.renderSettings(c, err)
	}
	if _, err := m.SaveSettings(c.R.Context(), *c.User, in); err != nil {
		return m.renderSettings(c, err)
	}
	return c.Redirect("/settings/leads", "flash.lead_settings_saved")
}

// ruleAdd reads the new rule's assignee as "team:3" or "user:5".
func (m *Module) ruleAdd(c *web.Ctx) error {
	in := RuleInput{Filter: c.Form("filter")}
	var fe errs.Fields
	if s := c.Form("position"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			fe.Add("position", "out_of_range", "must be a whole number from %d to %d", 0, 1_000_000)
		}
		in.Position = n
	}
	kind, idText, _ := strings.Cut(c.Form("assignee"), ":")
	if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
		switch kind {
		case "team":
			in.TeamID = &id
		case "user":
			in.UserID = &id
		}
	}
	if err := fe.Err(); err != nil {
		return m.renderSettings(c, err)
	}
	if _, err := m.AddRule(c.R.Context(), *c.User, in); err != nil {
		return m.renderSettings(c, filterMessage(renameFields(err, map[string]string{"team_id": "assignee", "user_id": "assignee"})))
	}
	return c.Redirect("/settings/leads", "flash.lead_rule_added")
}

func (m *Module) ruleDelete(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := m.DeleteRule(c.R.Context(), *c.User, id); err != nil {
		return err
	}
	return c.Redirect("/settings/leads", "flash.lead_rule_deleted")
}

// filterMessage makes the form show a filter's own message, which names
// the position of the mistake, rather than the catalog's generic text for
// its code.
func filterMessage(err error) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == "filter" {
			f.Code = "filter_" + f.Code
		}
		out.Fields[i] = f
	}
	return &out
}
