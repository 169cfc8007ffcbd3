package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
)

// story is a week in a small CRM:
//
//	day 2  the admin creates PT Maju Jaya; Sari (sales) creates Budi
//	day 3  Sari moves Budi to Bandung
//	day 4  the admin changes PT Maju Jaya's industry
//	day 5  the admin deletes Budi
//	day 6  the admin restores Budi; the merge module merges into Budi;
//	       the import module imports a contact
//	day 7  the admin deletes PT Maju Jaya
type story struct {
	account, contact int64
	sari             auth.User
	sariToken        string
}

func tell(t *testing.T, e *env) story {
	t.Helper()
	var s story
	s.sari, s.sariToken = e.User(t, "sari@example.co.id", auth.Sales, 0)
	e.at(day(2))
	s.account = e.create(t, e.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
	s.contact = e.create(t, s.sariToken, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso"})
	e.at(day(3))
	e.Do(t, s.sariToken, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", s.contact), map[string]any{"city": "Bandung"}).Want(t, http.StatusOK)
	e.at(day(4))
	e.Do(t, e.AdminToken, "PATCH", fmt.Sprintf("/api/v1/accounts/%d", s.account), map[string]any{"industry": "retail"}).Want(t, http.StatusOK)
	e.at(day(5))
	e.Do(t, e.AdminToken, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", s.contact), nil).Want(t, http.StatusNoContent)
	e.at(day(6))
	e.Do(t, e.AdminToken, "POST", fmt.Sprintf("/api/v1/contacts/%d/restore", s.contact), nil).Want(t, http.StatusOK)
	e.history(t, "contacts", s.contact, "merged", e.Admin.Principal(), map[string][2]any{"phones": {nil, []string{"+6281234567890"}}})
	e.history(t, "contacts", 999, "imported", e.Admin.Principal(), nil)
	e.at(day(7))
	e.Do(t, e.AdminToken, "DELETE", fmt.Sprintf("/api/v1/accounts/%d", s.account), nil).Want(t, http.StatusNoContent)
	return s
}

// describe writes entries as "entity action record (fields)".
func describe(p page) []string {
	var out []string
	for _, it := range p.Items {
		var fields []string
		for f := range it.Changes {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		out = append(out, fmt.Sprintf("%s %s %s (%s)", it.Entity, it.Action, it.Record, strings.Join(fields, ",")))
	}
	return out
}

func TestAuditListsEveryChangeNewestFirst(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		s := tell(t, e)
		p := e.page(t, e.AdminToken, "")
		want := []string{
			"accounts deleted PT Maju Jaya ()",
			"contacts imported  ()",
			"contacts merged Budi Santoso (phones)",
			"contacts restored Budi Santoso ()",
			"contacts deleted Budi Santoso ()",
			"accounts updated PT Maju Jaya (industry)",
			"contacts updated Budi Santoso (city)",
			"contacts created Budi Santoso (first_name,last_name,owner_id)",
			"accounts created PT Maju Jaya (name,owner_id)",
		}
		if got := describe(p); !slices.Equal(got, want) {
			t.Fatalf("audit:\n got %q\nwant %q", got, want)
		}
		first, last := p.Items[0], p.Items[len(p.Items)-1]
		if first.RecordState != "trash" || first.Actor != e.Admin.Name || first.ActorID == nil || *first.ActorID != e.Admin.ID {
			t.Errorf("the account's deletion shows state %q by %q (%v), want trash by %s", first.RecordState, first.Actor, first.ActorID, e.Admin.Name)
		}
		if !first.At.Equal(day(7)) || !last.At.Equal(day(2)) {
			t.Errorf("times %v … %v, want %v … %v", first.At, last.At, day(7), day(2))
		}
		if p.Items[2].RecordState != "active" || p.Items[2].RecordID != s.contact {
			t.Errorf("the merge is about %d (%s), want the live contact %d", p.Items[2].RecordID, p.Items[2].RecordState, s.contact)
		}
		if p.Items[1].RecordState != "purged" {
			t.Errorf("an entry about a record that does not exist has state %q, want purged", p.Items[1].RecordState)
		}
		upd := p.Items[6]
		if upd.Changes["city"][0] != nil || upd.Changes["city"][1] != "Bandung" || upd.Actor != s.sari.Name {
			t.Errorf("Sari's change: %+v", upd)
		}
		if p.NextCursor != "" {
			t.Errorf("one page holds everything, yet next_cursor is %q", p.NextCursor)
		}
	})
}

func TestAuditFilters(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		s := tell(t, e)
		cases := []struct {
			name  string
			query url.Values
			want  []string
		}{
			{"entity", url.Values{"entity": {"accounts"}}, []string{
				"accounts deleted PT Maju Jaya ()", "accounts updated PT Maju Jaya (industry)", "accounts created PT Maju Jaya (name,owner_id)"}},
			{"record", url.Values{"entity": {"contacts"}, "record_id": {fmt.Sprint(s.contact)}}, []string{
				"contacts merged Budi Santoso (phones)", "contacts restored Budi Santoso ()", "contacts deleted Budi Santoso ()",
				"contacts updated Budi Santoso (city)", "contacts created Budi Santoso (first_name,last_name,owner_id)"}},
			{"actor", url.Values{"actor_id": {fmt.Sprint(s.sari.ID)}}, []string{
				"contacts updated Budi Santoso (city)", "contacts created Budi Santoso (first_name,last_name,owner_id)"}},
			{"action", url.Values{"action": {"deleted"}}, []string{
				"accounts deleted PT Maju Jaya ()", "contacts deleted Budi Santoso ()"}},
			{"merges", url.Values{"action": {"merged"}}, []string{"contacts merged Budi Santoso (phones)"}},
			{"imports", url.Values{"action": {"imported"}}, []string{"contacts imported  ()"}},
			{"field", url.Values{"field": {"city"}}, []string{"contacts updated Budi Santoso (city)"}},
			{"field of a creation", url.Values{"field": {"name"}}, []string{"accounts created PT Maju Jaya (name,owner_id)"}},
			// Whole days in Jakarta, both ends included.
			{"from and to", url.Values{"from": {"2026-03-03"}, "to": {"2026-03-04"}}, []string{
				"accounts updated PT Maju Jaya (industry)", "contacts updated Budi Santoso (city)"}},
			{"from", url.Values{"from": {"2026-03-07"}}, []string{"accounts deleted PT Maju Jaya ()"}},
			{"to", url.Values{"to": {"2026-03-02"}}, []string{
				"contacts created Budi Santoso (first_name,last_name,owner_id)", "accounts created PT Maju Jaya (name,owner_id)"}},
			{"combined", url.Values{"entity": {"contacts"}, "actor_id": {fmt.Sprint(e.Admin.ID)}, "from": {"2026-03-06"}}, []string{
				"contacts imported  ()", "contacts merged Budi Santoso (phones)", "contacts restored Budi Santoso ()"}},
			{"nothing", url.Values{"entity": {"accounts"}, "field": {"city"}}, nil},
		}
		for _, c := range cases {
			if got := describe(e.page(t, e.AdminToken, "?"+c.query.Encode())); !slices.Equal(got, c.want) {
				t.Errorf("%s (%s):\n got %q\nwant %q", c.name, c.query.Encode(), got, c.want)
			}
		}
		// A value that reads like the field's name is not the field.
		e.at(day(8))
		e.Do(t, s.sariToken, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", s.contact), map[string]any{"tags": []string{"city"}}).Want(t, http.StatusOK)
		if got := describe(e.page(t, e.AdminToken, "?field=city")); !slices.Equal(got, []string{"contacts updated Budi Santoso (city)"}) {
			t.Errorf("field=city after tagging the contact \"city\": %q", got)
		}
	})
}

func TestAuditDaysAreTheReadersDays(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		tell(t, e)
		// 03:00 UTC on March 3rd is still March 2nd in Los Angeles.
		req, _ := http.NewRequest("GET", e.URL+"/api/v1/audit?from=2026-03-02&to=2026-03-02", nil)
		req.Header.Set("Authorization", "Bearer "+e.AdminToken)
		req.Header.Set("X-Time-Zone", "America/Los_Angeles")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p page
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		answer{Body: buf.Bytes()}.decode(t, &p)
		if got, want := describe(p), []string{"contacts updated Budi Santoso (city)"}; !slices.Equal(got, want) {
			t.Errorf("March 2nd in Los Angeles: got %q, want %q", got, want)
		}
	})
}

func TestAuditRefusesBadFilters(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		cases := []struct {
			query string
			field string
		}{
			{"entity=contact", "entity"},
			{"record_id=abc", "record_id"},
			{"actor_id=0", "actor_id"},
			{"action=drop%20table", "action"},
			{"field=city%27--", "field"},
			{"from=2026-13-01", "from"},
			{"from=2026-03-05&to=2026-03-04", "to"},
			{"limit=0", "limit"},
			{"limit=501", "limit"},
			{"cursor=nonsense", "cursor"},
			{"format=xml", "format"},
		}
		for _, c := range cases {
			a := e.get(t, e.AdminToken, "/api/v1/audit?"+c.query, http.StatusUnprocessableEntity, true)
			if got := a.problemFields(t); !slices.Equal(got, []string{c.field}) {
				t.Errorf("%s: the problem names %q, want %q", c.query, got, c.field)
			}
		}
	})
}

func TestAuditIsForAdministrators(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		tell(t, e)
		for _, role := range []auth.Role{auth.Manager, auth.Sales, auth.Marketing, auth.ReadOnly} {
			_, token := e.User(t, string(role)+"@example.co.id", role, 0)
			e.get(t, token, "/api/v1/audit", http.StatusForbidden)
			e.get(t, token, "/api/v1/audit?format=csv", http.StatusForbidden)
		}
		e.get(t, "no-such-token", "/api/v1/audit", http.StatusUnauthorized)
	})
}

func TestAuditPagesWithoutGapsOrRepeats(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		tell(t, e)
		all := e.page(t, e.AdminToken, "")
		var got []int64
		cursor, pages := "", 0
		for {
			q := url.Values{"limit": {"2"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			p := e.page(t, e.AdminToken, "?"+q.Encode())
			pages++
			if len(p.Items) > 2 {
				t.Fatalf("page %d holds %d entries, limit 2", pages, len(p.Items))
			}
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
			if pages > 10 {
				t.Fatal("the pages never end")
			}
		}
		var want []int64
		for _, it := range all.Items {
			want = append(want, it.ID)
		}
		if !slices.Equal(got, want) || pages != 5 {
			t.Errorf("paged IDs %v in %d pages, want %v in 5", got, pages, want)
		}
		// A filter holds across pages.
		p1 := e.page(t, e.AdminToken, "?entity=contacts&limit=3")
		p2 := e.page(t, e.AdminToken, "?entity=contacts&limit=3&cursor="+url.QueryEscape(p1.NextCursor))
		if got := append(describe(p1), describe(p2)...); len(got) != 6 || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "accounts") }) {
			t.Errorf("contacts over two pages: %q", got)
		}
		if p2.NextCursor != "" {
			t.Errorf("the last page has next_cursor %q", p2.NextCursor)
		}
	})
}

func TestAuditNamesPurgedRecords(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		e.at(day(2))
		id := e.create(t, e.AdminToken, "contacts", map[string]any{"first_name": "Wati"})
		e.Do(t, e.AdminToken, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", id), nil).Want(t, http.StatusNoContent)
		// What the trash's purge does: the row goes, a "purged" row keeps its name.
		if _, err := e.DB.Writer().Exec("DELETE FROM contacts WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
		e.history(t, "contacts", id, "purged", auth.Principal{}, map[string][2]any{"title": {"Wati", nil}})
		p := e.page(t, e.AdminToken, fmt.Sprintf("?entity=contacts&record_id=%d", id))
		if got, want := describe(p), []string{"contacts purged Wati (title)", "contacts deleted Wati ()", "contacts created Wati (first_name,owner_id)"}; !slices.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		for _, it := range p.Items {
			if it.RecordState != "purged" {
				t.Errorf("%s: state %q, want purged", it.Action, it.RecordState)
			}
		}
		if p.Items[0].ActorID != nil || p.Items[0].Actor != "" {
			t.Errorf("the purge job is nobody, got %v %q", p.Items[0].ActorID, p.Items[0].Actor)
		}
	})
}

// readCSV downloads the audit as CSV and parses it.
func readCSV(t *testing.T, e *env, query string) (answer, [][]string) {
	t.Helper()
	a := e.get(t, e.AdminToken, "/api/v1/audit?format=csv&"+query, http.StatusOK)
	if ct := a.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasPrefix(a.Header.Get("Content-Disposition"), `attachment; filename="relasi-audit-`) {
		t.Errorf("Content-Disposition %q", a.Header.Get("Content-Disposition"))
	}
	body, ok := bytes.CutPrefix(a.Body, []byte("\ufeff"))
	if !ok {
		t.Error("the CSV has no byte-order mark; spreadsheets would misread its UTF-8")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, body)
	}
	return a, rows
}

func TestAuditCSVHasOneRowPerChangedField(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		s := tell(t, e)
		// A name a spreadsheet would run as a formula, and a value with
		// the characters CSV must quote.
		e.at(day(8))
		e.Do(t, s.sariToken, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", s.contact),
			map[string]any{"last_name": `=HYPERLINK("http://evil")`, "street": "Jl. Merdeka 1,\nRT 02 \"Blok A\""}).Want(t, http.StatusOK)

		_, rows := readCSV(t, e, "entity=contacts&record_id="+fmt.Sprint(s.contact))
		header := "id,at,actor_id,actor,action,entity,record_id,record,record_state,field,old,new"
		if strings.Join(rows[0], ",") != header {
			t.Fatalf("header %q, want %q", rows[0], header)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, strings.Join([]string{r[4], r[9], r[10], r[11]}, "|"))
		}
		want := []string{
			`updated|last_name|Santoso|'=HYPERLINK("http://evil")`,
			"updated|street||Jl. Merdeka 1,\nRT 02 \"Blok A\"",
			`merged|phones||["+6281234567890"]`,
			"restored|||",
			"deleted|||",
			"updated|city||Bandung",
			"created|first_name||Budi",
			"created|last_name||Santoso",
			fmt.Sprintf("created|owner_id||%d", s.sari.ID),
		}
		if !slices.Equal(got, want) {
			t.Errorf("rows:\n got %q\nwant %q", got, want)
		}
		last := rows[len(rows)-1]
		if last[1] != "2026-03-02T03:00:00Z" || last[2] != fmt.Sprint(s.sari.ID) || last[3] != s.sari.Name || last[7] != `Budi =HYPERLINK("http://evil")` || last[8] != "active" {
			t.Errorf("the creation row: %q", last)
		}
	})
}

func TestAuditCSVStreamsPastOneBatch(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, e *env) {
		// 2,345 history rows, as a big import leaves: more than two of the
		// batches the download reads at a time, and more than one page.
		err := e.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
			for i := range 2345 {
				if _, err := tx.Exec("INSERT INTO record_changes (entity, record_id, action, actor_id, at, changes) VALUES ('contacts', $1, 'imported', $2, $3, '{}')",
					i+1, e.Admin.ID, day(2)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, rows := readCSV(t, e, "action=imported")
		if len(rows) != 2346 {
			t.Fatalf("%d rows, want the header and 2345", len(rows))
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			if seen[r[0]] {
				t.Fatalf("entry %s twice", r[0])
			}
			seen[r[0]] = true
		}
		if rows[1][6] != "2345" || rows[2345][6] != "1" {
			t.Errorf("not newest first: %s … %s", rows[1][6], rows[2345][6])
		}
		// The download ignores limit and starts at the cursor it is given.
		p := e.page(t, e.AdminToken, "?action=imported&limit=500")
		_, rest := readCSV(t, e, "action=imported&limit=1&cursor="+url.QueryEscape(p.NextCursor))
		if len(rest) != 1846 {
			t.Errorf("from the second page on: %d rows, want 1845 and the header", len(rest))
		}
	})
}
