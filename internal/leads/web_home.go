package leads

import (
	"github.com/relasi/relasi/internal/web"
)

// HomeLeads is how many late leads the home page shows.
const HomeLeads = 10

// homeReportDays is the period of the home page's response-time summary.
const homeReportDays = 7

// RegisterHome adds the home page's "Late leads" and the summary of this
// week's response times, for those who oversee others' leads (a manager,
// an administrator); a salesperson's home stays without them. Register it
// after the sections that should come first.
func (m *Module) RegisterHome(rt *web.Router) {
	rt.AddHomeSection("leads_home_late", func(c *web.Ctx) (any, error) {
		if !c.User.ReadsOthers() {
			return nil, nil
		}
		return m.LateLeads(c.R.Context(), *c.User, HomeLeads)
	})
	rt.AddHomeSection("leads_home_response_times", func(c *web.Ctx) (any, error) {
		if !c.User.ReadsOthers() {
			return nil, nil
		}
		rep, err := m.ResponseTimes(c.R.Context(), *c.User, homeReportDays)
		if err != nil {
			return nil, err
		}
		return &rep, nil
	})
}
