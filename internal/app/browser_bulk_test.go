package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// TestBrowserReassignTwentyAndUndo: a salesperson's lead ticks twenty
// contacts on the list, gives them to a colleague in one go, sees what
// changed, and undoes it; the list then shows them as before.
func TestBrowserReassignTwentyAndUndo(t *testing.T) {
	s := newCRMSession(t, "en")
	budi, err := s.srv.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: "budi@example.co.id", Name: "Budi Santoso", Password: crmPassword, Role: auth.Sales})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 24 {
		ids = append(ids, s.seed("contacts", records.Input{"first_name": fmt.Sprintf("Kontak %02d", i)}).ID)
	}
	s.openURI("/contacts?limit=25")
	for _, id := range ids[:20] {
		// By keyboard: a click can land on another row while the page
		// scrolls under the sticky header.
		box := chromedp.CSS(fmt.Sprintf(`tr[data-id="%d"] input[data-bulk-row]`, id))
		s.do(fmt.Sprintf("tick %d", id), chromedp.Focus(box))
		s.do(fmt.Sprintf("tick %d", id), chromedp.KeyEvent(" "))
	}
	if got := s.textContent("[data-bulk-count]"); got != "The 20 rows ticked" {
		t.Errorf("the bulk form counts %q", got)
	}
	s.do("choose Budi", chromedp.SetValue(chromedp.CSS("[data-testid=bulk-op]"), fmt.Sprintf("assign:%d", budi.ID)))
	s.click("[data-testid=bulk-apply]")
	if got := s.innerText("[data-testid=bulk-result]"); !strings.Contains(got, "Changed 20 of 20 records") {
		t.Fatalf("after the change the page reads %q", got)
	}
	if got := s.innerText("[data-testid=bulk-operation]"); !strings.Contains(got, "Owner: Budi Santoso") {
		t.Errorf("the page does not say what changed: %q", got)
	}
	s.click("[data-testid=bulk-undo]")
	if got := s.innerText("[data-testid=bulk-undone]"); !strings.Contains(got, "20 records have what they had") {
		t.Errorf("after undo the page reads %q", got)
	}
	s.click("[data-testid=bulk-back]")
	if loc := s.location(); loc.Path != "/contacts" || loc.Query().Get("limit") != "25" {
		t.Errorf("back leads to %s, want the list as it was", loc.RequestURI())
	}
	for _, id := range ids[:20] {
		if got := s.listCell(id, "Owner"); got != "Sari Wulandari" {
			t.Fatalf("after undo contact %d is owned by %q", id, got)
		}
	}
	s.checkConsole()
}
