package records_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// An account's page lists its contacts — those the viewer may read — up
// to a page, with their count and a link to all of them; an action opens
// a new record's form prefilled from the account.
func TestWebLinkedListsAndNewFrom(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		ctx := context.Background()
		admin := s.Admin.Principal()
		dewi := s.user(t, "dewi@example.co.id", auth.Sales)
		acc, err := s.Store.Create(ctx, admin, s.Accounts, records.Input{"name": "PT Maju Jaya", "city": "Bandung", "owner_id": dewi.ID})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.Store.Create(ctx, admin, s.Accounts, records.Input{"name": "PT Lain"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 14 {
			s.contact(t, admin, records.Input{"first_name": fmt.Sprintf("Kontak%02d", i), "account_id": acc.ID})
		}
		s.contact(t, admin, records.Input{"first_name": "Dewi's", "last_name": "Own", "account_id": acc.ID, "owner_id": dewi.ID})
		s.contact(t, admin, records.Input{"first_name": "Elsewhere", "account_id": other.ID})

		page := s.signIn(t, "sari@example.co.id").get(fmt.Sprintf("/accounts/%d", acc.ID))
		wantWebPage(t, page, http.StatusOK, `data-testid="linked-contacts"`, `<span class="muted linked-count">15</span>`, "See all 15",
			fmt.Sprintf(`href="/contacts?filter=account_id&#43;%%3D&#43;%d"`, acc.ID), fmt.Sprintf(`href="/contacts/new?account_id=%d"`, acc.ID))
		linked := page.Body[strings.Index(page.Body, `data-testid="linked-contacts"`):]
		linked = linked[:strings.Index(linked, "</section>")]
		if got := strings.Count(linked, "<tr>") - 1; got != 10 {
			t.Errorf("the account's contacts show %d rows, want 10 of the 15", got)
		}
		if strings.Contains(linked, "Elsewhere") {
			t.Error("another account's contact is listed")
		}

		// Dewi reads only her own contact of the account.
		page = s.signIn(t, "dewi@example.co.id").get(fmt.Sprintf("/accounts/%d", acc.ID))
		wantWebPage(t, page, http.StatusOK, `data-testid="linked-contacts"`)
		linked = page.Body[strings.Index(page.Body, `data-testid="linked-contacts"`):]
		if !strings.Contains(linked, `<span class="muted linked-count">1</span>`) || !strings.Contains(linked, "Dewi&#39;s") || strings.Contains(linked, "Kontak00") {
			t.Errorf("a salesperson should see only her own contact of the account:\n%s", linked[:min(len(linked), 1500)])
		}

		// The prefilled form: the account chosen, the city typed in.
		page = s.signIn(t, "sari@example.co.id").get(fmt.Sprintf("/accounts/%d", acc.ID))
		newURL := fmt.Sprintf("/contacts/new?account_id=%d&amp;city=Bandung", acc.ID)
		wantWebPage(t, page, http.StatusOK, `href="`+newURL+`"`)
		form := s.signIn(t, "sari@example.co.id").get(strings.ReplaceAll(newURL, "&amp;", "&"))
		wantWebPage(t, form, http.StatusOK, fmt.Sprintf(`<option value="%d" selected>PT Maju Jaya</option>`, acc.ID), `name="city" value="Bandung"`)
	})
}
