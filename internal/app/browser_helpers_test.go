package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/httpx"
)

// Limits of a browser test: the whole conversation with Chromium, and any one
// step of it (so a missing element fails with the step's name instead of
// hanging until the whole test times out).
const (
	chromeTestTimeout = 90 * time.Second
	chromeStepTimeout = 15 * time.Second
)

// chromeConsoleMarker starts the console messages the test logs itself: once
// the watcher has seen one, it has seen every message the pages wrote before.
const chromeConsoleMarker = "relasi-browser-test: console drained "

// chromeTab is one tab of a headless Chromium, driven through chromedp against
// a test server. It records what the pages write to the console, so a test
// can fail on script errors and Content-Security-Policy violations.
type chromeTab struct {
	t    *testing.T
	ctx  context.Context
	base *url.URL

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	markers chan string // the test's own console messages, as the watcher sees them
	drains  int
}

// newChromeTab starts a headless Chromium for the test server at baseURL. The
// test fails, and never skips, when Chromium is missing: CI installs it, and
// a skipped browser test would hide a broken UI.
func newChromeTab(t *testing.T, baseURL string) *chromeTab {
	t.Helper()
	return newChromeTabWithin(t, baseURL, chromeTestTimeout)
}

// newChromeTabWithin is newChromeTab for a test that needs the browser
// longer than chromeTestTimeout: one that visits every page.
func newChromeTabWithin(t *testing.T, baseURL string, limit time.Duration) *chromeTab {
	t.Helper()
	base, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("parse base URL %q: %v", baseURL, err)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("this test drives a real headless Chromium, and none was found (%v): install it with `apt-get install -y chromium`", err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		// Root in a container cannot use Chromium's sandbox.
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.NoFirstRun,
		// Chromium's own connections to Google are refused on a closed
		// network and slow it down; the test needs none of them.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true),
		// The pages before sign-in follow Accept-Language; pin it to English.
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	// The deadline covers the browser's whole life: when it passes, Chromium
	// stops and every later step fails with the context's error.
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// Cleanups run in reverse order, so Chromium exits before t.TempDir
	// removes its profile.
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("stop Chromium: %v", err)
		}
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
	})

	// The first Run starts Chromium and binds it to ctx: no per-step
	// timeout here, or the browser would stop with the step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromium, err)
	}
	b := &chromeTab{t: t, ctx: ctx, base: base, markers: make(chan string, 8)}
	b.watchConsole()
	return b
}

// watchConsole records every console message of the tab, from now until
// the browser stops.
func (b *chromeTab) watchConsole() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.HasPrefix(m.Text, chromeConsoleMarker) {
				b.markers <- m.Text
				continue
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
}

// drainConsole returns, and forgets, every console message the pages have
// written so far. Messages arrive asynchronously, so it logs a marker of its
// own and waits until the watcher has seen it.
func (b *chromeTab) drainConsole() []chromedp.ConsoleMessage {
	b.t.Helper()
	b.drains++
	marker := fmt.Sprintf("%s%d", chromeConsoleMarker, b.drains)
	b.do("log a console marker", chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", marker)))
	timeout := time.After(chromeStepTimeout)
	for seen := ""; seen != marker; {
		select {
		case seen = <-b.markers:
		case <-timeout:
			b.t.Fatalf("the console watcher did not see the test's marker %q within %s", marker, chromeStepTimeout)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	msgs := b.console
	b.console = nil
	return msgs
}

// isCSPViolation reports whether Chromium logged m for a resource or script
// that the Content-Security-Policy refused.
func isCSPViolation(m chromedp.ConsoleMessage) bool {
	return strings.Contains(m.Text, "Content Security Policy") || m.Source == "security"
}

// consoleWhere tells where a console message came from, when Chromium says.
func consoleWhere(m chromedp.ConsoleMessage) string {
	if m.URL == "" {
		return ""
	}
	return fmt.Sprintf(" at %s:%d", m.URL, m.Line+1)
}

// checkConsole fails the test for every uncaught exception, every error a
// page script logged, and every Content-Security-Policy violation the pages
// caused so far. Failed requests (a form answered 422) are only logged:
// those responses are part of the flows under test.
//
// It then breaks the policy on purpose, with an inline script, and fails
// unless that violation is seen: a watcher that cannot see violations
// would pass every page.
func (b *chromeTab) checkConsole() {
	b.t.Helper()
	for _, m := range b.drainConsole() {
		switch {
		case isCSPViolation(m):
			b.t.Errorf("Content-Security-Policy violation%s: %s", consoleWhere(m), m.Text)
		case m.IsException():
			b.t.Errorf("uncaught exception%s: %s", consoleWhere(m), m.Text)
		case m.Type == chromedp.ConsoleError && m.Source == "":
			b.t.Errorf("page script logged an error%s: %s", consoleWhere(m), m.Text)
		default:
			b.t.Logf("console %s (%s): %s %s", m.Type, m.Source, m.Text, m.URL)
		}
	}

	b.do("run an inline script, which the policy must refuse", chromedp.Evaluate[chromedp.Void](
		`document.head.appendChild(document.createElement("script")).textContent = "document.title = 'inline script ran'"`))
	canary := b.drainConsole()
	if title := chromeRun(b, "read the title", chromedp.Title()); title == "inline script ran" {
		b.t.Errorf("an inline script ran: the page's Content-Security-Policy did not refuse it")
	}
	if !slices.ContainsFunc(canary, isCSPViolation) {
		b.t.Errorf("an inline script broke the Content-Security-Policy and the console watcher did not report it, so it cannot be trusted to see other violations; it saw: %v", canary)
	}
}

// chromeRun runs one action with the step timeout and returns its value; step
// names the action in the failure message.
func chromeRun[T any](b *chromeTab, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, chromeStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// do runs actions in order with the step timeout.
func (b *chromeTab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	chromeRun(b, step, chromedp.Steps(actions...))
}

// open loads a path of the test server and returns the response of the page
// the browser ends on, after any redirects.
func (b *chromeTab) open(path string) *network.Response {
	b.t.Helper()
	return b.load("open "+path, chromedp.Navigate(b.base.JoinPath(path).String()))
}

// click clicks an element that loads a new page (a link, a form's submit
// button) and returns the response of that page.
func (b *chromeTab) click(sel string) *network.Response {
	b.t.Helper()
	return b.load("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// load runs trigger, waits for the page it loads, and checks that the page
// came with Relasi's Content-Security-Policy.
func (b *chromeTab) load(step string, trigger chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, chromeStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, trigger)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	if resp == nil {
		b.t.Fatalf("%s: no page was loaded", step)
	}
	if got := responseHeader(resp, "Content-Security-Policy"); got != httpx.ContentSecurityPolicy {
		b.t.Errorf("%s: page %s has Content-Security-Policy %q, want %q", step, resp.URL, got, httpx.ContentSecurityPolicy)
	}
	return resp
}

// responseHeader returns a response header, whatever the case of its name.
func responseHeader(resp *network.Response, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// location returns the path and query of the page the tab shows.
func (b *chromeTab) location() *url.URL {
	b.t.Helper()
	loc := chromeRun(b, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u
}

// wantPath fails the test unless the tab shows path.
func (b *chromeTab) wantPath(step, path string) {
	b.t.Helper()
	if got := b.location().Path; got != path {
		b.t.Fatalf("%s: browser is on %s, want %s", step, got, path)
	}
}

// text returns the visible text of the first element matching sel.
func (b *chromeTab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(chromeRun(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value returns the current value of a form control.
func (b *chromeTab) value(sel string) string {
	b.t.Helper()
	return chromeRun(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// chromeEval evaluates a JavaScript expression in the page.
func chromeEval[T any](b *chromeTab, expr string) T {
	b.t.Helper()
	return chromeRun(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// typeInto types text into a form field, key by key, as a person would.
func (b *chromeTab) typeInto(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}
