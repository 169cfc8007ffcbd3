package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/records"
)

// TestBrowserActivityRelatedByName: in the new-activity form the user
// chooses that it is about a contact, types "Bud", takes the first match
// with ↓ and Enter, and saves: the activity is related to Budi. A refused
// save shows the form again with Budi still chosen, by name.
func TestBrowserActivityRelatedByName(t *testing.T) {
	s := newCRMSession(t, "en")
	budi := s.seed("contacts", records.Input{"first_name": "Budi", "last_name": "Santoso"})
	s.seed("contacts", records.Input{"first_name": "Sinta", "last_name": "Wijaya"})

	s.open("/activities/new")
	s.do("choose a call", chromedp.SetValue(chromedp.CSS("#f-kind"), "call"))
	s.do("about a contact", chromedp.SetValue(chromedp.CSS("#f-related_type"), "contacts"))
	s.pick("#f-related_id", "Bud", budi.ID)
	if got := s.value("#f-related_id"); got != "Budi Santoso" {
		t.Errorf("the picker shows %q after Enter, want Budi Santoso", got)
	}

	// No subject: refused, and Budi stays chosen.
	s.click("[data-testid=save]")
	s.wantPath("a refused save", "/activities/new")
	s.waitFor("the picker again", `document.querySelector("#f-related_id")?.getAttribute("role") === "combobox"`)
	if got := s.value("#f-related_id"); got != "Budi Santoso" {
		t.Errorf("after an error the picker shows %q, want Budi Santoso", got)
	}
	s.typeInto("#f-subject", "Tanya penawaran")
	s.click("[data-testid=save]")
	id := s.recordID("activities")
	act, err := s.srv.App.Records.Get(context.Background(), s.user.Principal(), s.entity("activities"), id)
	if err != nil {
		t.Fatal(err)
	}
	if act.String("related_type") != "contacts" || act.Int("related_id") != budi.ID || act.Int("contact_id") != budi.ID {
		t.Errorf("the activity is related to %s %d (contact %d), want contacts %d", act.String("related_type"), act.Int("related_id"), act.Int("contact_id"), budi.ID)
	}
	if got := s.terms("[data-testid=record-fields]")["Contact"]; got != "Budi Santoso" {
		t.Errorf("the activity's page names the contact %q, want Budi Santoso", got)
	}

	// On a phone, the open list of matches stays within the screen.
	s.do("turn into a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	s.open("/activities/new")
	s.do("about a contact", chromedp.SetValue(chromedp.CSS("#f-related_type"), "contacts"))
	s.typeInto("#f-related_id", "Bud")
	s.waitFor("the matches", `!!document.querySelector("#f-related_id-listbox:not([hidden]) [role=option]")`)
	checkFitsPhone(t, s.chromeTab, "the new-activity form with its picker open")
	s.checkConsole()
}

// TestBrowserConvertLeadIntoAnAccountPickedByName: converting a lead into
// an existing account whose name has nothing of the lead's company, the
// user finds it by typing part of its name and takes it with ↓ Enter.
func TestBrowserConvertLeadIntoAnAccountPickedByName(t *testing.T) {
	s := newCRMSession(t, "en")
	acc := s.seed("accounts", records.Input{"name": "PT Lama Sentosa"})
	lead := s.seed("leads", records.Input{"first_name": "Rina", "last_name": "Wati", "company": "CV Baru", "status": "qualified"})

	s.open(fmt.Sprintf("/leads/%d/convert", lead.ID))
	s.do("choose an existing account", chromedp.SetValue(chromedp.CSS("#account_mode"), "existing"))
	s.pick("#account_id", "Sentosa", acc.ID)
	s.click("[data-testid=convert-submit]")
	contactID := s.recordID("contacts")
	contact, err := s.srv.App.Records.Get(context.Background(), s.user.Principal(), s.entity("contacts"), contactID)
	if err != nil {
		t.Fatal(err)
	}
	if contact.Int("account_id") != acc.ID {
		t.Errorf("the new contact's account is %d, want PT Lama Sentosa (%d)", contact.Int("account_id"), acc.ID)
	}
	s.checkConsole()
}
