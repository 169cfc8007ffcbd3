package auth_test

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// reach is what one role may do with four kinds of record, written out by
// hand from the policy table in roles.go.
type reach struct{ own, sameTeam, otherTeam, unowned bool }

var policyTable = map[auth.Role]struct{ read, write reach }{
	auth.Admin:     {read: reach{true, true, true, true}, write: reach{true, true, true, true}},
	auth.Manager:   {read: reach{true, true, false, true}, write: reach{true, true, false, true}},
	auth.Sales:     {read: reach{true, false, false, true}, write: reach{true, false, false, false}},
	auth.Support:   {read: reach{true, true, false, true}, write: reach{true, false, false, false}},
	auth.Marketing: {read: reach{true, true, true, true}, write: reach{true, false, false, false}},
	auth.ReadOnly:  {read: reach{true, true, true, true}, write: reach{false, false, false, false}},
}

func TestCan(t *testing.T) {
	const me, colleague, stranger, myTeam, otherTeam = 1, 2, 3, 10, 20
	records := []struct {
		name string
		rec  auth.Owned
		pick func(reach) bool
	}{
		{"own", auth.Owned{OwnerID: me, OwnerTeamID: myTeam}, func(r reach) bool { return r.own }},
		{"same team", auth.Owned{OwnerID: colleague, OwnerTeamID: myTeam}, func(r reach) bool { return r.sameTeam }},
		{"other team", auth.Owned{OwnerID: stranger, OwnerTeamID: otherTeam}, func(r reach) bool { return r.otherTeam }},
		{"owner without team", auth.Owned{OwnerID: stranger}, func(r reach) bool { return r.otherTeam }},
		{"unowned", auth.Owned{}, func(r reach) bool { return r.unowned }},
	}
	for _, role := range auth.Roles {
		want, ok := policyTable[role]
		if !ok {
			t.Errorf("role %q is missing from this test's policy table", role)
			continue
		}
		p := auth.Principal{UserID: me, Role: role, TeamID: myTeam}
		for _, a := range []auth.Action{auth.Read, auth.Write} {
			r := want.read
			if a == auth.Write {
				r = want.write
			}
			for _, rec := range records {
				t.Run(fmt.Sprintf("%s/%s/%s", role, a, rec.name), func(t *testing.T) {
					err := p.Can(a, rec.rec)
					switch {
					case rec.pick(r) && err != nil:
						t.Fatalf("want allowed, got %v", err)
					case !rec.pick(r) && !errs.Is(err, errs.Forbidden):
						t.Fatalf("want Forbidden, got %v", err)
					}
				})
			}
		}
	}
}

// A user without a team reaches no one else's records through a team-wide
// role: "no team" is not a team shared with everyone else who has none.
func TestCanWithoutTeam(t *testing.T) {
	loner := auth.Principal{UserID: 1, Role: auth.Manager}
	for _, a := range []auth.Action{auth.Read, auth.Write} {
		if err := loner.Can(a, auth.Owned{OwnerID: 2}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("%s another teamless user's record: want Forbidden, got %v", a, err)
		}
		if err := loner.Can(a, auth.Owned{OwnerID: 1}); err != nil {
			t.Errorf("%s own record: %v", a, err)
		}
	}
}

// ReadsOthers agrees with the policy table: a role reads others' records
// when it reads a colleague's (in a team) or a stranger's.
func TestReadsOthers(t *testing.T) {
	for role, pol := range policyTable {
		inTeam := auth.Principal{UserID: 1, Role: role, TeamID: 10}
		if got, want := inTeam.ReadsOthers(), pol.read.sameTeam || pol.read.otherTeam; got != want {
			t.Errorf("%s in a team: ReadsOthers %v, want %v", role, got, want)
		}
		loner := auth.Principal{UserID: 1, Role: role}
		if got, want := loner.ReadsOthers(), pol.read.otherTeam; got != want {
			t.Errorf("%s without a team: ReadsOthers %v, want %v", role, got, want)
		}
	}
}

func TestUnknownRoleMayDoNothing(t *testing.T) {
	p := auth.Principal{UserID: 1, Role: "intern", TeamID: 10}
	for _, rec := range []auth.Owned{{OwnerID: 1, OwnerTeamID: 10}, {}} {
		for _, a := range []auth.Action{auth.Read, auth.Write} {
			if err := p.Can(a, rec); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s %+v: want Forbidden, got %v", a, rec, err)
			}
		}
	}
	if err := p.CanManage(); !errs.Is(err, errs.Forbidden) {
		t.Errorf("CanManage: want Forbidden, got %v", err)
	}
	if err := p.CanWriteAny(); !errs.Is(err, errs.Forbidden) {
		t.Errorf("CanWriteAny: want Forbidden, got %v", err)
	}
}

func TestCanManageAndWriteAny(t *testing.T) {
	for _, role := range auth.Roles {
		p := auth.Principal{UserID: 1, Role: role}
		if err := p.CanManage(); (err == nil) != (role == auth.Admin) {
			t.Errorf("%s CanManage: %v", role, err)
		}
		if err := p.CanWriteAny(); (err == nil) != (role != auth.ReadOnly) {
			t.Errorf("%s CanWriteAny: %v", role, err)
		}
	}
}

// Scope (SQL for lists) and Can (one record) must draw the same line, on
// both engines, or a list would show records their page then refuses.
func TestScopeAgreesWithCan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		north, err := svc.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: "North"})
		if err != nil {
			t.Fatal(err)
		}
		south, err := svc.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: "South"})
		if err != nil {
			t.Fatal(err)
		}
		n1 := mustCreateUser(t, svc, "n1@example.com", "N1", auth.Sales, &north.ID)
		n2 := mustCreateUser(t, svc, "n2@example.com", "N2", auth.Sales, &north.ID)
		s1 := mustCreateUser(t, svc, "s1@example.com", "S1", auth.Sales, &south.ID)
		loner := admin // in no team

		create := "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner_id BIGINT NULL)"
		if db.Engine == store.Postgres {
			create = "CREATE TABLE notes (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, owner_id BIGINT NULL)"
		}
		owners := []*int64{&n1.ID, &n1.ID, &n2.ID, &s1.ID, &loner.ID, nil, &n2.ID}
		err = db.WriteTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, create); err != nil {
				return err
			}
			for _, o := range owners {
				if _, err := tx.ExecContext(ctx, "INSERT INTO notes (owner_id) VALUES ($1)", o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		type note struct {
			id  int64
			rec auth.Owned
		}
		var notes []note
		rows, err := db.Read().QueryContext(ctx, "SELECT n.id, n.owner_id, o.team_id FROM notes n LEFT JOIN users o ON o.id = n.owner_id ORDER BY n.id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n note
			var owner, team sql.NullInt64
			if err := rows.Scan(&n.id, &owner, &team); err != nil {
				t.Fatal(err)
			}
			n.rec = auth.Owned{OwnerID: owner.Int64, OwnerTeamID: team.Int64}
			notes = append(notes, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(notes) != len(owners) {
			t.Fatalf("%d notes, want %d", len(notes), len(owners))
		}

		sizes := map[int]bool{}
		for _, role := range auth.Roles {
			for _, who := range []auth.User{n1, loner} {
				p := who.Principal()
				p.Role = role
				for _, a := range []auth.Action{auth.Read, auth.Write} {
					name := fmt.Sprintf("%s as %s/%s", who.Email, role, a)
					want := map[int64]bool{}
					for _, n := range notes {
						if p.Can(a, n.rec) == nil {
							want[n.id] = true
						}
					}
					// $1 is taken by another condition, as in a real list query.
					cond, args := p.Scope(a, "n.owner_id", 2)
					rows, err := db.Read().QueryContext(ctx,
						"SELECT n.id FROM notes n LEFT JOIN users o ON o.id = n.owner_id WHERE n.id > $1 AND "+cond,
						append([]any{0}, args...)...)
					if err != nil {
						t.Fatalf("%s: scope %q: %v", name, cond, err)
					}
					got := map[int64]bool{}
					for rows.Next() {
						var id int64
						if err := rows.Scan(&id); err != nil {
							t.Fatal(err)
						}
						got[id] = true
					}
					if err := rows.Err(); err != nil {
						t.Fatal(err)
					}
					rows.Close()
					if !maps.Equal(got, want) {
						t.Errorf("%s: Scope %q selects %v, Can allows %v", name,
							cond, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
					}
					sizes[len(want)] = true
				}
			}
		}
		// The roles really do differ: nothing, a few, and everything all occur.
		if !sizes[0] || !sizes[len(notes)] || len(sizes) < 4 {
			t.Fatalf("set sizes %v: the fixture does not tell the roles apart", slices.Sorted(maps.Keys(sizes)))
		}
	})
}
