package auth_test

import (
	"fmt"
	"slices"
	"sync"
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
			if got.User.ID != u.ID || got.Challenge != "" {
				t.Fatalf("login as %q returned user %d (challenge %q), want %d and no challenge", email, got.User.ID, got.Challenge, u.ID)
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

func TestLoginDelay(t *testing.T) {
	for _, c := range []struct {
		pair, ip int
		want     time.Duration
	}{
		{0, 0, 0},
		{auth.LoginFreeFailures, auth.LoginFreeFailures, 0},
		{auth.LoginFreeFailures + 1, 10, time.Second},
		{auth.LoginFreeFailures + 2, 10, 2 * time.Second},
		{auth.LoginFreeFailures + 5, 10, 16 * time.Second},
		{auth.LoginFreeFailures + 6, 10, auth.LoginMaxDelay},
		{1000, 1000, auth.LoginMaxDelay},
		{0, auth.LoginIPFreeFailures, 0},
		{0, auth.LoginIPFreeFailures + 1, time.Second},
		{0, auth.LoginIPFreeFailures + auth.LoginIPStep, time.Second},
		{0, auth.LoginIPFreeFailures + auth.LoginIPStep + 1, 2 * time.Second},
		{0, 100_000, auth.LoginIPMaxDelay},
	} {
		if got := auth.LoginDelay(c.pair, c.ip); got != c.want {
			t.Errorf("LoginDelay(%d, %d) = %v, want %v", c.pair, c.ip, got, c.want)
		}
	}
}

// Regression: five wrong passwords used to lock the account for fifteen
// minutes, for its owner too. Now wrong passwords only slow down further
// attempts for that e-mail from that address, and the right password
// always signs in after the delay.
func TestLoginThrottlingNeverRefusesTheRightPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		const attacker, owner = "198.51.100.66", "203.0.113.7"

		// An attacker's guesses wait longer and longer, up to the cap.
		var want []time.Duration
		for i := range 12 {
			_, err := svc.Login(ctx, "ana@example.com", "wrong password", attacker)
			wantCode(t, err, errs.Unauthorized)
			want = append(want, auth.LoginDelay(i, i))
		}
		got := clock.Slept()
		if !slices.Equal(got, slices.DeleteFunc(want, func(d time.Duration) bool { return d == 0 })) {
			t.Fatalf("attacker's delays %v, want %v", got, want)
		}
		if got[len(got)-1] != auth.LoginMaxDelay {
			t.Fatalf("the delay should reach its cap %v, got %v", auth.LoginMaxDelay, got)
		}

		// The owner, from their own address, signs in at once.
		if _, err := svc.Login(ctx, "Ana@example.com", testPassword, owner); err != nil {
			t.Fatalf("the owner is refused: %v", err)
		}
		if d := clock.Slept(); len(d) != 0 {
			t.Fatalf("the owner waited %v", d)
		}

		// Even from the attacker's address the right password works, after the delay.
		if _, err := svc.Login(ctx, "ana@example.com", testPassword, attacker); err != nil {
			t.Fatalf("the right password is refused after failures: %v", err)
		}
		if d := clock.Slept(); len(d) != 1 || d[0] != auth.LoginMaxDelay {
			t.Fatalf("delay before the right password: %v, want [%v]", d, auth.LoginMaxDelay)
		}
		// …which forgets that pair's failures.
		if _, err := svc.Login(ctx, "ana@example.com", "wrong password", attacker); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("want Unauthorized, got %v", err)
		}
		if d := clock.Slept(); len(d) != 0 {
			t.Fatalf("failures were not forgotten after a sign-in: waited %v", d)
		}

		// Failures leave the window after LoginWindow.
		for range auth.LoginFreeFailures + 2 {
			svc.Login(ctx, "ana@example.com", "wrong password", attacker)
		}
		clock.Slept()
		clock.Advance(auth.LoginWindow)
		if _, err := svc.Login(ctx, "ana@example.com", testPassword, attacker); err != nil {
			t.Fatal(err)
		}
		if d := clock.Slept(); len(d) != 0 {
			t.Fatalf("old failures still count: waited %v", d)
		}
	})
}

// Regression: fifty failures from one address used to lock out every user
// behind it — behind a reverse proxy, everyone. Now they slow that address
// down a little, and right passwords still sign in.
func TestLoginManyFailuresFromOneAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		mustCreateUser(t, svc, "budi@example.com", "Budi", auth.Sales, nil)
		// Unknown e-mails, so the test costs no argon2id hashes per user.
		n := auth.LoginIPFreeFailures + 2*auth.LoginIPStep
		for i := range n {
			_, err := svc.Login(ctx, fmt.Sprintf("guess%d@example.com", i), "wrong password", ip)
			wantCode(t, err, errs.Unauthorized)
		}
		clock.Slept()
		if _, err := svc.Login(ctx, "budi@example.com", testPassword, ip); err != nil {
			t.Fatalf("a user behind a busy address is refused: %v", err)
		}
		want := auth.LoginDelay(0, n)
		if d := clock.Slept(); len(d) != 1 || d[0] != want || want > auth.LoginIPMaxDelay || want == 0 {
			t.Fatalf("delay %v, want [%v] (more than 0, at most %v)", d, want, auth.LoginIPMaxDelay)
		}
	})
}

// Attempts made at the same moment each count the ones before them, so
// parallel guesses do not all get the first, short delay.
func TestLoginThrottlingCountsParallelAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		const n = 8
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := svc.Login(ctx, "ana@example.com", "wrong password", ip)
				if !errs.Is(err, errs.Unauthorized) {
					t.Errorf("want Unauthorized, got %v", err)
				}
			})
		}
		wg.Wait()
		got := clock.Slept()
		slices.Sort(got)
		var want []time.Duration
		for i := range n {
			if d := auth.LoginDelay(i, i); d > 0 {
				want = append(want, d)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("parallel attempts waited %v, want %v", got, want)
		}
	})
}

func TestLoginSuccessClearsFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		for round := range 2 {
			for range auth.LoginFreeFailures {
				_, err := svc.Login(ctx, "ana@example.com", "wrong password", ip)
				if !errs.Is(err, errs.Unauthorized) {
					t.Fatalf("round %d: want Unauthorized for a wrong password, got %v", round, err)
				}
			}
			if _, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil {
				t.Fatalf("round %d: right password refused: %v", round, err)
			}
			if d := clock.Slept(); len(d) != 0 {
				t.Fatalf("round %d: waited %v within the free failures", round, d)
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
