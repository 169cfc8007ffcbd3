package leads_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/leads"
)

// convertible is a lead with everything conversion carries over, owned by
// a sales user.
func (c *crm) convertible(t *testing.T, owner int64) int64 {
	t.Helper()
	c.settings(t, 5, leads.ModeNone, 0)
	return num(t, c.lead(t, c.AdminToken, map[string]any{
		"first_name": "Budi", "last_name": "Santoso", "company": "PT Maju Jaya", "job_title": "Direktur",
		"email": "budi@majujaya.co.id", "phone": "0812-3456-7890", "city": "Bandung", "source": "event",
		"rating": "hot", "status": "qualified", "owner_id": owner,
	})["id"])
}

func TestConvertMakesContactAccountAndDeal(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, 0)
		id := c.convertible(t, ani.ID)
		res := c.Do(t, aniToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "new"},
			"deal":    map[string]any{"create": true, "name": "Seragam 2026", "amount": 150000000, "close_date": "2026-06-30"},
		}).Want(t, 200).Map(t)
		contactID, accountID, dealID := num(t, res["contact_id"]), num(t, res["account_id"]), num(t, res["opportunity_id"])

		contact := c.get(t, "/api/v1/contacts/"+itoa(contactID))
		want := map[string]any{"first_name": "Budi", "last_name": "Santoso", "job_title": "Direktur", "city": "Bandung", "source": "event",
			"lifecycle_stage": "engagement", "emails": []any{"budi@majujaya.co.id"}, "phones": []any{"+6281234567890"}}
		for k, v := range want {
			if !reflect.DeepEqual(contact[k], v) {
				t.Errorf("contact %s = %v, want %v", k, contact[k], v)
			}
		}
		if num(t, contact["owner_id"]) != ani.ID || num(t, contact["account_id"]) != accountID {
			t.Errorf("contact owner %v account %v", contact["owner_id"], contact["account_id"])
		}
		account := c.get(t, "/api/v1/accounts/"+itoa(accountID))
		if account["name"] != "PT Maju Jaya" || num(t, account["owner_id"]) != ani.ID || account["city"] != "Bandung" {
			t.Errorf("account: %v", account)
		}
		var name, amount, closeDate string
		var dealContact, dealAccount, dealOwner int64
		if err := c.DB.Read().QueryRow("SELECT name, amount, close_date, contact_id, account_id, owner_id FROM test_deals WHERE id = $1", dealID).
			Scan(&name, &amount, &closeDate, &dealContact, &dealAccount, &dealOwner); err != nil {
			t.Fatal(err)
		}
		if name != "Seragam 2026" || amount != "150000000" || closeDate != "2026-06-30" || dealContact != contactID || dealAccount != accountID || dealOwner != ani.ID {
			t.Errorf("deal: %s %s %s contact %d account %d owner %d", name, amount, closeDate, dealContact, dealAccount, dealOwner)
		}

		lead := c.get(t, "/api/v1/leads/"+itoa(id))
		if lead["status"] != "converted" || lead["converted_at"] == nil || num(t, lead["converted_contact_id"]) != contactID ||
			num(t, lead["converted_account_id"]) != accountID || num(t, lead["converted_opportunity_id"]) != dealID {
			t.Errorf("lead after conversion: %v", lead)
		}
		display := lead["display"].(map[string]any)
		if display["converted_contact_id"] != "Budi Santoso" || display["converted_account_id"] != "PT Maju Jaya" || display["converted_opportunity_id"] != "Seragam 2026" {
			t.Errorf("the lead shows what it became as %v", display)
		}

		// History on both sides names the other.
		lh := c.get(t, "/api/v1/leads/"+itoa(id)+"/history")["items"].([]any)[0].(map[string]any)
		if lh["action"] != "converted" || num(t, lh["actor_id"]) != ani.ID || num(t, lh["changes"].(map[string]any)["converted_contact_id"].([]any)[1]) != contactID {
			t.Errorf("lead history: %v", lh)
		}
		ch := c.get(t, "/api/v1/contacts/"+itoa(contactID)+"/history")["items"].([]any)[0].(map[string]any)
		if ch["action"] != "converted" || num(t, ch["changes"].(map[string]any)["lead_id"].([]any)[1]) != id {
			t.Errorf("contact history: %v", ch)
		}
		// The other modules' hook moved what they keep.
		if got := c.conversions(); len(got) != 1 || got[0] != [3]int64{id, contactID, accountID} {
			t.Errorf("OnConvert calls: %v", got)
		}
	})
}

func TestConvertIntoAnExistingAccount(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		id := c.convertible(t, c.Admin.ID)
		acc := c.Do(t, c.AdminToken, "POST", "/api/v1/accounts", map[string]any{"name": "PT Maju Jaya Tbk"}).Want(t, 201).Map(t)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "existing", "id": acc["id"]},
		}).Want(t, 200).Map(t)
		if num(t, res["account_id"]) != num(t, acc["id"]) || res["opportunity_id"] != nil {
			t.Fatalf("result: %v", res)
		}
		if n := c.count(t, "SELECT count(*) FROM accounts"); n != 1 {
			t.Errorf("%d accounts, want only the existing one", n)
		}
		contact := c.get(t, "/api/v1/contacts/"+itoa(num(t, res["contact_id"])))
		if num(t, contact["account_id"]) != num(t, acc["id"]) {
			t.Errorf("contact's account %v", contact["account_id"])
		}
		// A lead without anything asked becomes a contact alone; no body at all is fine.
		other := num(t, c.lead(t, c.AdminToken, map[string]any{"first_name": "Sari"})["id"])
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(other)+"/convert", nil).Want(t, 200).Map(t)
		if res["account_id"] != nil || res["contact_id"] == nil {
			t.Errorf("bare conversion: %v", res)
		}
	})
}

func TestAFailedConversionChangesNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		id := c.convertible(t, c.Admin.ID)
		before := c.get(t, "/api/v1/leads/"+itoa(id))
		c.failDeal.Store(true)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "new"}, "deal": map[string]any{"create": true, "amount": json.Number("12.345")},
		}).Want(t, 422)
		if e := problemField(t, res.Map(t), "deal.amount"); e == nil || e["code"] != "invalid_amount" {
			t.Errorf("the deal's error is not beside its field: %s", res.Body)
		}
		for _, table := range []string{"contacts", "accounts", "test_deals", "contact_emails"} {
			if n := c.count(t, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		after := c.get(t, "/api/v1/leads/"+itoa(id))
		if after["status"] != "qualified" || num(t, after["version"]) != num(t, before["version"]) || after["converted_contact_id"] != nil {
			t.Errorf("the lead changed: %v", after)
		}
		if len(c.conversions()) != 0 {
			t.Errorf("the hook ran for a conversion that failed")
		}

		// Bad choices are all reported at once.
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "existing"},
		}).Want(t, 422)
		if problemField(t, res.Map(t), "account.id") == nil {
			t.Errorf("existing account without an ID: %s", res.Body)
		}
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "existing", "id": 4242},
		}).Want(t, 422)
		if problemField(t, res.Map(t), "account.id") == nil {
			t.Errorf("existing account that does not exist: %s", res.Body)
		}
		// Values the chosen mode does not use are refused, not ignored.
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"account": map[string]any{"id": 4242}}, "account.id"},
			{map[string]any{"account": map[string]any{"mode": "new", "id": 4242}}, "account.id"},
			{map[string]any{"account": map[string]any{"name": "PT Baru"}}, "account.name"},
			{map[string]any{"account": map[string]any{"mode": "existing", "id": 4242, "name": "PT Baru"}}, "account.name"},
			{map[string]any{"deal": map[string]any{"amount": 1500000}}, "deal.amount"},
			{map[string]any{"deal": map[string]any{"name": "Seragam"}}, "deal.name"},
			{map[string]any{"deal": map[string]any{"create": false, "close_date": "2026-12-31"}}, "deal.close_date"},
		} {
			res = c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", tc.body).Want(t, 422)
			if e := problemField(t, res.Map(t), tc.field); e == nil || !strings.HasPrefix(fmt.Sprint(e["code"]), "needs_") {
				t.Errorf("%v: %s; want %s refused as unused by the mode", tc.body, res.Body, tc.field)
			}
		}
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Errorf("%d contacts made by refused conversions", n)
		}
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{"acount": map[string]any{}}).Want(t, 422)
		if problemField(t, res.Map(t), "acount") == nil {
			t.Errorf("a misspelt key: %s", res.Body)
		}
	})
}

func TestConvertingTwiceIsAConflict(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		id := c.convertible(t, c.Admin.ID)
		c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{}).Want(t, 200)
		c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{}).Want(t, 409)
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 1 {
			t.Errorf("%d contacts, want 1", n)
		}
		// A converted lead keeps its status.
		res := c.Do(t, c.AdminToken, "PATCH", "/api/v1/leads/"+itoa(id), map[string]any{"status": "qualified"}).Want(t, 422)
		if problemField(t, res.Map(t), "status") == nil {
			t.Errorf("reopening a converted lead: %s", res.Body)
		}
	})
}

func TestOnlyThoseWhoMayChangeALeadConvertIt(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		team := c.team(t, "Tim", 0)
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, team)
		_, bayuToken := c.User(t, "bayu@example.co.id", auth.Sales, team)
		_, supportToken := c.User(t, "dewi@example.co.id", auth.Support, team)
		_, readToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)
		id := c.convertible(t, ani.ID)
		path := "/api/v1/leads/" + itoa(id) + "/convert"
		c.Do(t, bayuToken, "POST", path, map[string]any{}).Want(t, 404)    // may not see it
		c.Do(t, supportToken, "POST", path, map[string]any{}).Want(t, 403) // sees the team's, changes only their own
		c.Do(t, readToken, "POST", path, map[string]any{}).Want(t, 403)
		c.Do(t, c.AdminToken, "POST", "/api/v1/leads/999/convert", map[string]any{}).Want(t, 404)
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Errorf("%d contacts made by refused conversions", n)
		}
	})
}

func TestConvertIntoAnAccountOneMayNotSeeIsRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, 0)
		id := c.convertible(t, ani.ID)
		acc := c.Do(t, c.AdminToken, "POST", "/api/v1/accounts", map[string]any{"name": "PT Rahasia"}).Want(t, 201).Map(t)
		res := c.Do(t, aniToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "existing", "id": acc["id"]},
		}).Want(t, 422)
		if problemField(t, res.Map(t), "account.id") == nil {
			t.Errorf("an account Ani may not see: %s", res.Body)
		}
	})
}

func TestConvertWithoutADealsModuleRefusesDeals(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		m := leads.New(c.Store, leads.Config{})
		c.settings(t, 5, leads.ModeNone, 0)
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi"})
		_, err := m.Convert(context.Background(), c.Admin.Principal(), num(t, l["id"]), leads.ConvertInput{Deal: leads.DealChoice{Create: true}})
		if e, ok := errs.As(err); !ok || e.Field("deal.create") == "" {
			t.Fatalf("a deal asked for without a deals module: %v", err)
		}
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Errorf("%d contacts made", n)
		}
	})
}

func TestConcurrentConversionsMakeOneContact(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		id := c.convertible(t, c.Admin.ID)
		var wg sync.WaitGroup
		var ok, conflict atomic.Int32
		for range 4 {
			wg.Go(func() {
				_, err := c.Leads.Convert(context.Background(), c.Admin.Principal(), id, leads.ConvertInput{Account: leads.AccountChoice{Mode: leads.AccountNew}})
				switch {
				case err == nil:
					ok.Add(1)
				case errs.Is(err, errs.Conflict):
					conflict.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || conflict.Load() != 3 {
			t.Errorf("%d conversions and %d conflicts, want 1 and 3", ok.Load(), conflict.Load())
		}
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 1 {
			t.Errorf("%d contacts", n)
		}
	})
}

// The deal's amount is a JSON number, as every amount the API takes.
func TestConvertRefusesAnAmountAsText(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		id := c.convertible(t, c.Admin.ID)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/leads/"+itoa(id)+"/convert", map[string]any{
			"account": map[string]any{"mode": "new"}, "deal": map[string]any{"create": true, "amount": "2500000"},
		}).Want(t, 422)
		if e := problemField(t, res.Map(t), "deal.amount"); e == nil || e["code"] != "wrong_type" {
			t.Errorf("an amount sent as text: %s, want wrong_type on deal.amount", res.Body)
		}
		if n := c.count(t, "SELECT count(*) FROM contacts"); n != 0 {
			t.Errorf("%d contacts made by a refused conversion", n)
		}
	})
}
