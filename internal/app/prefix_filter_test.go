package app

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// startswith on e-mails and phones — a contact's lists, a lead's and an
// account's single fields — in the API's filter parameter, saved views and
// the web list, on both engines (docs/filter.md).
func TestStartsWithEmailsAndPhones(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			testStartsWith(t, engine)
		})
	}
}

func testStartsWith(t *testing.T, engine store.Engine) {
	srv := newTestServer(t, engine)
	admin := setUpAdmin(t, srv)
	tok := srv.token(t, admin)
	call := func(method, path string, body any) (int, string) {
		t.Helper()
		return srv.call(t, tok, method, path, body)
	}
	create := func(entity string, body map[string]any) {
		t.Helper()
		if status, res := call("POST", "/api/v1/"+entity, body); status != http.StatusCreated {
			t.Fatalf("create %s %v: %d %s", entity, body, status, res)
		}
	}
	// names lists an entity's records matching the filter, by title field,
	// sorted; a record listed twice would show twice.
	names := func(entity, titleField, filter string) string {
		t.Helper()
		status, res := call("GET", "/api/v1/"+entity+"?limit=100&filter="+url.QueryEscape(filter), nil)
		if status != http.StatusOK {
			t.Errorf("%s?filter=%s: %d %s", entity, filter, status, res)
			return ""
		}
		var page struct{ Items []map[string]any }
		json.Unmarshal([]byte(res), &page)
		var out []string
		for _, it := range page.Items {
			out = append(out, fmt.Sprint(it[titleField]))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}

	for _, c := range []map[string]any{
		// The address that matches is the second, typed in capitals.
		{"first_name": "Budi", "emails": []string{"b.santoso@gmail.com", "Budi@Besar.co.id"}, "phones": []string{"0812-3456-7890"}},
		// Two addresses match "budi": the contact is listed once.
		{"first_name": "Budiman", "emails": []string{"budi.man@kecil.id", "budiman@kecil.id"}, "phones": []string{"(021) 555-1234", "+62 812 9999 0000"}},
		{"first_name": "Promo", "emails": []string{"50%_off@promo.id"}, "phones": []string{"+65 6123 4567"}},
		{"first_name": "Lima", "emails": []string{"500ff@promo.id", "50x_off@promo.id"}, "phones": []string{"0813 1111 2222"}},
		{"first_name": "Kosong"},
		{"first_name": "Élodie"},
	} {
		create("contacts", c)
	}
	create("leads", map[string]any{"first_name": "Siti", "email": "Siti.Rahma@Contoh.id", "phone": "0857-1234-5678"})
	create("leads", map[string]any{"first_name": "Sitompul", "email": "sitompul@contoh.id", "phone": "+62 21 5550 0000"})
	create("leads", map[string]any{"first_name": "Persen", "email": "1%_a@contoh.id"})
	create("accounts", map[string]any{"name": "PT Jakarta", "phone": "021-555-0101"})
	create("accounts", map[string]any{"name": "PT Medan", "phone": "+62 61 455 0101"})
	create("accounts", map[string]any{"name": "Pte Singapura", "phone": "+65 6123 0000"})

	for _, tc := range []struct{ entity, title, filter, want string }{
		{"contacts", "first_name", `emails startswith "budi"`, "Budi Budiman"},
		{"contacts", "first_name", `emails startswith "BUDI@"`, "Budi"},
		{"contacts", "first_name", `emails startswith "budi@besar.co.id"`, "Budi"},
		{"contacts", "first_name", `emails startswith "b.s"`, "Budi"},
		{"contacts", "first_name", `emails startswith "budiman@"`, "Budiman"},
		{"contacts", "first_name", `emails startswith "50%"`, "Promo"},
		{"contacts", "first_name", `emails startswith "50%_"`, "Promo"},
		{"contacts", "first_name", `emails startswith "50_"`, ""},
		{"contacts", "first_name", `emails startswith "50x_"`, "Lima"},
		{"contacts", "first_name", `emails startswith "5"`, "Lima Promo"},
		{"contacts", "first_name", `emails startswith "gmail"`, ""},
		{"contacts", "first_name", `not emails startswith "budi"`, "Kosong Lima Promo Élodie"},
		{"contacts", "first_name", `emails startswith "budi" and phones startswith "021"`, "Budiman"},
		{"contacts", "first_name", `emails startswith "budi" or emails startswith "50"`, "Budi Budiman Lima Promo"},
		// However the prefix is typed, it is matched in E.164.
		{"contacts", "first_name", `phones startswith "0812"`, "Budi Budiman"},
		{"contacts", "first_name", `phones startswith "+62812"`, "Budi Budiman"},
		{"contacts", "first_name", `phones startswith "62812"`, "Budi Budiman"},
		{"contacts", "first_name", `phones startswith "0812-3456"`, "Budi"},
		{"contacts", "first_name", `phones startswith "+62 812 3456"`, "Budi"},
		{"contacts", "first_name", `phones startswith 0812`, "Budi Budiman"},
		{"contacts", "first_name", `phones startswith "08"`, "Budi Budiman Lima"},
		{"contacts", "first_name", `phones startswith "(021) 555"`, "Budiman"},
		{"contacts", "first_name", `phones startswith "+65"`, "Promo"},
		{"contacts", "first_name", `phones startswith "0"`, "Budi Budiman Lima"},
		{"contacts", "first_name", `not phones startswith "08"`, "Kosong Promo Élodie"},
		// contains and = keep their meaning.
		{"contacts", "first_name", `emails contains "BESAR"`, "Budi"},
		{"contacts", "first_name", `emails contains "_off"`, "Lima Promo"},
		{"contacts", "first_name", `emails = "budi@besar.co.id"`, "Budi"},
		{"contacts", "first_name", `emails = "budi"`, ""},
		{"contacts", "first_name", `phones contains "8123"`, "Budi"},
		{"contacts", "first_name", `phones = "+6281234567890"`, "Budi"},
		// A lead's and an account's own fields.
		{"leads", "first_name", `email startswith "sit"`, "Siti Sitompul"},
		{"leads", "first_name", `email startswith "siti"`, "Siti"},
		{"leads", "first_name", `email startswith "SITI."`, "Siti"},
		{"leads", "first_name", `email startswith "1%_"`, "Persen"},
		{"leads", "first_name", `email startswith "1_"`, ""},
		{"leads", "first_name", `phone startswith "0857"`, "Siti"},
		{"leads", "first_name", `phone startswith "62857"`, "Siti"},
		{"leads", "first_name", `phone startswith "+62857"`, "Siti"},
		{"leads", "first_name", `phone startswith "021"`, "Sitompul"},
		{"leads", "first_name", `not phone startswith "0857"`, "Persen Sitompul"},
		{"leads", "first_name", `email contains "CONTOH"`, "Persen Siti Sitompul"},
		{"leads", "first_name", `email = "SITOMPUL@contoh.id"`, "Sitompul"},
		{"accounts", "name", `phone startswith "021"`, "PT Jakarta"},
		{"accounts", "name", `phone startswith "+6221"`, "PT Jakarta"},
		{"accounts", "name", `phone startswith "6261"`, "PT Medan"},
		{"accounts", "name", `phone startswith "0"`, "PT Jakarta PT Medan"},
		{"accounts", "name", `phone startswith "+6"`, "PT Jakarta PT Medan Pte Singapura"},
		// Names, served by their sort index: any case typed, % and _ as
		// themselves, a letter beyond ASCII as written.
		{"contacts", "first_name", `first_name startswith "bud"`, "Budi Budiman"},
		{"contacts", "first_name", `first_name startswith "BUDIM"`, "Budiman"},
		{"contacts", "first_name", `first_name startswith "Élo"`, "Élodie"},
		{"contacts", "first_name", `first_name startswith "b%"`, ""},
		{"contacts", "first_name", `first_name startswith "budi" and first_name startswith "budim"`, "Budiman"},
		{"contacts", "first_name", `not first_name startswith "b"`, "Kosong Lima Promo Élodie"},
		{"leads", "first_name", `first_name startswith "SIT"`, "Siti Sitompul"},
		{"accounts", "name", `name startswith "pt "`, "PT Jakarta PT Medan"},
		{"accounts", "name", `name startswith "pte"`, "Pte Singapura"},
	} {
		if got := names(tc.entity, tc.title, tc.filter); got != tc.want {
			t.Errorf("%s?filter=%s: got %q, want %q", tc.entity, tc.filter, got, tc.want)
		}
	}

	// What cannot take startswith, or is no phone prefix, is a clear
	// problem on the filter field.
	for _, tc := range []struct{ entity, filter, message string }{
		{"contacts", `phones startswith "abc"`, `position 19: "abc" is not the start of a phone number; write its digits, e.g. "0812" or "+62812"`},
		{"contacts", `phones startswith ""`, `position 19: "" is not the start of a phone number; write its digits, e.g. "0812" or "+62812"`},
		{"leads", `phone startswith "08x"`, `position 18: "08x" is not the start of a phone number; write its digits, e.g. "0812" or "+62812"`},
		{"contacts", `tags startswith "v"`, `position 6: startswith does not work on tags, a multiple choice field; use contains (or =), !=, in, not in or is null`},
		{"contacts", `emails startswith true`, `position 19: emails is a multiple choice field; expected text in quotes, found true`},
		{"contacts", `birth_date startswith "1990"`, `position 12: startswith does not work on birth_date, a date field; use =, !=, <, <=, >, >=, in, not in or is null`},
		{"leads", `score startswith "1"`, `position 7: startswith does not work on score, a number field; use =, !=, <, <=, >, >=, in, not in or is null`},
	} {
		status, res := call("GET", "/api/v1/"+tc.entity+"?filter="+url.QueryEscape(tc.filter), nil)
		var p struct {
			Errors []struct{ Field, Code, Message string }
		}
		json.Unmarshal([]byte(res), &p)
		if status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "filter" || p.Errors[0].Code != "type_mismatch" || p.Errors[0].Message != tc.message {
			t.Errorf("%s?filter=%s: %d %s\nwant 422, a type_mismatch on filter: %s", tc.entity, tc.filter, status, res, tc.message)
		}
	}

	// A saved view keeps the filter; one that cannot work is refused.
	status, res := call("POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": "Budi type-ahead", "filter": `emails startswith "budi" or phones startswith "0813"`})
	if status != http.StatusCreated {
		t.Fatalf("save a view: %d %s", status, res)
	}
	var view struct {
		ID     int64
		Filter string
	}
	json.Unmarshal([]byte(res), &view)
	if got := names("contacts", "first_name", view.Filter); got != "Budi Budiman Lima" {
		t.Errorf("the saved view's filter %q lists %q", view.Filter, got)
	}
	if status, res := call("POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": "Broken", "filter": `phones startswith "nomor"`}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res), `"field":"filter"`) || !strings.Contains(string(res), "not the start of a phone number") {
		t.Errorf("a view with a bad phone prefix: %d %s", status, res)
	}

	// The web list, and the saved view's link on it.
	b := newFormClient(t, srv.URL)
	signIn(t, b, "sari@example.co.id", "rahasia-123")
	rowLink := regexp.MustCompile(`href="/contacts/\d+">([^<]+)<`)
	webNames := func(path string) string {
		t.Helper()
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		var out []string
		for _, m := range rowLink.FindAllStringSubmatch(body, -1) {
			out = append(out, html.UnescapeString(strings.TrimSpace(m[1])))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	if got := webNames("/contacts?filter=" + url.QueryEscape(`emails startswith "BUDI"`)); got != "Budi Budiman" {
		t.Errorf("web list, emails startswith: %q", got)
	}
	if got := webNames("/contacts?filter=" + url.QueryEscape(`phones startswith "0812"`)); got != "Budi Budiman" {
		t.Errorf("web list, phones startswith: %q", got)
	}
	if got := webNames("/contacts?filter=" + url.QueryEscape(view.Filter)); got != "Budi Budiman Lima" {
		t.Errorf("web list of the saved view: %q", got)
	}
	resp, body := b.get("/contacts?filter=" + url.QueryEscape(`phones startswith "abc"`))
	if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(body), `"abc" is not the start of a phone number`) {
		t.Errorf("web list with a bad phone prefix: %d, the problem not shown", resp.StatusCode)
	}
}

// prefixIndexes names, per engine, the index that answers startswith on
// each e-mail and phone field (migrations 00005, 00009, 00014 and 00022).
var prefixIndexes = map[string]map[store.Engine]string{
	"contacts.emails": {store.SQLite: "contact_emails_email", store.Postgres: "contact_emails_prefix"},
	"contacts.phones": {store.SQLite: "contact_phones_phone", store.Postgres: "contact_phones_prefix"},
	"leads.email":     {store.SQLite: "leads_email_sort", store.Postgres: "leads_email_prefix"},
	"leads.phone":     {store.SQLite: "leads_phone", store.Postgres: "leads_phone_prefix"},
	"accounts.phone":  {store.SQLite: "accounts_phone", store.Postgres: "accounts_phone_prefix"},
	// Names: the sort index on SQLite, a twin in "C" on PostgreSQL.
	"contacts.first_name": {store.SQLite: "contacts_first_name", store.Postgres: "contacts_first_name_prefix"},
	"contacts.last_name":  {store.SQLite: "contacts_last_name", store.Postgres: "contacts_last_name_prefix"},
	"leads.first_name":    {store.SQLite: "leads_first_name", store.Postgres: "leads_first_name_prefix"},
	"leads.last_name":     {store.SQLite: "leads_last_name", store.Postgres: "leads_last_name_prefix"},
	"accounts.name":       {store.SQLite: "accounts_name", store.Postgres: "accounts_name_prefix"},
}

// Every e-mail and phone field of every entity is filtered by startswith
// through an index: the plan of the list query, as the API and the web
// list run it, for an administrator and for a salesperson (whose lists
// add the owner scope), in the default order and sorted by another field,
// reads the field's index and never scans the side table whole. On
// PostgreSQL the plan is made with sequential scans off (storetest.Explain),
// so that a test's few rows show the index a condition can use.
func TestStartsWithUsesAnIndex(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, engine)
			admin := setUpAdmin(t, srv)
			sales := srv.createUser(t, "agus@example.co.id", auth.Sales)
			ctx := context.Background()
			// Some thousands of records none of which matches, so that
			// PostgreSQL, which plans from statistics, weighs the index
			// against walking the list's order as it would in use; SQLite
			// has no statistics (nothing runs ANALYZE) and plans alike
			// with or without them.
			for _, q := range []string{
				`INSERT INTO accounts (name, phone, created_at, updated_at) SELECT 'PT ' || i, '+6221' || (5000000 + i), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`,
				`INSERT INTO leads (first_name, email, phone, created_at, updated_at) SELECT 'Lead ' || i, 'lead' || i || '@contoh.id', '+6285' || (10000000 + i), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`,
				`INSERT INTO contacts (first_name, created_at, updated_at) SELECT 'Kontak ' || i, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`,
			} {
				if _, err := srv.App.DB.Writer().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) `+q); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{
				`INSERT INTO contact_emails (contact_id, email) SELECT id, 'kontak' || id || '@contoh.id' FROM contacts`,
				`INSERT INTO contact_emails (contact_id, email) SELECT id, 'k' || id || '@kantor.co.id' FROM contacts`,
				`INSERT INTO contact_phones (contact_id, phone) SELECT id, '+6285' || (10000000 + id) FROM contacts`,
			} {
				if _, err := srv.App.DB.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if engine == store.Postgres {
				if _, err := srv.App.DB.Writer().ExecContext(ctx, `ANALYZE accounts, leads, contacts, contact_emails, contact_phones`); err != nil {
					t.Fatal(err)
				}
			}
			checked := map[string]bool{}
			for _, e := range srv.App.Entities.All() {
				for _, f := range e.Fields {
					kind := f.Kind
					if kind == records.List {
						kind = f.Items
					}
					if f.Custom || !f.Filterable() || (kind != records.Email && kind != records.Phone && !f.PrefixIndex) {
						continue
					}
					key := e.Name + "." + f.Name
					index := prefixIndexes[key][engine]
					if index == "" {
						t.Errorf("%s is an e-mail, phone or name field without an index for startswith in prefixIndexes", key)
						continue
					}
					checked[key] = true
					value := `"budi"`
					if kind == records.Phone {
						value = `"0812"`
					}
					sorts := []string{"", e.Fields[0].Name} // the default order, and by name
					for _, p := range []auth.Principal{admin.Principal(), sales.Principal()} {
						for _, sort := range sorts {
							filter := f.Name + " startswith " + value
							q, args, err := srv.App.Records.ListStatement(ctx, p, e, records.Query{Filter: filter, Page: url.Values{"limit": {"50"}, "sort": {sort}}})
							if err != nil {
								t.Fatalf("%s %s: %v", e.Name, filter, err)
							}
							plan, err := storetest.Explain(ctx, srv.App.DB, q, args...)
							if err != nil {
								t.Fatalf("explain %s %s: %v", e.Name, filter, err)
							}
							if !usesIndex(engine, plan, index) || scansWhole(engine, plan, f.Lookup) {
								t.Errorf("%s?filter=%s&sort=%s as %s is not read from %s:\n%s", e.Name, filter, sort, p.Role, index, plan)
							}
						}
					}
				}
			}
			for key := range prefixIndexes {
				if !checked[key] {
					t.Errorf("prefixIndexes names %s, which is no e-mail, phone or name field", key)
				}
			}
		})
	}
}

// usesIndex reports whether a plan reads index: as a SEARCH on SQLite,
// in an Index, Index Only or Bitmap Index Scan on PostgreSQL.
func usesIndex(engine store.Engine, plan, index string) bool {
	if engine == store.SQLite {
		return regexp.MustCompile(`(?m)SEARCH \S+ USING (COVERING )?INDEX ` + index + ` \(`).MatchString(plan)
	}
	return regexp.MustCompile(`(?m)(Index Scan|Index Only Scan) (using|on) ` + index + `\b`).MatchString(plan)
}

// scansWhole reports whether a plan reads a list's side table whole.
func scansWhole(engine store.Engine, plan string, l *records.Lookup) bool {
	if l == nil {
		return false
	}
	if engine == store.SQLite {
		return regexp.MustCompile(`(?m)SCAN ` + l.Table + `\b`).MatchString(plan)
	}
	return strings.Contains(plan, "Seq Scan on "+l.Table)
}
