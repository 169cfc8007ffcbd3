package timeline_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/timeline"
)

func TestTimelineMergesEveryTouchpointNewestFirst(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Intro call", "related_type": "contacts", "related_id": con["id"]})
		c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con["id"]), map[string]any{"city": "Bandung"}).Want(t, http.StatusOK)
		order := c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": con["id"]})
		c.Do(t, c.AdminToken, "POST", recPath("orders", order["id"])+"/lines", map[string]any{"description": "Kopi", "unit_price": 150000, "quantity": 2}).Want(t, http.StatusCreated)
		later := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
		c.history(t, later, "contacts", num(t, con["id"]), "converted", map[string][2]any{"lead": {nil, "Budi (lead)"}})
		deal := c.deal(t, later, c.Admin, "Kopi for the office", num(t, con["id"]), num(t, acc["id"]), 5_000_000_00, false)
		c.history(t, later.Add(time.Hour), "opportunities", deal, "stage_changed", map[string][2]any{"stage": {"Prospecting", "Qualification"}, "stage_id": {1, 2}})

		describe := func(p timelinePage) []string {
			var out []string
			for _, it := range p.Items {
				s := it.Kind + " " + it.Title
				if it.Detail != "" {
					s += " (" + it.Detail + ")"
				}
				if it.Amount != nil {
					s += " " + it.Amount.Currency + " " + string(it.Amount.Amount)
				}
				out = append(out, s)
			}
			return out
		}
		got := describe(c.page(t, c.AdminToken, recPath("contacts", con["id"])+"/timeline"))
		want := []string{
			"stage Kopi for the office (stage: Prospecting → Qualification)",
			"deal Kopi for the office (Prospecting) IDR 5000000",
			"conversion converted (lead: — → Budi (lead))",
			"order " + fmt.Sprint(order["number"]) + " (draft) IDR 300000",
			"change updated (city: — → Bandung)",
			"activity Intro call (call)",
		}
		if len(got) != 7 || !slices.Equal(got[:6], want) || !strings.HasPrefix(got[6], "change created (") {
			t.Errorf("contact timeline:\n got %q\nwant %q and the contact's creation", got, want)
		}

		// The account's timeline has what concerns it and its contacts,
		// and its own history instead of the contact's.
		got = describe(c.page(t, c.AdminToken, recPath("accounts", acc["id"])+"/timeline"))
		want = []string{
			"stage Kopi for the office (stage: Prospecting → Qualification)",
			"deal Kopi for the office (Prospecting) IDR 5000000",
			"order " + fmt.Sprint(order["number"]) + " (draft) IDR 300000",
			"activity Intro call (call)",
		}
		if len(got) != 5 || !slices.Equal(got[:4], want) || !strings.HasPrefix(got[4], "change created (") {
			t.Errorf("account timeline:\n got %q\nwant %q and the account's creation", got, want)
		}
	})
}

func TestTimelinePagesWithoutGapsOrDuplicates(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		// Nineteen items at one instant — four changes, six activities,
		// five orders, two conversions, two deals — and three later ones.
		same := time.Date(2026, 4, 1, 10, 30, 0, 123456000, time.UTC)
		c.at(same)
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		for i := range 3 {
			c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con["id"]), map[string]any{"job_title": fmt.Sprint("Manager ", i)}).Want(t, http.StatusOK)
		}
		for i := range 6 {
			c.create(t, c.AdminToken, "activities", map[string]any{"kind": "note", "subject": fmt.Sprint("Note ", i), "related_type": "contacts", "related_id": con["id"]})
		}
		for range 5 {
			c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": con["id"]})
		}
		c.history(t, same, "contacts", num(t, con["id"]), "converted", nil)
		c.history(t, same, "contacts", num(t, con["id"]), "converted", nil)
		c.deal(t, same, c.Admin, "Deal A", num(t, con["id"]), 0, 100, false)
		c.deal(t, same, c.Admin, "Deal B", num(t, con["id"]), 0, 200, false)
		c.at(same.Add(time.Minute))
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "note", "subject": "Later note", "related_type": "contacts", "related_id": con["id"]})
		c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": con["id"]})
		c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con["id"]), map[string]any{"city": "Medan"}).Want(t, http.StatusOK)
		const total = 19 + 3

		all := c.page(t, c.AdminToken, recPath("contacts", con["id"])+"/timeline?limit=100")
		if len(all.Items) != total || all.NextCursor != "" {
			t.Fatalf("one big page has %d items (next cursor %q), want %d and no more", len(all.Items), all.NextCursor, total)
		}
		var want []string
		for i, it := range all.Items {
			want = append(want, fmt.Sprintf("%s/%d", it.Kind, it.ID))
			if i == 0 {
				continue
			}
			prev := all.Items[i-1]
			ordered := prev.At.After(it.At) || prev.At.Equal(it.At) && (prev.Kind > it.Kind || prev.Kind == it.Kind && prev.ID > it.ID)
			if !ordered {
				t.Errorf("item %d (%s %d at %v) does not come after item %d (%s %d at %v)", i, it.Kind, it.ID, it.At, i-1, prev.Kind, prev.ID, prev.At)
			}
		}
		if sameInstant := countAt(all, same); sameInstant != 19 {
			t.Errorf("%d items at the shared instant, want 19", sameInstant)
		}

		for _, limit := range []int{1, 2, 3, 5, 7, 20} {
			var got []string
			path := recPath("contacts", con["id"]) + fmt.Sprintf("/timeline?limit=%d", limit)
			for pages := 0; ; pages++ {
				if pages > total {
					t.Fatalf("limit %d: more pages than items; the cursor does not advance", limit)
				}
				p := c.page(t, c.AdminToken, path)
				if len(p.Items) > limit {
					t.Fatalf("limit %d: a page of %d items", limit, len(p.Items))
				}
				for _, it := range p.Items {
					got = append(got, fmt.Sprintf("%s/%d", it.Kind, it.ID))
				}
				if p.NextCursor == "" {
					break
				}
				path = recPath("contacts", con["id"]) + fmt.Sprintf("/timeline?limit=%d&cursor=%s", limit, p.NextCursor)
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d: paging gave\n%v\nwant the one big page\n%v", limit, got, want)
			}
		}
	})
}

func countAt(p timelinePage, at time.Time) int {
	n := 0
	for _, it := range p.Items {
		if it.At.Equal(at) {
			n++
		}
	}
	return n
}

func TestTimelineFollowsWhatTheCallerMayRead(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		sari, sariToken := c.User(t, "sari@example.co.id", auth.Sales, 0)
		_, ekoToken := c.User(t, "eko@example.co.id", auth.Sales, 0)
		mine := c.create(t, sariToken, "contacts", map[string]any{"first_name": "Budi"})
		c.create(t, sariToken, "activities", map[string]any{"kind": "call", "subject": "Sari's call", "related_type": "contacts", "related_id": mine["id"]})
		// The admin logs a meeting on Sari's contact and keeps it.
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "meeting", "subject": "Admin's meeting", "related_type": "contacts", "related_id": mine["id"]})

		for _, what := range []string{"timeline", "summary"} {
			c.Do(t, ekoToken, "GET", recPath("contacts", mine["id"])+"/"+what, nil).Want(t, http.StatusNotFound)
			c.Do(t, sariToken, "GET", recPath("contacts", 999999)+"/"+what, nil).Want(t, http.StatusNotFound)
		}
		subjects := func(token string) []string {
			var out []string
			for _, it := range c.page(t, token, recPath("contacts", mine["id"])+"/timeline").Items {
				if it.Kind == "activity" {
					out = append(out, it.Title)
				}
			}
			return out
		}
		if got := subjects(sariToken); !slices.Equal(got, []string{"Sari's call"}) {
			t.Errorf("Sari sees activities %v, want only her own call", got)
		}
		if got := subjects(c.AdminToken); !slices.Equal(got, []string{"Admin's meeting", "Sari's call"}) {
			t.Errorf("the admin sees activities %v, want both", got)
		}
		if _, err := c.Timeline.ForContact(context.Background(), sari.Principal(), num(t, mine["id"]), "", 0); err == nil {
			t.Error("a limit of 0 was accepted")
		}
	})
}

func TestTimelineRefusesBadPaging(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		base := recPath("contacts", con["id"]) + "/timeline"
		for _, query := range []string{"?limit=0", "?limit=101", "?limit=ten", "?cursor=bm9wZQ", "?cursor=WyIyMDI2IiwiYWN0aXZpdHkiLDFd"} {
			c.Do(t, c.AdminToken, "GET", base+query, nil).Want(t, http.StatusUnprocessableEntity)
		}
	})
}

func TestSummary(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"], "lifecycle_stage": "customer"})
		met := time.Date(2026, 2, 10, 3, 0, 0, 0, time.UTC)
		meeting := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "meeting", "subject": "Demo", "due_at": met.Format(time.RFC3339), "done": true, "related_type": "contacts", "related_id": con["id"]})
		// The task still to do is not the last activity; the held meeting is.
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "task", "subject": "Send the quotation", "due_at": time.Now().AddDate(0, 0, 1).Format(time.RFC3339), "related_type": "contacts", "related_id": con["id"]})
		heldAt := meeting["done_at"]
		for _, o := range []struct {
			status string
			price  int
		}{{"paid", 1_500_000}, {"cancelled", 700_000}, {"draft", 3_000_000}, {"completed", 250_000}} {
			order := c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": con["id"], "status": o.status})
			c.Do(t, c.AdminToken, "POST", recPath("orders", order["id"])+"/lines", map[string]any{"description": "Kopi", "unit_price": o.price}).Want(t, http.StatusCreated)
		}
		c.deal(t, met, c.Admin, "Open deal", num(t, con["id"]), num(t, acc["id"]), 5_000_000_00, false)
		c.deal(t, met, c.Admin, "Another open deal", num(t, con["id"]), 0, 2_500_000_00, false)
		c.deal(t, met, c.Admin, "Won deal", num(t, con["id"]), num(t, acc["id"]), 9_000_000_00, true)

		s := c.Do(t, c.AdminToken, "GET", recPath("contacts", con["id"])+"/summary", nil).Want(t, http.StatusOK).Map(t)
		got := fmt.Sprint(s["owner"], " | ", s["lifecycle_stage"], " | ", s["last_activity_at"], " | ", s["open_deals"], " | ", s["lifetime_value"])
		want := fmt.Sprint(c.Admin.Name, " | customer | ", heldAt, " | map[amounts:[map[amount:7500000 currency:IDR]] count:2] | [map[amount:1750000 currency:IDR]]")
		if got != want {
			t.Errorf("contact summary\n got %s\nwant %s", got, want)
		}
		s = c.Do(t, c.AdminToken, "GET", recPath("accounts", acc["id"])+"/summary", nil).Want(t, http.StatusOK).Map(t)
		got = fmt.Sprint(s["lifecycle_stage"], " | ", s["last_activity_at"], " | ", s["open_deals"], " | ", s["lifetime_value"])
		want = fmt.Sprint("<nil> | ", heldAt, " | map[amounts:[map[amount:5000000 currency:IDR]] count:1] | [map[amount:1750000 currency:IDR]]")
		if got != want {
			t.Errorf("account summary\n got %s\nwant %s", got, want)
		}

		// Without deals, the summary says nothing about them.
		noDeals := timeline.New(c.Store, c.Entities[1], c.Entities[0], timeline.Sources{})
		sum, err := noDeals.ContactSummary(context.Background(), c.Admin.Principal(), num(t, con["id"]))
		if err != nil || sum.OpenDeals != nil || len(sum.LifetimeValue) != 1 {
			t.Errorf("summary without deals: open deals %v, lifetime value %v (err %v); want none and IDR", sum.OpenDeals, sum.LifetimeValue, err)
		}
	})
}
