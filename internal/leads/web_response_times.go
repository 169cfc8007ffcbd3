package leads

import (
	"strconv"

	"github.com/relasi/relasi/internal/web"
)

// responseTimesView is the report page.
type responseTimesView struct {
	Report  ResponseTimes
	Periods []int
}

// Duration is a number of seconds as the report shows it: one unit,
// rounded, so a column of times reads at a glance.
type Duration struct {
	Value int64
	Unit  string // catalog key: leads.duration.seconds, …
}

// ShowDuration rounds seconds to the largest unit that keeps at least two
// of it: 95 s, 12 min, 5 h, 3 d.
func ShowDuration(seconds *int64) *Duration {
	if seconds == nil {
		return nil
	}
	s := *seconds
	switch {
	case s < 120:
		return &Duration{s, "leads.duration.seconds"}
	case s < 120*60:
		return &Duration{(s + 30) / 60, "leads.duration.minutes"}
	case s < 48*3600:
		return &Duration{(s + 1800) / 3600, "leads.duration.hours"}
	}
	return &Duration{(s + 43200) / 86400, "leads.duration.days"}
}

func (m *Module) responseTimesPage(c *web.Ctx) error {
	days := 30
	if s := c.R.URL.Query().Get("days"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			days = n
		} else {
			days = -1
		}
	}
	rep, err := m.ResponseTimes(c.R.Context(), *c.User, days)
	if err != nil {
		return err
	}
	return c.Render("leads_response_times", "leads.response_times_title", "leads", responseTimesView{Report: rep, Periods: []int{7, 30, 90}})
}

// Median is the median response time as the page shows it.
func (o OwnerResponses) Median() *Duration { return ShowDuration(o.MedianSeconds) }

// Average is the average response time as the page shows it.
func (o OwnerResponses) Average() *Duration { return ShowDuration(o.AverageSeconds) }
