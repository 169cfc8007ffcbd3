package leads

import (
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/web"
)

// responseTimesView is the report page.
type responseTimesView struct {
	Report  ResponseTimes
	Periods []int
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

// Median is the median response time, for the page's Formatter.Duration;
// zero when no lead was answered (MedianSeconds is nil).
func (o OwnerResponses) Median() time.Duration { return seconds(o.MedianSeconds) }

// Average is the average response time, as Median.
func (o OwnerResponses) Average() time.Duration { return seconds(o.AverageSeconds) }

func seconds(s *int64) time.Duration {
	if s == nil {
		return 0
	}
	return time.Duration(*s) * time.Second
}
