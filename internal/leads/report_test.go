package leads_test

import (
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
)

func TestResponseTimeReport(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, team)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, team)
		c.settings(t, 5, leads.ModeNone, 0)
		lead := func(owner int64) (int64, time.Time) {
			l := c.lead(t, c.AdminToken, map[string]any{"first_name": "L", "owner_id": owner})
			return num(t, l["id"]), at(t, l["assigned_at"])
		}
		// Long ago: outside a 30-day report.
		old, oldAt := lead(ani.ID)
		c.respond(t, old, ani.ID, oldAt.Add(time.Hour))
		c.advance(40 * 24 * time.Hour)

		// Ani: answered in 60 s, 120 s and 600 s (late), one waiting past due.
		for _, secs := range []int{60, 120, 600} {
			id, assigned := lead(ani.ID)
			c.respond(t, id, ani.ID, assigned.Add(time.Duration(secs)*time.Second))
		}
		lead(ani.ID)
		// Bayu: answered in 30 s and 90 s; one not yet due.
		for _, secs := range []int{30, 90} {
			id, assigned := lead(bayu.ID)
			c.respond(t, id, bayu.ID, assigned.Add(time.Duration(secs)*time.Second))
		}
		c.advance(10 * time.Minute)
		lead(bayu.ID)

		rep := c.Do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=30", nil).Want(t, 200).Map(t)
		items := rep["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("report rows: %v", items)
		}
		check := func(row any, owner int64, assigned, answered, median, average, overdue int64) {
			t.Helper()
			r := row.(map[string]any)
			got := []int64{num(t, r["owner_id"]), num(t, r["assigned"]), num(t, r["answered"]), num(t, r["median_seconds"]), num(t, r["average_seconds"]), num(t, r["overdue"])}
			want := []int64{owner, assigned, answered, median, average, overdue}
			if !equal(got, want) {
				t.Errorf("row %v: got %v, want %v (owner, assigned, answered, median, average, overdue)", r["owner"], got, want)
			}
		}
		check(items[0], ani.ID, 4, 3, 120, 260, 2)
		check(items[1], bayu.ID, 3, 2, 60, 60, 0)
		check(rep["total"], 0, 7, 5, 90, 180, 2)

		// A sales user sees their own figures only.
		mine := c.Do(t, aniToken, "GET", "/api/v1/leads/response-times", nil).Want(t, 200).Map(t)
		if rows := mine["items"].([]any); len(rows) != 1 || num(t, rows[0].(map[string]any)["owner_id"]) != ani.ID || num(t, mine["days"]) != 30 {
			t.Errorf("Ani's report: %v", mine)
		}
		// Nobody answered: no median.
		c.advance(100 * 24 * time.Hour)
		lead(bayu.ID)
		rep = c.Do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=1", nil).Want(t, 200).Map(t)
		if row := rep["items"].([]any)[0].(map[string]any); row["median_seconds"] != nil || num(t, row["assigned"]) != 1 {
			t.Errorf("unanswered only: %v", row)
		}
		c.Do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=0", nil).Want(t, 422)
		c.Do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=lama", nil).Want(t, 422)
	})
}
