package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// TestActivityFormRelatesARecordByPicker: the new-activity form's related
// record is a picker over the lookup of the type chosen beside it; the
// form posts the ID, keeps the record's name after an error, and a
// salesperson neither finds another's contact in the lookup nor reads its
// name in the form shown again.
func TestActivityFormRelatesARecordByPicker(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, engine)
			ctx := context.Background()
			andi := srv.createUser(t, "andi@example.co.id", auth.Sales)
			dewi := srv.createUser(t, "dewi@example.co.id", auth.Sales)
			contacts, _ := srv.App.Entities.Get("contacts")
			activities, _ := srv.App.Entities.Get("activities")
			budi, err := srv.App.Records.Create(ctx, andi.Principal(), contacts, records.Input{"first_name": "Budi", "last_name": "Santoso"})
			if err != nil {
				t.Fatal(err)
			}
			budiman, err := srv.App.Records.Create(ctx, dewi.Principal(), contacts, records.Input{"first_name": "Budiman", "last_name": "Rahasia"})
			if err != nil {
				t.Fatal(err)
			}
			b := newFormClient(t, srv.URL)
			signIn(t, b, "andi@example.co.id", "rahasia-123")

			_, body := b.get("/activities/new")
			for _, want := range []string{`data-lookup-by="f-related_type"`, `data-lookup-for="contacts" data-url="/contacts/lookup"`,
				`data-lookup-for="opportunities" data-url="/opportunities/lookup"`, `name="related_id" value="" inputmode="numeric"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the new-activity form lacks %s", want)
				}
			}
			_, body = b.get("/contacts/lookup?q=bud")
			if !strings.Contains(body, fmt.Sprintf(`data-id="%d" data-title="Budi Santoso"`, budi.ID)) || strings.Contains(body, "Budiman") {
				t.Errorf("Andi's lookup for bud:\n%s", body)
			}

			// No subject: refused, Budi still chosen by name.
			form := url.Values{"kind": {"call"}, "related_type": {"contacts"}, "related_id": {fmt.Sprint(budi.ID)}, "owner_id": {fmt.Sprint(andi.ID)}}
			resp, body := b.submit("/activities/new", "/activities/new", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			for _, want := range []string{`data-title="Budi Santoso"`, "Now: Budi Santoso."} {
				if !strings.Contains(body, want) {
					t.Errorf("the form shown again lacks %s", want)
				}
			}
			// Dewi's contact: refused, and its name not shown.
			form.Set("subject", "Telepon")
			form.Set("related_id", fmt.Sprint(budiman.ID))
			resp, body = b.submit("/activities/new", "/activities/new", form)
			if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "Budiman") {
				t.Errorf("relating to another's contact: %d, name shown %v", resp.StatusCode, strings.Contains(body, "Budiman"))
			}

			form.Set("related_id", fmt.Sprint(budi.ID))
			resp, body = b.submit("/activities/new", "/activities/new", form)
			var id int64
			if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/activities/%d", &id); err != nil {
				t.Fatalf("save: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			act, err := srv.App.Records.Get(ctx, andi.Principal(), activities, id)
			if err != nil {
				t.Fatal(err)
			}
			if act.String("related_type") != "contacts" || act.Int("related_id") != budi.ID {
				t.Errorf("the activity is related to %s %d, want contacts %d", act.String("related_type"), act.Int("related_id"), budi.ID)
			}
			// Its edit form names Budi.
			if _, body = b.get(fmt.Sprintf("/activities/%d/edit", id)); !strings.Contains(body, `data-title="Budi Santoso"`) {
				t.Error("the activity's edit form does not name Budi")
			}
		})
	}
}
