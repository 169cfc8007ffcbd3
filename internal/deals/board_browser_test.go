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

	"github.com/relasi/relasi/internal/store"
)

// TestBoardScriptInABrowser drives board.js in a headless Chromium: the
// card menu moves a deal in place, a lost stage asks for the reason in a
// dialog (and insists on one), cancelling puts the card back, and a drag
// onto another column moves the deal — with no script error and no
// Content-Security-Policy violation on the way.
func TestBoardScriptInABrowser(t *testing.T) {
	e := newEnv(t, store.SQLite)
	one := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu satu", "amount": 1000000})
	two := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu dua", "amount": 2000000})
	three := e.createDeal(t, e.AdminToken, map[string]any{"name": "Kartu tiga", "amount": 3000000})
	prospecting, qual, lost := e.stage(t, "Prospecting").ID, e.stage(t, "Qualification").ID, e.stage(t, "Closed Lost").ID

	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("this test drives a headless Chromium, and none was found (%v): apt-get install -y chromium", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" {
				mu.Lock()
				problems = append(problems, m.Text)
				mu.Unlock()
			}
		}
	}()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	// waitFor polls a JavaScript condition, for the answers of fetch.
	waitFor := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	columnOf := func(deal map[string]any) string {
		return eval(fmt.Sprintf(`document.querySelector('li[data-deal-id="%v"]').parentElement.dataset.stageId`, deal["id"]))
	}
	stageOf := func(deal map[string]any) int64 {
		return num(t, e.do(t, call{Token: e.AdminToken, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%v", deal["id"])}, 200).object(t)["stage_id"])
	}
	status := `document.getElementById('deals-status').textContent`
	menuMove := func(deal map[string]any, stageID int64) {
		t.Helper()
		do("move through the card menu",
			chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#deals-move-%v", deal["id"])), fmt.Sprint(stageID)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`li[data-deal-id="%v"] form.deals-move button`, deal["id"]))))
	}

	do("sign in", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.co.id"),
		chromedp.SendKeys(chromedp.CSS("#password"), "rahasia-123"), chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-name"]`)))
	do("open the board", chromedp.Navigate(e.URL+"/deals/board"), chromedp.WaitVisible(chromedp.CSS("#deals-board")))
	waitFor("Sortable", `typeof window.Sortable === 'function'`)

	// The menu moves the card in place and updates both columns' numbers.
	menuMove(one, qual)
	waitFor("the move's answer", status+` === 'Moved to Qualification.'`)
	if got := eval(fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-sum]').textContent`, qual)); got != "IDR 1,000,000" {
		t.Errorf("Qualification sum after the move = %q", got)
	}
	if got := eval(fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-count]').textContent`, prospecting)); got != "2" {
		t.Errorf("Prospecting count after the move = %q, want 2", got)
	}
	if columnOf(one) != fmt.Sprint(qual) || stageOf(one) != qual {
		t.Fatalf("card one is in column %s, stage %d; want %d", columnOf(one), stageOf(one), qual)
	}

	// Lost asks why, refuses an empty reason, and moves with one.
	menuMove(two, lost)
	waitFor("the reason dialog", `document.getElementById('deals-reason').open`)
	if got := eval(`document.getElementById('deals-reason-title').textContent`); got != "Mark the deal as lost" {
		t.Errorf("dialog title = %q", got)
	}
	do("confirm without a reason", chromedp.Click(chromedp.CSS(`#deals-reason button[value="move"]`)))
	waitFor("the reason's error", `!document.getElementById('deals-reason-error').hidden && document.getElementById('deals-reason').open`)
	do("give the reason", chromedp.SendKeys(chromedp.CSS("#deals-reason-text"), "Terlalu mahal"),
		chromedp.Click(chromedp.CSS(`#deals-reason button[value="move"]`)))
	waitFor("the lost move's answer", status+` === 'Moved to Closed Lost.'`)
	r := e.do(t, call{Token: e.AdminToken, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%v", two["id"])}, 200).object(t)
	if num(t, r["stage_id"]) != lost || r["lost_reason"] != "Terlalu mahal" {
		t.Errorf("deal two after the dialog: stage %v reason %v", r["stage_id"], r["lost_reason"])
	}

	// Cancelling the dialog puts the card back where it was.
	menuMove(three, lost)
	waitFor("the reason dialog", `document.getElementById('deals-reason').open`)
	do("cancel", chromedp.Click(chromedp.CSS(`#deals-reason button[value="cancel"]`)))
	waitFor("the card back home", fmt.Sprintf(`document.querySelector('li[data-deal-id="%v"]').parentElement.dataset.stageId === '%d'`, three["id"], prospecting))
	if stageOf(three) != prospecting {
		t.Errorf("a cancelled move moved the deal")
	}

	// Drag card three onto card one, in Qualification.
	center := func(sel string) (float64, float64) {
		var x, y float64
		fmt.Sscanf(eval(fmt.Sprintf(`(function(){var r=document.querySelector('%s').getBoundingClientRect();return (r.left+r.width/2)+' '+(r.top+r.height/2)})()`, sel)), "%f %f", &x, &y)
		return x, y
	}
	do("scroll", chromedp.ScrollIntoView(chromedp.CSS(fmt.Sprintf(`li[data-deal-id="%v"]`, three["id"]))))
	x1, y1 := center(fmt.Sprintf(`li[data-deal-id="%v"] .deals-card-amount`, three["id"]))
	x2, y2 := center(fmt.Sprintf(`li[data-deal-id="%v"] .deals-card-amount`, one["id"]))
	drag := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x1, y1, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		f := float64(i) / 20
		drag = append(drag, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1+(x2-x1)*f, y1+(y2-y1)*f, chromedp.ButtonLeft), chromedp.Sleep(20*time.Millisecond))
	}
	drag = append(drag, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x2, y2, chromedp.ButtonLeft))
	do("drag card three onto Qualification", drag...)
	waitFor("the drag's answer", fmt.Sprintf(`document.querySelector('.deals-column[data-stage-id="%d"] [data-deals-count]').textContent === '2'`, qual))
	if stageOf(three) != qual || columnOf(three) != fmt.Sprint(qual) {
		t.Errorf("after the drag card three is in column %s, stage %d; want %d", columnOf(three), stageOf(three), qual)
	}

	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the board logged errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}
