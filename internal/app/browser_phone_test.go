package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// phoneWidth and phoneHeight are the screen of a common phone (iPhone 12 to
// 15) in CSS pixels.
const (
	phoneWidth  = 390
	phoneHeight = 844
)

// phoneOverflowJS measures the page the tab shows at its window's width. It
// returns the document's scroll width, the window's inner width, and the
// elements that reach past the right edge of the window without being
// inside a container that scrolls sideways (a table in its .table-wrap may
// be wider than the screen: the user swipes it). Only the outermost such
// element of each branch is named, with its width: the one to fix. Content
// cut off by an ancestor with overflow hidden is measured to that
// ancestor's edge, since that is where it stops showing.
const phoneOverflowJS = `(() => {
	const vw = window.innerWidth;
	const scrolls = s => s.overflowX === 'auto' || s.overflowX === 'scroll';
	const describe = el => {
		let d = el.tagName.toLowerCase();
		if (el.id) d += '#' + el.id;
		for (const c of el.classList) d += '.' + c;
		if (el.dataset.testid) d += '[data-testid=' + el.dataset.testid + ']';
		const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
		return text ? d + ' "' + text + '"' : d;
	};
	const over = new Set();
	const found = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		const st = getComputedStyle(el);
		if (st.visibility === 'hidden' || st.position === 'fixed' && st.display === 'none') continue;
		// An absolutely positioned element is clipped and scrolled only by
		// its containing block and what holds that: a scrolling table
		// between it and the page holds it not (a visually hidden label
		// in a table's last column widens the page, not the table).
		let right = r.right, inScroller = false, abs = st.position === 'absolute';
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const ps = getComputedStyle(p);
			if (abs && ps.position === 'static') continue;
			abs = ps.position === 'absolute';
			if (scrolls(ps)) { inScroller = true; break; }
			if (ps.overflowX !== 'visible') right = Math.min(right, p.getBoundingClientRect().right);
		}
		if (inScroller || right <= vw + 1) continue;
		over.add(el);
		if (!over.has(el.parentElement)) found.push(describe(el) + ' (' + Math.round(r.left) + '..' + Math.round(right) + 'px)');
	}
	// A menu or a box squeezed narrower than what it shows: "Nam" for
	// "Name". A menu must fit its chosen option and its arrow, a text box
	// four characters.
	const squeezed = [];
	const ctx = document.createElement('canvas').getContext('2d');
	for (const el of document.querySelectorAll('select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file])')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || el.closest('.visually-hidden')) continue;
		const st = getComputedStyle(el);
		ctx.font = st.font;
		const em = parseFloat(st.fontSize);
		let need = 4 * em;
		if (el.tagName === 'SELECT' && el.selectedOptions.length) need = ctx.measureText(el.selectedOptions[0].text).width + 2 * em;
		if (r.width + 1 < Math.min(need, vw * 0.4)) squeezed.push(describe(el) + ' (' + Math.round(r.width) + 'px, needs ' + Math.round(need) + ')');
	}
	return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, offenders: found.slice(0, 5), squeezed: squeezed.slice(0, 5)};
})()`

// phoneOverflow is what phoneOverflowJS returns.
type phoneOverflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Offenders   []string `json:"offenders"`
	Squeezed    []string `json:"squeezed"`
}

// checkFitsPhone fails the test, naming the page and its widest elements,
// when the page the tab shows is wider than the phone's screen.
func checkFitsPhone(t *testing.T, b *chromeTab, page string) {
	t.Helper()
	m := chromeEval[phoneOverflow](b, phoneOverflowJS)
	if m.ScrollWidth > m.InnerWidth || len(m.Offenders) > 0 {
		t.Errorf("%s is wider than a %dpx phone (document %dpx, window %dpx); past the right edge: %s",
			page, phoneWidth, m.ScrollWidth, m.InnerWidth, strings.Join(m.Offenders, "; "))
	}
	if len(m.Squeezed) > 0 {
		t.Errorf("%s squeezes form controls narrower than what they show: %s", page, strings.Join(m.Squeezed, "; "))
	}
}

// TestBrowserEveryPageFitsAPhone: on a 390×844 phone, every page a
// salesperson or an administrator reaches — home, each record type's list,
// page, new and edit forms, the 360° timelines, an order with its lines,
// the trash, an import from upload through mapping to its check, the
// duplicates and their merge, the audit log, settings, notifications and
// search — fits the screen in English and in Bahasa Indonesia: nothing
// reaches past the right edge except inside a table that scrolls sideways
// in its card.
func TestBrowserEveryPageFitsAPhone(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, srv.App.DB, demo.Options{Contacts: 30, Seed: 3, Now: time.Now().UTC(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, DemoSteps()...); err != nil {
		t.Fatalf("fill the demo data: %v", err)
	}
	admin, err := srv.App.Auth.GetUserByEmail(ctx, demo.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	first := func(query string) int64 {
		t.Helper()
		var id int64
		if err := srv.App.DB.Read().QueryRowContext(ctx, query).Scan(&id); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return id
	}
	// The customers with the most to show: the longest timelines and
	// totals, the order with the most lines.
	contact := first(`SELECT contact_id FROM orders WHERE contact_id IS NOT NULL GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT 1`)
	account := first(`SELECT account_id FROM orders WHERE account_id IS NOT NULL GROUP BY account_id ORDER BY count(*) DESC, account_id LIMIT 1`)
	order := first(`SELECT order_id FROM order_lines GROUP BY order_id ORDER BY count(*) DESC, order_id LIMIT 1`)
	ids := map[string]int64{"contacts": contact, "accounts": account, "orders": order}
	for _, e := range []string{"leads", "opportunities", "activities", "products"} {
		ent, _ := srv.App.Entities.Get(e)
		ids[e] = first(fmt.Sprintf("SELECT min(id) FROM %s WHERE deleted_at IS NULL", ent.Table))
	}
	user := first(`SELECT max(id) FROM users`)
	team := first(`SELECT min(id) FROM teams`)
	pipeline := first(`SELECT min(id) FROM pipelines`)
	lead := first(`SELECT min(id) FROM leads WHERE status <> 'converted' AND deleted_at IS NULL`)

	// A contact in the trash, with a long name, and two that repeat one
	// another for the duplicates page.
	contacts, _ := srv.App.Entities.Get("contacts")
	p := admin.Principal()
	trashed, err := srv.App.Records.Create(ctx, p, contacts, records.Input{"first_name": "Raden Ajeng Kartini Sosroningrat", "last_name": "Wulandari-Hadiningrat",
		"emails": []string{"raden.ajeng.kartini.sosroningrat@perusahaan-yang-sangat-panjang.co.id"}, "phones": []string{"0831-5783-0432"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Records.Delete(ctx, p, contacts, trashed.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := srv.App.Records.Create(ctx, p, contacts, records.Input{"first_name": "Bambang", "last_name": "Pamungkas",
			"emails": []string{"bambang.pamungkas@contoh.co.id"}}); err != nil {
			t.Fatal(err)
		}
	}
	csvFile := filepath.Join(t.TempDir(), "kontak-pameran-jakarta-fair.csv")
	if err := os.WriteFile(csvFile, []byte("Nama Depan,Nama Belakang,No. HP,Surel,Nama Perusahaan Lengkap Sesuai Akta,Kota\n"+
		"Ani,Susanti,0812-1111-2222,ani@contoh.co.id,PT Sumber Makmur Sejahtera Abadi,Jakarta\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newChromeTabWithin(t, srv.URL, 4*time.Minute)
	s := &crmSession{chromeTab: b, srv: srv, user: admin}
	t.Cleanup(s.reportFailure)
	b.do("turn into a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	b.open("/login")
	b.typeInto("#email", admin.Email)
	b.typeInto("#password", demo.AdminPassword)
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")

	var pages []string
	pages = append(pages, "/")
	for _, e := range []string{"contacts", "accounts", "leads", "opportunities", "activities", "orders", "products"} {
		base := "/" + e
		id := fmt.Sprint(ids[e])
		pages = append(pages, base, base+"/new", base+"/"+id, base+"/"+id+"/edit", base+"/"+id+"/delete")
	}
	pages = append(pages,
		fmt.Sprintf("/contacts/%d/timeline", contact), fmt.Sprintf("/accounts/%d/timeline", account),
		fmt.Sprintf("/leads/%d/convert", lead), "/leads/response-times", "/deals/board",
		"/contacts/trash", fmt.Sprintf("/contacts/%d/trash", trashed.ID), "/settings/trash",
		"/imports", "/duplicates?entity=contacts", "/duplicates/merges?entity=contacts",
		"/settings/audit", "/settings", "/settings/users", "/settings/users/new", fmt.Sprintf("/settings/users/%d", user),
		"/settings/teams", fmt.Sprintf("/settings/teams/%d", team), "/settings/fields", "/settings/fields?entity=opportunities",
		"/settings/pipelines", fmt.Sprintf("/settings/pipelines/%d", pipeline), "/settings/leads", "/settings/tokens",
		"/profile", "/notifications", "/search?q=a")

	for _, lang := range []string{"en", "id"} {
		setLocale(t, srv, admin.Email, lang)
		for _, path := range pages {
			s.openURI(path)
			checkFitsPhone(t, b, lang+" "+path)
		}

		// Import: upload a file, then its mapping and the check's report.
		s.open("/imports/new")
		checkFitsPhone(t, b, lang+" /imports/new")
		s.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csvFile}))
		s.click("[data-testid=upload]")
		imp := s.pathID("/imports/", "/mapping")
		checkFitsPhone(t, b, fmt.Sprintf("%s /imports/%d/mapping", lang, imp))
		s.click("[data-testid=check]")
		s.wantPath("check the file", fmt.Sprintf("/imports/%d", imp))
		checkFitsPhone(t, b, fmt.Sprintf("%s /imports/%d", lang, imp))

		// Duplicates: the merge of the first pair the page offers.
		s.openURI("/duplicates?entity=contacts")
		merge := chromeEval[string](b, `(document.querySelector('a[href^="/duplicates/merge?"]') || {}).href || ''`)
		if merge == "" {
			t.Fatalf("%s: the duplicates page offers no merge, though two contacts are called Bambang Pamungkas", lang)
		}
		b.load("open the merge", chromedp.Navigate(merge))
		checkFitsPhone(t, b, lang+" "+strings.TrimPrefix(merge, srv.URL))
	}
	b.checkConsole()
}
