package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// TestBrowserSalespersonsMorning walks a sales lead's morning in Chromium,
// on a laptop and on a phone, in English and in Bahasa Indonesia: find
// "my" leads due today, open one, log the call inline, convert it into an
// existing account picked by name, add a deal from the new contact, move
// it on the board, tick twenty contacts and give them to a colleague, and
// undo that. On the phone every page on the way fits the screen.
func TestBrowserSalespersonsMorning(t *testing.T) {
	for _, tc := range []struct {
		locale        string
		width, height int64
	}{{"en", wideWidth, wideHeight}, {"id", phoneWidth, phoneHeight}, {"id", wideWidth, wideHeight}, {"en", phoneWidth, phoneHeight}} {
		t.Run(fmt.Sprintf("%s-%d", tc.locale, tc.width), func(t *testing.T) {
			morning(t, tc.locale, tc.width, tc.height)
		})
	}
}

func morning(t *testing.T, locale string, width, height int64) {
	ctx := context.Background()
	srv := newTestServer(t, store.SQLite)
	team, err := srv.App.Auth.CreateTeam(ctx, auth.Principal{Role: auth.Admin}, auth.TeamInput{Name: "Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	maya, err := srv.App.Auth.CreateUser(ctx, auth.NewUser{Email: "maya@example.co.id", Name: "Maya Anggraini", Password: crmPassword,
		Role: auth.Manager, TeamID: &team.ID, Locale: locale, TimeZone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	budi, err := srv.App.Auth.CreateUser(ctx, auth.NewUser{Email: "budi@example.co.id", Name: "Budi Santoso", Password: crmPassword,
		Role: auth.Sales, TeamID: &team.ID, Locale: locale})
	if err != nil {
		t.Fatal(err)
	}
	b := newChromeTab(t, srv.URL)
	s := &crmSession{chromeTab: b, srv: srv, user: maya}
	t.Cleanup(s.reportFailure)
	b.do("the screen", chromedp.EmulateViewport(width, height))
	phone := width == phoneWidth
	fits := func(page string) {
		t.Helper()
		if phone {
			checkFitsPhone(t, b, page)
		}
	}
	b.open("/login")
	b.typeInto("#email", maya.Email)
	b.typeInto("#password", crmPassword)
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")
	fits("home")

	account := s.seed("accounts", records.Input{"name": "PT Maju Jaya Sentosa"})
	rina := s.seed("leads", records.Input{"first_name": "Rina", "last_name": "Kartika", "company": "Maju Jaya", "status": "contacted"})
	later := s.seed("leads", records.Input{"first_name": "Joko", "last_name": "Widodo", "status": "contacted"})
	theirs := s.seed("leads", records.Input{"first_name": "Agus", "last_name": "Salim", "status": "contacted", "owner_id": budi.ID})
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	today := time.Now().In(jakarta)
	noon := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, jakarta)
	for id, due := range map[int64]time.Time{rina.ID: noon, later.ID: noon.AddDate(0, 0, 3), theirs.ID: noon} {
		if _, err := srv.App.DB.Writer().ExecContext(ctx, "UPDATE leads SET response_due_at = $1 WHERE id = $2", due.UTC(), id); err != nil {
			t.Fatal(err)
		}
	}
	var contacts []int64
	for i := range 22 {
		contacts = append(contacts, s.seed("contacts", records.Input{"first_name": fmt.Sprintf("Pelanggan %02d", i)}).ID)
	}

	// 1. My leads due today: the ready-made view.
	b.open("/leads")
	fits("/leads")
	b.click("[data-testid=saved-views] a[data-testid=preset]")
	if got := chromeEval[[]string](b, `Array.from(document.querySelectorAll('[data-testid=records-table] tbody tr'), tr => tr.dataset.id)`); !slices.Equal(got, []string{fmt.Sprint(rina.ID)}) {
		t.Fatalf("my leads due today list %q, want Rina (%d) only", got, rina.ID)
	}
	if got := b.value("[data-testid=control-owner]"); got != "me" {
		t.Errorf("the owner menu shows %q for the view, want me", got)
	}
	fits("my leads due today")

	// 2. Open Rina and log the call inline.
	b.click(fmt.Sprintf(`[data-testid=records-table] tr[data-id="%d"] a`, rina.ID))
	fits("the lead")
	b.do("blur", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	b.do("press l", chromedp.KeyEvent("l"))
	b.typeInto("#log-subject", "Rina wants a quote")
	b.do("save the call", chromedp.Click(chromedp.CSS("[data-testid=log-save]")))
	s.waitFor("the call in the lead's timeline", `document.querySelector('[data-testid=timeline]').textContent.includes('Rina wants a quote')`)
	if loc := b.location(); loc.Path != fmt.Sprintf("/leads/%d", rina.ID) {
		t.Errorf("logging the call left the lead's page for %s", loc.Path)
	}

	// 3. Convert her into the existing account, picked by name.
	b.click(fmt.Sprintf(`a.button[href="/leads/%d/convert"]`, rina.ID))
	fits("the conversion")
	b.do("an existing account", chromedp.SetValue(chromedp.CSS("#account_mode"), "existing"))
	// The form suggests the account whose name is like the lead's
	// company; the user clears it and picks it by name all the same.
	if got := chromeEval[string](b, `document.querySelector('#account_id').closest('[data-picker]').querySelector('input[type=hidden]').value`); got != fmt.Sprint(account.ID) {
		t.Errorf("the conversion suggests account %q, want the similar %d", got, account.ID)
	}
	b.do("clear the suggestion", chromedp.Click(chromedp.CSS("[data-picker] .picker-clear")))
	s.pick("#account_id", "Maju", account.ID)
	b.click("[data-testid=convert-submit]")
	contact := s.recordID("contacts")
	fits("the new contact")

	// 4. A deal from the contact: the contact and the account filled in.
	b.click(`a.button[href^="/opportunities/new"]`)
	if got := chromeEval[string](b, `document.querySelector('input[type=hidden][name=account_id], select[name=account_id], input[name=account_id]').value`); got != fmt.Sprint(account.ID) {
		t.Errorf("the new deal's account is %q, want %d", got, account.ID)
	}
	fits("the new deal form")
	b.typeInto("#f-name", "Penawaran Rina")
	b.typeInto("#f-amount", "15000000")
	b.click("form.record-form [data-testid=save]")
	deal := s.recordID("opportunities")
	d, err := srv.App.Records.Get(ctx, maya.Principal(), s.entity("opportunities"), deal)
	if err != nil {
		t.Fatal(err)
	}
	if d.Int("contact_id") != contact || d.Int("account_id") != account.ID {
		t.Errorf("the deal names contact %d and account %d, want %d and %d", d.Int("contact_id"), d.Int("account_id"), contact, account.ID)
	}
	stage := fmt.Sprint(d.Get("stage_id"))

	// 5. On the board: dragged with the mouse on a laptop, moved with
	// Shift+→ where there is no mouse.
	b.open("/deals/board")
	fits("the board")
	card := fmt.Sprintf(`#deals-board [data-testid=deal-card][data-deal-id="%d"]`, deal)
	s.waitFor("the board's script", `typeof window.Sortable === 'function'`)
	if phone {
		b.do("focus the card", chromedp.Focus(chromedp.CSS(card+" .deals-card-name")))
		b.do("Shift+→", chromedp.KeyEvent(kb.ArrowRight, chromedp.KeyModifiers(chromedp.ModifierShift)))
	} else {
		next := chromeEval[string](b, fmt.Sprintf(`document.querySelector(%q).closest('.deals-column').nextElementSibling.querySelector('.deals-cards').dataset.stageId`, card))
		s.dragCard(card, fmt.Sprintf(`#deals-board .deals-cards[data-stage-id="%s"]`, next))
	}
	s.waitFor("the move to be saved", fmt.Sprintf(`document.querySelector(%q).parentElement.dataset.stageId !== %q && !document.querySelector(%q).hasAttribute('aria-busy') && document.getElementById('deals-status').textContent !== ''`, card, stage, card))
	d, _ = srv.App.Records.Get(ctx, maya.Principal(), s.entity("opportunities"), deal)
	if fmt.Sprint(d.Get("stage_id")) == stage {
		t.Errorf("the deal is still stored in its first stage after the move")
	}

	// 6. Twenty contacts to Budi, then undone.
	s.openURI("/contacts?limit=25&sort=first_name")
	fits("the contacts")
	for _, id := range contacts[:20] {
		box := chromedp.CSS(fmt.Sprintf(`tr[data-id="%d"] input[data-bulk-row]`, id))
		b.do("tick", chromedp.Focus(box))
		b.do("tick", chromedp.KeyEvent(" "))
	}
	if got := s.textContent("[data-bulk-count]"); !strings.Contains(got, "20") {
		t.Errorf("the bulk form counts %q", got)
	}
	b.do("give them to Budi", chromedp.SetValue(chromedp.CSS("[data-testid=bulk-op]"), fmt.Sprintf("assign:%d", budi.ID)))
	b.click("[data-testid=bulk-apply]")
	fits("the bulk change")
	if got := chromeEval[string](b, `document.querySelector('[data-testid=bulk-operation]').dataset.status`); got != "done" {
		t.Fatalf("the bulk change is %q", got)
	}
	owned := func(who int64) int {
		var n int
		if err := srv.App.DB.Read().QueryRowContext(ctx, "SELECT count(*) FROM contacts WHERE owner_id = $1 AND first_name LIKE 'Pelanggan%'", who).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if owned(budi.ID) != 20 {
		t.Fatalf("Budi owns %d contacts after the change, want 20", owned(budi.ID))
	}
	b.click("[data-testid=bulk-undo]")
	if got := chromeEval[string](b, `document.querySelector('[data-testid=bulk-operation]').dataset.status`); got != "undone" {
		t.Errorf("after undo the change is %q", got)
	}
	if owned(budi.ID) != 0 || owned(maya.ID) != 22 {
		t.Errorf("after undo Budi owns %d and Maya %d, want 0 and 22", owned(budi.ID), owned(maya.ID))
	}
	b.click("[data-testid=bulk-back]")
	if loc := b.location(); loc.Path != "/contacts" || loc.Query().Get("limit") != "25" {
		t.Errorf("back from the change leads to %s, want the list as it was", loc.RequestURI())
	}
	b.checkConsole()
}
