package leads_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
)

// respond logs a call on a lead the way the activities module does.
func (c *crm) respond(t *testing.T, leadID, userID int64, when time.Time) {
	t.Helper()
	err := c.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
		return leads.RecordResponse(context.Background(), tx, leadID, userID, when)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTheOwnersFirstCallStopsTheClock(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, team)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, team)
		c.settings(t, 5, leads.ModeNone, 0)
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "owner_id": ani.ID})
		id := num(t, l["id"])
		assigned := at(t, l["assigned_at"])
		if !assigned.Equal(c.now()) || !at(t, l["response_due_at"]).Equal(c.now().Add(5*time.Minute)) || l["first_response_at"] != nil {
			t.Fatalf("clock of a new lead: assigned %v due %v first %v", l["assigned_at"], l["response_due_at"], l["first_response_at"])
		}

		// Bayu's call is not the owner's answer.
		c.respond(t, id, bayu.ID, assigned.Add(time.Minute))
		if l = c.get(t, "/api/v1/leads/"+itoa(id)); l["first_response_at"] != nil {
			t.Fatalf("a colleague's call stopped the clock: %v", l["first_response_at"])
		}
		c.respond(t, id, ani.ID, assigned.Add(3*time.Minute+20*time.Second))
		l = c.get(t, "/api/v1/leads/"+itoa(id))
		if num(t, l["response_seconds"]) != 200 || !at(t, l["first_response_at"]).Equal(assigned.Add(200*time.Second)) {
			t.Fatalf("after Ani's call: first %v, %v seconds; want 200", l["first_response_at"], l["response_seconds"])
		}
		// Only the first response counts.
		c.respond(t, id, ani.ID, assigned.Add(time.Hour))
		if l = c.get(t, "/api/v1/leads/"+itoa(id)); num(t, l["response_seconds"]) != 200 {
			t.Errorf("a later call changed the response time to %v", l["response_seconds"])
		}
		// A lead that is gone is no error for the activity being logged.
		c.respond(t, 999, ani.ID, assigned)
	})
}

func TestMarkingANewLeadContactedIsAResponse(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, team)
		_, mgrToken := c.User(t, "manajer@example.co.id", auth.Manager, team)
		c.settings(t, 5, leads.ModeNone, 0)
		first := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "owner_id": ani.ID})["id"])
		second := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Citra", "owner_id": ani.ID})["id"])
		c.advance(90 * time.Second)

		l := c.Do(t, aniToken, "PATCH", "/api/v1/leads/"+itoa(first), map[string]any{"status": "contacted"}).Want(t, 200).Map(t)
		if num(t, l["response_seconds"]) != 90 || l["first_response_at"] == nil {
			t.Errorf("owner marked contacted: %v seconds, first %v; want 90", l["response_seconds"], l["first_response_at"])
		}
		// The manager marking it is not the owner's answer.
		l = c.Do(t, mgrToken, "PATCH", "/api/v1/leads/"+itoa(second), map[string]any{"status": "contacted"}).Want(t, 200).Map(t)
		if l["first_response_at"] != nil {
			t.Errorf("the manager's change stopped Ani's clock")
		}
		// "converted" is the conversion's to set, and stays.
		res := c.Do(t, aniToken, "PATCH", "/api/v1/leads/"+itoa(first), map[string]any{"status": "converted"}).Want(t, 422)
		if problemField(t, res.Map(t), "status") == nil {
			t.Errorf("setting converted by hand: %s", res.Body)
		}
	})
}

func TestReassigningAnUnansweredLeadRestartsTheClock(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, 0)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, 0)
		c.settings(t, 5, leads.ModeNone, 0)
		id := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "owner_id": ani.ID})["id"])
		c.advance(time.Hour)
		l := c.Do(t, c.AdminToken, "PATCH", "/api/v1/leads/"+itoa(id), map[string]any{"owner_id": bayu.ID}).Want(t, 200).Map(t)
		if !at(t, l["assigned_at"]).Equal(c.now()) || !at(t, l["response_due_at"]).Equal(c.now().Add(5*time.Minute)) {
			t.Errorf("reassigned: assigned %v due %v, want now and 5 minutes on", l["assigned_at"], l["response_due_at"])
		}
	})
}

func TestOverdueLeadsAreFlaggedOnceAndNotified(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		mgr, mgrToken := c.User(t, "manajer@example.co.id", auth.Manager, 0)
		team := c.team(t, "Tim Jakarta", mgr.ID)
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, team)
		solo, soloToken := c.User(t, "solo@example.co.id", auth.Sales, 0)
		c.settings(t, 5, leads.ModeRoundRobin, team)
		waiting := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "last_name": "Santoso"})["id"])
		answered := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Citra"})["id"])
		lone := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Dewi", "owner_id": solo.ID})["id"])
		c.respond(t, answered, ani.ID, c.now().Add(time.Minute))

		w := &leads.OverdueWorker{DB: c.DB, Now: c.now}
		work := func() {
			t.Helper()
			if err := w.Work(context.Background(), &river.Job[leads.OverdueArgs]{}); err != nil {
				t.Fatal(err)
			}
		}
		// Not yet due.
		c.advance(4*time.Minute + 59*time.Second)
		work()
		if n := c.count(t, "SELECT count(*) FROM notifications"); n != 0 {
			t.Fatalf("%d notifications before the due time", n)
		}
		c.advance(2 * time.Second)
		work()
		work() // a second run flags nothing again
		for _, id := range []int64{waiting, lone} {
			if l := c.get(t, "/api/v1/leads/"+itoa(id)); l["overdue"] != true {
				t.Errorf("lead %d overdue = %v, want true", id, l["overdue"])
			}
		}
		if l := c.get(t, "/api/v1/leads/"+itoa(answered)); l["overdue"] != false {
			t.Errorf("the answered lead is flagged")
		}
		inbox := func(token string) []any {
			return c.Do(t, token, "GET", "/api/v1/notifications", nil).Want(t, 200).Map(t)["items"].([]any)
		}
		if got := inbox(aniToken); len(got) != 1 || got[0].(map[string]any)["link"] != "/leads/"+itoa(waiting) ||
			got[0].(map[string]any)["message"] != "Lead Budi Santoso is waiting: it has not been answered in time." {
			t.Errorf("Ani's notifications: %v", got)
		}
		if got := inbox(mgrToken); len(got) != 1 || got[0].(map[string]any)["message"] != "Lead Budi Santoso in your team has not been answered in time." {
			t.Errorf("the manager's notifications: %v", got)
		}
		if got := inbox(soloToken); len(got) != 1 {
			t.Errorf("a user without a team: %v", got)
		}
		if n := c.count(t, "SELECT count(*) FROM notifications"); n != 3 {
			t.Errorf("%d notifications, want 3 (owner and manager of Budi, owner of Dewi)", n)
		}
		// The overdue list is the lead list with a filter.
		list := c.get(t, "/api/v1/leads?filter=overdue%20%3D%20true&sort=first_name")["items"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["first_name"] != "Budi" || list[1].(map[string]any)["first_name"] != "Dewi" {
			t.Errorf("overdue leads: %v", list)
		}
		// A late answer clears the flag but keeps the time it took.
		c.respond(t, waiting, ani.ID, c.now())
		l := c.get(t, "/api/v1/leads/"+itoa(waiting))
		if l["overdue"] != false || num(t, l["response_seconds"]) != 301 {
			t.Errorf("answered late: overdue %v after %v seconds", l["overdue"], l["response_seconds"])
		}
		h := c.get(t, "/api/v1/leads/"+itoa(lone)+"/history")["items"].([]any)
		if h[0].(map[string]any)["action"] != "overdue" || h[0].(map[string]any)["actor_id"] != nil {
			t.Errorf("history of the flag: %v", h[0])
		}
	})
}
