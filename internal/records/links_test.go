package records_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// TestLinksOnlyToRecordsTheCallerMaySee holds the rule for every link
// between records, on a contact's account: a caller links only to an
// account it may read, and learns nothing of one it may not — neither its
// name in "display" nor, through a filter on account.name, whether a name
// is right. A hidden account answers exactly as a missing one, so trying
// IDs one by one tells nothing.
func TestLinksOnlyToRecordsTheCallerMaySee(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		utara, selatan := c.team(t, "Utara"), c.team(t, "Selatan")
		sales1, sales1Tok := c.user(t, "sales1", auth.Sales, utara)
		sales2, _ := c.user(t, "sales2", auth.Sales, utara)
		_, mgrTok := c.user(t, "manajer", auth.Manager, utara)
		_, supportTok := c.user(t, "support", auth.Support, utara)
		south, _ := c.user(t, "selatan", auth.Sales, selatan)
		_, mktTok := c.user(t, "marketing", auth.Marketing, 0)

		account := func(name string, owner any) map[string]any {
			return c.create(t, c.AdminToken, "accounts", map[string]any{"name": name, "owner_id": owner})
		}
		own := account("PT Milik Sales1", sales1.ID)
		team := account("PT Milik Sales2", sales2.ID)
		hidden := account("PT Rahasia Selatan", south.ID)
		public := account("PT Umum", nil)

		missing := c.Do(t, sales1Tok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Coba", "account_id": 999999})
		hiddenRes := c.Do(t, sales1Tok, "POST", "/api/v1/contacts", map[string]any{"first_name": "Coba", "account_id": hidden["id"]})
		wantFieldErrors(t, hiddenRes, map[string]string{"account_id": "not_found"})
		if string(hiddenRes.Body) != string(missing.Body) {
			t.Errorf("a hidden account answers\n%s\nbut a missing one\n%s", hiddenRes.Body, missing.Body)
		}

		for _, tc := range []struct {
			role    string
			token   string
			account map[string]any
			allowed bool
		}{
			{"sales, own account", sales1Tok, own, true},
			{"sales, unowned account", sales1Tok, public, true},
			{"sales, team mate's account", sales1Tok, team, false},
			{"sales, other team's account", sales1Tok, hidden, false},
			{"manager, team's account", mgrTok, team, true},
			{"manager, other team's account", mgrTok, hidden, false},
			{"support, team's account", supportTok, team, true},
			{"support, other team's account", supportTok, hidden, false},
			{"marketing, any account", mktTok, hidden, true},
		} {
			t.Run(tc.role, func(t *testing.T) {
				res := c.Do(t, tc.token, "POST", "/api/v1/contacts", map[string]any{"first_name": "Baru", "account_id": tc.account["id"]})
				if !tc.allowed {
					wantFieldErrors(t, res, map[string]string{"account_id": "not_found"})
					if strings.Contains(string(res.Body), show(tc.account["name"])) {
						t.Errorf("the refusal names the account: %s", res.Body)
					}
					return
				}
				got := res.Want(t, http.StatusCreated).Map(t)
				if d := got["display"].(map[string]any); show(d["account_id"]) != show(tc.account["name"]) {
					t.Errorf("display %v, want the account's name %q", d, tc.account["name"])
				}
			})
		}

		// Patching a link is checked as creating one is.
		mine := c.create(t, sales1Tok, "contacts", map[string]any{"first_name": "Sendiri"})
		wantFieldErrors(t, c.Do(t, sales1Tok, "PATCH", recPath("contacts", mine), map[string]any{"account_id": hidden["id"]}),
			map[string]string{"account_id": "not_found"})

		// A link someone else made stays, and stays editable, but the
		// hidden account's name shows nowhere: not by ID, not in lists,
		// not through a filter.
		linked := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Tertaut", "owner_id": sales1.ID, "account_id": hidden["id"]})
		for _, body := range []string{
			string(c.Do(t, sales1Tok, "GET", recPath("contacts", linked), nil).Want(t, http.StatusOK).Body),
			string(c.Do(t, sales1Tok, "GET", "/api/v1/contacts?limit=100", nil).Want(t, http.StatusOK).Body),
			string(c.Do(t, sales1Tok, "PATCH", recPath("contacts", linked), map[string]any{"job_title": "Pembeli"}).Want(t, http.StatusOK).Body),
		} {
			if strings.Contains(body, "Rahasia") {
				t.Errorf("the hidden account's name shows: %s", body)
			}
		}
		got := c.Do(t, sales1Tok, "GET", recPath("contacts", linked), nil).Map(t)
		if show(got["account_id"]) != show(hidden["id"]) {
			t.Errorf("account_id %v, want the link kept as %v", got["account_id"], hidden["id"])
		}
		for _, f := range []string{`account.name startswith "PT Rahasia"`, `account.name = "PT Rahasia Selatan"`, `account.name is not null`} {
			if items := c.list(t, sales1Tok, "contacts", "filter", f+` and first_name = "Tertaut"`); len(items) != 0 {
				t.Errorf("filter %s finds %v for a caller who may not read the account", f, column(items, "first_name"))
			}
			if items := c.list(t, c.AdminToken, "contacts", "filter", f+` and first_name = "Tertaut"`); len(items) != 1 {
				t.Errorf("filter %s finds %d contacts for the admin, want 1", f, len(items))
			}
		}
		if items := c.list(t, sales1Tok, "contacts", "filter", `account.name is null and first_name = "Tertaut"`); len(items) != 1 {
			t.Errorf("to a caller who may not read it, the account has a name (%d contacts with none, want 1)", len(items))
		}
		// The admin sees the name.
		if d := c.Do(t, c.AdminToken, "GET", recPath("contacts", linked), nil).Map(t)["display"].(map[string]any); show(d["account_id"]) != "PT Rahasia Selatan" {
			t.Errorf("the admin sees display %v", d)
		}
	})
}
