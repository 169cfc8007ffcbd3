package leads_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
)

// TestConvertPicksAnExistingAccountByName: the conversion form's
// "existing account" is a picker over the accounts' lookup; a refused
// conversion shows the chosen account by name again, never the name of an
// account the user may not see, and a good one links the contact to it.
func TestConvertPicksAnExistingAccountByName(t *testing.T) {
	eachEngineSite(t, leads.Config{}, func(t *testing.T, s *site) {
		ctx := context.Background()
		u, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: "andi@example.co.id", Name: "Andi", Password: password, Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		andi, andiP := s.browser(t, "andi@example.co.id"), u.Principal()
		acc := accounts.Entity(s.DB.Engine)
		own, err := s.Store.Create(ctx, andiP, acc, records.Input{"name": "PT Lama Sentosa"})
		if err != nil {
			t.Fatal(err)
		}
		hidden, err := s.Store.Create(ctx, s.Admin.Principal(), acc, records.Input{"name": "PT Rahasia Sari"})
		if err != nil {
			t.Fatal(err)
		}
		lead, err := s.Store.Create(ctx, andiP, s.Leads.Entity(), records.Input{"first_name": "Rina", "company": "CV Baru", "status": "qualified"})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/leads/%d/convert", lead.ID)
		status, body := andi.get(path)
		wantPage(t, status, body, 200, `data-picker data-lookup="/accounts/lookup"`, `name="account_id"`)

		// Andi's lookup offers his account by name, not Sari's.
		status, body = andi.get("/accounts/lookup?q=sentosa")
		wantPage(t, status, body, 200, fmt.Sprintf(`data-id="%d" data-title="PT Lama Sentosa"`, own.ID))
		if _, body = andi.get("/accounts/lookup?q=rahasia"); strings.Contains(body, "PT Rahasia Sari") {
			t.Error("a salesperson's account picker offers another's account")
		}

		// Refused for another reason: his account stays chosen, by name.
		res, body := andi.submit(path, path, url.Values{"account_mode": {"existing"}, "account_id": {fmt.Sprint(own.ID)}, "deal_amount": {"banyak"}})
		wantPage(t, res.StatusCode, body, 422, `data-title="PT Lama Sentosa"`, "Now: PT Lama Sentosa.")
		// An account he may not see: refused, and its name not shown.
		res, body = andi.submit(path, path, url.Values{"account_mode": {"existing"}, "account_id": {fmt.Sprint(hidden.ID)}})
		wantPage(t, res.StatusCode, body, 422, "field-error")
		if strings.Contains(body, "PT Rahasia Sari") {
			t.Error("the refused form shows the name of an account the user may not see")
		}

		res, _ = andi.submit(path, path, url.Values{"account_mode": {"existing"}, "account_id": {fmt.Sprint(own.ID)}})
		var contactID, accountID int64
		if err := s.DB.Read().QueryRow("SELECT c.id, c.account_id FROM contacts c JOIN leads l ON l.converted_contact_id = c.id WHERE l.id = $1", lead.ID).Scan(&contactID, &accountID); err != nil {
			t.Fatalf("the lead is not converted (%d): %v", res.StatusCode, err)
		}
		wantRedirect(t, res, fmt.Sprintf("/contacts/%d", contactID))
		if accountID != own.ID {
			t.Errorf("the contact's account is %d, want the picked %d", accountID, own.ID)
		}
	})
}
