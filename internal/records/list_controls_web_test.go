package records_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// selectedOption reads which option of a header control the page shows
// chosen: its value, "" for "any".
func selectedOption(t *testing.T, body, control string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="control-`+control+`"`)
	if i < 0 {
		t.Fatalf("the list has no %s control", control)
	}
	sel := body[i : i+strings.Index(body[i:], "</select>")]
	m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel)
	if m == nil {
		return ""
	}
	return m[1]
}

// filterOf is the filter a list URL carries.
func filterOf(t *testing.T, res webPage) string {
	t.Helper()
	if res.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect to the list's own URL", res.Status)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query().Get("filter")
}

// The header's controls say what the filter holds, and choosing one
// replaces its conditions in the filter instead of adding to them.
func TestWebListHeaderControls(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		ctx := context.Background()
		team, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Bandung"})
		if err != nil {
			t.Fatal(err)
		}
		maya, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: "maya@example.co.id", Name: "Maya", Password: webTestPassword, Role: auth.Manager, TeamID: &team.ID})
		if err != nil {
			t.Fatal(err)
		}
		agus, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: "agus@example.co.id", Name: "Agus", Password: webTestPassword, Role: auth.Sales, TeamID: &team.ID})
		if err != nil {
			t.Fatal(err)
		}
		outsider := s.user(t, "joko@example.co.id", auth.Sales)
		admin := s.Admin.Principal()
		for i := range 30 {
			s.contact(t, admin, records.Input{"first_name": fmt.Sprintf("Maya%02d", i), "owner_id": maya.ID, "lifecycle_stage": "lead"})
		}
		s.contact(t, admin, records.Input{"first_name": "Agus01", "owner_id": agus.ID, "lifecycle_stage": "customer"})
		s.contact(t, admin, records.Input{"first_name": "Joko01", "owner_id": outsider.ID, "lifecycle_stage": "customer"})

		b := s.signIn(t, "maya@example.co.id")
		list := b.get("/contacts")
		wantWebPage(t, list, http.StatusOK, `<option value="me">Me</option>`, `<option value="team">My team</option>`, fmt.Sprintf(`<option value="%d">Agus</option>`, agus.ID))
		if strings.Contains(list.Body, "Joko") {
			t.Error("the owner control offers someone outside the manager's team")
		}

		// Owner: me, then my team — the one replaces the other.
		f := filterOf(t, b.get("/contacts?"+url.Values{"filter": {""}, "qw.owner": {""}, "qf.owner": {"me"}, "qw.lifecycle_stage": {""}, "qf.lifecycle_stage": {""}}.Encode()))
		if f != "owner = me" {
			t.Fatalf("Owner: Me made the filter %q", f)
		}
		mine := b.get("/contacts?" + url.Values{"filter": {f}}.Encode())
		if got := selectedOption(t, mine.Body, "owner"); got != "me" {
			t.Errorf("with owner = me the owner control shows %q chosen", got)
		}
		if !strings.Contains(mine.Body, "Total: 30") || strings.Contains(mine.Body, "Agus01") {
			t.Errorf("owner = me lists other than Maya's 30 contacts")
		}
		f = filterOf(t, b.get("/contacts?"+url.Values{"filter": {f}, "qw.owner": {"me"}, "qf.owner": {"team"}, "qw.lifecycle_stage": {""}, "qf.lifecycle_stage": {"customer"}}.Encode()))
		if f != `owner.team = my and lifecycle_stage = "customer"` {
			t.Fatalf("My team and Customer made the filter %q", f)
		}
		team1 := b.get("/contacts?" + url.Values{"filter": {f}}.Encode())
		if got := selectedOption(t, team1.Body, "lifecycle_stage"); got != "customer" || selectedOption(t, team1.Body, "owner") != "team" {
			t.Errorf("the controls show %q and %q, want team and customer", selectedOption(t, team1.Body, "owner"), got)
		}
		if !strings.Contains(team1.Body, "Agus01") || strings.Contains(team1.Body, "Joko01") {
			t.Error("my team's customers should be Agus's, not Joko's")
		}

		// The filter box edited and the controls untouched: the box wins.
		f = filterOf(t, b.get("/contacts?"+url.Values{"filter": {"owner.team = my"}, "qw.owner": {"team"}, "qf.owner": {"team"}, "qw.lifecycle_stage": {"customer"}, "qf.lifecycle_stage": {"customer"}}.Encode()))
		if f != "owner.team = my" {
			t.Errorf("removing the stage from the box and submitting made %q; the untouched control put it back", f)
		}
		// Any removes the control's conditions and keeps the rest.
		f = filterOf(t, b.get("/contacts?"+url.Values{"filter": {`first_name startswith "Maya" and owner = me`}, "qw.owner": {"me"}, "qf.owner": {""}}.Encode()))
		if f != `first_name startswith "Maya"` {
			t.Errorf("Owner: any made %q", f)
		}

		// A date control: today is two conditions, shown chosen.
		f = filterOf(t, b.get("/contacts?"+url.Values{"qw.last_activity_at": {""}, "qf.last_activity_at": {"today"}}.Encode()))
		if f != "last_activity_at >= today and last_activity_at < tomorrow" {
			t.Fatalf("Last activity: today made %q", f)
		}
		if got := selectedOption(t, b.get("/contacts?"+url.Values{"filter": {f}}.Encode()).Body, "last_activity_at"); got != "today" {
			t.Errorf("the date control shows %q chosen, want today", got)
		}

		// Rows per page: 25, kept by the next page's link.
		p := b.get("/contacts?limit=25&filter=owner+%3D+me")
		if n := len(webRowIDs(p.Body)); n != 25 {
			t.Errorf("25 rows per page shows %d", n)
		}
		m := webNextPage.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no next page at 25 rows of 30")
		}
		next := b.get(html.UnescapeString(m[1]))
		if n := len(webRowIDs(next.Body)); n != 5 || !strings.Contains(m[1], "limit=25") {
			t.Errorf("the next page (%s) shows %d rows, want the last 5 and the limit kept", m[1], n)
		}
	})
}
