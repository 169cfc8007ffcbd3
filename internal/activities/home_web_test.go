package activities_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

// homeSite serves the home page with the activities' sections, and the
// contact, account and activity pages, on a fresh database.
func homeSite(t *testing.T, engine store.Engine) *recordstest.Server {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := web.NewRenderer(catalog, assets, records.Templates(), activities.Templates())
	if err != nil {
		t.Fatal(err)
	}
	return recordstest.New(t, engine, func(s *recordstest.Server) {
		acts := activities.Entity(engine, activities.Hooks{})
		rt := web.NewRouter(s.Mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		rt.RegisterSessionPages()
		for _, e := range []*records.Entity{contacts.Entity(engine), accounts.Entity(engine), acts} {
			records.RegisterAPI(s.Router, s.Store, e)
			records.RegisterWeb(rt, s.Store, e)
		}
		activities.RegisterWeb(rt, s.Store, acts)
	})
}

// homePage is the signed-in user's home page.
func homePage(t *testing.T, s *recordstest.Server, u auth.User, path string) string {
	t.Helper()
	secret, _, err := s.Auth.CreateSession(context.Background(), u.ID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", "relasi_session="+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s as %s: %d\n%s", path, u.Email, res.StatusCode, body)
	}
	return string(body)
}

// between is the part of page from the element with data-testid="id" to
// the end of its section.
func between(page, id string) string {
	i := strings.Index(page, `data-testid="`+id+`"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(page[i:], "</section>")
	if end < 0 {
		return page[i:]
	}
	return page[i : i+end]
}

func TestHomeTeamOverdueTasks(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := homeSite(t, engine)
		ctx := context.Background()
		team, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Jakarta"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Surabaya"})
		if err != nil {
			t.Fatal(err)
		}
		manager, managerToken := s.User(t, "rina@example.co.id", auth.Manager, team.ID)
		member, memberToken := s.User(t, "budi@example.co.id", auth.Sales, team.ID)
		outsider, outsiderToken := s.User(t, "eko@example.co.id", auth.Sales, other.ID)
		task := func(token, subject string, due time.Duration, extra map[string]any) map[string]any {
			body := map[string]any{"kind": "task", "subject": subject, "due_at": time.Now().Add(due).UTC().Format(time.RFC3339)}
			for k, v := range extra {
				body[k] = v
			}
			return s.Do(t, token, "POST", "/api/v1/activities", body).Want(t, http.StatusCreated).Map(t)
		}
		con := s.Do(t, memberToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Dewi", "last_name": "Lestari"}).Want(t, http.StatusCreated).Map(t)
		late := task(memberToken, "Send Dewi the <b>quote</b>", -50*time.Hour, map[string]any{"related_type": "contacts", "related_id": con["id"]})
		task(memberToken, "Call Dewi next week", 7*24*time.Hour, nil)
		task(memberToken, "Already sent the brochure", -time.Hour, map[string]any{"done": true})
		task(managerToken, "Rina's own overdue review", -2*time.Hour, nil)
		task(outsiderToken, "Eko's overdue visit", -3*time.Hour, nil)
		task(s.AdminToken, "Admin's overdue audit", -4*time.Hour, nil)

		// The manager: the member's overdue task, with owner, due time as
		// the page formats it and the contact; not the outsider's, the
		// future or done ones, nor the manager's own (in My open tasks).
		home := homePage(t, s, manager, "/")
		section := between(home, "team-overdue-tasks")
		due, _ := time.Parse(time.RFC3339, late["due_at"].(string))
		for _, want := range []string{"Team&#39;s overdue tasks", html.EscapeString("Send Dewi the <b>quote</b>"), member.Name,
			"due " + i18n.NewFormatter("en", nil).DateTime(due), fmt.Sprintf(`<a href="/contacts/%v">Dewi Lestari</a>`, con["id"])} {
			if !strings.Contains(section, want) {
				t.Errorf("manager's team section lacks %q:\n%s", want, section)
			}
		}
		for _, not := range []string{"Eko", "next week", "brochure", "Rina&#39;s own", "Admin&#39;s"} {
			if strings.Contains(section, not) {
				t.Errorf("manager's team section shows %q:\n%s", not, section)
			}
		}
		if !strings.Contains(between(home, "my-open-tasks"), "Rina&#39;s own overdue review") {
			t.Error("the manager's own overdue task left My open tasks")
		}
		if strings.Contains(section, `data-testid="team-overdue-all"`) {
			t.Error("a link to all overdue tasks when every one is shown")
		}

		// The salesperson's home is as it was: their tasks, no team section.
		if home := homePage(t, s, member, "/"); strings.Contains(home, "team-overdue-tasks") || !strings.Contains(home, `data-testid="my-open-tasks"`) {
			t.Errorf("salesperson's home: want My open tasks and no team section:\n%s", home)
		}

		// The administrator sees everyone's but their own.
		section = between(homePage(t, s, s.Admin, "/"), "team-overdue-tasks")
		for _, want := range []string{"Send Dewi the", "Rina&#39;s own overdue review", "Eko&#39;s overdue visit", outsider.Name} {
			if !strings.Contains(section, want) {
				t.Errorf("admin's team section lacks %q:\n%s", want, section)
			}
		}
		if strings.Contains(section, "Admin&#39;s") {
			t.Errorf("admin's own task is in the team section")
		}

		// More than the page shows: a count and a link to the list of them all.
		for i := range activities.HomeTasks {
			task(memberToken, fmt.Sprintf("Overdue follow-up %d", i), -time.Duration(i+1)*time.Minute, nil)
		}
		section = between(homePage(t, s, manager, "/"), "team-overdue-tasks")
		if n := strings.Count(section, `<li class="task overdue"`); n != activities.HomeTasks {
			t.Errorf("manager's team section lists %d tasks, want %d", n, activities.HomeTasks)
		}
		total := activities.HomeTasks + 1
		if !strings.Contains(section, fmt.Sprintf(`<span class="badge">%d</span>`, total)) || !strings.Contains(section, fmt.Sprintf("All %d overdue tasks", total)) {
			t.Errorf("manager's team section lacks the count %d and the link:\n%s", total, section)
		}
		list := homePage(t, s, manager, activities.TeamTasks{}.ListLink())
		if !strings.Contains(list, "Send Dewi the") || !strings.Contains(list, "Overdue follow-up 0") {
			t.Errorf("the full list lacks the team's overdue tasks")
		}
		for _, not := range []string{"Eko&#39;s overdue visit", "Rina&#39;s own", "Call Dewi next week", "brochure"} {
			if strings.Contains(list, not) {
				t.Errorf("the full list shows %q", not)
			}
		}
	})
}
