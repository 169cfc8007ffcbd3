package auth_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func TestTeamLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		boss := admin.Principal()

		team, err := svc.CreateTeam(ctx, boss, auth.TeamInput{Name: " Sales Jakarta ", ManagerID: &admin.ID})
		if err != nil {
			t.Fatal(err)
		}
		if team.Name != "Sales Jakarta" || team.ManagerID == nil || *team.ManagerID != admin.ID ||
			team.ManagerName != "Admin" || team.MemberCount != 0 || team.Version != 1 || !team.CreatedAt.Equal(t0) {
			t.Fatalf("created team %+v", team)
		}
		got, err := svc.GetTeam(ctx, team.ID)
		if err != nil || !reflect.DeepEqual(got, team) {
			t.Fatalf("GetTeam = %+v, %v; want %+v", got, err, team)
		}

		_, err = svc.CreateTeam(ctx, boss, auth.TeamInput{Name: "sales JAKARTA"})
		if e := wantCode(t, err, errs.Conflict); e.Field("name") == "" {
			t.Fatalf("duplicate team name: want a conflict on name, got %+v", e.Fields)
		}
		_, err = svc.CreateTeam(ctx, boss, auth.TeamInput{Name: ""})
		wantFields(t, err, "name")
		_, err = svc.CreateTeam(ctx, boss, auth.TeamInput{Name: "Ghosts", ManagerID: ptr[int64](999)})
		wantFields(t, err, "manager_id")

		other, err := svc.CreateTeam(ctx, boss, auth.TeamInput{Name: "Sales Bandung"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.UpdateTeam(ctx, boss, other.ID, auth.TeamInput{Name: "SALES jakarta"}, 0)
		if e := wantCode(t, err, errs.Conflict); e.Field("name") == "" {
			t.Fatalf("renaming onto a taken name: want a conflict on name, got %+v", e.Fields)
		}

		clock.Advance(time.Hour)
		_, err = svc.UpdateTeam(ctx, boss, team.ID, auth.TeamInput{Name: "Stale"}, team.Version+1)
		wantCode(t, err, errs.PreconditionFailed)
		renamed, err := svc.UpdateTeam(ctx, boss, team.ID, auth.TeamInput{Name: "Sales Jabodetabek"}, team.Version)
		if err != nil {
			t.Fatal(err)
		}
		if renamed.Name != "Sales Jabodetabek" || renamed.ManagerID != nil || renamed.Version != 2 || !renamed.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("renamed team %+v", renamed)
		}
		// A name may change case only.
		if _, err := svc.UpdateTeam(ctx, boss, team.ID, auth.TeamInput{Name: "SALES JABODETABEK"}, 0); err != nil {
			t.Fatalf("changing the case of a team's own name: %v", err)
		}

		if err := svc.DeleteTeam(ctx, boss, other.ID); err != nil {
			t.Fatal(err)
		}
		_, err = svc.GetTeam(ctx, other.ID)
		wantCode(t, err, errs.NotFound)
		err = svc.DeleteTeam(ctx, boss, other.ID)
		wantCode(t, err, errs.NotFound)
		teams, err := svc.AllTeams(ctx)
		if err != nil || len(teams) != 1 || teams[0].ID != team.ID {
			t.Fatalf("AllTeams = %+v, %v; want only team %d", teams, err, team.ID)
		}
	})
}

func TestTeamsAreForAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		team, err := svc.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: "Medan"})
		if err != nil {
			t.Fatal(err)
		}
		mgr := auth.Principal{UserID: admin.ID + 100, Role: auth.Manager, TeamID: team.ID}
		_, err = svc.CreateTeam(ctx, mgr, auth.TeamInput{Name: "Mine"})
		wantCode(t, err, errs.Forbidden)
		_, err = svc.UpdateTeam(ctx, mgr, team.ID, auth.TeamInput{Name: "Renamed"}, 0)
		wantCode(t, err, errs.Forbidden)
		err = svc.DeleteTeam(ctx, mgr, team.ID)
		wantCode(t, err, errs.Forbidden)
		if got, err := svc.GetTeam(ctx, team.ID); err != nil || !reflect.DeepEqual(got, team) {
			t.Fatalf("refused changes altered the team: %+v, %v", got, err)
		}
	})
}

func TestDeleteTeamKeepsMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		boss := admin.Principal()
		team, err := svc.CreateTeam(ctx, boss, auth.TeamInput{Name: "Bali"})
		if err != nil {
			t.Fatal(err)
		}
		a := mustCreateUser(t, svc, "a@example.com", "A", auth.Sales, &team.ID)
		b := mustCreateUser(t, svc, "b@example.com", "B", auth.Sales, &team.ID)
		if a.TeamName != "Bali" {
			t.Fatalf("member's team name %q, want Bali", a.TeamName)
		}
		if got, _ := svc.GetTeam(ctx, team.ID); got.MemberCount != 2 {
			t.Fatalf("member count %d, want 2", got.MemberCount)
		}
		// Moving the admin in, then disabling a member: only active members count.
		if _, err := svc.UpdateUser(ctx, boss, admin.ID, auth.UserUpdate{TeamID: &team.ID}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateUser(ctx, boss, b.ID, auth.UserUpdate{Disabled: ptr(true)}, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.GetTeam(ctx, team.ID); got.MemberCount != 2 {
			t.Fatalf("member count %d, want 2 (admin and A; B is disabled)", got.MemberCount)
		}
		// Removing the admin from the team again (TeamID 0).
		if u, err := svc.UpdateUser(ctx, boss, admin.ID, auth.UserUpdate{TeamID: ptr[int64](0)}, 0); err != nil || u.TeamID != nil {
			t.Fatalf("leaving the team: %+v, %v", u, err)
		}
		if got, _ := svc.GetTeam(ctx, team.ID); got.MemberCount != 1 {
			t.Fatalf("member count %d, want 1", got.MemberCount)
		}

		before, err := svc.GetUser(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteTeam(ctx, boss, team.ID); err != nil {
			t.Fatal(err)
		}
		for _, m := range []auth.User{a, b} {
			u, err := svc.GetUser(ctx, m.ID)
			if err != nil {
				t.Fatalf("member %s is gone with the team: %v", m.Email, err)
			}
			if u.TeamID != nil || u.TeamName != "" {
				t.Fatalf("member %s still in team %v %q", m.Email, u.TeamID, u.TeamName)
			}
		}
		// The members changed, so an edit based on what was read before is stale.
		_, err = svc.UpdateUser(ctx, boss, a.ID, auth.UserUpdate{Name: ptr("A2")}, before.Version)
		wantCode(t, err, errs.PreconditionFailed)
	})
}
