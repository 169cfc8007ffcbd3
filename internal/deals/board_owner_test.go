package deals_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
)

var cardName = regexp.MustCompile(`<a class="deals-card-name" href="/opportunities/\d+">([^<]*)</a>`)

// boardCards lists the names on a board page's cards, sorted.
func boardCards(page string) []string {
	var out []string
	for _, m := range cardName.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

var ownerOption = regexp.MustCompile(`<option value="([^"]*)"( selected)?>([^<]*)</option>`)

// ownerChoices lists the owner filter's options as "label" ("*label" when
// chosen).
func ownerChoices(t *testing.T, page string) []string {
	t.Helper()
	start := strings.Index(page, `id="deals-owner"`)
	if start < 0 {
		t.Fatal("the board has no owner filter")
	}
	sel := page[start : start+strings.Index(page[start:], "</select>")]
	var out []string
	for _, m := range ownerOption.FindAllStringSubmatch(sel, -1) {
		label := m[3]
		if m[2] != "" {
			label = "*" + label
		}
		out = append(out, label)
	}
	return out
}

// TestBoardOwnerFilter: the board narrows to my deals, my team's or one
// person's, the choice kept in the URL and in the links that leave the
// board, and never beyond what the viewer may read: a salesperson sees
// none of another team's deals whatever the URL asks for.
func TestBoardOwnerFilter(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		north, err := e.Auth.CreateTeam(ctx, e.Admin.Principal(), auth.TeamInput{Name: "Utara"})
		if err != nil {
			t.Fatal(err)
		}
		south, err := e.Auth.CreateTeam(ctx, e.Admin.Principal(), auth.TeamInput{Name: "Selatan"})
		if err != nil {
			t.Fatal(err)
		}
		person := func(email, name string, role auth.Role, team int64) (int64, string) {
			u, tok := e.User(t, email, role, team)
			if _, err := e.Auth.UpdateUser(ctx, e.Admin.Principal(), u.ID, auth.UserUpdate{Name: &name}, u.Version); err != nil {
				t.Fatal(err)
			}
			return u.ID, tok
		}
		_, mayaTok := person("maya@example.co.id", "Maya Manajer", auth.Manager, north.ID)
		agus, agusTok := person("agus@example.co.id", "Agus Salim", auth.Sales, north.ID)
		budi, budiTok := person("budi@example.co.id", "Budi Utomo", auth.Sales, north.ID)
		citra, citraTok := person("citra@example.co.id", "Citra Kirana", auth.Sales, south.ID)
		e.createDeal(t, agusTok, map[string]any{"name": "Agus satu", "amount": 1000000})
		e.createDeal(t, agusTok, map[string]any{"name": "Agus dua", "amount": 2000000})
		e.createDeal(t, budiTok, map[string]any{"name": "Budi satu", "amount": 4000000})
		e.createDeal(t, citraTok, map[string]any{"name": "Citra satu", "amount": 8000000})
		e.createDeal(t, mayaTok, map[string]any{"name": "Maya satu", "amount": 16000000})
		e.createDeal(t, e.AdminToken, map[string]any{"name": "Tanpa pemilik", "amount": 32000000, "owner_id": nil})
		pipe := e.pipelines(t)[0]

		cases := []struct {
			who, owner string
			cards      []string
			sum        string // Prospecting's total
			choices    []string
		}{
			{"agus", "", []string{"Agus dua", "Agus satu", "Tanpa pemilik"}, "IDR 35,000,000", []string{"*Anyone", "Me", "Agus Salim"}},
			{"agus", "me", []string{"Agus dua", "Agus satu"}, "IDR 3,000,000", []string{"Anyone", "*Me", "Agus Salim"}},
			// A salesperson asking for a teammate's or another team's deals gets none.
			{"agus", fmt.Sprint(budi), nil, "IDR 0", []string{"Anyone", "Me", "Agus Salim", "*Budi Utomo"}},
			{"agus", fmt.Sprint(citra), nil, "IDR 0", []string{"Anyone", "Me", "Agus Salim", "*Citra Kirana"}},
			{"agus", "team", []string{"Agus dua", "Agus satu"}, "IDR 3,000,000", []string{"Anyone", "Me", "*My team", "Agus Salim"}},
			// A manager reads the team's deals: the whole team, or one of them.
			{"maya", "", []string{"Agus dua", "Agus satu", "Budi satu", "Maya satu", "Tanpa pemilik"}, "IDR 55,000,000", []string{"*Anyone", "Me", "My team", "Agus Salim", "Budi Utomo", "Maya Manajer"}},
			{"maya", "team", []string{"Agus dua", "Agus satu", "Budi satu", "Maya satu"}, "IDR 23,000,000", nil},
			{"maya", "me", []string{"Maya satu"}, "IDR 16,000,000", nil},
			{"maya", fmt.Sprint(budi), []string{"Budi satu"}, "IDR 4,000,000", nil},
			{"maya", fmt.Sprint(citra), nil, "IDR 0", nil},
			// An administrator picks anyone.
			{"admin", fmt.Sprint(citra), []string{"Citra satu"}, "IDR 8,000,000", []string{"Anyone", "Me", "admin@example.co.id", "Agus Salim", "Budi Utomo", "*Citra Kirana", "Maya Manajer"}},
			{"admin", "bogus", []string{"Agus dua", "Agus satu", "Budi satu", "Citra satu", "Maya satu", "Tanpa pemilik"}, "IDR 63,000,000", nil},
		}
		browsers := map[string]*browser{}
		for _, c := range cases {
			b := browsers[c.who]
			if b == nil {
				b = e.signIn(t, c.who+"@example.co.id")
				browsers[c.who] = b
			}
			path := fmt.Sprintf("/deals/board?pipeline=%d&owner=%s", pipe.ID, url.QueryEscape(c.owner))
			res, page := b.get(path)
			if res.StatusCode != 200 {
				t.Fatalf("%s on %s: %d", c.who, path, res.StatusCode)
			}
			if got := boardCards(page); !slices.Equal(got, c.cards) {
				t.Errorf("%s, owner %q: cards %q, want %q", c.who, c.owner, got, c.cards)
			}
			if got := sumOf(t, column(t, page, "Prospecting")); got != c.sum {
				t.Errorf("%s, owner %q: Prospecting sum %q, want %q", c.who, c.owner, got, c.sum)
			}
			if c.choices != nil {
				if got := ownerChoices(t, page); !slices.Equal(got, c.choices) {
					t.Errorf("%s, owner %q: the filter offers %q, want %q", c.who, c.owner, got, c.choices)
				}
			}
		}

		// The filter stays through a move without script: the card's menu
		// carries it to the move page, which comes back to the same board.
		b := browsers["maya"]
		filtered := fmt.Sprintf("/deals/board?pipeline=%d&owner=team", pipe.ID)
		_, page := b.get(filtered)
		link := regexp.MustCompile(`href="(/deals/(\d+)/move\?owner=team)"`).FindStringSubmatch(page)
		if link == nil {
			t.Fatal("the cards' menus do not carry the owner filter to the move page")
		}
		_, page = b.get(link[1])
		if !strings.Contains(page, fmt.Sprintf(`name="back" value="/deals/board?pipeline=%d&amp;owner=team"`, pipe.ID)) {
			t.Errorf("the move page does not come back to the filtered board")
		}
		form := url.Values{"stage_id": {fmt.Sprint(e.stage(t, "Qualification").ID)}, "version": {"1"}, "back": {filtered}}
		res, _ := b.submit(filtered, "/deals/"+link[2]+"/move", form)
		wantRedirect(t, res, filtered)

		// The script's moves answer with the filtered columns' sums.
		tok := b.token(filtered)
		deal := e.createDeal(t, agusTok, map[string]any{"name": "Agus tiga", "amount": 64000000})
		res, body := b.post(fmt.Sprintf("/deals/%d/move", num(t, deal["id"])), url.Values{"csrf_token": {tok}, "stage_id": {fmt.Sprint(e.stage(t, "Needs Analysis").ID)},
			"version": {"1"}, "owner": {fmt.Sprint(agus)}}, true)
		if res.StatusCode != 200 || !strings.Contains(body, `"totals":["IDR 64,000,000"]`) || strings.Contains(body, "IDR 23,000,000") {
			t.Errorf("the move's answer under the owner filter: %d %s", res.StatusCode, body)
		}

		// A full column's link to the rest keeps to the team, in a list
		// that reads it.
		neg := e.stage(t, "Negotiation/Review")
		insertDeals(t, e.DB, 51, pipe.ID, neg.ID, budi)
		_, page = b.get(filtered)
		more := regexp.MustCompile(`<a class="deals-more" href="([^"]*)"`).FindStringSubmatch(column(t, page, "Negotiation/Review"))
		if more == nil {
			t.Fatal("the full column has no link to the rest")
		}
		u, err := url.Parse(html.UnescapeString(more[1]))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("stage_id = %d and owner.team = my", neg.ID); u.Path != "/opportunities" || u.Query().Get("filter") != want {
			t.Errorf("the full column's link is %s, want the list filtered by %s", u, want)
		}
		var rest struct {
			Items []struct {
				OwnerID int64 `json:"owner_id"`
			}
		}
		e.do(t, call{Token: mayaTok, Method: "GET", Path: "/api/v1/opportunities?limit=100&filter=" + url.QueryEscape(u.Query().Get("filter"))}, 200).decode(t, &rest)
		if len(rest.Items) != 51 || slices.ContainsFunc(rest.Items, func(d struct {
			OwnerID int64 `json:"owner_id"`
		}) bool {
			return d.OwnerID != budi
		}) {
			t.Errorf("the full column's filter reads %d deals, want the team's 51 there, all Budi's", len(rest.Items))
		}

		// The API takes the same filter.
		var api struct {
			Columns []struct{ Count int64 }
		}
		e.do(t, call{Token: agusTok, Method: "GET", Path: fmt.Sprintf("/api/v1/pipelines/%d/board?owner=%d", pipe.ID, citra)}, 200).decode(t, &api)
		for _, c := range api.Columns {
			if c.Count != 0 {
				t.Errorf("the API shows a salesperson another team's deals: %+v", api.Columns)
				break
			}
		}
	})
}

var stageSum = regexp.MustCompile(`data-testid="stage-sum"><span>([^<]*)</span>`)

func sumOf(t *testing.T, column string) string {
	t.Helper()
	m := stageSum.FindStringSubmatch(column)
	if m == nil {
		t.Fatalf("no sum in the column:\n%s", column)
	}
	return m[1]
}
