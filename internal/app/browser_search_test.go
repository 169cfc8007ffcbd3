package app

import (
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relasi/relasi/internal/records"
)

// TestBrowserSearchByKeyboard: typing in the top bar's search box shows the
// hits grouped by type, each with a line to recognise it by; ↓ and ↑ move
// through them while the focus stays in the box, Enter opens the one
// marked, Escape closes the list. On the results page the arrow keys move
// from the box through the hits.
func TestBrowserSearchByKeyboard(t *testing.T) {
	s := newCRMSession(t, "en")
	acc := s.seed("accounts", records.Input{"name": "PT Maju Jaya"})
	purnomo := s.seed("contacts", records.Input{"first_name": "Budi", "last_name": "Purnomo", "emails": []string{"budi@gmail.com"},
		"phones": []string{"0812-3456-7890"}, "account_id": acc.ID})
	s.seed("contacts", records.Input{"first_name": "Budiman", "last_name": "Santoso", "emails": []string{"budiman@toko.id"}})
	s.seed("leads", records.Input{"first_name": "Budi", "last_name": "Hartono", "company": "CV Budi Makmur"})
	box := "[data-testid=search-box]"
	list := "#topsearch-hits [role=listbox]"
	options := func() []string {
		return chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('#topsearch-hits [role=option]'), a => a.id)`)
	}
	active := func() string {
		return chromeEval[string](s.chromeTab, `document.getElementById('topsearch-q').getAttribute('aria-activedescendant') || ''`)
	}
	selected := func() []string {
		return chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('#topsearch-hits [aria-selected=true]'), a => a.id)`)
	}
	key := func(step, k string) { s.do(step, chromedp.KeyEvent(k)) }

	// 1. The hits under the box, grouped, each readable.
	s.open("/")
	s.typeInto(box, "budi")
	// The hits for the whole word: the list says what it answers.
	s.waitFor("the as-you-type hits", fmt.Sprintf(`!!document.querySelector('%s[aria-label="Results for budi"]') && document.querySelectorAll('%s [role=option]').length === 3`, list, list))
	groups := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('#topsearch-hits [data-testid=hit-group-title]'), h => h.textContent.replace(/\s+/g, ' ').trim())`)
	if want := []string{"Contacts 2", "Leads 1"}; !slices.Equal(groups, want) {
		t.Errorf("the hits' headings = %q, want %q", groups, want)
	}
	if got := chromeEval[string](s.chromeTab, `document.getElementById('topsearch-q').getAttribute('aria-expanded')`); got != "true" {
		t.Errorf("the box's aria-expanded = %q with hits shown", got)
	}
	line := s.textContent(fmt.Sprintf(`#topsearch-hit-contacts-%d .hit-detail`, purnomo.ID))
	if line != "PT Maju Jaya · budi@gmail.com · 0812-3456-7890" {
		t.Errorf("Budi Purnomo's line = %q", line)
	}

	// 2. ↓ ↓ ↑ ↓ marks hits in turn; the focus stays in the box.
	opts := options()
	for i, step := range []struct {
		key  string
		want int
	}{{kb.ArrowDown, 0}, {kb.ArrowDown, 1}, {kb.ArrowUp, 0}, {kb.ArrowDown, 1}} {
		key(fmt.Sprintf("press key %d", i+1), step.key)
		if got := active(); got != opts[step.want] {
			t.Errorf("after key %d the box points at %q, want %q", i+1, got, opts[step.want])
		}
		if got := selected(); !slices.Equal(got, []string{opts[step.want]}) {
			t.Errorf("after key %d the selected hits are %q, want %q", i+1, got, opts[step.want])
		}
	}
	if got := chromeEval[string](s.chromeTab, `document.activeElement.id`); got != "topsearch-q" {
		t.Errorf("the focus moved to %q, want it kept in the search box", got)
	}
	href := chromeEval[string](s.chromeTab, fmt.Sprintf(`document.getElementById(%q).getAttribute('href')`, opts[1]))
	title := s.textContent("#" + opts[1] + " .hit-title")

	// 3. Enter opens the marked hit.
	s.load("press Enter on the marked hit", chromedp.KeyEvent(kb.Enter))
	s.wantPath("Enter on the marked hit", href)
	if got := s.text("[data-testid=record-title]"); got != title {
		t.Errorf("the record page is titled %q, want the marked hit's %q", got, title)
	}

	// 4. Found by e-mail, the hit says so; Escape closes the list.
	s.typeInto(box, "gmail")
	s.waitFor("the hits for gmail", fmt.Sprintf(`!!document.querySelector('#topsearch-hit-contacts-%d .hit-match')`, purnomo.ID))
	if got := s.textContent(fmt.Sprintf(`#topsearch-hit-contacts-%d .hit-match`, purnomo.ID)); got != "E-mail: budi@gmail.com" {
		t.Errorf("the matched field = %q, want E-mail: budi@gmail.com", got)
	}
	key("press ↓", kb.ArrowDown)
	key("press Escape", kb.Escape)
	if n := chromeEval[int](s.chromeTab, `document.querySelectorAll('#topsearch-hits *').length`); n != 0 {
		t.Errorf("Escape left %d elements in the hits", n)
	}
	if got := active(); got != "" {
		t.Errorf("after Escape the box still points at %q", got)
	}

	// 5. The results page: ↓ from its box goes to the first hit, ↓ to the
	// next, Enter follows it.
	s.openURI("/search?q=budi")
	s.do("focus the results page's box", chromedp.Focus(chromedp.CSS("#search-q")))
	page := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('#main a.hit'), a => a.getAttribute('href'))`)
	if len(page) != 3 {
		t.Fatalf("the results page lists %q, want three hits", page)
	}
	key("press ↓ in the page's box", kb.ArrowDown)
	key("press ↓ on the first hit", kb.ArrowDown)
	if got := chromeEval[string](s.chromeTab, `document.activeElement.getAttribute('href') || ''`); got != page[1] {
		t.Errorf("after ↓ ↓ the focus is on %q, want the second hit %q", got, page[1])
	}
	s.load("press Enter on the second hit", chromedp.KeyEvent(kb.Enter))
	s.wantPath("Enter on the results page", page[1])

	s.checkConsole()
}
