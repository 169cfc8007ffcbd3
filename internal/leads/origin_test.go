package leads_test

import (
	"context"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
)

// Leads written by a quiet import (records.Origin, which the importer
// sets) are history: not dealt, no clock, nothing to flag. A person who
// gives one to someone later starts its clock; a quiet import that does
// starts none. An import of new leads is treated like leads typed in.
func TestQuietImportsStartNoClock(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		team := c.team(t, "Tim Jakarta", 0)
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, team)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, team)
		c.settings(t, 5, leads.ModeRoundRobin, team)
		admin := c.Admin.Principal()
		e := c.Leads.Entity()
		quiet := records.WithOrigin(ctx, records.Origin{ImportID: 7, Quiet: true})

		old, err := c.Store.Create(quiet, admin, e, records.Input{"first_name": "Lama"})
		if err != nil {
			t.Fatal(err)
		}
		if old.OwnerID != c.Admin.ID || old.Get("assigned_at") != nil || old.Get("response_due_at") != nil {
			t.Errorf("a quietly imported lead: owner %d, assigned %v, due %v; want the importer's, without a clock", old.OwnerID, old.Get("assigned_at"), old.Get("response_due_at"))
		}
		// The quiet import updates it, giving it to Ani: still no clock.
		upd, err := c.Store.Update(quiet, admin, e, old.ID, records.Input{"owner_id": ani.ID}, 0)
		if err != nil || upd.OwnerID != ani.ID || upd.Get("response_due_at") != nil {
			t.Errorf("reassigned by a quiet import: owner %d, due %v, %v", upd.OwnerID, upd.Get("response_due_at"), err)
		}
		// Given to Bayu by hand, it is his to answer now.
		upd, err = c.Store.Update(ctx, admin, e, old.ID, records.Input{"owner_id": bayu.ID}, 0)
		if err != nil || upd.Get("response_due_at") == nil {
			t.Errorf("reassigned by hand: due %v, %v; want the clock started", upd.Get("response_due_at"), err)
		}

		live := records.WithOrigin(ctx, records.Origin{ImportID: 8})
		fresh, err := c.Store.Create(live, admin, e, records.Input{"first_name": "Baru"})
		if err != nil {
			t.Fatal(err)
		}
		if fresh.OwnerID != ani.ID && fresh.OwnerID != bayu.ID || fresh.Get("response_due_at") == nil {
			t.Errorf("a new lead by import: owner %d, due %v; want dealt to the team and timed", fresh.OwnerID, fresh.Get("response_due_at"))
		}

		c.advance(time.Hour)
		w := &leads.OverdueWorker{DB: c.DB, Now: c.now}
		if n, err := w.Flag(ctx); err != nil || n != 2 {
			t.Errorf("flagged %d, %v; want the two leads on the clock (Bayu's and the new one)", n, err)
		}
	})
}
