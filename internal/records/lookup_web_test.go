package records_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

var pickerOption = regexp.MustCompile(`data-id="(\d+)" data-title="([^"]*)"`)

// lookupTitles are the titles a picker's lookup offers, in order.
func lookupTitles(t *testing.T, b *webBrowser, path string) []string {
	t.Helper()
	p := b.get(path, "HX-Request", "true")
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, p.Status)
	}
	var out []string
	for _, m := range pickerOption.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[2])
	}
	return out
}

func TestWebLookupOffersOnlyWhatTheViewerMaySee(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		andi := s.user(t, "andi@example.co.id", auth.Sales)
		dewi := s.user(t, "dewi@example.co.id", auth.Sales)
		s.user(t, "ro@example.co.id", auth.ReadOnly)
		s.contact(t, andi.Principal(), records.Input{"first_name": "Budi", "last_name": "Santoso"})
		s.contact(t, dewi.Principal(), records.Input{"first_name": "Budiman", "last_name": "Hartono"})
		s.contact(t, andi.Principal(), records.Input{"first_name": "Sinta", "last_name": "Dewi"})
		gone := s.contact(t, andi.Principal(), records.Input{"first_name": "Budi", "last_name": "Terhapus"})
		if err := s.Store.Delete(context.Background(), andi.Principal(), s.Contacts, gone.ID); err != nil {
			t.Fatal(err)
		}

		a := s.signIn(t, "andi@example.co.id")
		if got := lookupTitles(t, a, "/contacts/lookup?q=bud"); strings.Join(got, "|") != "Budi Santoso" {
			t.Errorf("Andi (sales) typing bud is offered %q, want only his Budi Santoso (not Dewi's Budiman, not the trashed one)", got)
		}
		ro := s.signIn(t, "ro@example.co.id")
		got := lookupTitles(t, ro, "/contacts/lookup?q=Bud")
		if len(got) != 2 || !contains(got, "Budi Santoso") || !contains(got, "Budiman Hartono") {
			t.Errorf("a read-only user (reads all) typing Bud is offered %q, want both Budis", got)
		}
		if got := lookupTitles(t, ro, "/contacts/lookup?q=budi+har"); strings.Join(got, "|") != "Budiman Hartono" {
			t.Errorf("budi har: %q, want Budiman Hartono (every word a prefix)", got)
		}
		if got := lookupTitles(t, ro, "/contacts/lookup?q=xyzzy"); len(got) != 0 {
			t.Errorf("no match: %q", got)
		}
		wantWebPage(t, ro.get("/contacts/lookup?q=xyzzy"), http.StatusOK, "No record of that name that you may see.")
		wantWebPage(t, ro.get("/contacts/lookup?q=bu"), http.StatusOK, "Type at least 3 letters.")

		// Accounts are owned too: a sales user's picker holds his own.
		if _, err := s.Store.Create(context.Background(), dewi.Principal(), s.Accounts, records.Input{"name": "PT Maju Dewi"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Store.Create(context.Background(), andi.Principal(), s.Accounts, records.Input{"name": "PT Maju Andi"}); err != nil {
			t.Fatal(err)
		}
		if got := lookupTitles(t, a, "/accounts/lookup?q=maju"); strings.Join(got, "|") != "PT Maju Andi" {
			t.Errorf("Andi's account picker for maju: %q", got)
		}
	})
}

func TestWebLookupLimit(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		for i := range 8 {
			s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Budi", "last_name": fmt.Sprintf("Nomor %d", i)})
		}
		b := s.signIn(t, "sari@example.co.id")
		if got := lookupTitles(t, b, "/contacts/lookup?q=budi&limit=3"); len(got) != 3 {
			t.Errorf("limit=3 offers %d: %q", len(got), got)
		}
		if got := lookupTitles(t, b, "/contacts/lookup?q=budi"); len(got) != 8 {
			t.Errorf("the default limit (10) offers %d of 8", len(got))
		}
		// Without a query, the first records in the list's order: what a
		// picker shows when opened with ↓ before typing.
		if got := lookupTitles(t, b, "/contacts/lookup?limit=5"); len(got) != 5 {
			t.Errorf("an empty query offers %d, want 5", len(got))
		}
	})
}

func TestWebFormPostsThePickedIDAndKeepsItsTitle(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": "PT Maju Jaya"})
		if err != nil {
			t.Fatal(err)
		}
		b := s.signIn(t, "sari@example.co.id")
		// The form is a picker over the accounts' lookup.
		wantWebPage(t, b.get("/contacts/new"), http.StatusOK, `data-picker`, `data-lookup="/accounts/lookup"`)

		// Refused (no first name): the chosen account stays chosen, by name.
		id := fmt.Sprint(acc.ID)
		res, body := b.submit("/contacts/new", "/contacts/new", url.Values{"last_name": {"Santoso"}, "account_id": {id}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		for _, want := range []string{`data-title="PT Maju Jaya"`, fmt.Sprintf(`<option value="%s" selected>PT Maju Jaya</option>`, id)} {
			if !strings.Contains(body, want) {
				t.Errorf("the form shown again lacks %s", want)
			}
		}
		res, _ = b.submit("/contacts/new", "/contacts/new", url.Values{"first_name": {"Budi"}, "account_id": {id}})
		wantWebRedirect(t, res, "")
		list, err := s.Store.List(context.Background(), admin, s.Contacts, records.Query{Filter: "account_id = " + id})
		if err != nil || len(list.Items) != 1 || list.Items[0].String("first_name") != "Budi" {
			t.Fatalf("Budi is not saved with PT Maju Jaya: %v %v", list.Items, err)
		}
	})
}

func TestWebManyRecordsPickerKeepsTitleAfterError(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		admin := s.Admin.Principal()
		var last records.Record
		for i := range 201 {
			acc, err := s.Store.Create(context.Background(), admin, s.Accounts, records.Input{"name": fmt.Sprintf("PT Nomor %03d", i)})
			if err != nil {
				t.Fatal(err)
			}
			last = acc
		}
		b := s.signIn(t, "sari@example.co.id")
		res, body := b.submit("/contacts/new", "/contacts/new", url.Values{"account_id": {fmt.Sprint(last.ID)}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		for _, want := range []string{fmt.Sprintf(`name="account_id" value="%d" inputmode="numeric"`, last.ID), "Now: PT Nomor 200.", `data-title="PT Nomor 200"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the form shown again lacks %s", want)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
