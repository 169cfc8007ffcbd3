package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// crmPassword is the password of every user these tests sign in as.
const crmPassword = "rahasia-123"

// crmSession is a signed-in user in a headless Chromium against a whole
// Relasi on a fresh SQLite database.
type crmSession struct {
	*chromeTab
	srv  *testServer
	user auth.User
}

// newCRMSession starts Relasi and Chromium, and signs in an administrator
// who reads the UI in locale ("en" or "id"). When the test fails, it logs
// the page the browser was on and a screenshot of it.
func newCRMSession(t *testing.T, locale string) *crmSession {
	t.Helper()
	srv := newTestServer(t, store.SQLite)
	u, err := srv.App.Auth.CreateUser(context.Background(), auth.NewUser{
		Email: "admin@example.co.id", Name: "Sari Wulandari", Password: crmPassword, Role: auth.Admin, Locale: locale, TimeZone: "Asia/Jakarta"})
	if err != nil {
		t.Fatalf("create the administrator: %v", err)
	}
	b := newChromeTab(t, srv.URL)
	s := &crmSession{chromeTab: b, srv: srv, user: u}
	// Cleanups run in reverse order: this one sees the browser still running.
	t.Cleanup(s.reportFailure)

	b.open("/login")
	b.typeInto("#email", u.Email)
	b.typeInto("#password", crmPassword)
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")
	return s
}

// reportFailure logs, for a failed test, the address the browser shows and
// a screenshot of the page, kept in the system's temporary directory.
func (s *crmSession) reportFailure() {
	t := s.t
	if !t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, chromeStepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Logf("the browser's address is unknown: %v", err)
	} else {
		t.Logf("the browser was on %s", loc)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	// Not in t.TempDir: that is gone by the time someone reads the log.
	f, err := os.CreateTemp("", "relasi-"+strings.ReplaceAll(t.Name(), "/", "_")+"-*.png")
	if err == nil {
		_, err = f.Write(png)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Logf("write the screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the page: %s", f.Name())
}

// entity returns one of the app's entities by name.
func (s *crmSession) entity(name string) *records.Entity {
	s.t.Helper()
	e, ok := s.srv.App.Entities.Get(name)
	if !ok {
		s.t.Fatalf("the app has no entity %q", name)
	}
	return e
}

// seed creates a record as the signed-in user, for what a test is not about.
func (s *crmSession) seed(entity string, in records.Input) records.Record {
	s.t.Helper()
	r, err := s.srv.App.Records.Create(context.Background(), s.user.Principal(), s.entity(entity), in)
	if err != nil {
		s.t.Fatalf("create %s %v: %v", entity, in, err)
	}
	return r
}

// dialogs records every JavaScript dialog (alert, confirm, prompt) a page
// opens, and dismisses it so the page goes on.
type dialogs struct {
	mu     sync.Mutex
	opened []string
}

func watchDialogs(b *chromeTab) *dialogs {
	d := &dialogs{}
	events := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.opened = append(d.opened, fmt.Sprintf("%s %q on %s", ev.Type, ev.Message, ev.URL))
			d.mu.Unlock()
			ctx, cancel := context.WithTimeout(b.ctx, chromeStepTimeout)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			cancel()
		}
	}()
	return d
}

// canary opens an alert on purpose and fails unless the watcher sees it: a
// watcher that cannot see dialogs would pass every page.
func (d *dialogs) canary(b *chromeTab) {
	b.t.Helper()
	const msg = "relasi-browser-test: dialog canary"
	b.do("open an alert on purpose", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`setTimeout(() => alert(%q), 0)`, msg)))
	deadline := time.Now().Add(chromeStepTimeout)
	for {
		d.mu.Lock()
		seen := slices.ContainsFunc(d.opened, func(o string) bool { return strings.Contains(o, msg) })
		if seen {
			d.opened = nil
		}
		d.mu.Unlock()
		if seen {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("an alert opened on purpose and the dialog watcher did not see it within %s, so it cannot be trusted to see others", chromeStepTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// check fails the test for every dialog opened so far.
func (d *dialogs) check(t *testing.T, where string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range d.opened {
		t.Errorf("%s: a page opened a JavaScript dialog: %s", where, o)
	}
	d.opened = nil
}

// openURI loads a path with a query string (open takes a path only, and
// would escape the "?").
func (s *crmSession) openURI(uri string) {
	s.t.Helper()
	ref, err := url.Parse(uri)
	if err != nil {
		s.t.Fatalf("parse %q: %v", uri, err)
	}
	s.load("open "+uri, chromedp.Navigate(s.base.ResolveReference(ref).String()))
}

// waitFor waits until a JavaScript condition holds: for what a script or an
// htmx request changes on the page after it loaded.
func (s *crmSession) waitFor(what, cond string) {
	s.t.Helper()
	chromeRun(s.chromeTab, "wait for "+what, chromedp.Poll[bool](cond,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(chromeStepTimeout)))
}

// innerText returns what the user reads in the first element matching sel,
// as the browser lays it out.
func (s *crmSession) innerText(sel string) string {
	s.t.Helper()
	return chromeEval[string](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).innerText`, sel))
}

// textContent returns the text of the first element matching sel as the
// page has it, before CSS (text-transform: uppercase) changes how it reads.
func (s *crmSession) textContent(sel string) string {
	s.t.Helper()
	return strings.TrimSpace(chromeRun(s.chromeTab, "read the text of "+sel, chromedp.TextContent(chromedp.CSS(sel))))
}

// terms returns the terms and descriptions of a description list (dl)
// matching sel: label → value, as the page writes them.
func (s *crmSession) terms(sel string) map[string]string {
	s.t.Helper()
	return chromeEval[map[string]string](s.chromeTab, fmt.Sprintf(`Object.fromEntries(Array.from(
		document.querySelector(%q).querySelectorAll('dt'), dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))`, sel))
}

// listCell returns the text of the list table's cell in the row of record id
// and the column headed label, and "" when there is no such column.
func (s *crmSession) listCell(id int64, label string) string {
	s.t.Helper()
	return chromeEval[string](s.chromeTab, fmt.Sprintf(`(() => {
		const heads = Array.from(document.querySelectorAll('[data-testid=records-table] thead th'), th => th.textContent.trim());
		const i = heads.indexOf(%q);
		const row = document.querySelector('[data-testid=records-table] tr[data-id="%d"]');
		return i < 0 || !row ? '' : row.cells[i].innerText.trim();
	})()`, label, id))
}

// recordID reads the ID of the record page the browser shows, /{entity}/{id}.
func (s *crmSession) recordID(entity string) int64 {
	s.t.Helper()
	path := s.location().Path
	var id int64
	if _, err := fmt.Sscanf(path, "/"+entity+"/%d", &id); err != nil || path != fmt.Sprintf("/%s/%d", entity, id) {
		s.t.Fatalf("the browser is on %s, want a page of one of the %s", path, entity)
	}
	return id
}

// TestBrowserCustomFieldOnANewContact: an administrator who works in Bahasa
// Indonesia adds a money field to contacts, and the field is at once in the
// new-contact form, on the contact's page and in the list's columns, with
// the amount typed and shown the Indonesian way.
func TestBrowserCustomFieldOnANewContact(t *testing.T) {
	s := newCRMSession(t, "id")

	// 1. Settings → Custom fields → Contacts: add "Anggaran", money in rupiah.
	s.openURI("/settings/fields?entity=contacts")
	if got := s.text("#main h1"); got != "Kolom khusus" {
		t.Errorf("custom fields heading = %q, want Kolom khusus", got)
	}
	s.typeInto("#label", "Anggaran")
	s.typeInto("#key", "anggaran")
	s.do("choose the kind money", chromedp.SetValue(chromedp.CSS("#kind"), "money"))
	if got := s.value("#currency"); got != "IDR" {
		t.Errorf("currency of a new money field = %q, want IDR by default", got)
	}
	s.click("[data-testid=add-field-submit]")
	if loc := s.location(); loc.Path != "/settings/fields" || loc.Query().Get("entity") != "contacts" {
		t.Fatalf("adding the field led to %s, want the contacts' custom fields", loc.RequestURI())
	}
	if got := s.text(".flash"); got != "Kolom ditambahkan." {
		t.Errorf("flash after adding the field = %q, want %q", got, "Kolom ditambahkan.")
	}
	row := s.innerText(`[data-testid=custom-fields] tr[data-key="anggaran"]`)
	if !strings.Contains(row, "Anggaran") || !strings.Contains(row, "(IDR)") {
		t.Errorf("the field's row in the list reads %q, want its label and currency", row)
	}

	// 2. Kontak → Baru: the form has the new field, under its own heading.
	s.open("/contacts")
	s.click("[data-testid=new-record]")
	s.wantPath("new contact", "/contacts/new")
	if got := s.text(`label[for="f-custom-anggaran"]`); got != "Anggaran" {
		t.Fatalf("label of the custom field in the form = %q, want Anggaran", got)
	}
	if got := s.text(`[data-field="custom.anggaran"] .currency`); got != "IDR" {
		t.Errorf("currency beside the amount = %q, want IDR", got)
	}
	s.typeInto("#f-first_name", "Wahyu")
	s.typeInto("#f-last_name", "Hidayat")
	s.typeInto("#f-custom-anggaran", "1.500.000")
	s.click("[data-testid=save]")

	// 3. The contact's page shows the amount as money.
	id := s.recordID("contacts")
	if got := s.text("[data-testid=record-title]"); got != "Wahyu Hidayat" {
		t.Errorf("contact page heading = %q, want Wahyu Hidayat", got)
	}
	if got := s.textContent(`[data-testid=record-fields] [data-field="custom.anggaran"] dt`); got != "Anggaran" {
		t.Errorf("the field's label on the contact's page = %q, want Anggaran", got)
	}
	if got := s.text(`[data-testid=record-fields] [data-field="custom.anggaran"] dd`); got != "Rp 1.500.000" {
		t.Errorf("Anggaran on the contact's page = %q, want Rp 1.500.000", got)
	}
	r, err := s.srv.App.Records.Get(context.Background(), s.user.Principal(), s.entity("contacts"), id)
	if err != nil {
		t.Fatalf("read the contact back: %v", err)
	}
	if got := r.Get("custom.anggaran"); got != int64(150_000_000) {
		t.Errorf("stored anggaran = %v (%T), want 150000000 minor units (Rp 1.500.000,00)", got, got)
	}

	// 4. The list shows the column once the user picks it.
	s.open("/contacts")
	if got := s.listCell(id, "Anggaran"); got != "" {
		t.Errorf("the list shows Anggaran before it was chosen: %q", got)
	}
	s.do("open the column chooser", chromedp.Click(chromedp.CSS("[data-testid=columns-chooser] summary")))
	s.do("tick Anggaran", chromedp.Click(chromedp.CSS(`[data-testid=columns-chooser] input[name=col][value="custom.anggaran"]`)))
	s.click("[data-testid=columns-chooser] button[type=submit]")
	if loc := s.location(); loc.Path != "/contacts" || !strings.Contains(loc.Query().Get("columns"), "custom.anggaran") {
		t.Errorf("the column chooser led to %s, want /contacts?columns=…custom.anggaran…", loc.RequestURI())
	}
	if got := s.listCell(id, "Anggaran"); got != "Rp 1.500.000" {
		t.Errorf("Anggaran in the contacts list = %q, want Rp 1.500.000", got)
	}
	if got := s.listCell(id, "Nama depan"); got != "Wahyu" {
		t.Errorf("first name in the contacts list = %q, want Wahyu: the chosen column must come on top of the others", got)
	}

	s.checkConsole()
}

// TestBrowserConvertLead: a salesperson opens a qualified lead, converts it
// into a contact with a new account and a deal, lands on the contact, and
// finds the lead marked converted with links to what it became.
func TestBrowserConvertLead(t *testing.T) {
	s := newCRMSession(t, "en")
	lead := s.seed("leads", records.Input{"first_name": "Dewi", "last_name": "Lestari", "company": "PT Sinar Jaya Abadi",
		"email": "dewi@sinarjaya.co.id", "phone": "0813-1111-2222", "status": "qualified"})

	// 1. The lead's page offers Convert.
	s.open("/leads")
	s.click(fmt.Sprintf(`[data-testid=records-table] tr[data-id="%d"] a`, lead.ID))
	s.wantPath("open the lead", fmt.Sprintf("/leads/%d", lead.ID))
	convert := fmt.Sprintf(`a.button[href="/leads/%d/convert"]`, lead.ID)
	if got := s.text(convert); got != "Convert" {
		t.Errorf("the lead's convert button reads %q, want Convert", got)
	}
	s.click(convert)
	s.wantPath("open the conversion", fmt.Sprintf("/leads/%d/convert", lead.ID))

	// 2. A new account named after the company, and a deal.
	s.do("choose a new account", chromedp.SetValue(chromedp.CSS("#account_mode"), "new"))
	if got := s.value("#account_name"); got != "PT Sinar Jaya Abadi" {
		t.Errorf("the new account's name is %q, want the lead's company", got)
	}
	s.do("tick Create a deal", chromedp.Click(chromedp.CSS(`[data-testid=convert-form] input[name=deal_create]`)))
	s.do("clear the deal name", chromedp.Clear(chromedp.CSS("#deal_name")))
	s.typeInto("#deal_name", "Laptop kantor cabang Bandung")
	s.typeInto("#deal_amount", "75,000,000")
	s.click("[data-testid=convert-submit]")

	// 3. The new contact: the lead's person, with the account and the deal.
	contactID := s.recordID("contacts")
	if got := s.text(".flash"); got != "The lead was converted." {
		t.Errorf("flash after converting = %q", got)
	}
	if got := s.text("[data-testid=record-title]"); got != "Dewi Lestari" {
		t.Errorf("contact page heading = %q, want Dewi Lestari", got)
	}
	if got := s.text(`[data-field="emails"] dd`); got != "dewi@sinarjaya.co.id" {
		t.Errorf("the contact's e-mail = %q", got)
	}
	if got := s.text(`[data-field="phones"] dd`); got != "0813-1111-2222" {
		t.Errorf("the contact's phone = %q, want 0813-1111-2222", got)
	}
	if got := s.text(`[data-field="account_id"] dd a`); got != "PT Sinar Jaya Abadi" {
		t.Errorf("the contact's account reads %q, want a link to PT Sinar Jaya Abadi", got)
	}
	accountHref := chromeEval[string](s.chromeTab, `document.querySelector('[data-field="account_id"] dd a').getAttribute('href')`)
	if got := s.terms("[data-testid=customer-summary]")["Open deals"]; got != "1 · IDR 75,000,000" {
		t.Errorf("open deals in the contact's summary = %q, want the one deal of IDR 75,000,000", got)
	}
	// The open deals lead to the deals list, which holds the new deal.
	dealsList := chromeEval[string](s.chromeTab, `document.querySelector('[data-testid=open-deals]').getAttribute('href')`)
	contactPage := s.location().RequestURI()
	s.openURI(dealsList)
	if got := s.text("main table tbody"); !strings.Contains(got, "Laptop kantor cabang Bandung") {
		t.Errorf("the contact's open deals list shows %q, want the converted deal", got)
	}
	s.openURI(contactPage)

	// 4. The lead now says it was converted, and links to what it became.
	s.open(fmt.Sprintf("/leads/%d", lead.ID))
	if got := s.text(`[data-field="status"] dd`); got != "Converted" {
		t.Errorf("the lead's status = %q, want Converted", got)
	}
	if n := chromeEval[int](s.chromeTab, `document.querySelectorAll('`+convert+`').length`); n != 0 {
		t.Errorf("a converted lead still offers Convert")
	}
	link := func(field string) (text, href string) {
		t.Helper()
		sel := fmt.Sprintf(`[data-field=%q] dd a`, field)
		return s.text(sel), chromeEval[string](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).getAttribute('href')`, sel))
	}
	if text, href := link("converted_contact_id"); text != "Dewi Lestari" || href != fmt.Sprintf("/contacts/%d", contactID) {
		t.Errorf("the lead's contact link = %q → %s, want Dewi Lestari → /contacts/%d", text, href, contactID)
	}
	if text, href := link("converted_account_id"); text != "PT Sinar Jaya Abadi" || href != accountHref {
		t.Errorf("the lead's account link = %q → %s, want PT Sinar Jaya Abadi → %s", text, href, accountHref)
	}
	dealText, dealHref := link("converted_opportunity_id")
	if dealText != "Laptop kantor cabang Bandung" {
		t.Errorf("the lead's deal link reads %q, want the deal's name", dealText)
	}

	// 5. The deal belongs to the contact and the account, with the amount.
	s.click(fmt.Sprintf(`[data-field="converted_opportunity_id"] dd a[href=%q]`, dealHref))
	s.recordID("opportunities")
	if got := s.text("[data-testid=record-title]"); got != "Laptop kantor cabang Bandung" {
		t.Errorf("deal page heading = %q", got)
	}
	if got := s.text(`[data-field="amount"] dd`); got != "IDR 75,000,000" {
		t.Errorf("the deal's amount = %q, want IDR 75,000,000", got)
	}
	if got := s.text(`[data-field="account_id"] dd`); got != "PT Sinar Jaya Abadi" {
		t.Errorf("the deal's account = %q", got)
	}
	if got := s.text(`[data-field="contact_id"] dd`); got != "Dewi Lestari" {
		t.Errorf("the deal's contact = %q", got)
	}
	if got := s.text(`[data-field="stage_id"] dd`); got != "Prospecting" {
		t.Errorf("the new deal's stage = %q, want the default pipeline's first, Prospecting", got)
	}

	s.checkConsole()
}

// boardColumn is what the pipeline board shows of one stage.
type boardColumn struct {
	StageID string   `json:"stage_id"`
	Count   string   `json:"count"`
	Sum     string   `json:"sum"`
	Cards   []string `json:"cards"`
}

// boardColumns reads the board as the user sees it: each stage's count, sum
// and cards (by deal name), by stage name.
func (s *crmSession) boardColumns() map[string]boardColumn {
	s.t.Helper()
	return chromeEval[map[string]boardColumn](s.chromeTab, `Object.fromEntries(Array.from(document.querySelectorAll('#deals-board .deals-column'), col => [
		col.querySelector('h2').textContent.trim(), {
			stage_id: col.dataset.stageId,
			count: col.querySelector('[data-testid=stage-count]').textContent.trim(),
			sum: col.querySelector('[data-testid=stage-sum]').innerText.trim(),
			cards: Array.from(col.querySelectorAll('[data-testid=deal-card] .deals-card-name'), a => a.textContent.trim()),
		}]))`)
}

// center returns the middle of the first element matching sel, in the
// viewport's CSS pixels.
func (s *crmSession) center(sel string) (x, y float64) {
	s.t.Helper()
	p := chromeEval[[]float64](s.chromeTab, fmt.Sprintf(`(() => {
		const r = document.querySelector(%q).getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`, sel))
	return p[0], p[1]
}

// TestBrowserDragDealToAnotherStage: on the pipeline board a salesperson
// drags a deal from Prospecting to Qualification with the mouse, and moves
// another with the keyboard (Shift+→ on the card); both moves are saved,
// and the columns' counts and sums follow.
func TestBrowserDragDealToAnotherStage(t *testing.T) {
	s := newCRMSession(t, "en")
	drag := s.seed("opportunities", records.Input{"name": "Mesin kopi Cabang Medan", "amount": 15000000, "close_date": "2026-12-01"})
	keys := s.seed("opportunities", records.Input{"name": "Seragam karyawan", "amount": 4500000, "close_date": "2026-12-02"})
	s.seed("opportunities", records.Input{"name": "Lisensi perangkat lunak", "amount": 30000000, "close_date": "2026-12-03"})
	card := func(id int64) string {
		return fmt.Sprintf(`#deals-board [data-testid=deal-card][data-deal-id="%d"]`, id)
	}

	s.open("/deals/board")
	cols := s.boardColumns()
	if p, q := cols["Prospecting"], cols["Qualification"]; p.Count != "3" || len(p.Cards) != 3 || q.Count != "0" || len(q.Cards) != 0 {
		t.Fatalf("before the moves: Prospecting %+v, Qualification %+v; want the three deals in Prospecting", p, q)
	}
	if got := cols["Prospecting"].Sum; got != "IDR 49,500,000" {
		t.Errorf("Prospecting sum before the moves = %q, want IDR 49,500,000", got)
	}
	qual := cols["Qualification"].StageID
	s.waitFor("the board's script", `typeof window.Sortable === 'function' && !!Sortable.get(document.querySelector('.deals-cards'))`)

	// 1. Drag with the mouse: press on the card, move in small steps to the
	// Qualification column, release. The card's amount is a safe place to
	// press: not its link, menu or button.
	s.dragCard(card(drag.ID), fmt.Sprintf(`#deals-board .deals-cards[data-stage-id="%s"]`, qual))
	s.waitFor("the drag's move to be saved", `document.getElementById('deals-status').textContent === 'Moved to Qualification.'`)

	s.open("/deals/board")
	cols = s.boardColumns()
	if p := cols["Prospecting"]; p.Count != "2" || slices.Contains(p.Cards, "Mesin kopi Cabang Medan") {
		t.Errorf("after the drag and a reload, Prospecting = %+v, want 2 deals without the dragged one", p)
	}
	if q := cols["Qualification"]; q.Count != "1" || !slices.Equal(q.Cards, []string{"Mesin kopi Cabang Medan"}) || q.Sum != "IDR 15,000,000" {
		t.Errorf("after the drag and a reload, Qualification = %+v, want the dragged deal, IDR 15,000,000", q)
	}
	if got := cols["Prospecting"].Sum; got != "IDR 34,500,000" {
		t.Errorf("Prospecting sum after the drag = %q, want IDR 34,500,000", got)
	}

	// 2. The keyboard way: focus the card's name and press Shift+→ for
	// the next stage; the card moves there with the focus on it, and the
	// live region says so.
	name := card(keys.ID) + " .deals-card-name"
	s.do("focus the card", chromedp.Focus(chromedp.CSS(name)))
	s.do("Shift+→", chromedp.KeyEvent(kb.ArrowRight, chromedp.KeyModifiers(chromedp.ModifierShift)))
	s.waitFor("the keyboard's move to be saved", fmt.Sprintf(
		`document.getElementById('deals-status').textContent === 'Moved to Qualification.' && document.querySelector(%q).parentElement.dataset.stageId === %q && !document.querySelector(%q).hasAttribute('aria-busy')`,
		card(keys.ID), qual, card(keys.ID)))
	if got := chromeEval[bool](s.chromeTab, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, name)); !got {
		t.Errorf("after the move the keyboard's focus is on %q, want the card's name", chromeEval[string](s.chromeTab, `document.activeElement.outerHTML`))
	}
	cols = s.boardColumns()
	if got := cols["Qualification"].Count; got != "2" {
		t.Errorf("Qualification count right after the menu move = %q, want 2", got)
	}

	s.open("/deals/board")
	cols = s.boardColumns()
	if p := cols["Prospecting"]; p.Count != "1" || !slices.Equal(p.Cards, []string{"Lisensi perangkat lunak"}) || p.Sum != "IDR 30,000,000" {
		t.Errorf("after both moves and a reload, Prospecting = %+v", p)
	}
	if q := cols["Qualification"]; q.Count != "2" || len(q.Cards) != 2 || !slices.Contains(q.Cards, "Seragam karyawan") || q.Sum != "IDR 19,500,000" {
		t.Errorf("after both moves and a reload, Qualification = %+v", q)
	}
	for _, d := range []records.Record{drag, keys} {
		r, err := s.srv.App.Records.Get(context.Background(), s.user.Principal(), s.entity("opportunities"), d.ID)
		if err != nil {
			t.Fatalf("read deal %d: %v", d.ID, err)
		}
		if got := fmt.Sprint(r.Get("stage_id")); got != qual {
			t.Errorf("deal %q is stored in stage %s, want Qualification (%s)", d.String("name"), got, qual)
		}
	}

	s.checkConsole()
}

// dragCard drags a board card into the column target with the mouse:
// pressed on the card's amount (not its link, menu or button), moved in
// small steps to the top of the column, released.
func (s *crmSession) dragCard(card, target string) {
	s.t.Helper()
	s.do("scroll the board into view", chromedp.ScrollIntoView(chromedp.CSS(card)))
	x1, y1 := s.center(card + " .deals-card-amount")
	x2, _ := s.center(target)
	y2 := chromeEval[float64](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().top + 20`, target))
	const steps = 20
	moves := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x1, y1, chromedp.ButtonLeft)}
	for i := 1; i <= steps; i++ {
		f := float64(i) / steps
		moves = append(moves,
			chromedp.MouseEvent(chromedp.MouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, chromedp.ButtonLeft),
			chromedp.Sleep(15*time.Millisecond))
	}
	moves = append(moves, chromedp.MouseEvent(chromedp.MouseReleased, x2, y2, chromedp.ButtonLeft))
	s.do("drag "+card+" to "+target, moves...)
}

// TestBrowserFindContactByPhone: someone on the phone gives their number;
// typing part of it, the way it is written, into the top bar's search box
// shows the contact as-you-type, and Enter goes to the full results.
func TestBrowserFindContactByPhone(t *testing.T) {
	s := newCRMSession(t, "en")
	budi := s.seed("contacts", records.Input{"first_name": "Budi", "last_name": "Santoso", "phones": []string{"0812-3456-7890"}})
	s.seed("contacts", records.Input{"first_name": "Rina", "last_name": "Kartika", "phones": []string{"0857-1234-5678"}})
	if got := budi.Strings("phones"); !slices.Equal(got, []string{"+6281234567890"}) {
		t.Errorf("the stored phone = %q, want it in E.164, +6281234567890", got)
	}
	box := "[data-testid=search-box]"
	hits := "#topsearch-hits [data-testid=search-hits]"

	// 1. As you type: the hits appear under the box.
	s.open("/")
	s.typeInto(box, "0812 3456")
	s.waitFor("the as-you-type hits", fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector(%q).textContent.includes('Budi Santoso')`, hits, hits))
	found := chromeEval[[]string](s.chromeTab, fmt.Sprintf(`Array.from(document.querySelectorAll('%s a'), a => a.querySelector('.hit-title').textContent.trim() + ' → ' + a.getAttribute('href'))`, hits))
	if want := []string{fmt.Sprintf("Budi Santoso → /contacts/%d", budi.ID)}; !slices.Equal(found, want) {
		t.Errorf("as-you-type hits for 0812 3456 = %q, want %q", found, want)
	}
	if got := s.textContent(hits + " .hit-group-name"); got != "Contacts" {
		t.Errorf("the hits' heading = %q, want Contacts", got)
	}
	s.click(hits + " a")
	s.wantPath("click the hit", fmt.Sprintf("/contacts/%d", budi.ID))
	if got := s.text("[data-testid=record-title]"); got != "Budi Santoso" {
		t.Errorf("the contact page heading = %q", got)
	}

	// 2. Enter at once, without waiting for the hits: the results page.
	s.load("type a number and press Enter", chromedp.SendKeys(chromedp.CSS(box), "0812-3456"+kb.Enter))
	if loc := s.location(); loc.Path != "/search" || loc.Query().Get("q") != "0812-3456" {
		t.Fatalf("Enter in the search box led to %s, want /search?q=0812-3456", loc.RequestURI())
	}
	if got := s.value("#search-q"); got != "0812-3456" {
		t.Errorf("the results page's search box holds %q, want the query", got)
	}
	found = chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('#main > [data-testid=search-hits] a'), a => a.querySelector('.hit-title').textContent.trim())`)
	if !slices.Equal(found, []string{"Budi Santoso"}) {
		t.Errorf("results page for 0812-3456 = %q, want Budi Santoso only", found)
	}

	// 3. A number nobody has says so.
	s.do("clear the box", chromedp.Clear(chromedp.CSS("#search-q")))
	s.load("search for an unknown number", chromedp.SendKeys(chromedp.CSS("#search-q"), "0899 0000"+kb.Enter))
	if got := s.text("#main > [data-testid=search-hits]"); got != "Nothing found." {
		t.Errorf("results for an unknown number = %q, want Nothing found.", got)
	}

	s.checkConsole()
}

// chooseRecord picks the record id, named title, in a form's reference
// field: its picker, looked up by the title.
func (s *crmSession) chooseRecord(sel string, id int64, title string) {
	s.t.Helper()
	s.pick(sel, title, id)
}

// pick chooses a record in the picker whose combobox is sel, as a person
// does: types query, waits for the record id among the options, goes down
// to it with ↓ and takes it with Enter. The form then holds its ID.
func (s *crmSession) pick(sel, query string, id int64) {
	s.t.Helper()
	s.waitFor("the picker "+sel, fmt.Sprintf(`document.querySelector(%q)?.getAttribute("role") === "combobox"`, sel))
	s.do("clear "+sel, chromedp.Clear(chromedp.CSS(sel)))
	s.typeInto(sel, query)
	list := fmt.Sprintf(`document.getElementById(document.querySelector(%q).getAttribute("aria-controls"))`, sel)
	s.waitFor(fmt.Sprintf("record %d among the options of %s", id, sel), fmt.Sprintf(`!%[1]s.hidden && !!%[1]s.querySelector('[role=option][data-id="%[2]d"]')`, list, id))
	n := chromeEval[int](s.chromeTab, fmt.Sprintf(`Array.from(%s.querySelectorAll('[role=option]')).findIndex(o => o.dataset.id === "%d")`, list, id))
	for range n + 1 {
		s.do("↓", chromedp.KeyEvent(kb.ArrowDown))
	}
	if got := chromeEval[string](s.chromeTab, fmt.Sprintf(`document.getElementById(document.querySelector(%q).getAttribute("aria-activedescendant") || "x")?.dataset.id || ""`, sel)); got != fmt.Sprint(id) {
		s.t.Errorf("after ↓ the active option of %s is record %q, want %d", sel, got, id)
	}
	s.do("Enter", chromedp.KeyEvent(kb.Enter))
	if got := chromeEval[string](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).closest("[data-picker]").querySelector("input[type=hidden]").value`, sel)); got != fmt.Sprint(id) {
		s.t.Errorf("after Enter the form holds %q for %s, want %d", got, sel, id)
	}
	if chromeEval[string](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-expanded")`, sel)) != "false" {
		s.t.Errorf("the options of %s stay open after Enter", sel)
	}
}

// TestBrowserScriptNamesStayText: names that are HTML — an account, a
// contact and a deal called <script>alert(1)</script>, a custom field
// labelled <b>x</b> — typed into the forms, read as text on every page that
// shows them: lists, detail pages, forms, the board, search. No script runs,
// no dialog opens, and the Content-Security-Policy never has to step in.
func TestBrowserScriptNamesStayText(t *testing.T) {
	const name, label = "<script>alert(1)</script>", "<b>x</b>"
	s := newCRMSession(t, "en")
	opened := watchDialogs(s.chromeTab)

	// seesText checks a page after it loaded: the name reads as text in
	// sel, and no markup of it became an element.
	seesText := func(where, sel string, want ...string) {
		t.Helper()
		got := s.innerText(sel)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s does not read %q as text; it reads:\n%s", where, sel, w, got)
			}
		}
		if n := chromeEval[int](s.chromeTab, `Array.from(document.scripts).filter(e => !e.src).length + document.querySelectorAll('#main b').length`); n != 0 {
			t.Errorf("%s: the page has %d inline <script> or <b> elements: a name became markup", where, n)
		}
		opened.check(t, where)
	}

	// 1. A custom field on contacts, labelled with markup.
	s.openURI("/settings/fields?entity=contacts")
	s.typeInto("#label", label)
	s.typeInto("#key", "catatan")
	s.do("choose the kind text", chromedp.SetValue(chromedp.CSS("#kind"), "text"))
	s.click("[data-testid=add-field-submit]")
	seesText("custom fields", `[data-testid=custom-fields] tr[data-key="catatan"]`, label)

	// 2. The account, the contact and the deal, through their forms.
	s.open("/accounts/new")
	s.typeInto("#f-name", name)
	s.click("[data-testid=save]")
	accountID := s.recordID("accounts")
	seesText("account page", "[data-testid=record-title]", name)

	s.open("/contacts/new")
	if got := s.textContent(`label[for="f-custom-catatan"]`); got != label {
		t.Errorf("the custom field's label in the contact form = %q, want %q", got, label)
	}
	s.typeInto("#f-first_name", name)
	s.chooseRecord("#f-account_id", accountID, name)
	s.typeInto("#f-custom-catatan", name)
	s.click("[data-testid=save]")
	contactID := s.recordID("contacts")
	seesText("contact page", "#main", name)
	fields := s.terms("[data-testid=record-fields]")
	if fields["First name"] != name || fields["Account"] != name || fields[label] != name {
		t.Errorf("the contact page's fields: first name %q, account %q, %s %q; want each to be %q", fields["First name"], fields["Account"], label, fields[label], name)
	}

	s.open("/opportunities/new")
	s.typeInto("#f-name", name)
	s.chooseRecord("#f-account_id", accountID, name)
	s.chooseRecord("#f-contact_id", contactID, name)
	s.typeInto("#f-amount", "2500000")
	s.click("[data-testid=save]")
	dealID := s.recordID("opportunities")
	seesText("deal page", "#main", name)
	fields = s.terms("[data-testid=record-fields]")
	if fields["Deal name"] != name || fields["Account"] != name || fields["Contact"] != name {
		t.Errorf("the deal page's fields: %q; want the name, the account and the contact as %q", fields, name)
	}

	// 3. Every page that shows them.
	s.open("/accounts")
	seesText("accounts list", "[data-testid=records-table]", name)
	s.open(fmt.Sprintf("/accounts/%d", accountID))
	seesText("account page with its contact and deal", "#main", name)

	s.openURI("/contacts?columns=first_name,account_id,custom.catatan")
	seesText("contacts list", "[data-testid=records-table] tbody", name)
	if got := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('[data-testid=records-table] thead th'), th => th.textContent.trim())`); !slices.Contains(got, label) {
		t.Errorf("the contacts list's headings = %q, want one to read %q", got, label)
	}
	if got := s.listCell(contactID, label); got != name {
		t.Errorf("the custom column in the contacts list = %q, want %q", got, name)
	}
	s.open(fmt.Sprintf("/contacts/%d/edit", contactID))
	if got := s.value("#f-first_name"); got != name {
		t.Errorf("the edit form's first name = %q, want %q", got, name)
	}
	if got := s.value("#f-custom-catatan"); got != name {
		t.Errorf("the edit form's %s = %q, want %q", label, got, name)
	}
	seesText("contact edit form", "[data-testid=record-form]", label)

	s.open("/opportunities")
	seesText("deals list", "[data-testid=records-table]", name)
	s.open(fmt.Sprintf("/opportunities/%d", dealID))
	seesText("deal page again", "[data-testid=record-title]", name)

	s.open("/deals/board")
	seesText("pipeline board", fmt.Sprintf(`[data-testid=deal-card][data-deal-id="%d"]`, dealID), name)
	if got := s.textContent(fmt.Sprintf(`[data-testid=deal-card][data-deal-id="%d"] .deals-card-name`, dealID)); got != name {
		t.Errorf("the deal's card is named %q, want %q", got, name)
	}

	s.openURI("/search?q=alert")
	seesText("search results", "#main > [data-testid=search-hits]", name)
	if n := chromeEval[int](s.chromeTab, `document.querySelectorAll('#main > [data-testid=search-hits] a').length`); n != 3 {
		t.Errorf("search for alert found %d hits, want the account, the contact and the deal", n)
	}
	s.typeInto("[data-testid=search-box]", "script")
	s.waitFor("the as-you-type hits", `!!document.querySelector('#topsearch-hits [data-testid=search-hits] a')`)
	seesText("as-you-type hits", "#topsearch-hits", name)

	opened.check(t, "the end")
	opened.canary(s.chromeTab)
	s.checkConsole()
}
