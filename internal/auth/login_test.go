package auth_test

import (
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

const ip = "203.0.113.7"

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)

		for _, email := range []string{"ana@example.com", " ANA@Example.com "} {
			got, err := svc.Login(ctx, email, testPassword, ip)
			if err != nil {
				t.Fatalf("login as %q: %v", email, err)
			}
			if got.ID != u.ID {
				t.Fatalf("login as %q returned user %d, want %d", email, got.ID, u.ID)
			}
		}

		// A wrong password and an unknown e-mail look the same to the caller.
		_, err := svc.Login(ctx, "ana@example.com", "wrong password", ip)
		wrong := wantCode(t, err, errs.Unauthorized)
		_, err = svc.Login(ctx, "nobody@example.com", testPassword, ip)
		unknown := wantCode(t, err, errs.Unauthorized)
		if wrong.Message != unknown.Message || wrong.Key != unknown.Key {
			t.Fatalf("wrong password says %q (%s), unknown e-mail says %q (%s); they must not differ",
				wrong.Message, wrong.Key, unknown.Message, unknown.Key)
		}
	})
}

func TestLoginDisabledUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		u := mustCreateUser(t, svc, "gone@example.com", "Gone", auth.Sales, nil)
		if _, err := svc.UpdateUser(ctx, admin.Principal(), u.ID, auth.UserUpdate{Disabled: ptr(true)}, 0); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Login(ctx, "gone@example.com", testPassword, ip)
		disabled := wantCode(t, err, errs.Unauthorized)
		_, err = svc.Login(ctx, "gone@example.com", "wrong password", ip)
		wrong := wantCode(t, err, errs.Unauthorized)
		if disabled.Message != wrong.Message {
			t.Fatalf("a disabled account is revealed: %q vs %q", disabled.Message, wrong.Message)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		mustCreateUser(t, svc, "budi@example.com", "Budi", auth.Sales, nil)

		// One wrong password a minute; the first falls at t0.
		for i := range auth.LoginMaxFailures {
			if i > 0 {
				clock.Advance(time.Minute)
			}
			_, err := svc.Login(ctx, "ana@example.com", "wrong password", ip)
			wantCode(t, err, errs.Unauthorized)
		}
		_, err := svc.Login(ctx, "Ana@example.com", testPassword, ip)
		e := wantCode(t, err, errs.TooManyRequests)
		// The lock lifts when the first failure (at t0) leaves the window.
		wantWait := t0.Add(auth.LoginWindow).Sub(clock.Now())
		if d := time.Duration(e.RetryAfterSeconds) * time.Second; d < wantWait || d > wantWait+time.Second {
			t.Fatalf("RetryAfterSeconds = %d, want about %v", e.RetryAfterSeconds, wantWait)
		}

		// Someone else from the same address is not locked out.
		if _, err := svc.Login(ctx, "budi@example.com", testPassword, ip); err != nil {
			t.Fatalf("another user is throttled too: %v", err)
		}

		clock.Advance(wantWait - time.Second)
		_, err = svc.Login(ctx, "ana@example.com", testPassword, ip)
		wantCode(t, err, errs.TooManyRequests)

		clock.Advance(time.Second)
		if _, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil {
			t.Fatalf("after the window the right password should work: %v", err)
		}
	})
}

func TestLoginSuccessClearsFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		for round := range 2 {
			for range auth.LoginMaxFailures - 1 {
				_, err := svc.Login(ctx, "ana@example.com", "wrong password", ip)
				if !errs.Is(err, errs.Unauthorized) {
					t.Fatalf("round %d: want Unauthorized for a wrong password, got %v", round, err)
				}
			}
			if _, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil {
				t.Fatalf("round %d: right password refused: %v", round, err)
			}
		}
	})
}

func TestPurgeExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)

		oldSecret, _, err := svc.CreateSession(ctx, u.ID, ip, "old browser")
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Login(ctx, "ana@example.com", "wrong password", ip)
		wantCode(t, err, errs.Unauthorized)

		clock.Advance(20 * 24 * time.Hour)
		liveSecret, live, err := svc.CreateSession(ctx, u.ID, ip, "new browser")
		if err != nil {
			t.Fatal(err)
		}

		clock.Advance(auth.SessionIdle - 20*24*time.Hour) // the old session expires now
		_, err = svc.Login(ctx, "nobody@example.com", "wrong password", ip)
		wantCode(t, err, errs.Unauthorized)
		clock.Advance(time.Minute)

		sessions, failures, err := svc.PurgeExpired(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sessions != 1 || failures != 1 {
			t.Fatalf("purged %d sessions and %d login failures, want 1 and 1", sessions, failures)
		}
		for table, want := range map[string]int{"sessions": 1, "login_failures": 1} {
			var n int
			if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Fatalf("%d rows left in %s, want %d", n, table, want)
			}
		}
		if _, got, err := svc.Authenticate(ctx, liveSecret); err != nil || got.ID != live.ID {
			t.Fatalf("the live session should survive: %v", err)
		}
		_, _, err = svc.Authenticate(ctx, oldSecret)
		wantCode(t, err, errs.Unauthorized)
	})
}
