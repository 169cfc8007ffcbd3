package records_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

func TestListFilters(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		small := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "CV Kecil", "employees": 8, "industry": "retail", "city": "Bandung"})
		big := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Besar Tbk", "employees": 5000, "industry": "banking", "city": "Jakarta"})

		// Contacts created over the last year.
		for _, x := range []struct {
			daysAgo int
			body    map[string]any
		}{
			{400, map[string]any{"first_name": "Ani", "account_id": small["id"], "lifecycle_stage": "customer", "tags": []string{"vip", "jakarta"}, "city": "Jakarta", "birth_date": "1990-03-02"}},
			{60, map[string]any{"first_name": "Budi", "account_id": big["id"], "lifecycle_stage": "lead", "tags": []string{"event"}, "city": "bandung", "emails": []string{"budi@besar.co.id"}}},
			{10, map[string]any{"first_name": "Citra", "account_id": small["id"], "lifecycle_stage": "churned", "city": "Surabaya"}},
			{1, map[string]any{"first_name": "Dewi", "lifecycle_stage": "engagement", "tags": []string{"VIP"}, "last_name": "O'Brien 100%"}},
			{0, map[string]any{"first_name": "Eko"}},
		} {
			c.at(now.Add(-time.Duration(x.daysAgo) * 24 * time.Hour))
			c.create(t, c.AdminToken, "contacts", x.body)
		}
		c.at(now)
		// Activity is set by Relasi (the activities module), not by input.
		byName := map[string]map[string]any{}
		for _, it := range c.list(t, c.AdminToken, "contacts", "limit", "100") {
			byName[it["first_name"].(string)] = it
		}
		err := c.DB.WriteTx(t.Context(), func(tx *sql.Tx) error {
			for name, ago := range map[string]time.Duration{"Ani": 200 * 24 * time.Hour, "Budi": 5 * 24 * time.Hour, "Citra": 2 * time.Hour} {
				if err := c.Store.SetSystem(t.Context(), tx, c.Admin.Principal(), c.Contacts, recID(t, byName[name]),
					map[string]any{"last_activity_at": now.Add(-ago)}, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct{ filter, want string }{
			{``, "Ani Budi Citra Dewi Eko"},
			{`created_at > -30d`, "Citra Dewi Eko"},
			{`created_at < -1y`, "Ani"},
			{`created_at >= today`, "Eko"},
			{`created_at = yesterday`, "Dewi"},
			{`created_at >= 2026-01-01 and created_at < 2026-02-01`, "Budi"},
			{`last_activity_at < -90d`, "Ani"},
			{`last_activity_at > -1w`, "Budi Citra"},
			{`last_activity_at is null`, "Dewi Eko"},
			{`last_activity_at < -90d or last_activity_at is null`, "Ani Dewi Eko"},
			{`account.employees < 20`, "Ani Citra"},
			{`account.employees >= 20`, "Budi"},
			{`account.name contains "besar"`, "Budi"},
			{`account.industry = "retail" and lifecycle_stage = "customer"`, "Ani"},
			{`account_id is null`, "Dewi Eko"},
			{`lifecycle_stage in ("lead", "customer", "engagement")`, "Ani Budi Dewi"},
			{`lifecycle_stage not in ("lead", "customer")`, "Citra Dewi Eko"},
			{`lifecycle_stage is null`, "Eko"},
			// = is a whole item as stored; contains is part of any item,
			// ignoring case (docs/filter.md).
			{`tags = "vip"`, "Ani"},
			{`tags = "VIP"`, "Dewi"},
			{`tags contains "vip"`, "Ani Dewi"},
			{`tags contains "kart"`, "Ani"},
			{`tags in ("event", "jakarta")`, "Ani Budi"},
			{`tags is null`, "Citra Eko"},
			{`city = "jakarta"`, "Ani"},
			{`city in ("Bandung", "Surabaya")`, "Budi Citra"},
			{`city is null`, "Dewi Eko"},
			{`city is not null and not city = "jakarta"`, "Budi Citra"},
			{`last_name contains "100%"`, "Dewi"},
			{`last_name contains "'"`, "Dewi"},
			{`emails contains "budi@besar.co.id"`, "Budi"},
			{`emails contains "BESAR.co.id"`, "Budi"},
			{`emails contains "gmail.com"`, ""},
			{`emails = "budi@besar.co.id"`, "Budi"},
			{`emails = "besar.co.id"`, ""},
			{`emails startswith "BUDI@"`, "Budi"},
			{`emails startswith "besar"`, ""},
			{`not emails startswith "budi"`, "Ani Citra Dewi Eko"},
			{`birth_date = 1990-03-02`, "Ani"},
			{`(first_name startswith "a" or first_name startswith "e") and not city = "Jakarta"`, "Eko"},
		} {
			items := c.list(t, c.AdminToken, "contacts", "filter", tc.filter, "sort", "first_name")
			if got := strings.Join(column(items, "first_name"), " "); got != tc.want {
				t.Errorf("filter %s: got %q, want %q", tc.filter, got, tc.want)
			}
		}

		// Relative dates are read in the caller's zone: at 09:00 UTC it is
		// already 3 March in Jakarta but still 2 March in New York.
		c.at(time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC))
		for zone, want := range map[string]string{"Asia/Jakarta": "", "America/New_York": "Eko"} {
			var page struct{ Items []map[string]any }
			c.call(t, c.AdminToken, "GET", "/api/v1/contacts?filter="+urlQuery("created_at >= today"), nil, "X-Time-Zone: "+zone).Want(t, http.StatusOK).JSON(t, &page)
			if got := strings.Join(column(page.Items, "first_name"), " "); got != want {
				t.Errorf("created_at >= today in %s: got %q, want %q", zone, got, want)
			}
		}
	})
}

func TestListFilterErrors(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani"})
		for _, tc := range []struct{ filter, code, position string }{
			{`city = `, "syntax", "position 8:"},
			{`city == "Jakarta"`, "syntax", "position 7:"},
			{`(city = "Jakarta"`, "syntax", "position 18:"},
			{`city = "Jakarta`, "syntax", "position 8:"},
			{`cty = "Jakarta"`, "unknown_field", "position 1:"},
			{`account.employees contains 3`, "type_mismatch", "position 19:"},
			{`lifecycle_stage = "prospect"`, "type_mismatch", "position 19:"},
			{`created_at > -30x`, "syntax", "position 17:"},
			{`first_name = "x'); DROP TABLE contacts; --"`, "", ""},
		} {
			res := c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?filter="+urlQuery(tc.filter), nil)
			if tc.code == "" {
				res.Want(t, http.StatusOK)
				continue
			}
			var p struct {
				Errors []struct{ Field, Code, Message string }
			}
			res.Want(t, http.StatusUnprocessableEntity).JSON(t, &p)
			if len(p.Errors) != 1 || p.Errors[0].Field != "filter" || p.Errors[0].Code != tc.code || !strings.HasPrefix(p.Errors[0].Message, tc.position) {
				t.Errorf("filter %s: %s; want one %s error on filter at %q", tc.filter, res.Body, tc.code, tc.position)
			}
		}
		if got := c.list(t, c.AdminToken, "contacts"); len(got) != 1 {
			t.Errorf("contacts after the filters: %d, want 1", len(got))
		}
	})
}

// startswith on custom e-mail and phone fields reads the prefix as on the
// standard ones — e-mails ignoring case, phones in E.164 however typed —
// without an index (docs/filter.md).
func TestListStartsWithCustomFields(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		c.customField(t, "contacts", "wa", records.Phone, nil)
		c.customField(t, "contacts", "work_email", records.Email, nil)
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "custom": map[string]any{"wa": "0812-1111-2222", "work_email": "Ani@Kantor.co.id"}})
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "custom": map[string]any{"wa": "+62 21 555 1234", "work_email": "50%_budi@kantor.co.id"}})
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Citra"})
		for _, tc := range []struct{ filter, want string }{
			{`custom.wa startswith "0812"`, "Ani"},
			{`custom.wa startswith "62812"`, "Ani"},
			{`custom.wa startswith "+62 812 1111"`, "Ani"},
			{`custom.wa startswith "021"`, "Budi"},
			{`custom.wa startswith "0"`, "Ani Budi"},
			{`not custom.wa startswith "0812"`, "Budi Citra"},
			{`custom.work_email startswith "ANI@"`, "Ani"},
			{`custom.work_email startswith "50%_"`, "Budi"},
			{`custom.work_email startswith "50_"`, ""},
		} {
			items := c.list(t, c.AdminToken, "contacts", "filter", tc.filter, "sort", "first_name")
			if got := strings.Join(column(items, "first_name"), " "); got != tc.want {
				t.Errorf("filter %s: got %q, want %q", tc.filter, got, tc.want)
			}
		}
		res := c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?filter="+urlQuery(`custom.wa startswith "wa"`), nil)
		if !strings.Contains(string(res.Body), `"code":"type_mismatch"`) || !strings.Contains(string(res.Body), "is not the start of a phone number") {
			t.Errorf("a custom phone field with a bad prefix: %s", res.Body)
		}
	})
}
