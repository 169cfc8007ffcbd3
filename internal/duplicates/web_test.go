package duplicates_test

import (
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/records"
)

func TestDuplicatePagesFindMergeAndUndo(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		old := c.create(t, admin, c.Contacts, records.Input{"first_name": "Hendra", "last_name": "<b>Gunawan</b>",
			"emails": []string{"hendra@toko.id"}, "city": "Surabaya", "tags": []string{"vip"}}).ID
		newer := c.create(t, admin, c.Contacts, records.Input{"first_name": "Hendra", "last_name": "Gunawan",
			"emails": []string{"hendra@toko.id", "hg@gmail.com"}, "city": "Malang", "job_title": "Pemilik"}).ID
		x := c.create(t, admin, c.Contacts, records.Input{"first_name": "Irma", "phones": []string{"0811-222-333"}}).ID
		y := c.create(t, admin, c.Contacts, records.Input{"first_name": "Irma", "phones": []string{"+62811222333"}}).ID
		b := c.browser(t, "admin@example.co.id")

		status, body := b.get("/duplicates?entity=contacts")
		wantPage(t, status, body, 200, "Likely duplicate Contacts", "Groups of likely duplicates: 2",
			"Same e-mail: hendra@toko.id", "Same phone number: 0811-222-333",
			html.EscapeString("Hendra <b>Gunawan</b>"),
			fmt.Sprintf(`href="/duplicates/merge?entity=contacts&amp;ids=%d,%d"`, old, newer),
			`action="/duplicates/dismiss"`, `href="/duplicates/merges?entity=contacts"`)
		if strings.Contains(body, "<b>Gunawan</b>") {
			t.Error("a name is not escaped")
		}
		status, body = b.get("/duplicates?entity=accounts")
		wantPage(t, status, body, 200, "No likely duplicates")
		status, _ = b.get("/duplicates?entity=nope")
		if status != 404 {
			t.Errorf("an unknown entity: %d", status)
		}

		// "Not duplicates" hides the group.
		res, _ := b.submit("/duplicates?entity=contacts", "/duplicates/dismiss", url.Values{"entity": {"contacts"}, "ids": {ids(x, y)}})
		wantRedirect(t, res, "/duplicates?entity=contacts")
		status, body = b.get("/duplicates?entity=contacts")
		wantPage(t, status, body, 200, "Marked as not duplicates", "Groups of likely duplicates: 1")
		if strings.Contains(body, "62811222333") {
			t.Error("the dismissed group still shows")
		}

		// The merge form: the older record kept by default, each field's
		// newest value chosen, lists combined.
		form := fmt.Sprintf("/duplicates/merge?entity=contacts&ids=%d,%d", newer, old)
		status, body = b.get(form)
		wantPage(t, status, body, 200, "Merge Contacts",
			fmt.Sprintf(`name="survivor" value="%d" checked`, old),
			fmt.Sprintf(`name="field.city" value="%d" checked`, newer),
			fmt.Sprintf(`name="field.job_title" value="%d" checked`, newer),
			`name="field.emails" value="union" checked`, "All combined: hendra@toko.id, hg@gmail.com")
		res, _ = b.submit(form, "/duplicates/merge", url.Values{"entity": {"contacts"}, "ids": {ids(old, newer)},
			"survivor": {fmt.Sprint(old)}, "field.city": {fmt.Sprint(old)}, "field.last_name": {fmt.Sprint(newer)}, "field.emails": {"union"}})
		wantRedirect(t, res, fmt.Sprintf("/contacts/%d", old))
		status, body = b.get(fmt.Sprintf("/contacts/%d", old))
		wantPage(t, status, body, 200, "Merged. The other records are in the trash", "Surabaya", "Pemilik", "hg@gmail.com",
			`data-testid="merges-panel"`, "merged it")
		if rec := c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", old), nil).Want(t, 200).Map(t); rec["last_name"] != "Gunawan" {
			t.Errorf("the chosen last name was not taken: %v", rec["last_name"])
		}
		var mergeID int64
		if err := c.DB.Read().QueryRow("SELECT id FROM merges").Scan(&mergeID); err != nil {
			t.Fatal(err)
		}
		status, body = b.get("/duplicates/merges?entity=contacts")
		wantPage(t, status, body, 200, "Merges of Contacts", fmt.Sprintf(`action="/duplicates/merges/%d/undo"`, mergeID), fmt.Sprintf("(#%d)", newer))

		// Undo from the survivor's page.
		res, _ = b.submit(fmt.Sprintf("/contacts/%d", old), fmt.Sprintf("/duplicates/merges/%d/undo", mergeID), url.Values{})
		wantRedirect(t, res, fmt.Sprintf("/contacts/%d", old))
		status, body = b.get(fmt.Sprintf("/contacts/%d", old))
		wantPage(t, status, body, 200, "The merge was undone", "undid a merge", "Undone")
		status, _ = b.get(fmt.Sprintf("/contacts/%d", newer))
		if status != 200 {
			t.Fatalf("the merged contact is not back: %d", status)
		}

		// A merge whose survivor changed since cannot be undone, and the
		// log says why.
		res, _ = b.submit(form, "/duplicates/merge", url.Values{"entity": {"contacts"}, "ids": {ids(old, newer)}, "survivor": {fmt.Sprint(newer)}})
		wantRedirect(t, res, fmt.Sprintf("/contacts/%d", newer))
		if _, err := c.Store.Update(t.Context(), admin, c.Contacts, newer, records.Input{"city": "Kediri"}, 0); err != nil {
			t.Fatal(err)
		}
		if err := c.DB.Read().QueryRow("SELECT MAX(id) FROM merges").Scan(&mergeID); err != nil {
			t.Fatal(err)
		}
		res, body = b.submit("/duplicates/merges?entity=contacts", fmt.Sprintf("/duplicates/merges/%d/undo", mergeID), url.Values{})
		wantPage(t, res.StatusCode, body, 409, "The record was changed after the merge", "Merges of Contacts")
	})
}

func TestMergeFormShowsChangesMadeMeanwhile(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		a := c.create(t, admin, c.Contacts, records.Input{"first_name": "Joko", "emails": []string{"joko@x.id"}}).ID
		z := c.create(t, admin, c.Contacts, records.Input{"first_name": "Joko", "emails": []string{"joko@x.id"}}).ID
		b := c.browser(t, "admin@example.co.id")
		form := fmt.Sprintf("/duplicates/merge?entity=contacts&ids=%d,%d", a, z)
		_, page := b.get(form)
		token := csrfToken.FindStringSubmatch(page)[1]
		// Someone changes a record while the form is open.
		if _, err := c.Store.Update(t.Context(), admin, c.Contacts, z, records.Input{"city": "Yogyakarta"}, 0); err != nil {
			t.Fatal(err)
		}
		res, err := b.c.PostForm(c.URL+"/duplicates/merge", url.Values{"csrf_token": {token}, "entity": {"contacts"}, "ids": {ids(a, z)},
			"survivor": {fmt.Sprint(z)}, "version." + fmt.Sprint(a): {"1"}, "version." + fmt.Sprint(z): {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		body := string(raw)
		wantPage(t, res.StatusCode, body, 412, "was changed while you chose the values", "Yogyakarta",
			fmt.Sprintf(`name="survivor" value="%d" checked`, z))
		if n := c.count(t, "SELECT COUNT(*) FROM merges"); n != 0 {
			t.Fatalf("%d merges after a refused form", n)
		}
	})
}
