package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/records"
)

// TestBrowserActFromAContact: on a contact's page a salesperson presses
// "l", logs the call just made without leaving the page and sees it in
// the timeline at once; "?" lists the shortcuts; "New deal" opens a deal
// already naming the contact and its account, and the account's page then
// lists both.
func TestBrowserActFromAContact(t *testing.T) {
	s := newCRMSession(t, "en")
	acc := s.seed("accounts", records.Input{"name": "PT Maju Jaya"})
	budi := s.seed("contacts", records.Input{"first_name": "Budi", "last_name": "Santoso", "account_id": acc.ID})
	contactPage := fmt.Sprintf("/contacts/%d", budi.ID)

	s.open(contactPage)
	s.do("press l", chromedp.KeyEvent("l"))
	if got := chromeEval[string](s.chromeTab, `document.activeElement.id`); got != "log-subject" {
		t.Fatalf("after l the focus is on %q, want the log form's subject", got)
	}
	s.typeInto("#log-subject", "Called about the Toraja order")
	s.do("choose call", chromedp.Click(chromedp.CSS(`input[name=kind][value=call]`)))
	s.do("save", chromedp.Click(chromedp.CSS(`[data-testid=log-save]`)))
	s.waitFor("the call in the timeline", `document.querySelector('[data-testid=timeline]') && document.querySelector('[data-testid=timeline]').textContent.includes('Called about the Toraja order')`)
	if loc := s.location(); loc.Path != contactPage {
		t.Errorf("logging the call moved the browser to %s", loc.Path)
	}
	if got := s.value("#log-subject"); got != "" {
		t.Errorf("after saving, the subject still holds %q; want a fresh form", got)
	}
	if !strings.Contains(s.innerText("[data-testid=activity-logged]"), "Logged") {
		t.Errorf("no notice that the activity was logged: %q", s.innerText("[data-testid=log-activity]"))
	}
	// A refused one stays on the page with the error beside the subject.
	s.typeInto("#log-body", "kept text")
	s.do("save without a subject", chromedp.Click(chromedp.CSS(`[data-testid=log-save]`)))
	s.waitFor("the error", `!!document.querySelector('[data-testid=log-activity] .field-error')`)
	if got := s.value("#log-body"); got != "kept text" {
		t.Errorf("the refused form lost the text: %q", got)
	}

	// "?" lists the shortcuts; Escape closes the list.
	s.do("blur", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	s.do("press ?", chromedp.KeyEvent("?"))
	s.waitFor("the shortcuts", `document.querySelector('[data-testid=shortcuts-help]').open`)
	if got := s.innerText("[data-testid=shortcuts-help]"); !strings.Contains(got, "Log an activity") || !strings.Contains(got, "Search") {
		t.Errorf("the shortcuts dialog reads %q", got)
	}
	s.do("press Escape", chromedp.KeyEvent("\x1b"))
	s.waitFor("the shortcuts closed", `!document.querySelector('[data-testid=shortcuts-help]').open`)

	// New deal from the contact: the contact and its account are chosen.
	s.click(`a.button[href^="/opportunities/new"]`)
	if got := s.value("input[type=hidden][name=contact_id]"); got != fmt.Sprint(budi.ID) {
		t.Errorf("the new deal's contact = %q, want %d", got, budi.ID)
	}
	if got := s.value("input[type=hidden][name=account_id], select[name=account_id]"); got != fmt.Sprint(acc.ID) {
		t.Errorf("the new deal's account = %q, want %d", got, acc.ID)
	}
	s.typeInto("#f-name", "Toraja for the office")
	s.click(`form.record-form button[type=submit]`)
	dealID := s.recordID("opportunities")

	// The account's page lists the contact and the deal; "e" edits it.
	s.open(fmt.Sprintf("/accounts/%d", acc.ID))
	if got := s.innerText("[data-testid=linked-contacts]"); !strings.Contains(got, "Budi") {
		t.Errorf("the account's contacts read %q, want Budi", got)
	}
	if got := s.innerText("[data-testid=linked-opportunities]"); !strings.Contains(got, "Toraja for the office") {
		t.Errorf("the account's deals read %q, want deal %d", got, dealID)
	}
	s.load("press e", chromedp.KeyEvent("e"))
	s.wantPath("edit by keyboard", fmt.Sprintf("/accounts/%d/edit", acc.ID))

	// Inline edit: the city in the contacts list, then on the contact's page.
	s.open("/contacts")
	cell := fmt.Sprintf(`[data-testid=records-table] tr[data-id="%d"] td:has(a[href="/contacts/%d/fields/city/edit"])`, budi.ID, budi.ID)
	s.do("open the city's inline form", chromedp.Click(chromedp.CSS(cell+" a.inline-edit")))
	s.waitFor("the inline form in the cell", fmt.Sprintf(`!!document.querySelector(%q)`, `[data-testid=records-table] tr[data-id="`+fmt.Sprint(budi.ID)+`"] [data-testid=inline-form]`))
	s.typeInto(`[data-testid=inline-form] input[name=city]`, "Bandung")
	s.do("save the city", chromedp.Click(chromedp.CSS("[data-testid=inline-save]")))
	s.waitFor("the new city in the cell", fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid=records-table] tr[data-id="%d"]'); return !r.querySelector('[data-testid=inline-form]') && r.innerText.includes('Bandung'); })()`, budi.ID))
	if loc := s.location(); loc.Path != "/contacts" {
		t.Errorf("the inline save left the list for %s", loc.Path)
	}
	s.open(contactPage)
	s.do("open the city's inline form", chromedp.Click(chromedp.CSS(`[data-field=city] a.inline-edit`)))
	s.waitFor("the inline form", `!!document.querySelector('[data-field=city] [data-testid=inline-form]')`)
	s.do("clear the city", chromedp.Clear(chromedp.CSS(`[data-field=city] input[name=city]`)))
	s.typeInto(`[data-field=city] input[name=city]`, "Medan")
	s.do("save the city", chromedp.Click(chromedp.CSS("[data-field=city] [data-testid=inline-save]")))
	s.waitFor("the new city", `document.querySelector('[data-field=city] dd').innerText.trim() === 'Medan'`)
	r, err := s.srv.App.Records.Get(context.Background(), s.user.Principal(), s.entity("contacts"), budi.ID)
	if err != nil || r.String("city") != "Medan" {
		t.Errorf("the contact's city is stored as %q (%v), want Medan", r.String("city"), err)
	}
	s.checkConsole()
}
