package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// The list's bulk form, without JavaScript: a change lands on the
// operation's page; a form that cannot work comes back with the reason
// beside what was chosen, and changes nothing.
func TestBulkFormWithoutJavaScript(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	admin := setUpAdmin(t, srv)
	contacts, _ := srv.App.Entities.Get("contacts")
	c, err := srv.App.Records.Create(context.Background(), admin.Principal(), contacts, records.Input{"first_name": "Budi"})
	if err != nil {
		t.Fatal(err)
	}
	b := newFormClient(t, srv.URL)
	signIn(t, b, admin.Email, "rahasia-123")
	id := fmt.Sprint(c.ID)

	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no record ticked", url.Values{"scope": {"selected"}, "op": {"delete"}}, []string{"Choose the records first"}},
		{"no action", url.Values{"scope": {"selected"}, "id": {id}}, []string{"Choose what to do with the records", `name="id" value="` + id + `"`}},
		{"no tag", url.Values{"scope": {"selected"}, "id": {id}, "op": {"tag_add"}}, []string{`id="bulk-tag"`, `class="field-error"`}},
		{"a filter with a mistake", url.Values{"scope": {"all"}, "filter": {"city ="}, "op": {"delete"}},
			[]string{`id="bulk-filter" name="filter" value="city ="`, "position 7"}},
	} {
		resp, body := b.submit("/contacts", "/contacts/bulk", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, resp.StatusCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q", tc.name, w)
			}
		}
	}
	if _, err := srv.App.Records.Get(context.Background(), admin.Principal(), contacts, c.ID); err != nil {
		t.Fatalf("a refused bulk form changed the contact: %v", err)
	}

	resp, _ := b.submit("/contacts", "/contacts/bulk", url.Values{"scope": {"selected"}, "id": {id}, "op": {"tag_add"}, "tag": {"vip"}, "back": {"/contacts?limit=25"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/bulk/") {
		t.Fatalf("a bulk change: %d to %q, want the operation's page", resp.StatusCode, loc)
	}
	_, body := b.get(loc)
	for _, w := range []string{`data-status="done"`, "Changed 1 of 1 records.", "Add the tag vip", `href="/contacts?limit=25"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the operation's page lacks %q", w)
		}
	}
}
