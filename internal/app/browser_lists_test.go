package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/store"
)

// wideWidth and wideHeight are a common laptop screen in CSS pixels.
const (
	wideWidth  = 1366
	wideHeight = 900
)

// listFit is how a list's table sits in its card: the table's width, the
// card's, and the header's distance from the top of the window after the
// page scrolled down (a sticky header stays at the top).
type listFit struct {
	Table   int      `json:"table"`
	Wrap    int      `json:"wrap"`
	Columns []string `json:"columns"`
	Cut     []string `json:"cut"` // cells whose text is cut off without a title to read it in full
	HeadTop int      `json:"headTop"`
}

const listFitJS = `(() => {
	const t = document.querySelector('[data-testid=records-table]');
	const wrap = t.closest('.table-wrap');
	const cut = [];
	for (const td of t.querySelectorAll('tbody td')) {
		if (td.innerText.trim() && td.scrollWidth > td.clientWidth + 1 && !td.title) cut.push(td.innerText.slice(0, 40));
	}
	window.scrollTo(0, document.body.scrollHeight);
	const head = t.querySelector('thead th').getBoundingClientRect().top;
	return {table: Math.round(t.scrollWidth), wrap: Math.round(wrap.clientWidth),
		columns: Array.from(t.querySelectorAll('thead th'), th => th.innerText.trim()), cut: cut.slice(0, 5), headTop: Math.round(head)};
})()`

// TestBrowserListsFitALaptop: on a 1366×900 screen each list shows its
// default columns without a sideways scroll, cuts long values with the
// full text a hover away, and keeps its header in sight when scrolled.
func TestBrowserListsFitALaptop(t *testing.T) {
	srv := newTestServer(t, store.SQLite)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, srv.App.DB, demo.Options{Contacts: 120, Seed: 5, Now: time.Now().UTC(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, DemoSteps()...); err != nil {
		t.Fatalf("fill the demo data: %v", err)
	}
	b := newChromeTab(t, srv.URL)
	b.do("a laptop screen", chromedp.EmulateViewport(wideWidth, wideHeight))
	b.open("/login")
	b.typeInto("#email", demo.AdminEmail)
	b.typeInto("#password", demo.AdminPassword)
	b.click(`form[action="/login"] button[type=submit]`)
	b.wantPath("sign in", "/")
	for _, list := range []string{"/contacts", "/accounts", "/leads", "/opportunities", "/activities", "/orders", "/products"} {
		b.open(list)
		fit := chromeEval[listFit](b, listFitJS)
		t.Logf("%s: table %dpx in %dpx: %q", list, fit.Table, fit.Wrap, fit.Columns)
		if fit.Table > fit.Wrap {
			t.Errorf("%s at %dpx: the table is %dpx wide in a %dpx card, so columns %q hide behind a sideways scroll", list, wideWidth, fit.Table, fit.Wrap, fit.Columns)
		}
		if len(fit.Cut) > 0 {
			t.Errorf("%s: cells cut off without their full text on hover: %q", list, fit.Cut)
		}
		if fit.HeadTop < 0 {
			t.Errorf("%s: scrolled down, the header is %dpx above the window", list, -fit.HeadTop)
		}
	}

	// A header control filters at once; a record's breadcrumb leads back
	// to the list as it was left, and the control still shows the choice.
	b.open("/leads")
	// SetValue fires the change event, on which the page submits.
	b.load("choose status new", chromedp.SetValue(chromedp.CSS("[data-testid=control-status]"), "new"))
	const want = `status = "new"`
	if got := b.location().Query().Get("filter"); got != want {
		t.Fatalf("choosing Status: new led to the filter %q, want %q", got, want)
	}
	b.click("[data-testid=records-table] tbody tr a")
	b.click("a[data-list-back]")
	if loc := b.location(); loc.Path != "/leads" || loc.Query().Get("filter") != want {
		t.Errorf("the breadcrumb led back to %s, want the list filtered by %s", loc.RequestURI(), want)
	}
	if got := b.value("[data-testid=control-status]"); got != "new" {
		t.Errorf("back on the list the status control shows %q, want new", got)
	}
	b.checkConsole()
}
