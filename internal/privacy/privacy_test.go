package privacy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// server is a whole Relasi on a fresh database, driven through its API.
type server struct {
	*httptest.Server
	App   *app.App
	admin string // API tokens
	sales string
	// multipartType is the Content-Type of the next multipart body.
	multipartType string
}

func start(t *testing.T, engine store.Engine) *server {
	t.Helper()
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DB: storetest.DSN(t, engine), LogFormat: "text", Version: "test"}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open app on %s: %v", engine, err)
	}
	s := &server{Server: httptest.NewServer(a.Handler), App: a}
	t.Cleanup(func() {
		s.Close()
		a.Close()
	})
	s.admin = s.token(t, "admin@maju.co.id", auth.Admin)
	s.sales = s.token(t, "sales@maju.co.id", auth.Sales)
	return s
}

func (s *server) token(t *testing.T, email string, role auth.Role) string {
	t.Helper()
	ctx := context.Background()
	u, err := s.App.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: email, Password: "rahasia-123", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := s.App.Auth.CreateToken(ctx, u.Principal(), u.ID, auth.NewToken{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, a.body)
	}
	return m
}

func (s *server) do(t *testing.T, token, method, path string, body any) answer {
	t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case *bytes.Buffer:
		r = b
	default:
		raw, _ := json.Marshal(body)
		r, ctype = bytes.NewReader(raw), "application/json"
	}
	req, _ := http.NewRequest(method, s.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if _, ok := body.(*bytes.Buffer); ok {
		req.Header.Set("Content-Type", s.multipartType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
}

// want calls do and fails unless the status is code; it returns the
// answer's JSON object.
func (s *server) want(t *testing.T, code int, token, method, path string, body any) map[string]any {
	t.Helper()
	a := s.do(t, token, method, path, body)
	if a.status != code {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, a.status, code, a.body)
	}
	if len(a.body) == 0 {
		return nil
	}
	return a.json(t)
}

func id(t *testing.T, m map[string]any) int64 {
	t.Helper()
	n, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("no id in %v", m)
	}
	return int64(n)
}

// The person of the scenario, as they appear in it.
const (
	email      = "budi.santoso@pribadi.co.id"
	email2     = "budi.s@kantor-maju.co.id"
	phoneTyped = "0812-3456-7890"
	phoneE164  = "+6281234567890"
	nik        = "3174051204900007"
	street     = "Jl. Melati Nomor 5"
	birthDate  = "1990-04-12"
)

// needles are what must be nowhere in the database after the erasure.
var needles = []string{email, email2, "81234567890", phoneTyped, nik, "Budi", "Santoso", "Melati", birthDate, externalID}

// externalID is Budi's ID in the CRM he was imported from.
const externalID = "hs-x7731"

// person builds Budi Santoso's footprint: a lead converted into a contact
// with a deal, a duplicate merged into that contact, an import that
// updated it, history, activities, an order, and a mention of the e-mail
// in another customer's activity.
type person struct {
	leadID, contactID, duplicateID, dealID, orderID, mergeID, importID int64
	otherContactID                                                     int64
	orderTotal                                                         string
}

func (s *server) person(t *testing.T) person {
	t.Helper()
	var p person
	s.want(t, 201, s.admin, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "nik", "label": "NIK", "kind": "text"})
	s.want(t, 201, s.admin, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "budget", "label": "Anggaran", "kind": "money", "currency": "IDR"})
	lead := s.want(t, 201, s.admin, "POST", "/api/v1/leads", map[string]any{
		"first_name": "Budi", "last_name": "Santoso", "company": "CV Santoso Makmur", "email": email, "phone": phoneTyped, "city": "Bandung"})
	p.leadID = id(t, lead)
	conv := s.want(t, 200, s.admin, "POST", fmt.Sprintf("/api/v1/leads/%d/convert", p.leadID), map[string]any{
		"account": map[string]any{"mode": "new", "name": "PT Maju Jaya"},
		"deal":    map[string]any{"create": true, "name": "Budi Santoso - renewal", "amount": 15000000}})
	p.contactID = int64(conv["contact_id"].(float64))
	p.dealID = int64(conv["opportunity_id"].(float64))
	s.want(t, 200, s.admin, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", p.contactID), map[string]any{
		"emails": []string{email, email2}, "street": street, "birth_date": birthDate, "job_title": "Owner",
		"custom": map[string]any{"nik": nik, "budget": 2500000}})

	act := s.want(t, 201, s.admin, "POST", "/api/v1/activities", map[string]any{
		"kind": "call", "subject": "Call Budi Santoso about the renewal", "related_type": "contacts", "related_id": p.contactID,
		"body": "Budi asked us to write to " + email + " or call " + phoneTyped + "."})
	s.want(t, 200, s.admin, "PATCH", fmt.Sprintf("/api/v1/activities/%d", id(t, act)), map[string]any{"body": "Santoso confirmed: " + email})

	// Another customer whose notes mention Budi's e-mail address.
	other := s.want(t, 201, s.admin, "POST", "/api/v1/contacts", map[string]any{"first_name": "Siti", "last_name": "Rahma", "emails": []string{"siti@rahma.co.id"}})
	p.otherContactID = id(t, other)
	s.want(t, 201, s.admin, "POST", "/api/v1/activities", map[string]any{
		"kind": "note", "subject": "Referral", "related_type": "contacts", "related_id": p.otherContactID, "body": "Siti passed on " + email})

	order := s.want(t, 201, s.admin, "POST", "/api/v1/orders", map[string]any{"contact_id": p.contactID, "ordered_at": "2026-11-02", "notes": "Deliver to Budi Santoso, " + street})
	p.orderID = id(t, order)
	s.want(t, 201, s.admin, "POST", fmt.Sprintf("/api/v1/orders/%d/lines", p.orderID), map[string]any{"description": "Kopi Toraja 1 kg", "quantity": 3, "unit_price": 185000})
	s.want(t, 201, s.admin, "POST", fmt.Sprintf("/api/v1/orders/%d/lines", p.orderID), map[string]any{"description": "Engraving for Budi", "quantity": 1, "unit_price": 50000})
	p.orderTotal = fmt.Sprint(s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/orders/%d", p.orderID), nil)["total"])

	// A duplicate, merged into the contact: it goes to the trash, its
	// values into the merge log.
	dup := s.want(t, 201, s.admin, "POST", "/api/v1/contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso", "emails": []string{email}, "phones": []string{"+62 812 3456 7890"}})
	p.duplicateID = id(t, dup)
	mg := s.want(t, 201, s.admin, "POST", "/api/v1/duplicates/merge", map[string]any{"entity": "contacts", "survivor_id": p.contactID, "merged_ids": []int64{p.duplicateID}})
	p.mergeID = id(t, mg["merge"].(map[string]any))

	// An import that updates the contact (found by its e-mail), and
	// keeps the ID Budi had in HubSpot.
	csv := "first_name,last_name,emails,city,external_id\nBudi,Santoso," + email + ",Cimahi," + externalID + "\n"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("entity", "contacts")
	mw.WriteField("external_system", "hubspot")
	mw.WriteField("on_duplicate", "update")
	fw, _ := mw.CreateFormFile("file", "kontak-budi.csv")
	fw.Write([]byte(csv))
	mw.Close()
	s.multipartType = mw.FormDataContentType()
	imp := s.want(t, 201, s.admin, "POST", "/api/v1/imports", &buf)
	p.importID = id(t, imp)
	// The duplicate search computes its keys.
	s.want(t, 200, s.admin, "GET", "/api/v1/duplicates?entity=contacts", nil)
	return p
}

// textEverywhere lists the places (table.column) where a needle appears in
// any text column of any table, case-insensitively.
func textEverywhere(t *testing.T, db *store.DB, needle string) []string {
	t.Helper()
	ctx := context.Background()
	type column struct{ table, name, expr string }
	var cols []column
	if db.Engine == store.Postgres {
		rows, err := db.Read().QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector')`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c column
			rows.Scan(&c.table, &c.name)
			c.expr = fmt.Sprintf("lower(%q::text)", c.name)
			cols = append(cols, c)
		}
		rows.Close()
	} else {
		rows, err := db.Read().QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		for _, table := range tables {
			rows, err := db.Read().QueryContext(ctx, fmt.Sprintf("SELECT name FROM pragma_table_info(%s)", quote(table)))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c column
				rows.Scan(&c.name)
				c.table = table
				// Every value stored as text, whatever the column's type.
				c.expr = fmt.Sprintf("CASE WHEN typeof(%q) = 'text' THEN lower(%q) END", c.name, c.name)
				cols = append(cols, c)
			}
			rows.Close()
		}
	}
	if len(cols) < 50 {
		t.Fatalf("found only %d text columns: the scan is broken", len(cols))
	}
	var found []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf("SELECT COUNT(*) FROM %q WHERE %s LIKE $1", c.table, c.expr)
		if err := db.Read().QueryRowContext(ctx, q, "%"+strings.ToLower(needle)+"%").Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c.table, c.name, n))
		}
	}
	return found
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (s *server) scalar(t *testing.T, query string, args ...any) string {
	t.Helper()
	var v any
	if err := s.App.DB.Read().QueryRowContext(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// each runs fn on a fresh Relasi on every engine.
func each(t *testing.T, fn func(t *testing.T, s *server)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, start(t, engine)) })
	}
}

func TestExportHoldsEverythingAboutThePerson(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		p := s.person(t)
		a := s.do(t, s.admin, "GET", fmt.Sprintf("/api/v1/privacy/contacts/%d/export", p.contactID), nil)
		if a.status != 200 || !strings.HasPrefix(a.ctype, "application/json") {
			t.Fatalf("export: %d %s\n%s", a.status, a.ctype, a.body)
		}
		var x struct {
			Format  string
			Subject struct {
				Entity string
				ID     int64
			}
			Records []struct {
				Entity         string
				ID             int64
				State          string
				Record         map[string]any
				History        []map[string]any
				DuplicateKeys  []map[string]string           `json:"duplicate_keys"`
				SearchDocument *struct{ Title, Body string } `json:"search_document"`
				ExternalIDs    []map[string]any              `json:"external_ids"`
			}
			Related struct {
				Activities    []map[string]any
				Opportunities []map[string]any
				Orders        []struct {
					Order map[string]any
					Lines []map[string]any
				}
			}
			Merges  []map[string]any
			Imports []struct {
				ImportID int64 `json:"import_id"`
				Action   string
				Source   map[string]string
			}
			Attachments []string
		}
		if err := json.Unmarshal(a.body, &x); err != nil {
			t.Fatal(err)
		}
		if x.Format != "relasi.personal-data.v1" || x.Subject.Entity != "contacts" || x.Subject.ID != p.contactID {
			t.Errorf("format %q subject %+v", x.Format, x.Subject)
		}
		// The contact, the lead it came from and the duplicate merged into it.
		got := map[string]string{}
		for _, r := range x.Records {
			got[r.Entity+"/"+strconv.FormatInt(r.ID, 10)] = r.State
		}
		want := map[string]string{
			fmt.Sprintf("contacts/%d", p.contactID): "active", fmt.Sprintf("leads/%d", p.leadID): "active",
			fmt.Sprintf("contacts/%d", p.duplicateID): "trash",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("records %v, want %v", got, want)
		}
		for _, r := range x.Records {
			if r.Entity != "contacts" || r.ID != p.contactID {
				continue
			}
			custom, _ := r.Record["custom"].(map[string]any)
			if r.Record["birth_date"] != birthDate || r.Record["street"] != street || custom["nik"] != nik {
				t.Errorf("the contact lacks fields: %v", r.Record)
			}
			if len(r.History) < 3 {
				t.Errorf("history has %d entries", len(r.History))
			}
			if r.SearchDocument == nil || !strings.Contains(r.SearchDocument.Body, email) {
				t.Errorf("search document %+v", r.SearchDocument)
			}
			if len(r.DuplicateKeys) == 0 {
				t.Errorf("no duplicate keys")
			}
			if len(r.ExternalIDs) != 1 || r.ExternalIDs[0]["system"] != "hubspot" || r.ExternalIDs[0]["external_id"] != externalID {
				t.Errorf("external IDs %v", r.ExternalIDs)
			}
		}
		if len(x.Related.Activities) != 1 || len(x.Related.Opportunities) != 1 || len(x.Related.Orders) != 1 || len(x.Related.Orders[0].Lines) != 2 {
			t.Errorf("related: %d activities, %d opportunities, %d orders", len(x.Related.Activities), len(x.Related.Opportunities), len(x.Related.Orders))
		}
		if len(x.Merges) != 1 {
			t.Errorf("%d merges", len(x.Merges))
		}
		if len(x.Imports) != 1 || x.Imports[0].Action != "updated" || x.Imports[0].Source["emails"] != email {
			t.Errorf("imports %+v", x.Imports)
		}
		if x.Attachments == nil || len(x.Attachments) != 0 {
			t.Errorf("attachments %v", x.Attachments)
		}
		// A lead's export is the same person.
		lead := s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/privacy/leads/%d/export", p.leadID), nil)
		if n := len(lead["records"].([]any)); n != 3 {
			t.Errorf("the lead's export has %d records", n)
		}
	})
}

func TestOnlyAdministrators(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		c := s.want(t, 201, s.sales, "POST", "/api/v1/contacts", map[string]any{"first_name": "Dewi", "emails": []string{"dewi@contoh.id"}})
		path := fmt.Sprintf("/api/v1/privacy/contacts/%d", id(t, c))
		for _, tc := range []struct {
			name, token, method, path string
			body                      any
			status                    int
			field                     string
		}{
			{"sales may not export even their own contact", s.sales, "GET", path + "/export", nil, 403, ""},
			{"sales may not erase", s.sales, "POST", path + "/erase", map[string]any{"confirm": "ERASE"}, 403, ""},
			{"no token", "", "GET", path + "/export", nil, 401, ""},
			{"an unknown record", s.admin, "GET", "/api/v1/privacy/contacts/999999/export", nil, 404, ""},
			{"an unknown record is not erased", s.admin, "POST", "/api/v1/privacy/leads/999999/erase", map[string]any{"confirm": "ERASE"}, 404, ""},
			{"accounts are not people", s.admin, "GET", "/api/v1/privacy/accounts/1/export", nil, 404, ""},
			{"without confirmation", s.admin, "POST", path + "/erase", map[string]any{}, 422, "confirm"},
			{"with the wrong word", s.admin, "POST", path + "/erase", map[string]any{"confirm": "yes"}, 422, "confirm"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := s.do(t, tc.token, tc.method, tc.path, tc.body)
				if a.status != tc.status || a.ctype != "application/problem+json" {
					t.Fatalf("status %d %s, want %d problem+json\n%s", a.status, a.ctype, tc.status, a.body)
				}
				if tc.field != "" && !strings.Contains(string(a.body), `"field":"`+tc.field+`"`) {
					t.Errorf("no detail for field %s: %s", tc.field, a.body)
				}
			})
		}
		// Nothing was erased by the refused calls.
		rec := s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/contacts/%d", id(t, c)), nil)
		if rec["first_name"] != "Dewi" {
			t.Errorf("the contact changed: %v", rec)
		}
		// The name confirms as well as the word.
		s.want(t, 200, s.admin, "POST", path+"/erase", map[string]any{"confirm": " dewi "})
	})
}

func TestErasureLeavesNothingButAggregates(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		p := s.person(t)
		db := s.App.DB
		for _, n := range needles {
			if len(textEverywhere(t, db, n)) == 0 {
				t.Fatalf("the scenario never stored %q: the check below would prove nothing", n)
			}
		}
		before := map[string]string{
			"order total": s.scalar(t, "SELECT total FROM orders WHERE id = $1", p.orderID),
			"orders sum":  s.scalar(t, "SELECT SUM(total) FROM orders"),
			"lines sum":   s.scalar(t, "SELECT SUM(line_total) FROM order_lines"),
			"deal amount": s.scalar(t, "SELECT amount FROM deals WHERE id = $1", p.dealID),
			"deal stage":  s.scalar(t, "SELECT stage_id FROM deals WHERE id = $1", p.dealID),
			"contacts":    s.scalar(t, "SELECT COUNT(*) FROM contacts"),
			"activities":  s.scalar(t, "SELECT COUNT(*) FROM activities"),
			"leads":       s.scalar(t, "SELECT COUNT(*) FROM leads"),
			"order of":    s.scalar(t, "SELECT contact_id FROM orders WHERE id = $1", p.orderID),
		}

		res := s.want(t, 200, s.admin, "POST", fmt.Sprintf("/api/v1/privacy/contacts/%d/erase", p.contactID), map[string]any{"confirm": "ERASE"})
		if n := len(res["records"].([]any)); n != 3 {
			t.Errorf("erased %d records, want the contact, its lead and its merged duplicate: %v", n, res)
		}
		if got := fmt.Sprint(res["import_files_removed"]); got != fmt.Sprintf("[%d]", p.importID) {
			t.Errorf("import files removed: %s", got)
		}
		if _, err := os.Stat(filepath.Join(s.App.Config.DataDir, "imports", strconv.FormatInt(p.importID, 10))); !os.IsNotExist(err) {
			t.Errorf("the imported file is still there: %v", err)
		}

		for _, n := range needles {
			if found := textEverywhere(t, db, n); len(found) > 0 {
				t.Errorf("%q is still in %s", n, strings.Join(found, ", "))
			}
		}
		for k, v := range before {
			var now string
			switch k {
			case "order total":
				now = s.scalar(t, "SELECT total FROM orders WHERE id = $1", p.orderID)
			case "orders sum":
				now = s.scalar(t, "SELECT SUM(total) FROM orders")
			case "lines sum":
				now = s.scalar(t, "SELECT SUM(line_total) FROM order_lines")
			case "deal amount":
				now = s.scalar(t, "SELECT amount FROM deals WHERE id = $1", p.dealID)
			case "deal stage":
				now = s.scalar(t, "SELECT stage_id FROM deals WHERE id = $1", p.dealID)
			case "contacts":
				now = s.scalar(t, "SELECT COUNT(*) FROM contacts")
			case "activities":
				now = s.scalar(t, "SELECT COUNT(*) FROM activities")
			case "leads":
				now = s.scalar(t, "SELECT COUNT(*) FROM leads")
			case "order of":
				now = s.scalar(t, "SELECT contact_id FROM orders WHERE id = $1", p.orderID)
			}
			if now != v {
				t.Errorf("%s changed: %s → %s", k, v, now)
			}
		}
		// The other customer keeps her own data.
		other := s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/contacts/%d", p.otherContactID), nil)
		if other["first_name"] != "Siti" || fmt.Sprint(other["emails"]) != "[siti@rahma.co.id]" {
			t.Errorf("another contact changed: %v", other)
		}
		rec := s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/contacts/%d", p.contactID), nil)
		if rec["first_name"] != "Erased person" || rec["last_name"] != nil || fmt.Sprint(rec["emails"]) != "[]" || rec["birth_date"] != nil || rec["street"] != nil {
			t.Errorf("the contact after erasure: %v", rec)
		}
		if custom := rec["custom"].(map[string]any); custom["budget"] != 2500000.0 || custom["nik"] != nil {
			t.Errorf("a custom amount was lost: %v", custom)
		}

		// The audit says who erased whom and when.
		audit := s.want(t, 200, s.admin, "GET", fmt.Sprintf("/api/v1/audit?entity=contacts&record_id=%d&action=erased", p.contactID), nil)
		items := audit["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["actor"] != "admin@maju.co.id" {
			t.Errorf("audit: %v", items)
		}

		// Neither a merge undo nor an import undo brings anything back.
		if a := s.do(t, s.admin, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", p.mergeID), nil); a.status != 409 {
			t.Errorf("merge undo: %d %s", a.status, a.body)
		}
		s.do(t, s.admin, "POST", fmt.Sprintf("/api/v1/imports/%d/undo", p.importID), nil)
		for _, n := range needles {
			if found := textEverywhere(t, db, n); len(found) > 0 {
				t.Errorf("after the undos, %q is back in %s", n, strings.Join(found, ", "))
			}
		}
		// Search finds the person no more.
		if hits := s.want(t, 200, s.admin, "GET", "/api/v1/search?q=santoso", nil); fmt.Sprint(hits["items"]) != "[]" {
			t.Errorf("search still finds them: %v", hits)
		}
	})
}
