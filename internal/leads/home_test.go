package leads_test

import (
	"context"
	"database/sql"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
)

// section is the part of page from the element with data-testid="id" to
// the end of its section, or "" when the page has none.
func section(page, id string) string {
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

func TestHomeLateLeadsAndResponseTimes(t *testing.T) {
	eachEngineSite(t, leads.Config{}, func(t *testing.T, s *site) {
		ctx := context.Background()
		// The store's clock, to the microsecond as its own: leads are
		// created three hours ago and the pages read now.
		var ago atomic.Int64
		s.Store.SetClock(func() time.Time { return time.Now().UTC().Add(-time.Duration(ago.Load())).Truncate(time.Microsecond) })

		jakarta, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Jakarta"})
		if err != nil {
			t.Fatal(err)
		}
		surabaya, err := s.Auth.CreateTeam(ctx, s.Admin.Principal(), auth.TeamInput{Name: "Surabaya"})
		if err != nil {
			t.Fatal(err)
		}
		user := func(email, name string, role auth.Role, team int64) auth.User {
			u, err := s.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: password, Role: role, TeamID: &team})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		user("rina@example.co.id", "Rina Manajer", auth.Manager, jakarta.ID)
		budi := user("budi@example.co.id", "Budi Sales", auth.Sales, jakarta.ID)
		eko := user("eko@example.co.id", "Eko Surabaya", auth.Sales, surabaya.ID)
		lead := func(in records.Input) records.Record {
			r, err := s.Store.Create(ctx, s.Admin.Principal(), s.Leads.Entity(), in)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		ago.Store(int64(3 * time.Hour))
		citra := lead(records.Input{"first_name": "Citra", "last_name": "Dewi", "owner_id": budi.ID})
		lead(records.Input{"first_name": "Dodi", "owner_id": eko.ID})
		lead(records.Input{"first_name": "Hana", "status": "unqualified", "owner_id": budi.ID})
		fajar := lead(records.Input{"first_name": "Fajar", "owner_id": budi.ID})
		for i := range leads.HomeLeads {
			lead(records.Input{"first_name": "Follow-up", "last_name": itoa(int64(i)), "owner_id": budi.ID})
		}
		// Budi answered Fajar after three minutes.
		if err := s.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return leads.RecordResponse(ctx, tx, fajar.ID, budi.ID, fajar.Get("assigned_at").(time.Time).Add(3*time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		ago.Store(0)
		lead(records.Input{"first_name": "Gita", "owner_id": budi.ID}) // still within the five minutes

		// The manager: the team member's late lead, with owner and how
		// late (3 h less the 5 minutes to answer), and the week's median;
		// not the other team's, the answered, the unqualified or the new.
		home := s.browser(t, "rina@example.co.id")
		_, page := home.get("/")
		late := section(page, "late-leads")
		for _, want := range []string{"Late leads", `href="/leads/` + itoa(citra.ID) + `">Citra Dewi</a>`, "Budi Sales", "waiting 2 h 55 min past the answer time"} {
			if !strings.Contains(late, want) {
				t.Errorf("manager's late leads lack %q:\n%s", want, late)
			}
		}
		for _, not := range []string{"Dodi", "Eko", "Fajar", "Hana", "Gita"} {
			if strings.Contains(late, not) {
				t.Errorf("manager's late leads show %q:\n%s", not, late)
			}
		}
		// More late leads than the page shows: the count and the list.
		if n := strings.Count(late, `<li class="task overdue"`); n != leads.HomeLeads {
			t.Errorf("manager's late leads list %d, want %d", n, leads.HomeLeads)
		}
		if !strings.Contains(late, `<span class="badge">11</span>`) || !strings.Contains(late, `<a href="/leads?filter=overdue%20%3D%20true" data-testid="late-leads-all">All 11 late leads</a>`) {
			t.Errorf("manager's late leads lack the count of 11 and the link to them all:\n%s", late)
		}
		summary := section(page, "response-times-summary")
		for _, want := range []string{"Median first response, last 7 days:", `data-testid="response-median">3 min<`, "Answered: 1 of 14 leads assigned", `href="/leads/response-times?days=7"`} {
			if !strings.Contains(summary, want) {
				t.Errorf("manager's response-time summary lacks %q:\n%s", want, summary)
			}
		}

		// The salesperson's home has no team sections.
		_, page = s.browser(t, "budi@example.co.id").get("/")
		if strings.Contains(page, "late-leads") || strings.Contains(page, "response-times-summary") {
			t.Errorf("salesperson's home shows the team sections:\n%s", page)
		}

		// The administrator sees every team's late leads.
		_, page = s.browser(t, "sari@example.co.id").get("/")
		late = section(page, "late-leads")
		for _, want := range []string{"Citra Dewi", "Dodi", "Eko Surabaya"} {
			if !strings.Contains(late, want) {
				t.Errorf("admin's late leads lack %q:\n%s", want, late)
			}
		}
		if strings.Contains(late, "Hana") || strings.Contains(late, "Gita") {
			t.Errorf("admin's late leads show a lead that is not late:\n%s", late)
		}
	})
}
