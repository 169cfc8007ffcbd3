package deals_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
)

// browser is a cookie-keeping client that does not follow redirects, so
// a test sees where each form sends the user — a browser without script.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (e *env) signIn(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: e.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	res, _ := b.submit("/login", "/login", url.Values{"email": {email}, "password": {"rahasia-123"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	return b
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token loads a page and returns the CSRF token of its forms.
func (b *browser) token(page string) string {
	b.t.Helper()
	_, body := b.get(page)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token in the forms of %s", page)
	}
	return m[1]
}

// submit posts form to action with the CSRF token of page's forms.
func (b *browser) submit(page, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	form.Set("csrf_token", b.token(page))
	return b.post(action, form, false)
}

// post sends a form; asJSON asks for JSON, as the board's script does.
func (b *browser) post(action string, form url.Values, asJSON bool) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+action, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

// column returns the HTML of one board column, found by its heading.
func column(t *testing.T, page, heading string) string {
	t.Helper()
	for _, part := range strings.Split(page, `<section class="deals-column"`)[1:] {
		if strings.Contains(part, ">"+heading+"</h2>") {
			return part
		}
	}
	t.Fatalf("the board has no column %q", heading)
	return ""
}

func wantRedirect(t *testing.T, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("want 303 to %s, got %d to %q", to, res.StatusCode, res.Header.Get("Location"))
	}
}

func TestBoardPageMovesDealsThroughTheCardMenuWithoutScript(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, agus := e.user(t, "agus@example.co.id", auth.Sales)
		_, budi := e.user(t, "budi@example.co.id", auth.Sales)
		deal := e.createDeal(t, agus, map[string]any{"name": "Mesin kasir <b>toko</b>", "amount": 1500000, "close_date": "2026-04-30"})
		e.createDeal(t, budi, map[string]any{"name": "Punya Budi", "amount": 9000000})
		id := num(t, deal["id"])
		pipe := e.pipelines(t)[0]
		board := fmt.Sprintf("/deals/board?pipeline=%d", pipe.ID)

		b := e.signIn(t, "agus@example.co.id")
		res, page := b.get("/deals/board")
		if res.StatusCode != 200 {
			t.Fatalf("board: %d", res.StatusCode)
		}
		pros := column(t, page, "Prospecting")
		for _, want := range []string{"Mesin kasir &lt;b&gt;toko&lt;/b&gt;", "IDR 1,500,000", "30 Apr 2026", `data-testid="stage-count">1<`,
			`aria-label="agus@example.co.id" title="agus@example.co.id">A</span>`, fmt.Sprintf(`<a class="deals-card-menu" href="/deals/%d/move" aria-label="Move to…"`, id)} {
			if !strings.Contains(pros, want) {
				t.Errorf("Prospecting column lacks %q", want)
			}
		}
		// No card carries a form or a list of stages of its own.
		if strings.Contains(pros, "<form") || strings.Contains(pros, "<select") {
			t.Error("a card carries a form or a select")
		}
		if strings.Contains(page, "Punya Budi") || strings.Contains(page, "<b>toko</b>") {
			t.Error("the board shows another salesperson's deal, or a name unescaped")
		}
		for _, want := range []string{"/static/board.js?v=", "/static/vendor/sortable.min.js?v=", `data-csrf="`, `<dialog class="deals-reason"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the board page lacks %q", want)
			}
		}

		// The card's menu is a link to the move page, whose form comes back to the board.
		qual, lost := e.stage(t, "Qualification"), e.stage(t, "Closed Lost")
		res, page = b.get(fmt.Sprintf("/deals/%d/move", id))
		if res.StatusCode != 200 || !strings.Contains(page, `name="stage_id"`) || !strings.Contains(page, fmt.Sprintf(`name="back" value="%s"`, strings.ReplaceAll(board, "&", "&amp;"))) {
			t.Fatalf("the move page the card links to: %d, want a stage picker that comes back to %s", res.StatusCode, board)
		}
		form := url.Values{"stage_id": {fmt.Sprint(qual.ID)}, "version": {"1"}, "back": {board}}
		res, _ = b.submit(board, fmt.Sprintf("/deals/%d/move", id), form)
		wantRedirect(t, res, board)
		_, page = b.get(board)
		if !strings.Contains(page, "The deal was moved.") || !strings.Contains(column(t, page, "Qualification"), "Mesin kasir") ||
			strings.Contains(column(t, page, "Prospecting"), "Mesin kasir") {
			t.Fatal("after the move the card is not in Qualification (or no confirmation)")
		}

		// Lost asks for the reason on a page of its own, and insists.
		form = url.Values{"stage_id": {fmt.Sprint(lost.ID)}, "version": {"2"}, "back": {board}}
		res, page = b.submit(board, fmt.Sprintf("/deals/%d/move", id), form)
		if res.StatusCode != 200 || !strings.Contains(page, "Why was the deal lost?") || !strings.Contains(page, `name="lost_reason"`) || !strings.Contains(page, `name="confirm" value="1"`) {
			t.Fatalf("moving to lost without a reason: %d, want the reason page", res.StatusCode)
		}
		form.Set("confirm", "1")
		res, page = b.submit(board, fmt.Sprintf("/deals/%d/move", id), form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "is required when a deal is lost") && !strings.Contains(page, "is required") {
			t.Fatalf("confirmed without a reason: %d", res.StatusCode)
		}
		form.Set("lost_reason", "Anggaran dipotong")
		res, _ = b.submit(board, fmt.Sprintf("/deals/%d/move", id), form)
		wantRedirect(t, res, board)
		r := e.do(t, call{Token: agus, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%d", id)}, 200).object(t)
		if num(t, r["stage_id"]) != lost.ID || r["lost_reason"] != "Anggaran dipotong" || r["won"] != false {
			t.Errorf("after the reason page: %v", r)
		}

		// The move page reached from the deal's detail page works the same.
		res, page = b.get(fmt.Sprintf("/deals/%d/move?stage=%d", id, qual.ID))
		if res.StatusCode != 200 || !strings.Contains(page, "Now in: Closed Lost") {
			t.Fatalf("move page: %d", res.StatusCode)
		}
		// Another salesperson's deal is not theirs to see, let alone move.
		other := e.createDeal(t, budi, map[string]any{"name": "Rahasia Budi"})
		res, _ = b.get(fmt.Sprintf("/deals/%d/move", num(t, other["id"])))
		if res.StatusCode != 404 {
			t.Errorf("move page of someone else's deal: %d, want 404", res.StatusCode)
		}
	})
}

func TestBoardScriptMovesAnswerInJSON(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		deal := e.createDeal(t, e.AdminToken, map[string]any{"name": "Seragam karyawan", "amount": 2000000})
		id := num(t, deal["id"])
		pipe := e.pipelines(t)[0]
		b := e.signIn(t, "admin@example.co.id")
		tok := b.token("/deals/board")
		lost, qual := e.stage(t, "Closed Lost"), e.stage(t, "Qualification")

		res, body := b.post(fmt.Sprintf("/deals/%d/move", id), url.Values{"csrf_token": {tok}, "stage_id": {fmt.Sprint(lost.ID)}, "version": {"1"}, "confirm": {"1"}}, true)
		var fail struct{ Message, Field string }
		json.Unmarshal([]byte(body), &fail)
		if res.StatusCode != 422 || fail.Field != "lost_reason" || fail.Message != "Lost reason is required" {
			t.Fatalf("lost without reason: %d %s", res.StatusCode, body)
		}
		res, body = b.post(fmt.Sprintf("/deals/%d/move", id), url.Values{"csrf_token": {tok}, "stage_id": {fmt.Sprint(qual.ID)}, "version": {"1"}}, true)
		var ok struct {
			Version int64
			Message string
			Columns []struct {
				StageID   int64    `json:"stage_id"`
				Count     int64    `json:"count"`
				CountText string   `json:"count_text"`
				Totals    []string `json:"totals"`
			}
		}
		if err := json.Unmarshal([]byte(body), &ok); err != nil || res.StatusCode != 200 {
			t.Fatalf("move: %d %s", res.StatusCode, body)
		}
		if ok.Version != 2 || ok.Message != "Moved to Qualification." || len(ok.Columns) != len(pipe.Stages) {
			t.Fatalf("answer = %+v", ok)
		}
		for _, c := range ok.Columns {
			want := "IDR 0"
			if c.StageID == qual.ID {
				want = "IDR 2,000,000"
			}
			if len(c.Totals) != 1 || c.Totals[0] != want {
				t.Errorf("column %d totals %v, want %s", c.StageID, c.Totals, want)
			}
		}
		// A stale card (version 1) is refused and says why.
		res, body = b.post(fmt.Sprintf("/deals/%d/move", id), url.Values{"csrf_token": {tok}, "stage_id": {fmt.Sprint(e.stage(t, "Prospecting").ID)}, "version": {"1"}}, true)
		if res.StatusCode != 412 || !strings.Contains(body, "Someone else changed this record") {
			t.Errorf("stale move: %d %s", res.StatusCode, body)
		}
		// Without the form's token nothing moves.
		res, _ = b.post(fmt.Sprintf("/deals/%d/move", id), url.Values{"stage_id": {fmt.Sprint(lost.ID)}, "lost_reason": {"x"}}, true)
		if res.StatusCode != 403 {
			t.Errorf("move without CSRF token: %d, want 403", res.StatusCode)
		}
	})
}

func TestBoardSpeaksIndonesian(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		u, err := e.Auth.CreateUser(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: "rahasia-123", Role: auth.Sales, Locale: "id"})
		if err != nil {
			t.Fatal(err)
		}
		e.createDeal(t, e.AdminToken, map[string]any{"name": "Katering kantor", "amount": 12500000, "owner_id": u.ID, "close_date": "2026-01-15"})
		b := e.signIn(t, "sari@example.co.id")
		_, page := b.get("/deals/board")
		for _, want := range []string{"Papan saluran penjualan: Penjualan", ">Prospeksi</h2>", ">Ditutup – Kalah</h2>", "Rp 12.500.000", "Pindahkan",
			">Pemilik</label>", ">Siapa saja</option>", ">Saya</option>", `aria-label="Pindahkan ke…"`, "<b>Terlambat</b> 15 Jan 2026", "Papan ketik: pada kartu, Shift"} {
			if !strings.Contains(page, want) {
				t.Errorf("Indonesian board lacks %q", want)
			}
		}
	})
}

func TestPipelineSettingsPages(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.user(t, "agus@example.co.id", auth.Sales)
		pipe := e.pipelines(t)[0]
		edit := fmt.Sprintf("/settings/pipelines/%d", pipe.ID)

		sales := e.signIn(t, "agus@example.co.id")
		for _, path := range []string{"/settings/pipelines", edit} {
			if res, _ := sales.get(path); res.StatusCode != 403 {
				t.Errorf("sales user on %s: %d, want 403", path, res.StatusCode)
			}
		}
		res, _ := sales.submit("/deals/board", fmt.Sprintf("/settings/pipelines/%d/stages", pipe.ID), url.Values{"name": {"Sneaky"}})
		if res.StatusCode != 403 {
			t.Errorf("sales user adding a stage: %d, want 403", res.StatusCode)
		}

		b := e.signIn(t, "admin@example.co.id")
		res, page := b.get("/settings/pipelines")
		if res.StatusCode != 200 || !strings.Contains(page, ">Sales</a>") || !strings.Contains(page, "default") {
			t.Fatalf("pipelines page: %d", res.StatusCode)
		}

		// Add a stage; bad input comes back beside the field, typed values kept.
		res, page = b.submit(edit, edit+"/stages", url.Values{"name": {"Demo produk"}, "probability": {"150"}, "kind": {"open"}})
		if res.StatusCode != 422 || !strings.Contains(page, "must be a whole number from 0 to 100") || !strings.Contains(page, `value="Demo produk"`) {
			t.Fatalf("bad probability: %d", res.StatusCode)
		}
		res, _ = b.submit(edit, edit+"/stages", url.Values{"name": {"Demo produk"}, "probability": {"35"}, "kind": {"open"}})
		wantRedirect(t, res, edit)
		got := e.pipelines(t)[0]
		demo := got.Stages[len(got.Stages)-1]
		if demo.Name != "Demo produk" || demo.Probability != 35 || demo.Position != 9 {
			t.Fatalf("added stage = %+v", demo)
		}

		// Move it up (it is last) and rename it in its row.
		res, _ = b.submit(edit, fmt.Sprintf("/settings/stages/%d/position", demo.ID), url.Values{"position": {"8"}})
		wantRedirect(t, res, edit)
		demo = e.pipelines(t)[0].Stages[8]
		res, _ = b.submit(edit, fmt.Sprintf("/settings/stages/%d", demo.ID), url.Values{"name": {"Demo & uji coba"}, "probability": {"45"}, "kind": {"open"}, "version": {fmt.Sprint(demo.Version - 1)}})
		if res.StatusCode != 412 {
			t.Fatalf("saving a stage from an outdated page: %d, want 412", res.StatusCode)
		}
		res, _ = b.submit(edit, fmt.Sprintf("/settings/stages/%d", demo.ID), url.Values{"name": {"Demo & uji coba"}, "probability": {"45"}, "kind": {"open"}, "version": {fmt.Sprint(demo.Version)}})
		wantRedirect(t, res, edit)
		got = e.pipelines(t)[0]
		if s := got.Stages[8]; s.Name != "Demo & uji coba" || s.Probability != 45 || got.Stages[9].Name != "Closed Lost" {
			t.Fatalf("stages after reorder and rename: %v", stageNames(got))
		}
		_, page = b.get(edit)
		if !strings.Contains(page, `value="Demo &amp; uji coba"`) {
			t.Error("the pipeline page does not show the renamed stage")
		}

		// A stage with deals stays, and the page says how many.
		e.createDeal(t, e.AdminToken, map[string]any{"name": "Uji coba POS", "stage_id": got.Stages[8].ID})
		res, page = b.submit(edit, fmt.Sprintf("/settings/stages/%d/delete", got.Stages[8].ID), url.Values{})
		if res.StatusCode != 409 || !strings.Contains(page, "Deals still in this stage: 1.") {
			t.Fatalf("deleting a stage with a deal: %d", res.StatusCode)
		}
		res, _ = b.submit(edit, fmt.Sprintf("/settings/stages/%d/delete", got.Stages[2].ID), url.Values{})
		wantRedirect(t, res, edit)

		// A new pipeline, made the default.
		res, _ = b.submit("/settings/pipelines", "/settings/pipelines", url.Values{"name": {"Kemitraan"}})
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/settings/pipelines/") {
			t.Fatalf("create pipeline: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		next := res.Header.Get("Location")
		res, _ = b.submit(next, next, url.Values{"name": {"Kemitraan"}, "is_default": {"1"}})
		wantRedirect(t, res, next)
		if list := e.pipelines(t); !list[1].IsDefault || list[0].IsDefault {
			t.Errorf("the new pipeline is not the only default: %+v", list)
		}
		res, page = b.submit("/settings/pipelines", "/settings/pipelines", url.Values{"name": {"kemitraan"}})
		if res.StatusCode != 409 || !strings.Contains(page, "is already in use") {
			t.Errorf("duplicate pipeline name: %d", res.StatusCode)
		}
	})
}

// TestBoardCardsAreCompact: a card shows the deal's name as a link, its
// account, amount and close date — marked overdue when an open deal's
// date has passed, not when the deal is closed — and the owner as
// initials in a circle named in full; an unowned deal shows no avatar.
func TestBoardCardsAreCompact(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		owner, err := e.Auth.CreateUser(context.Background(), auth.NewUser{Email: "rina@example.co.id", Name: "Rina Kusuma Dewi", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		acc := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/accounts", Body: map[string]any{"name": "CV Maju Jaya"}}, 201).object(t)
		yesterday := time.Now().AddDate(0, 0, -2).Format(time.DateOnly) // past in every time zone
		late := e.createDeal(t, e.AdminToken, map[string]any{"name": "Terlambat tutup", "amount": 7500000, "close_date": yesterday, "account_id": acc["id"], "owner_id": owner.ID})
		future := e.createDeal(t, e.AdminToken, map[string]any{"name": "Masih lama", "close_date": "2099-01-31", "owner_id": nil})
		won := e.createDeal(t, e.AdminToken, map[string]any{"name": "Sudah menang", "close_date": yesterday, "stage_id": e.stage(t, "Closed Won").ID})

		_, page := e.signIn(t, "admin@example.co.id").get("/deals/board")
		cardHTML := func(deal map[string]any) string {
			t.Helper()
			start := strings.Index(page, fmt.Sprintf(`<li class="deals-card" data-deal-id="%d"`, num(t, deal["id"])))
			if start < 0 {
				t.Fatalf("the board has no card for %v", deal["name"])
			}
			return page[start : start+strings.Index(page[start:], "</li>")]
		}
		c := cardHTML(late)
		for _, want := range []string{
			fmt.Sprintf(`<a class="deals-card-name" href="/opportunities/%d">Terlambat tutup</a>`, num(t, late["id"])),
			`<span class="deals-card-account">CV Maju Jaya</span>`, `<span class="deals-card-amount">IDR 7,500,000</span>`,
			fmt.Sprintf(`<time class="deals-card-date overdue" datetime="%s"><b>Overdue</b> `, yesterday),
			`role="img" aria-label="Rina Kusuma Dewi" title="Rina Kusuma Dewi">RK</span>`,
		} {
			if !strings.Contains(c, want) {
				t.Errorf("the late deal's card lacks %q:\n%s", want, c)
			}
		}
		if c := cardHTML(future); !strings.Contains(c, `<time class="deals-card-date" datetime="2099-01-31">31 Jan 2099</time>`) || strings.Contains(c, "deals-avatar") {
			t.Errorf("a future, unowned deal's card: %s", c)
		}
		if c := cardHTML(won); strings.Contains(c, "overdue") {
			t.Errorf("a won deal's past close date is marked overdue: %s", c)
		}
	})
}
