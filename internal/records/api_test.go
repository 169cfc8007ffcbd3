package records_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

func TestCreateContact(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya", "domain": "https://www.Maju.co.id/tentang", "employees": 12})
		if acc["domain"] != "maju.co.id" {
			t.Errorf("domain %v, want maju.co.id", acc["domain"])
		}

		con := c.create(t, c.AdminToken, "contacts", map[string]any{
			"first_name":      "  Budi ",
			"last_name":       "Santoso",
			"emails":          []string{"Budi@Maju.CO.ID", "budi@maju.co.id", "b.santoso@gmail.com"},
			"phones":          []string{"0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(021) 555-1234"},
			"account_id":      acc["id"],
			"lifecycle_stage": "lead",
			"tags":            []string{"vip", "jakarta", "vip"},
			"birth_date":      "1990-05-17",
		})
		if got := show(con["emails"]); got != "[budi@maju.co.id b.santoso@gmail.com]" {
			t.Errorf("emails %s, want lower-cased without the duplicate", got)
		}
		if got := show(con["phones"]); got != "[+6281234567890 +62215551234]" {
			t.Errorf("phones %s, want E.164 with the three forms of one number collapsed", got)
		}
		if con["first_name"] != "Budi" || con["title"] != "Budi Santoso" {
			t.Errorf("first_name %q, title %q; want trimmed Budi and Budi Santoso", con["first_name"], con["title"])
		}
		if got := show(con["tags"]); got != "[vip jakarta]" {
			t.Errorf("tags %s, want [vip jakarta]", got)
		}
		display, _ := con["display"].(map[string]any)
		if display["account_id"] != "PT Maju Jaya" {
			t.Errorf("display %v, want account_id → PT Maju Jaya", con["display"])
		}
		if display["owner_id"] != c.Admin.Name {
			t.Errorf("display %v, want owner_id → %s", con["display"], c.Admin.Name)
		}
		if show(con["owner_id"]) != show(c.Admin.ID) || show(con["version"]) != "1" || con["birth_date"] != "1990-05-17" {
			t.Errorf("owner %v version %v birth_date %v; want the creator, 1, 1990-05-17", con["owner_id"], con["version"], con["birth_date"])
		}
		if res := c.Do(t, c.AdminToken, "GET", recPath("contacts", con), nil).Want(t, http.StatusOK); res.Header.Get("ETag") != `"v1"` {
			t.Errorf("ETag %q, want \"v1\"", res.Header.Get("ETag"))
		}

		// The lookup tables follow the contact.
		var n int
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM contact_phones WHERE phone = '+6281234567890'").Scan(&n); err != nil || n != 1 {
			t.Errorf("contact_phones has %d rows for the number (err %v), want 1", n, err)
		}
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM contact_emails WHERE contact_id = $1", recID(t, con)).Scan(&n); err != nil || n != 2 {
			t.Errorf("contact_emails has %d rows (err %v), want 2", n, err)
		}

		// A change keeps what it does not mention.
		upd := c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"job_title": "Direktur", "phones": []string{"0811 222 333"}}).Want(t, http.StatusOK).Map(t)
		if upd["job_title"] != "Direktur" || show(upd["phones"]) != "[+62811222333]" || upd["last_name"] != "Santoso" || show(upd["version"]) != "2" {
			t.Errorf("after PATCH: %v", upd)
		}
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM contact_phones WHERE contact_id = $1", recID(t, con)).Scan(&n); err != nil || n != 1 {
			t.Errorf("contact_phones has %d rows after the change (err %v), want 1", n, err)
		}

		// Clearing a list and the account.
		upd = c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"tags": []string{}, "account_id": nil}).Want(t, http.StatusOK).Map(t)
		if show(upd["tags"]) != "[]" || upd["account_id"] != nil {
			t.Errorf("after clearing: tags %v account_id %v; want [] and null", upd["tags"], upd["account_id"])
		}
		if d := upd["display"].(map[string]any); d["account_id"] != nil {
			t.Errorf("display still names the account: %v", d)
		}
	})
}

func TestContactValidation(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)

		// Every problem at once: a missing required field, a bad phone, an
		// unknown field, a bad e-mail, a value outside the choices.
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{
			"last_name":       "Santoso",
			"phones":          []string{"0812-3456-7890", "halo"},
			"emails":          []string{"budi@"},
			"lifecycle_stage": "prospect",
			"nickname":        "Bud",
			"birth_date":      "17-05-1990",
		})
		wantFieldErrors(t, res, map[string]string{
			"first_name":      "required",
			"phones":          "invalid_phone",
			"emails":          "invalid_email",
			"lifecycle_stage": "invalid_choice",
			"nickname":        "unknown_field",
			"birth_date":      "invalid_date",
		})
		if !strings.Contains(string(res.Body), "halo") {
			t.Errorf("the phone error does not name the bad number: %s", res.Body)
		}
		if got := c.list(t, c.AdminToken, "contacts"); len(got) != 0 {
			t.Errorf("a refused create left %d contacts", len(got))
		}

		for _, tc := range []struct {
			name string
			body map[string]any
			want map[string]string
		}{
			{"blank first name", map[string]any{"first_name": "   "}, map[string]string{"first_name": "required"}},
			{"too long", map[string]any{"first_name": strings.Repeat("a", 101)}, map[string]string{"first_name": "too_long"}},
			{"postal code as a number", map[string]any{"first_name": "Ani", "postal_code": 12345}, map[string]string{"postal_code": "wrong_type"}},
			{"object as name", map[string]any{"first_name": map[string]any{"x": 1}}, map[string]string{"first_name": "wrong_type"}},
			{"id is read-only", map[string]any{"first_name": "Ani", "id": 7}, map[string]string{"id": "read_only"}},
			{"last activity is read-only", map[string]any{"first_name": "Ani", "last_activity_at": "2026-01-01T00:00:00Z"}, map[string]string{"last_activity_at": "read_only"}},
			{"version is read-only", map[string]any{"first_name": "Ani", "version": 3}, map[string]string{"version": "read_only"}},
			{"custom must be an object", map[string]any{"first_name": "Ani", "custom": "x"}, map[string]string{"custom": "wrong_type"}},
			{"unknown custom field", map[string]any{"first_name": "Ani", "custom": map[string]any{"budget": 5}}, map[string]string{"custom.budget": "unknown_field"}},
			{"account ID not a number", map[string]any{"first_name": "Ani", "account_id": "abc"}, map[string]string{"account_id": "wrong_type"}},
			{"owner that does not exist", map[string]any{"first_name": "Ani", "owner_id": 9999}, map[string]string{"owner_id": "not_found"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", tc.body)
				if tc.want == nil {
					res.Want(t, http.StatusCreated)
					return
				}
				wantFieldErrors(t, res, tc.want)
			})
		}

		// The same rules hold for a change, and a refused change changes nothing.
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Sari", "phones": []string{"0813 1111 2222"}})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"first_name": "", "phones": []string{"12"}, "id": 1, "created_at": "2020-01-01T00:00:00Z"}),
			map[string]string{"first_name": "required", "phones": "invalid_phone", "id": "read_only", "created_at": "read_only"})
		got := c.Do(t, c.AdminToken, "GET", recPath("contacts", con), nil).Want(t, http.StatusOK).Map(t)
		if got["first_name"] != "Sari" || show(got["phones"]) != "[+6281311112222]" || show(got["version"]) != "1" {
			t.Errorf("after a refused change: %v", got)
		}

		// Not JSON at all is a 400, not a 422.
		c.call(t, c.AdminToken, "POST", "/api/v1/contacts", "just text").Want(t, http.StatusBadRequest)
	})
}

func TestContactRefersToMissingAccount(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Ani", "account_id": 424242})
		wantFieldErrors(t, res, map[string]string{"account_id": "not_found"})

		// An account in the trash cannot be linked either.
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "CV Lama"})
		c.Do(t, c.AdminToken, "DELETE", recPath("accounts", acc), nil).Want(t, http.StatusNoContent)
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Ani", "account_id": acc["id"]})
		wantFieldErrors(t, res, map[string]string{"account_id": "not_found"})

		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani"})
		res = c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"account_id": 424242})
		wantFieldErrors(t, res, map[string]string{"account_id": "not_found"})
	})
}

func TestGetUnknownRecord(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, p := range []string{"/api/v1/contacts/99", "/api/v1/contacts/abc", "/api/v1/contacts/0", "/api/v1/contacts/99/history"} {
			c.Do(t, c.AdminToken, "GET", p, nil).Want(t, http.StatusNotFound)
		}
		c.Do(t, c.AdminToken, "PATCH", "/api/v1/contacts/99", map[string]any{"first_name": "X"}).Want(t, http.StatusNotFound)
		c.Do(t, c.AdminToken, "DELETE", "/api/v1/contacts/99", nil).Want(t, http.StatusNotFound)
		c.Do(t, c.AdminToken, "POST", "/api/v1/contacts/99/restore", nil).Want(t, http.StatusNotFound)
		c.Do(t, "", "GET", "/api/v1/contacts", nil).Want(t, http.StatusUnauthorized)
		wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?limit=0", nil), map[string]string{"limit": "out_of_range"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?sort=emails", nil), map[string]string{"sort": "unknown_field"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?cursor=bm9wZQ", nil), map[string]string{"cursor": "invalid"})
	})
}

func TestAccountMoney(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Sumber Rejeki", "annual_revenue": json.Number("1500000.50"), "phone": "021-555-1234", "website": "sumber.co.id"})
		if show(acc["annual_revenue"]) != "1500000.5" {
			t.Errorf("annual_revenue %v, want 1500000.5", acc["annual_revenue"])
		}
		if acc["phone"] != "+62215551234" || acc["website"] != "https://sumber.co.id" {
			t.Errorf("phone %v website %v", acc["phone"], acc["website"])
		}
		var minor int64
		if err := c.DB.Read().QueryRow("SELECT annual_revenue FROM accounts WHERE id = $1", recID(t, acc)).Scan(&minor); err != nil || minor != 150000050 {
			t.Errorf("stored annual_revenue %d (err %v), want 150000050 minor units", minor, err)
		}
		for bad, code := range map[any]string{json.Number("1.505"): "invalid_amount", "1500000": "wrong_type", "satu juta": "wrong_type", true: "wrong_type"} {
			wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("accounts", acc), map[string]any{"annual_revenue": bad}),
				map[string]string{"annual_revenue": code})
		}
		upd := c.Do(t, c.AdminToken, "PATCH", recPath("accounts", acc), map[string]any{"annual_revenue": 2000000}).Want(t, http.StatusOK).Map(t)
		if show(upd["annual_revenue"]) != "2000000" || upd["title"] != "PT Sumber Rejeki" {
			t.Errorf("annual_revenue %v title %v, want 2000000 and PT Sumber Rejeki", upd["annual_revenue"], upd["title"])
		}
	})
}

// JSON values must have the JSON type of their field, as the API
// promises: nothing is converted from a string or a number behind the
// client's back, and every wrong value is named at once.
func TestJSONTypesAreStrict(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		c.customField(t, "contacts", "vip", records.Bool, nil)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		for _, tc := range []struct {
			name   string
			entity string
			body   map[string]any
			want   map[string]string
		}{
			{"contact", "contacts", map[string]any{"first_name": 123, "emails": "a@b.co", "tags": []any{"vip", 7},
				"account_id": show(acc["id"]), "birth_date": 19900517, "custom": map[string]any{"vip": "true"}},
				map[string]string{"first_name": "wrong_type", "emails": "wrong_type", "tags": "wrong_type",
					"account_id": "wrong_type", "birth_date": "wrong_type", "custom.vip": "wrong_type"}},
			{"account", "accounts", map[string]any{"name": "PT A", "employees": "12", "annual_revenue": "1500000", "phone": 81234567890},
				map[string]string{"employees": "wrong_type", "annual_revenue": "wrong_type", "phone": "wrong_type"}},
			{"empty string is no number", "accounts", map[string]any{"name": "PT A", "employees": ""},
				map[string]string{"employees": "wrong_type"}},
			{"negative amounts", "accounts", map[string]any{"name": "PT A", "employees": -1, "annual_revenue": -0.5},
				map[string]string{"employees": "min", "annual_revenue": "min"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/"+tc.entity, tc.body), tc.want)
			})
		}
		// A change is held to the same types, and changes nothing when refused.
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("accounts", acc), map[string]any{"employees": "12", "name": "PT Lain"}),
			map[string]string{"employees": "wrong_type"})
		got := c.Do(t, c.AdminToken, "GET", recPath("accounts", acc), nil).Want(t, http.StatusOK).Map(t)
		if got["name"] != "PT Maju Jaya" || got["employees"] != nil {
			t.Errorf("after a refused change: %v", got)
		}
		// The right types are taken, null clears, and 0 is no negative amount.
		upd := c.Do(t, c.AdminToken, "PATCH", recPath("accounts", acc), map[string]any{"employees": 12, "annual_revenue": 0}).Want(t, http.StatusOK).Map(t)
		if show(upd["employees"]) != "12" || show(upd["annual_revenue"]) != "0" {
			t.Errorf("employees %v annual_revenue %v, want 12 and 0", upd["employees"], upd["annual_revenue"])
		}
		upd = c.Do(t, c.AdminToken, "PATCH", recPath("accounts", acc), map[string]any{"employees": nil}).Want(t, http.StatusOK).Map(t)
		if upd["employees"] != nil {
			t.Errorf("employees %v after null, want null", upd["employees"])
		}
	})
}

// A body that is not UTF-8 is refused as a whole, not stored with
// replacement characters where the bad bytes were.
func TestInvalidUTF8IsABadRequest(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		req, err := http.NewRequest("POST", c.URL+"/api/v1/contacts", strings.NewReader("{\"first_name\": \"Bud\xffi\"}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.AdminToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "UTF-8") {
			t.Errorf("%d %s: %s; want a 400 problem naming UTF-8", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if got := c.list(t, c.AdminToken, "contacts"); len(got) != 0 {
			t.Errorf("%d contacts stored from a body that is not UTF-8", len(got))
		}
	})
}
