package leads_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
)

func TestRoundRobinDealsLeadsInTurn(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim Jakarta", 0)
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, team)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, team)
		citra, _ := c.User(t, "citra@example.co.id", auth.Sales, team)
		c.User(t, "dodi@example.co.id", auth.ReadOnly, team) // cannot answer leads: never dealt one
		c.settings(t, 5, leads.ModeRoundRobin, team)

		var owners []int64
		for _, name := range []string{"Satu", "Dua", "Tiga", "Empat"} {
			l := c.lead(t, c.AdminToken, map[string]any{"first_name": name})
			owners = append(owners, num(t, l["owner_id"]))
			if l["assigned_at"] == nil || at(t, l["response_due_at"]).Sub(at(t, l["assigned_at"])) != 5*time.Minute {
				t.Errorf("lead %s: assigned %v, due %v; want due 5 minutes after assignment", name, l["assigned_at"], l["response_due_at"])
			}
		}
		want := []int64{ani.ID, bayu.ID, citra.ID, ani.ID}
		if !equal(owners, want) {
			t.Fatalf("owners %v, want %v (in ID order, wrapping around)", owners, want)
		}
		// A disabled member is skipped.
		disabled := true
		if _, err := c.Auth.UpdateUser(context.Background(), c.Admin.Principal(), bayu.ID, auth.UserUpdate{Disabled: &disabled}, 0); err != nil {
			t.Fatal(err)
		}
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "Lima"})
		if num(t, l["owner_id"]) != citra.ID {
			t.Errorf("after Bayu left, the lead went to %v, want Citra %d", l["owner_id"], citra.ID)
		}
		// An owner named in the input is kept.
		l = c.lead(t, c.AdminToken, map[string]any{"first_name": "Enam", "owner_id": ani.ID})
		if num(t, l["owner_id"]) != ani.ID {
			t.Errorf("explicit owner: %v, want %d", l["owner_id"], ani.ID)
		}
		// The assignment is in the lead's history.
		h := c.get(t, "/api/v1/leads/"+itoa(num(t, l["id"]))+"/history")
		if items := h["items"].([]any); len(items) != 2 || items[0].(map[string]any)["action"] != "assigned" {
			t.Errorf("history: %v", h)
		}
	})
}

func TestRulesAssignBeforeTheRoundRobin(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		jakarta := c.team(t, "Tim Jakarta", 0)
		surabaya := c.team(t, "Tim Surabaya", 0)
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, jakarta)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, jakarta)
		eko, _ := c.User(t, "eko@example.co.id", auth.Sales, surabaya)
		fajar, _ := c.User(t, "fajar@example.co.id", auth.Sales, surabaya)
		vip, _ := c.User(t, "vip@example.co.id", auth.Sales, 0)
		c.settings(t, 5, leads.ModeRules, jakarta)

		rule := func(body map[string]any) {
			c.Do(t, c.AdminToken, "POST", "/api/v1/lead-rules", body).Want(t, 201)
		}
		rule(map[string]any{"filter": `rating = "hot" and company is not null`, "user_id": vip.ID})
		rule(map[string]any{"filter": `city in ("Surabaya", "Malang")`, "team_id": surabaya})

		owner := func(body map[string]any) int64 {
			return num(t, c.lead(t, c.AdminToken, body)["owner_id"])
		}
		got := []int64{
			owner(map[string]any{"first_name": "A", "city": "Surabaya"}),
			owner(map[string]any{"first_name": "B", "city": "Jakarta"}),
			owner(map[string]any{"first_name": "C", "city": "malang"}),
			owner(map[string]any{"first_name": "D", "rating": "hot", "company": "PT Besar", "city": "Surabaya"}),
			owner(map[string]any{"first_name": "E"}),
			owner(map[string]any{"first_name": "F", "city": "Surabaya"}),
		}
		want := []int64{eko.ID, ani.ID, fajar.ID, vip.ID, bayu.ID, eko.ID}
		if !equal(got, want) {
			t.Fatalf("owners %v, want %v", got, want)
		}

		// In round-robin mode the rules rest.
		c.settings(t, 5, leads.ModeRoundRobin, jakarta)
		if o := owner(map[string]any{"first_name": "G", "city": "Surabaya"}); o != ani.ID {
			t.Errorf("round robin mode: %d, want Ani %d", o, ani.ID)
		}
		// With no assignment the creator keeps it, and the clock runs for them.
		c.settings(t, 5, leads.ModeNone, 0)
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "H", "city": "Surabaya"})
		if num(t, l["owner_id"]) != c.Admin.ID || l["response_due_at"] == nil {
			t.Errorf("mode none: owner %v due %v", l["owner_id"], l["response_due_at"])
		}
	})
}

func TestSalesUsersKeepTheLeadsTheyCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		c.User(t, "ani@example.co.id", auth.Sales, team)
		bayu, bayuToken := c.User(t, "bayu@example.co.id", auth.Sales, team)
		c.settings(t, 5, leads.ModeRoundRobin, team)
		// Round robin would give it to Ani, but Bayu may not give records away.
		l := c.lead(t, bayuToken, map[string]any{"first_name": "Walk-in"})
		if num(t, l["owner_id"]) != bayu.ID || l["assigned_at"] == nil {
			t.Errorf("owner %v assigned %v, want Bayu with a running clock", l["owner_id"], l["assigned_at"])
		}
	})
}

func TestRoundRobinIsFairUnderConcurrentCreates(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		var members []int64
		for _, e := range []string{"a@x.co.id", "b@x.co.id", "c@x.co.id"} {
			u, _ := c.User(t, e, auth.Sales, team)
			members = append(members, u.ID)
		}
		c.settings(t, 5, leads.ModeRoundRobin, team)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				_, err := c.Store.Create(context.Background(), c.Admin.Principal(), c.Leads.Entity(), records.Input{"first_name": itoa(int64(i))})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for _, m := range members {
			if n := c.count(t, "SELECT count(*) FROM leads WHERE owner_id = $1", m); n != 4 {
				t.Errorf("member %d got %d of 12 leads, want 4", m, n)
			}
		}
	})
}

func TestRuleFiltersAreChecked(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		_, salesToken := c.User(t, "ani@example.co.id", auth.Sales, team)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": `kota = "Bandung"`, "team_id": team}).Want(t, 422)
		if e := problemField(t, res.Map(t), "filter"); e == nil || e["code"] != "unknown_field" {
			t.Errorf("unknown field in a rule: %s", res.Body)
		}
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": `city = "Bandung"`}).Want(t, 422)
		if problemField(t, res.Map(t), "team_id") == nil {
			t.Errorf("a rule without an assignee: %s", res.Body)
		}
		c.Do(t, salesToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": "", "team_id": team}).Want(t, 403)
		r := c.Do(t, c.AdminToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": `rating = "hot"`, "team_id": team}).Want(t, 201).Map(t)
		list := c.get(t, "/api/v1/lead-rules")["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["assignee"] != "Tim" || num(t, list[0].(map[string]any)["position"]) != 1 {
			t.Errorf("rules: %v", list)
		}
		c.Do(t, salesToken, "DELETE", "/api/v1/lead-rules/"+itoa(num(t, r["id"])), nil).Want(t, 403)
		c.Do(t, c.AdminToken, "DELETE", "/api/v1/lead-rules/"+itoa(num(t, r["id"])), nil).Want(t, 204)
		c.Do(t, c.AdminToken, "DELETE", "/api/v1/lead-rules/"+itoa(num(t, r["id"])), nil).Want(t, 404)

		// Settings: read by anyone, changed by admins, checked.
		st := c.Do(t, salesToken, "GET", "/api/v1/lead-settings", nil).Want(t, 200).Map(t)
		// A fresh install assigns nothing, and says so: round robin needs
		// a team to deal within.
		if num(t, st["response_minutes"]) != 5 || st["assignment_mode"] != "none" || st["default_team_id"] != nil {
			t.Errorf("default settings: %v", st)
		}
		res = c.Do(t, c.AdminToken, "PUT", "/api/v1/lead-settings", map[string]any{"assignment_mode": "round_robin"}).Want(t, 422)
		if f := problemField(t, res.Map(t), "default_team_id"); f == nil || f["code"] != "required" {
			t.Errorf("round robin without a team: %s", res.Body)
		}
		c.Do(t, salesToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 10}).Want(t, 403)
		res = c.Do(t, c.AdminToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 0, "assignment_mode": "lottery", "default_team_id": 999}).Want(t, 422)
		for _, f := range []string{"response_minutes", "assignment_mode", "default_team_id"} {
			if problemField(t, res.Map(t), f) == nil {
				t.Errorf("no error for %s: %s", f, res.Body)
			}
		}
		st = c.Do(t, c.AdminToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 15, "assignment_mode": "rules", "default_team_id": team}).Want(t, 200).Map(t)
		if num(t, st["response_minutes"]) != 15 || st["assignment_mode"] != "rules" || num(t, st["default_team_id"]) != team || num(t, st["version"]) != 2 {
			t.Errorf("saved settings: %v", st)
		}
	})
}

// problemField returns the problem's error for a field, or nil.
func problemField(t *testing.T, problem map[string]any, field string) map[string]any {
	t.Helper()
	list, _ := problem["errors"].([]any)
	for _, e := range list {
		if m := e.(map[string]any); m["field"] == field {
			return m
		}
	}
	return nil
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
