package records_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// TestContactAuthorisation holds every role's reach over contacts: which
// ones it sees in lists, by ID and in search, and which it may change.
// Team Utara has a manager, two sales people and a support agent; team
// Selatan one sales person; marketing and readonly have no team.
func TestContactAuthorisation(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		utara, selatan := c.team(t, "Utara"), c.team(t, "Selatan")
		mgr, mgrTok := c.user(t, "manajer", auth.Manager, utara)
		sales1, sales1Tok := c.user(t, "sales1", auth.Sales, utara)
		sales2, _ := c.user(t, "sales2", auth.Sales, utara)
		support, supportTok := c.user(t, "support", auth.Support, utara)
		south, _ := c.user(t, "selatan", auth.Sales, selatan)
		mkt, mktTok := c.user(t, "marketing", auth.Marketing, 0)
		_, roTok := c.user(t, "readonly", auth.ReadOnly, 0)
		loner, lonerTok := c.user(t, "manajer2", auth.Manager, 0)

		// One contact per owner, named after it; "Umum" has no owner.
		byName := map[string]map[string]any{}
		for name, owner := range map[string]any{
			"Milik Manajer": mgr.ID, "Milik Sales1": sales1.ID, "Milik Sales2": sales2.ID, "Milik Support": support.ID,
			"Milik Selatan": south.ID, "Milik Marketing": mkt.ID, "Milik Manajer2": loner.ID, "Umum": nil,
		} {
			first, last, _ := strings.Cut(name, " ")
			byName[name] = c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": first, "last_name": last, "owner_id": owner,
				"emails": []string{strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@contoh.co.id"}})
		}
		all := []string{"Milik Manajer", "Milik Manajer2", "Milik Marketing", "Milik Sales1", "Milik Sales2", "Milik Selatan", "Milik Support", "Umum"}
		teamUtara := []string{"Milik Manajer", "Milik Sales1", "Milik Sales2", "Milik Support", "Umum"}
		for _, tc := range []struct {
			role    string
			token   string
			sees    []string
			changes []string // of those it sees
		}{
			{"admin", c.AdminToken, all, all},
			{"manager", mgrTok, teamUtara, teamUtara},
			{"manager without a team", lonerTok, []string{"Milik Manajer2", "Umum"}, []string{"Milik Manajer2", "Umum"}},
			{"sales", sales1Tok, []string{"Milik Sales1", "Umum"}, []string{"Milik Sales1"}},
			{"support", supportTok, teamUtara, []string{"Milik Support"}},
			{"marketing", mktTok, all, []string{"Milik Marketing"}},
			{"readonly", roTok, all, nil},
		} {
			t.Run(tc.role, func(t *testing.T) {
				var listed []string
				for _, it := range c.list(t, tc.token, "contacts", "limit", "100") {
					listed = append(listed, show(it["title"]))
				}
				if !sameSet(listed, tc.sees) {
					t.Errorf("lists %v, want %v", listed, tc.sees)
				}
				var found []string
				var hits struct{ Items []struct{ Title string } }
				c.Do(t, tc.token, "GET", "/api/v1/search?q=contoh", nil).Want(t, http.StatusOK).JSON(t, &hits)
				for _, h := range hits.Items {
					found = append(found, h.Title)
				}
				if !sameSet(found, tc.sees) {
					t.Errorf("search finds %v, want %v", found, tc.sees)
				}
				for _, name := range all {
					p := recPath("contacts", byName[name])
					sees := slices.Contains(tc.sees, name)
					mayChange := slices.Contains(tc.changes, name)
					get := c.Do(t, tc.token, "GET", p, nil)
					patch := c.Do(t, tc.token, "PATCH", p, map[string]any{"job_title": "Diubah oleh " + tc.role})
					switch {
					case !sees:
						get.Want(t, http.StatusNotFound)
						patch.Want(t, http.StatusNotFound)
						c.Do(t, tc.token, "DELETE", p, nil).Want(t, http.StatusNotFound)
						c.Do(t, tc.token, "GET", p+"/history", nil).Want(t, http.StatusNotFound)
					case !mayChange:
						get.Want(t, http.StatusOK)
						patch.Want(t, http.StatusForbidden)
						c.Do(t, tc.token, "DELETE", p, nil).Want(t, http.StatusForbidden)
						c.Do(t, tc.token, "GET", p+"/history", nil).Want(t, http.StatusOK)
					default:
						get.Want(t, http.StatusOK)
						if got := patch.Want(t, http.StatusOK).Map(t); got["job_title"] != "Diubah oleh "+tc.role {
							t.Errorf("%s: job_title %v", name, got["job_title"])
						}
					}
				}
			})
		}

		// A refused change changed nothing.
		got := c.Do(t, c.AdminToken, "GET", recPath("contacts", byName["Milik Sales2"]), nil).Want(t, http.StatusOK).Map(t)
		if got["job_title"] != "Diubah oleh manager" {
			t.Errorf("Milik Sales2's job_title %v; only the admin and the manager changed it, the manager last", got["job_title"])
		}

		// Deleting and restoring follow the write rule.
		own := c.create(t, sales1Tok, "contacts", map[string]any{"first_name": "Baru"})
		if show(own["owner_id"]) != show(sales1.ID) {
			t.Errorf("a new contact belongs to %v, want its creator %d", own["owner_id"], sales1.ID)
		}
		c.Do(t, sales1Tok, "DELETE", recPath("contacts", own), nil).Want(t, http.StatusNoContent)
		c.Do(t, supportTok, "POST", recPath("contacts", own)+"/restore", nil).Want(t, http.StatusForbidden)
		c.Do(t, mktTok, "POST", recPath("contacts", own)+"/restore", nil).Want(t, http.StatusForbidden)
		for _, tok := range []string{sales1Tok, supportTok, mktTok} {
			if got := column(c.list(t, tok, "contacts", "trash", "true"), "first_name"); !slices.Equal(got, []string{"Baru"}) {
				t.Errorf("trash %v, want [Baru]", got)
			}
		}
		if got := c.list(t, lonerTok, "contacts", "trash", "true"); len(got) != 0 {
			t.Errorf("another team's manager sees the trash of sales1: %v", got)
		}
		c.Do(t, sales1Tok, "POST", recPath("contacts", own)+"/restore", nil).Want(t, http.StatusOK)
		c.Do(t, roTok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Tidak"}).Want(t, http.StatusForbidden)
	})
}

// TestGiveAway holds that giving a record to another owner needs the
// right to write it at the new owner too, on create and on change.
func TestGiveAway(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		utara, selatan := c.team(t, "Utara"), c.team(t, "Selatan")
		_, mgrTok := c.user(t, "manajer", auth.Manager, utara)
		sales1, sales1Tok := c.user(t, "sales1", auth.Sales, utara)
		sales2, _ := c.user(t, "sales2", auth.Sales, utara)
		south, _ := c.user(t, "selatan", auth.Sales, selatan)
		_, supportTok := c.user(t, "support", auth.Support, utara)

		con := c.create(t, sales1Tok, "contacts", map[string]any{"first_name": "Ani"})
		p := recPath("contacts", con)
		// Sales may not hand its contact to a colleague, nor make it unowned.
		c.Do(t, sales1Tok, "PATCH", p, map[string]any{"owner_id": sales2.ID}).Want(t, http.StatusForbidden)
		c.Do(t, sales1Tok, "PATCH", p, map[string]any{"owner_id": nil}).Want(t, http.StatusForbidden)
		// Support may not give a team mate's contact to itself.
		c.Do(t, supportTok, "PATCH", p, map[string]any{"owner_id": sales2.ID}).Want(t, http.StatusForbidden)
		// The manager may move it within the team, not out of it.
		c.Do(t, mgrTok, "PATCH", p, map[string]any{"owner_id": south.ID}).Want(t, http.StatusForbidden)
		got := c.Do(t, c.AdminToken, "GET", p, nil).Want(t, http.StatusOK).Map(t)
		if show(got["owner_id"]) != show(sales1.ID) || show(got["version"]) != "1" {
			t.Errorf("after refused hand-overs: owner %v version %v", got["owner_id"], got["version"])
		}
		moved := c.Do(t, mgrTok, "PATCH", p, map[string]any{"owner_id": sales2.ID}).Want(t, http.StatusOK).Map(t)
		if show(moved["owner_id"]) != show(sales2.ID) || moved["display"].(map[string]any)["owner_id"] != sales2.Name {
			t.Errorf("moved: owner %v display %v", moved["owner_id"], moved["display"])
		}
		// Now sales1 no longer sees it.
		c.Do(t, sales1Tok, "GET", p, nil).Want(t, http.StatusNotFound)
		// The manager may make it unowned; the admin may give it to anyone.
		c.Do(t, mgrTok, "PATCH", p, map[string]any{"owner_id": nil}).Want(t, http.StatusOK)
		c.Do(t, c.AdminToken, "PATCH", p, map[string]any{"owner_id": south.ID}).Want(t, http.StatusOK)

		// The same on create.
		c.Do(t, sales1Tok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Budi", "owner_id": sales2.ID}).Want(t, http.StatusForbidden)
		c.Do(t, sales1Tok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Budi", "owner_id": nil}).Want(t, http.StatusForbidden)
		c.Do(t, mgrTok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Budi", "owner_id": south.ID}).Want(t, http.StatusForbidden)
		c.create(t, mgrTok, "contacts", map[string]any{"first_name": "Budi", "owner_id": sales1.ID})
		unowned := c.create(t, mgrTok, "contacts", map[string]any{"first_name": "Citra", "owner_id": nil})
		if unowned["owner_id"] != nil {
			t.Errorf("owner_id %v, want none", unowned["owner_id"])
		}
		// An unowned contact is readable by sales but not theirs to change or take.
		c.Do(t, sales1Tok, "GET", recPath("contacts", unowned), nil).Want(t, http.StatusOK)
		c.Do(t, sales1Tok, "PATCH", recPath("contacts", unowned), map[string]any{"owner_id": sales1.ID}).Want(t, http.StatusForbidden)
		c.Do(t, mgrTok, "PATCH", recPath("contacts", unowned), map[string]any{"owner_id": sales1.ID}).Want(t, http.StatusOK)

		// When sales2 leaves (is disabled), its contacts stay editable and
		// can be handed over, but nothing new can be given to it.
		left := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Eko", "owner_id": sales2.ID})
		if _, err := c.DB.Writer().Exec("UPDATE users SET disabled_at = created_at WHERE id = $1", sales2.ID); err != nil {
			t.Fatal(err)
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Dewi", "owner_id": sales2.ID}),
			map[string]string{"owner_id": "not_found"})
		wantFieldErrors(t, c.Do(t, mgrTok, "PATCH", recPath("contacts", unowned), map[string]any{"owner_id": sales2.ID}), map[string]string{"owner_id": "not_found"})
		c.Do(t, mgrTok, "PATCH", recPath("contacts", left), map[string]any{"city": "Solo"}).Want(t, http.StatusOK)
		c.Do(t, mgrTok, "PATCH", recPath("contacts", left), map[string]any{"owner_id": sales1.ID}).Want(t, http.StatusOK)
		if got := column(c.list(t, sales1Tok, "contacts", "filter", `city = "Solo"`), "first_name"); len(got) != 1 {
			t.Errorf("sales1 does not see the contact handed over: %v", got)
		}
	})
}
