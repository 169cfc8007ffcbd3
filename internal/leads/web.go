package leads

import (
	"context"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

// RegisterWeb adds the conversion page, the response-time report and the
// speed-to-lead settings. The lead list, detail and forms are the records
// machinery's pages.
func (m *Module) RegisterWeb(rt *web.Router) {
	rt.Page("GET /leads/{id}/convert", m.convertPage)
	rt.Page("POST /leads/{id}/convert", m.convertSubmit)
	rt.Page("GET /leads/response-times", m.responseTimesPage)
	rt.Page("GET /settings/leads", m.settingsPage)
	rt.Page("POST /settings/leads", m.settingsSave)
	rt.Page("POST /settings/leads/rules", m.ruleAdd)
	rt.Page("POST /settings/leads/rules/{id}/delete", m.ruleDelete)
}

func pathID(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "No such page.").WithKey("error.not_found")
	}
	return id, nil
}

// option is an entry of a picker.
type option struct {
	ID   int64
	Name string
}

// teams lists every team, for pickers.
func teams(ctx context.Context, q store.Querier) ([]option, error) {
	return store.Collect(ctx, q, scanOption, "SELECT id, name FROM teams ORDER BY lower(name), id")
}

// activeUsers lists the users who can be given leads, for pickers.
func activeUsers(ctx context.Context, q store.Querier) ([]option, error) {
	return store.Collect(ctx, q, scanOption,
		"SELECT id, name || ' (' || email || ')' FROM users WHERE disabled_at IS NULL AND role <> 'readonly' ORDER BY lower(name), id")
}

func scanOption(row store.Scanner) (option, error) {
	var o option
	err := row.Scan(&o.ID, &o.Name)
	return o, err
}

// scorePanel gives the lead detail page's score panel its reasons.
func scorePanel(_ context.Context, _ auth.Principal, r *records.Record) (any, error) {
	score, reasons := Score(r)
	return struct {
		Score   int
		Reasons []Reason
	}{score, reasons}, nil
}
