package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func TestSessionAuthenticates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		team, err := svc.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: "Surabaya"})
		if err != nil {
			t.Fatal(err)
		}
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Support, &team.ID)

		secret, sess, err := svc.CreateSession(ctx, u.ID, ip, "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 40 {
			t.Fatalf("session secret %q is too short to be unguessable", secret)
		}
		p, got, err := svc.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := auth.Principal{UserID: u.ID, Email: "ana@example.com", Name: "Ana", Role: auth.Support, TeamID: team.ID}
		if p != want {
			t.Fatalf("principal %+v, want %+v", p, want)
		}
		if got.ID != sess.ID || got.UserID != u.ID || got.IP != ip || got.UserAgent != "Firefox" || !got.ExpiresAt.Equal(t0.Add(auth.SessionIdle)) {
			t.Fatalf("session %+v, created %+v", got, sess)
		}
		list, err := svc.ListSessions(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].ID != sess.ID {
			t.Fatalf("ListSessions = %+v, %v; want the one session", list, err)
		}
		// The secret is stored hashed.
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM sessions WHERE token_hash = $1", secret).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the session secret is stored in plain text (%d rows, %v)", n, err)
		}
	})
}

// Each way a session ends makes Authenticate refuse it.
func TestSessionEnds(t *testing.T) {
	cases := []struct {
		name string
		// ownUser gives the case a user of its own, for ends that outlast it.
		ownUser bool
		end     func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session)
	}{
		{"unknown secret", false, func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session) {
			// Nothing ends; the test below uses a secret nobody was given.
		}},
		{"logout", false, func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session) {
			if err := svc.EndSession(ctx, secret); err != nil {
				t.Fatal(err)
			}
		}},
		{"revoked", false, func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session) {
			// Another user cannot revoke it.
			err := svc.RevokeSession(ctx, admin.ID, sess.ID)
			wantCode(t, err, errs.NotFound)
			if _, _, err := svc.Authenticate(ctx, secret); err != nil {
				t.Fatalf("another user's revoke ended the session: %v", err)
			}
			if err := svc.RevokeSession(ctx, sess.UserID, sess.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"user disabled", true, func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session) {
			if _, err := svc.UpdateUser(ctx, admin.Principal(), sess.UserID, auth.UserUpdate{Disabled: ptr(true)}, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"idle too long", false, func(ctx context.Context, t *testing.T, svc *auth.Service, clock *testClock, admin auth.User, secret string, sess auth.Session) {
			clock.Advance(auth.SessionIdle)
		}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := t.Context()
				svc, clock := newService(db) // a clock of its own
				owner := u
				if c.ownUser {
					owner = mustCreateUser(t, svc, "own@example.com", "Own", auth.Sales, nil)
				}
				secret, sess, err := svc.CreateSession(ctx, owner.ID, ip, "Firefox")
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := svc.Authenticate(ctx, secret); err != nil {
					t.Fatalf("fresh session: %v", err)
				}
				c.end(ctx, t, svc, clock, admin, secret, sess)
				if c.name == "unknown secret" {
					secret = "x" + secret
				}
				_, _, err = svc.Authenticate(ctx, secret)
				wantCode(t, err, errs.Unauthorized)
			})
		}
		_, _, err := svc.Authenticate(t.Context(), "")
		wantCode(t, err, errs.Unauthorized)
	})
}

// A session in use does not expire: each use pushes the expiry out.
func TestSessionSlidingExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		secret, _, err := svc.CreateSession(ctx, u.ID, ip, "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			clock.Advance(auth.SessionIdle - time.Hour)
			_, sess, err := svc.Authenticate(ctx, secret)
			if err != nil {
				t.Fatalf("use %d: %v", i, err)
			}
			if !sess.ExpiresAt.Equal(clock.Now().Add(auth.SessionIdle)) {
				t.Fatalf("use %d: expires at %v, want %v", i, sess.ExpiresAt, clock.Now().Add(auth.SessionIdle))
			}
		}
		clock.Advance(auth.SessionIdle)
		_, _, err = svc.Authenticate(ctx, secret)
		wantCode(t, err, errs.Unauthorized)
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		here, hereSess, err := svc.CreateSession(ctx, u.ID, ip, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, _, err := svc.CreateSession(ctx, u.ID, "198.51.100.1", "phone")
		if err != nil {
			t.Fatal(err)
		}

		err = svc.ChangePassword(ctx, u.ID, "not my password", "a brand new password", hereSess.ID)
		wantFields(t, err, "current_password")
		err = svc.ChangePassword(ctx, u.ID, testPassword, "short", hereSess.ID)
		wantFields(t, err, "new_password")
		for _, s := range []string{here, elsewhere} {
			if _, _, err := svc.Authenticate(ctx, s); err != nil {
				t.Fatalf("a refused change ended a session: %v", err)
			}
		}
		if _, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil {
			t.Fatalf("a refused change altered the password: %v", err)
		}

		if err := svc.ChangePassword(ctx, u.ID, testPassword, "a brand new password", hereSess.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, here); err != nil {
			t.Fatalf("the session that changed the password should stay: %v", err)
		}
		_, _, err = svc.Authenticate(ctx, elsewhere)
		wantCode(t, err, errs.Unauthorized)

		if _, err := svc.Login(ctx, "ana@example.com", "a brand new password", ip); err != nil {
			t.Fatalf("the new password does not work: %v", err)
		}
		_, err = svc.Login(ctx, "ana@example.com", testPassword, ip)
		wantCode(t, err, errs.Unauthorized)
	})
}
