package auth_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// sameUser compares users by what callers see (their JSON form).
func sameUser(t *testing.T, what string, got, want auth.User) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func TestCreateUserRoundTrips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		created, err := svc.CreateUser(ctx, auth.NewUser{
			Email: "  Ana.Wijaya@Example.COM ", Name: "  Ana Wijaya ", Password: testPassword,
			Role: auth.Sales, Locale: "id", TimeZone: "Asia/Makassar",
		})
		if err != nil {
			t.Fatal(err)
		}
		want := auth.User{ID: created.ID, Email: "ana.wijaya@example.com", Name: "Ana Wijaya", Role: auth.Sales,
			Locale: "id", TimeZone: "Asia/Makassar", CreatedAt: t0, UpdatedAt: t0, Version: 1}
		sameUser(t, "CreateUser", created, want)

		got, err := svc.GetUser(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "GetUser", got, want)
		for _, email := range []string{"ana.wijaya@example.com", "ANA.WIJAYA@EXAMPLE.COM", " Ana.Wijaya@example.com"} {
			got, err := svc.GetUserByEmail(ctx, email)
			if err != nil {
				t.Fatalf("GetUserByEmail(%q): %v", email, err)
			}
			sameUser(t, "GetUserByEmail("+email+")", got, want)
		}

		var stored string
		if err := db.Read().QueryRowContext(ctx, "SELECT email FROM users WHERE id = $1", created.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != "ana.wijaya@example.com" {
			t.Fatalf("stored e-mail %q, want it lowercased", stored)
		}

		_, err = svc.GetUser(ctx, created.ID+1000)
		wantCode(t, err, errs.NotFound)
		_, err = svc.GetUserByEmail(ctx, "nobody@example.com")
		wantCode(t, err, errs.NotFound)
	})
}

func TestCreateUserValidation(t *testing.T) {
	valid := auth.NewUser{Email: "budi@example.com", Name: "Budi", Password: testPassword, Role: auth.Sales, Locale: "en", TimeZone: "Asia/Jakarta"}
	cases := []struct {
		name   string
		edit   func(*auth.NewUser)
		fields []string
	}{
		{"empty email", func(u *auth.NewUser) { u.Email = "" }, []string{"email"}},
		{"blank email", func(u *auth.NewUser) { u.Email = "   " }, []string{"email"}},
		{"not an address", func(u *auth.NewUser) { u.Email = "budi.example.com" }, []string{"email"}},
		{"no dot in domain", func(u *auth.NewUser) { u.Email = "budi@localhost" }, []string{"email"}},
		{"display name", func(u *auth.NewUser) { u.Email = "Budi <budi@example.com>" }, []string{"email"}},
		{"too long email", func(u *auth.NewUser) { u.Email = strings.Repeat("b", 250) + "@example.com" }, []string{"email"}},
		{"empty name", func(u *auth.NewUser) { u.Name = "  " }, []string{"name"}},
		{"short password", func(u *auth.NewUser) { u.Password = "1234567" }, []string{"password"}},
		{"short password in runes", func(u *auth.NewUser) { u.Password = "äääääää" }, []string{"password"}},
		{"long password", func(u *auth.NewUser) { u.Password = strings.Repeat("x", auth.MaxPasswordLen+1) }, []string{"password"}},
		{"unknown role", func(u *auth.NewUser) { u.Role = "boss" }, []string{"role"}},
		{"no role", func(u *auth.NewUser) { u.Role = "" }, []string{"role"}},
		{"unsupported locale", func(u *auth.NewUser) { u.Locale = "fr" }, []string{"locale"}},
		{"unknown time zone", func(u *auth.NewUser) { u.TimeZone = "Mars/Olympus" }, []string{"time_zone"}},
		{"server-local time zone", func(u *auth.NewUser) { u.TimeZone = "Local" }, []string{"time_zone"}},
		{"several at once", func(u *auth.NewUser) { u.Email, u.Password, u.Role = "", "short", "boss" }, []string{"email", "password", "role"}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := valid
				c.edit(&in)
				_, err := svc.CreateUser(t.Context(), in)
				wantFields(t, err, c.fields...)
			})
		}
		if n, err := svc.CountUsers(t.Context()); err != nil || n != 0 {
			t.Fatalf("invalid input created users: count %d, %v", n, err)
		}
	})
}

func TestCreateUserWithUnknownTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		_, err := svc.CreateUser(t.Context(), auth.NewUser{Email: "budi@example.com", Name: "Budi", Password: testPassword, Role: auth.Sales, TeamID: ptr[int64](999)})
		wantFields(t, err, "team_id")
	})
}

func TestCreateUserDuplicateEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		first := mustCreateUser(t, svc, "citra@example.com", "Citra", auth.Sales, nil)
		if first.Locale != "en" || first.TimeZone != "Asia/Jakarta" {
			t.Fatalf("defaults: locale %q, time zone %q; want en, Asia/Jakarta", first.Locale, first.TimeZone)
		}
		_, err := svc.CreateUser(ctx, auth.NewUser{Email: "Citra@Example.com", Name: "Other Citra", Password: testPassword, Role: auth.Manager})
		e := wantCode(t, err, errs.Conflict)
		if e.Field("email") == "" {
			t.Fatalf("conflict should name the email field, got %+v", e.Fields)
		}
		if n, err := svc.CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("want exactly one user, got %d (%v)", n, err)
		}
		got, err := svc.GetUserByEmail(ctx, "citra@example.com")
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "the first user", got, first)
	})
}

func TestCreateFirstAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		// The role asked for is ignored: the first user is always an admin.
		u, err := svc.CreateFirstAdmin(ctx, auth.NewUser{Email: "owner@example.com", Name: "Owner", Password: testPassword, Role: auth.ReadOnly})
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.Admin {
			t.Fatalf("first user has role %q, want admin", u.Role)
		}
		_, err = svc.CreateFirstAdmin(ctx, auth.NewUser{Email: "intruder@example.com", Name: "Intruder", Password: testPassword})
		wantCode(t, err, errs.Conflict)
		if n, err := svc.CountUsers(ctx); err != nil || n != 1 {
			t.Fatalf("want exactly one user, got %d (%v)", n, err)
		}
	})
}

// Two people submitting the first-run form at the same moment must not both
// become admins.
func TestCreateFirstAdminConcurrently(t *testing.T) {
	const n = 8
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		results := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, results[i] = svc.CreateFirstAdmin(ctx, auth.NewUser{
					Email: fmt.Sprintf("admin%d@example.com", i), Name: fmt.Sprintf("Admin %d", i), Password: testPassword,
				})
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range results {
			switch {
			case err == nil:
				ok++
			case !errs.Is(err, errs.Conflict):
				t.Errorf("call %d: want success or Conflict, got %v", i, err)
			}
		}
		if ok != 1 {
			t.Errorf("%d calls succeeded, want exactly 1", ok)
		}
		if c, err := svc.CountUsers(ctx); err != nil || c != 1 {
			t.Fatalf("want exactly one user, got %d (%v)", c, err)
		}
	})
}

func TestUpdateUserIfVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		me := admin.Principal()
		clock.Advance(time.Hour)

		_, err := svc.UpdateUser(ctx, me, admin.ID, auth.UserUpdate{Name: ptr("Stale Name")}, admin.Version+1)
		wantCode(t, err, errs.PreconditionFailed)
		got, err := svc.GetUser(ctx, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "after a refused update", got, admin)

		updated, err := svc.UpdateUser(ctx, me, admin.ID, auth.UserUpdate{Name: ptr(" New Name ")}, admin.Version)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Name != "New Name" || updated.Version != admin.Version+1 || !updated.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("after update: name %q version %d updated_at %v", updated.Name, updated.Version, updated.UpdatedAt)
		}

		// The version read before the update is stale now.
		_, err = svc.UpdateUser(ctx, me, admin.ID, auth.UserUpdate{Name: ptr("Lost Update")}, admin.Version)
		wantCode(t, err, errs.PreconditionFailed)
		got, err = svc.GetUser(ctx, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "after a stale update", got, updated)
	})
}

func TestUpdateUserSelfService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		sales := mustCreateUser(t, svc, "sales@example.com", "Sales", auth.Sales, nil)
		me := sales.Principal()

		u, err := svc.UpdateUser(ctx, me, sales.ID, auth.UserUpdate{Name: ptr("Sari"), Locale: ptr("id"), TimeZone: ptr("Asia/Jayapura")}, 0)
		if err != nil {
			t.Fatalf("a user should be able to change own name, language and time zone: %v", err)
		}
		if u.Name != "Sari" || u.Locale != "id" || u.TimeZone != "Asia/Jayapura" {
			t.Fatalf("own changes not saved: %+v", u)
		}

		_, err = svc.UpdateUser(ctx, me, sales.ID, auth.UserUpdate{Locale: ptr("xx")}, 0)
		wantFields(t, err, "locale")

		for name, up := range map[string]auth.UserUpdate{
			"own role":       {Role: ptr(auth.Admin)},
			"own team":       {TeamID: ptr[int64](0)},
			"disable self":   {Disabled: ptr(true)},
			"another's name": {Name: ptr("Hacked")},
			"name and role":  {Name: ptr("Boss"), Role: ptr(auth.Manager)},
		} {
			id := sales.ID
			if name == "another's name" {
				id = admin.ID
			}
			_, err := svc.UpdateUser(ctx, me, id, up, 0)
			if !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s: want Forbidden, got %v", name, err)
			}
		}
		got, err := svc.GetUser(ctx, sales.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "after forbidden updates", got, u)
		gotAdmin, err := svc.GetUser(ctx, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameUser(t, "the admin after forbidden updates", gotAdmin, admin)
	})
}

func TestLastAdminCannotBeDemotedOrDisabled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		first := mustCreateUser(t, svc, "first@example.com", "First", auth.Admin, nil)
		me := first.Principal()

		_, err := svc.UpdateUser(ctx, me, first.ID, auth.UserUpdate{Role: ptr(auth.Manager)}, 0)
		wantCode(t, err, errs.Conflict)
		_, err = svc.UpdateUser(ctx, me, first.ID, auth.UserUpdate{Disabled: ptr(true)}, 0)
		wantCode(t, err, errs.Conflict)
		// Keeping the admin role is fine.
		if _, err := svc.UpdateUser(ctx, me, first.ID, auth.UserUpdate{Role: ptr(auth.Admin)}, 0); err != nil {
			t.Fatalf("re-saving the admin role: %v", err)
		}

		second := mustCreateUser(t, svc, "second@example.com", "Second", auth.Admin, nil)
		u, err := svc.UpdateUser(ctx, me, first.ID, auth.UserUpdate{Role: ptr(auth.Manager)}, 0)
		if err != nil {
			t.Fatalf("demoting one of two admins: %v", err)
		}
		if u.Role != auth.Manager {
			t.Fatalf("role %q after demotion, want manager", u.Role)
		}
		// Now the second is the last one.
		_, err = svc.UpdateUser(ctx, second.Principal(), second.ID, auth.UserUpdate{Disabled: ptr(true)}, 0)
		wantCode(t, err, errs.Conflict)
	})
}

// Two admins demoting each other at the same moment must not leave Relasi
// without an active administrator.
func TestLastAdminRuleHoldsUnderConcurrentDemotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		a := mustCreateUser(t, svc, "a@example.com", "A", auth.Admin, nil)
		b := mustCreateUser(t, svc, "b@example.com", "B", auth.Admin, nil)
		for round := range 15 {
			var wg sync.WaitGroup
			start := make(chan struct{})
			var errA, errB error
			wg.Go(func() {
				<-start
				_, errA = svc.UpdateUser(ctx, a.Principal(), b.ID, auth.UserUpdate{Role: ptr(auth.Sales)}, 0)
			})
			wg.Go(func() {
				<-start
				_, errB = svc.UpdateUser(ctx, b.Principal(), a.ID, auth.UserUpdate{Disabled: ptr(true)}, 0)
			})
			close(start)
			wg.Wait()
			for _, err := range []error{errA, errB} {
				if err != nil && !errs.Is(err, errs.Conflict) {
					t.Fatalf("round %d: want success or Conflict, got %v", round, err)
				}
			}
			var admins int
			if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").Scan(&admins); err != nil {
				t.Fatal(err)
			}
			if admins != 1 || (errA == nil) == (errB == nil) {
				t.Fatalf("round %d: %d active admins (errors %v, %v); want exactly one change to succeed and one admin left", round, admins, errA, errB)
			}
			// Restore both admins for the next round, as whichever is left.
			actor := a.Principal()
			if errA != nil {
				actor = b.Principal()
			}
			for _, id := range []int64{a.ID, b.ID} {
				if _, err := svc.UpdateUser(ctx, actor, id, auth.UserUpdate{Role: ptr(auth.Admin), Disabled: ptr(false)}, 0); err != nil {
					t.Fatalf("round %d: restore: %v", round, err)
				}
			}
		}
	})
}

func TestListUsersPaginates(t *testing.T) {
	type person struct {
		email, name string
		role        auth.Role
		at          time.Duration // created this long after t0
	}
	people := []person{
		{"citra@example.com", "Citra", auth.Sales, 3 * time.Minute},
		{"ana1@example.com", "ana", auth.Sales, 1 * time.Minute},
		{"budi@example.com", "Budi", auth.Manager, 2 * time.Minute},
		{"ana2@example.com", "Ana", auth.Support, 1 * time.Minute}, // same lowercased name and time as ana1
		{"dewi@example.com", "dewi", auth.Sales, 5 * time.Minute},
		{"eko@example.com", "Eko", auth.Admin, 4 * time.Minute},
		{"fajar@example.com", "Fajar", auth.Sales, 0}, // disabled below
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		var users []auth.User
		for _, p := range people {
			svc.SetClock(func() time.Time { return t0.Add(p.at) })
			users = append(users, mustCreateUser(t, svc, p.email, p.name, p.role, nil))
		}
		svc.SetClock(clock.Now)
		admin := users[5].Principal()
		disabled := users[6]
		if _, err := svc.UpdateUser(ctx, admin, disabled.ID, auth.UserUpdate{Disabled: ptr(true)}, 0); err != nil {
			t.Fatal(err)
		}

		byName := func(a, b auth.User) int {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		}
		byNameDesc := func(a, b auth.User) int {
			if c := strings.Compare(strings.ToLower(b.Name), strings.ToLower(a.Name)); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		}
		byCreated := func(a, b auth.User) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		}
		byCreatedDesc := func(a, b auth.User) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		}
		cases := []struct {
			name   string
			sort   string
			filter auth.UserFilter
			keep   func(auth.User) bool
			order  func(a, b auth.User) int
		}{
			{"all by name", "name", auth.UserFilter{}, func(u auth.User) bool { return !u.Disabled }, byName},
			{"all by name descending", "-name", auth.UserFilter{}, func(u auth.User) bool { return !u.Disabled }, byNameDesc},
			{"with disabled", "name", auth.UserFilter{IncludeDisabled: true}, func(auth.User) bool { return true }, byName},
			{"query", "name", auth.UserFilter{Query: " AN "}, func(u auth.User) bool { return strings.HasPrefix(u.Email, "ana") }, byName},
			{"query matches e-mail", "-name", auth.UserFilter{Query: "budi@"}, func(u auth.User) bool { return u.Name == "Budi" }, byNameDesc},
			{"role", "name", auth.UserFilter{Role: auth.Sales}, func(u auth.User) bool { return u.Role == auth.Sales && !u.Disabled }, byName},
			{"role descending", "-name", auth.UserFilter{Role: auth.Sales}, func(u auth.User) bool { return u.Role == auth.Sales && !u.Disabled }, byNameDesc},
			{"by created_at", "created_at", auth.UserFilter{}, func(u auth.User) bool { return !u.Disabled }, byCreated},
			{"by created_at descending", "-created_at", auth.UserFilter{}, func(u auth.User) bool { return !u.Disabled }, byCreatedDesc},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var current []auth.User
				for _, u := range users {
					u, err := svc.GetUser(ctx, u.ID)
					if err != nil {
						t.Fatal(err)
					}
					if c.keep(u) {
						current = append(current, u)
					}
				}
				slices.SortFunc(current, c.order)
				var want []string
				for _, u := range current {
					want = append(want, u.Email)
				}

				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > len(users) {
						t.Fatalf("more pages than users; got so far %v", got)
					}
					q := url.Values{"limit": {"2"}, "sort": {c.sort}}
					if cursor != "" {
						q.Set("cursor", cursor)
					}
					pr, err := page.Parse(q, auth.UserSort, "name", "u.id")
					if err != nil {
						t.Fatal(err)
					}
					l, err := svc.ListUsers(ctx, c.filter, pr)
					if err != nil {
						t.Fatal(err)
					}
					if len(l.Items) > 2 {
						t.Fatalf("page of %d items, limit 2", len(l.Items))
					}
					for _, u := range l.Items {
						got = append(got, u.Email)
					}
					if l.NextCursor == "" {
						break
					}
					cursor = l.NextCursor
				}
				if !slices.Equal(got, want) {
					t.Fatalf("pages gave\n %v\nwant\n %v", got, want)
				}
			})
		}
	})
}
