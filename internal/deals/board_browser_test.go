package deals_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relasi/relasi/internal/store"
)

// boardTab is a headless Chromium signed in to a test server, with the
// steps the board's browser tests take.
type boardTab struct {
	t        *testing.T
	e        *env
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBoardTab(t *testing.T, e *env, width, height int) *boardTab {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("this test drives a headless Chromium, and none was found (%v): apt-get install -y chromium", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	b := &boardTab{t: t, e: e, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" {
				b.mu.Lock()
				b.problems = append(b.problems, m.Text)
				b.mu.Unlock()
			}
		}
	}()
	b.do("viewport", chromedp.EmulateViewport(int64(width), int64(height)))
	b.do("sign in", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.co.id"),
		chromedp.SendKeys(chromedp.CSS("#password"), "rahasia-123"), chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitReady(chromedp.CSS(`[data-testid="user-name"]`))) // in the DOM: a phone's top bar hides the name
	return b
}

func (b *boardTab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

func (b *boardTab) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition, for the answers of fetch.
func (b *boardTab) waitFor(what, js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		b.t.Fatalf("waiting for %s: %v\nstatus: %q", what, err, b.eval(`document.getElementById('deals-status').textContent`))
	}
}

func (b *boardTab) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.e.URL+path), chromedp.WaitVisible(chromedp.CSS("#deals-board")))
	b.waitFor("Sortable", `typeof window.Sortable === 'function' && !!Sortable.get(document.querySelector('.deals-cards'))`)
}

func cardSel(deal map[string]any) string { return fmt.Sprintf(`li[data-deal-id="%v"]`, deal["id"]) }

// columnOf is the stage of the column a card is in on the page.
func (b *boardTab) columnOf(deal map[string]any) string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`document.querySelector('%s').parentElement.dataset.stageId`, cardSel(deal)))
}

// stageOf is the deal's stage as stored.
func (b *boardTab) stageOf(deal map[string]any) int64 {
	b.t.Helper()
	return num(b.t, b.e.do(b.t, call{Token: b.e.AdminToken, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%v", deal["id"])}, 200).object(b.t)["stage_id"])
}

// said waits for the live region to say message.
func (b *boardTab) said(what, message string) {
	b.t.Helper()
	b.waitFor(what, fmt.Sprintf(`document.getElementById('deals-status').textContent === %q && !document.querySelector('[aria-busy]')`, message))
}

// focused describes the element with the keyboard's focus.
func (b *boardTab) focused() string {
	return b.eval(`(function(){var a=document.activeElement;var c=a.closest('.deals-card');return (c?c.dataset.dealId+' ':'')+a.className})()`)
}

// menuMove opens a card's menu with the mouse and picks a stage.
func (b *boardTab) menuMove(deal map[string]any, stageID int64) {
	b.t.Helper()
	b.do("open the card's menu", chromedp.Click(chromedp.CSS(cardSel(deal)+" .deals-card-menu")))
	b.waitFor("the menu", `!document.getElementById('deals-menu').hidden`)
	b.do("pick the stage", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#deals-menu [data-stage-id="%d"]`, stageID))))
}

func (b *boardTab) checkConsole() {
	b.t.Helper()
	time.Sleep(100 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		b.t.Errorf("the board logged errors or CSP violations:\n%s", strings.Join(b.problems, "\n"))
	}
}

// TestBoardScriptInABrowser drives board.js in a headless Chromium: the
// card menu moves a deal in place, a lost stage asks for the reason in a
// dialog (and insists on one), cancelling puts the card back, the keyboard
// moves a card to the next and previous stage and works the menu, and a
// drag onto another column moves the deal — with no script error and no
// Content-Security-Policy violation on the way.
func TestBoardScriptInABrowser(t *testing.T) {
	e := newEnv(t, store.SQLite)
	one := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu satu", "amount": 1000000})
	two := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu dua", "amount": 2000000})
	three := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu tiga", "amount": 3000000})
	four := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu empat", "amount": 4000000})
	prospecting, qual, needs, lost := e.stage(t, "Prospecting").ID, e.stage(t, "Qualification").ID, e.stage(t, "Needs Analysis").ID, e.stage(t, "Closed Lost").ID

	b := newBoardTab(t, e, 1280, 900)
	b.open("/deals/board")
	if got := b.eval(`document.getElementById('deals-keys').hidden ? 'hidden' : document.getElementById('deals-keys').textContent`); !strings.Contains(got, "Shift+→") {
		t.Errorf("the keyboard hint = %q, want it shown, naming Shift+→", got)
	}
	if got := b.eval(`document.querySelectorAll('.deals-card form, .deals-card select').length + ''`); got != "0" {
		t.Errorf("%s cards carry a form or select; the board has one menu", got)
	}

	// The menu moves the card in place and updates both columns' numbers.
	b.menuMove(one, qual)
	b.said("the move's answer", "Moved to Qualification.")
	if got := b.eval(fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-sum]').textContent`, qual)); got != "IDR 1,000,000" {
		t.Errorf("Qualification sum after the move = %q", got)
	}
	if got := b.eval(fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-count]').textContent`, prospecting)); got != "3" {
		t.Errorf("Prospecting count after the move = %q, want 3", got)
	}
	if b.columnOf(one) != fmt.Sprint(qual) || b.stageOf(one) != qual {
		t.Fatalf("card one is in column %s, stage %d; want %d", b.columnOf(one), b.stageOf(one), qual)
	}
	if got, want := b.focused(), fmt.Sprintf("%v deals-card-menu", one["id"]); got != want {
		t.Errorf("after the menu's move the focus is on %q, want the card's menu button (%q)", got, want)
	}
	if got := b.eval(`document.getElementById('deals-menu').hidden + ''`); got != "true" {
		t.Error("the menu stays open after the move")
	}

	// Lost asks why, refuses an empty reason, and moves with one.
	b.menuMove(two, lost)
	b.waitFor("the reason dialog", `document.getElementById('deals-reason').open`)
	if got := b.eval(`document.getElementById('deals-reason-title').textContent`); got != "Mark the deal as lost" {
		t.Errorf("dialog title = %q", got)
	}
	b.do("confirm without a reason", chromedp.Click(chromedp.CSS(`#deals-reason button[value="move"]`)))
	b.waitFor("the reason's error", `!document.getElementById('deals-reason-error').hidden && document.getElementById('deals-reason').open`)
	b.do("give the reason", chromedp.SendKeys(chromedp.CSS("#deals-reason-text"), "Terlalu mahal"),
		chromedp.Click(chromedp.CSS(`#deals-reason button[value="move"]`)))
	b.said("the lost move's answer", "Moved to Closed Lost.")
	r := e.do(t, call{Token: e.AdminToken, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%v", two["id"])}, 200).object(t)
	if num(t, r["stage_id"]) != lost || r["lost_reason"] != "Terlalu mahal" {
		t.Errorf("deal two after the dialog: stage %v reason %v", r["stage_id"], r["lost_reason"])
	}

	// Cancelling the dialog puts the card back where it was.
	b.menuMove(three, lost)
	b.waitFor("the reason dialog", `document.getElementById('deals-reason').open`)
	b.do("cancel", chromedp.Click(chromedp.CSS(`#deals-reason button[value="cancel"]`)))
	b.waitFor("the card back home", fmt.Sprintf(`document.querySelector('%s').parentElement.dataset.stageId === '%d'`, cardSel(three), prospecting))
	if b.stageOf(three) != prospecting {
		t.Errorf("a cancelled move moved the deal")
	}

	// The keyboard: on the card's name, Shift+→ moves it to the next
	// stage and keeps the focus there; Shift+← brings it back; and once
	// more says it is already in the first stage.
	shift := chromedp.KeyModifiers(chromedp.ModifierShift)
	b.do("focus card four", chromedp.Focus(chromedp.CSS(cardSel(four)+" .deals-card-name")))
	b.do("Shift+→", chromedp.KeyEvent(kb.ArrowRight, shift))
	b.said("the keyboard's move", "Moved to Qualification.")
	if b.columnOf(four) != fmt.Sprint(qual) || b.stageOf(four) != qual {
		t.Fatalf("after Shift+→ card four is in column %s, stage %d; want Qualification (%d)", b.columnOf(four), b.stageOf(four), qual)
	}
	if got, want := b.focused(), fmt.Sprintf("%v deals-card-name", four["id"]); got != want {
		t.Errorf("after Shift+→ the focus is on %q, want card four's name (%q)", got, want)
	}
	b.do("Shift+←", chromedp.KeyEvent(kb.ArrowLeft, shift))
	b.said("the keyboard's move back", "Moved to Prospecting.")
	if b.stageOf(four) != prospecting || b.columnOf(four) != fmt.Sprint(prospecting) {
		t.Errorf("after Shift+← card four is in stage %d, want Prospecting", b.stageOf(four))
	}
	b.do("Shift+← in the first stage", chromedp.KeyEvent(kb.ArrowLeft, shift))
	b.said("the first stage's answer", "The deal is already in the first stage.")

	// ↓ goes to the next card; its menu button opens with Enter, the
	// arrows walk the stages (the current one marked), Escape closes it
	// and gives the focus back, and Enter on a stage moves the card.
	b.do("focus card three", chromedp.Focus(chromedp.CSS(cardSel(three)+" .deals-card-name")))
	b.do("↓", chromedp.KeyEvent(kb.ArrowDown))
	if got, want := b.focused(), fmt.Sprintf("%v deals-card-name", four["id"]); got != want {
		t.Errorf("after ↓ from card three the focus is on %q, want card four's name (%q)", got, want)
	}
	b.do("Tab to the menu button", chromedp.KeyEvent(kb.Tab))
	if got, want := b.focused(), fmt.Sprintf("%v deals-card-menu", four["id"]); got != want {
		t.Fatalf("Tab from card four's name goes to %q, want its menu button (%q)", got, want)
	}
	b.do("Enter", chromedp.KeyEvent(kb.Enter))
	b.waitFor("the menu", `!document.getElementById('deals-menu').hidden`)
	if got := b.eval(`document.activeElement.textContent + ' ' + document.querySelector('#deals-menu [aria-disabled=true]').textContent`); got != "Qualification Prospecting" {
		t.Errorf("the open menu's focus and current stage = %q, want Qualification (the first other stage) and Prospecting", got)
	}
	if got := b.eval(fmt.Sprintf(`document.querySelector('%s .deals-card-menu').getAttribute('aria-expanded')`, cardSel(four))); got != "true" {
		t.Errorf("the open menu's button has aria-expanded=%s", got)
	}
	b.do("Escape", chromedp.KeyEvent(kb.Escape))
	b.waitFor("the menu to close", `document.getElementById('deals-menu').hidden`)
	if got, want := b.focused(), fmt.Sprintf("%v deals-card-menu", four["id"]); got != want {
		t.Errorf("after Escape the focus is on %q, want the card's menu button (%q)", got, want)
	}
	b.do("Enter, ↓, Enter", chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	b.said("the keyboard menu's move", "Moved to Needs Analysis.")
	if b.stageOf(four) != needs || b.columnOf(four) != fmt.Sprint(needs) {
		t.Errorf("after the keyboard's menu card four is in stage %d, want Needs Analysis", b.stageOf(four))
	}

	// Drag card three onto card one, in Qualification.
	center := func(sel string) (float64, float64) {
		var x, y float64
		fmt.Sscanf(b.eval(fmt.Sprintf(`(function(){var r=document.querySelector('%s').getBoundingClientRect();return (r.left+r.width/2)+' '+(r.top+r.height/2)})()`, sel)), "%f %f", &x, &y)
		return x, y
	}
	b.do("scroll", chromedp.ScrollIntoView(chromedp.CSS(cardSel(three))))
	x1, y1 := center(cardSel(three) + " .deals-card-amount")
	x2, y2 := center(cardSel(one) + " .deals-card-amount")
	drag := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x1, y1, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		f := float64(i) / 20
		drag = append(drag, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, chromedp.ButtonLeft), chromedp.Sleep(20*time.Millisecond))
	}
	drag = append(drag, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x2, y2, chromedp.ButtonLeft))
	b.do("drag card three onto Qualification", drag...)
	b.waitFor("the drag's answer", fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-count]').textContent === '2'`, qual))
	if b.stageOf(three) != qual || b.columnOf(three) != fmt.Sprint(qual) {
		t.Errorf("after the drag card three is in column %s, stage %d; want %d", b.columnOf(three), b.stageOf(three), qual)
	}
	b.checkConsole()
}

// TestBoardOnAPhone: at 390×844 the page does not scroll sideways — the
// board does, inside itself — the owner filter fits, and a card's menu in
// a far column opens within the screen and moves the deal.
func TestBoardOnAPhone(t *testing.T) {
	e := newEnv(t, store.SQLite)
	for i := range 12 {
		e.createDeal(t, e.AdminToken, map[string]any{"name": fmt.Sprintf("Pengadaan mesin kasir dan perangkat lunak cabang Makassar %02d", i),
			"amount": 1234567890, "close_date": "2026-01-15"})
	}
	negotiation, won := e.stage(t, "Negotiation/Review").ID, e.stage(t, "Closed Won").ID
	last := e.createDeal(t, e.AdminToken, map[string]any{"name": "Lisensi tahunan", "amount": 5000000, "stage_id": negotiation})

	b := newBoardTab(t, e, 390, 844)
	b.open("/deals/board")
	overflow := `(function(){var w=document.documentElement.clientWidth;var out=[];document.querySelectorAll('body *').forEach(function(el){
		if(el.closest('.deals-board')&&!el.classList.contains('deals-board'))return;var r=el.getBoundingClientRect();if(r.width&&(r.right>w+1||r.left<-1))out.push(el.tagName+'.'+el.className+' '+Math.round(r.left)+'..'+Math.round(r.right))});
		return (document.documentElement.scrollWidth>w?'page '+document.documentElement.scrollWidth+'>'+w+'; ':'')+out.slice(0,5).join('; ')})()`
	if got := b.eval(overflow); got != "" {
		t.Errorf("at 390px wide, outside the board things overflow the screen: %s", got)
	}
	if got := b.eval(`(function(){var d=document.getElementById('deals-board');return d.scrollWidth>d.clientWidth&&getComputedStyle(d).overflowX==='auto'?'scrolls':'does not scroll'})()`); got != "scrolls" {
		t.Errorf("the board %s sideways inside itself", got)
	}
	if got := b.eval(`(function(){var w=document.querySelector('.deals-column').getBoundingClientRect().width;return w<=330?'narrow':Math.round(w)+'px'})()`); got != "narrow" {
		t.Errorf("a column is %s wide on a 390px screen, want it to leave the next one peeking in", got)
	}

	// The far column's card: scroll the board to it, open its menu.
	b.do("scroll to the card", chromedp.ScrollIntoView(chromedp.CSS(cardSel(last))))
	b.do("open the card's menu", chromedp.Click(chromedp.CSS(cardSel(last)+" .deals-card-menu")))
	b.waitFor("the menu", `!document.getElementById('deals-menu').hidden`)
	inside := `(function(){var r=document.getElementById('deals-menu').getBoundingClientRect();return r.left>=0&&r.top>=0&&r.right<=document.documentElement.clientWidth&&r.bottom<=window.innerHeight?'inside':Math.round(r.left)+','+Math.round(r.top)+'..'+Math.round(r.right)+','+Math.round(r.bottom)})()`
	if got := b.eval(inside); got != "inside" {
		t.Errorf("the open menu is at %s, not inside the 390×844 screen", got)
	}
	b.do("pick Closed Won", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#deals-menu [data-stage-id="%d"]`, won))))
	b.waitFor("the reason dialog", `document.getElementById('deals-reason').open`)
	if got := b.eval(`(function(){var r=document.getElementById('deals-reason').getBoundingClientRect();return r.left>=0&&r.right<=document.documentElement.clientWidth?'fits':Math.round(r.left)+'..'+Math.round(r.right)})()`); got != "fits" {
		t.Errorf("the reason dialog spans %s on a 390px screen", got)
	}
	b.do("win it", chromedp.Click(chromedp.CSS(`#deals-reason button[value="move"]`)))
	b.said("the move's answer", "Moved to Closed Won.")
	if b.stageOf(last) != won {
		t.Errorf("the deal moved from a phone is in stage %d, want Closed Won", b.stageOf(last))
	}
	b.checkConsole()
}
