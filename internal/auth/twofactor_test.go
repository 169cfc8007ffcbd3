package auth_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol turns two-factor sign-in on for u and returns its secret and
// recovery codes.
func enrol(t *testing.T, svc *auth.Service, clock *testClock, userID int64) (string, []string) {
	t.Helper()
	ctx := t.Context()
	en, err := svc.BeginTwoFactor(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := svc.EnableTwoFactor(ctx, userID, totpAt(t, en.Secret, clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, codes
}

func TestTwoFactorEnrolment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)

		en, err := svc.BeginTwoFactor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(en.URI, "otpauth://totp/Relasi:ana@example.com?") || !strings.Contains(en.URI, "secret="+en.Secret) {
			t.Fatalf("URI %q", en.URI)
		}
		// Reloading the page shows the same secret.
		again, err := svc.BeginTwoFactor(ctx, u.ID)
		if err != nil || again.Secret != en.Secret {
			t.Fatalf("second BeginTwoFactor: %q, %v; want the same secret", again.Secret, err)
		}
		// Not on until confirmed: signing in needs no code yet.
		if si, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil || si.Challenge != "" {
			t.Fatalf("before confirming: challenge %q, %v", si.Challenge, err)
		}
		_, err = svc.EnableTwoFactor(ctx, u.ID, "000000")
		wantFields(t, err, "code")

		codes, err := svc.EnableTwoFactor(ctx, u.ID, totpAt(t, en.Secret, clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != auth.RecoveryCodeCount {
			t.Fatalf("%d recovery codes, want %d", len(codes), auth.RecoveryCodeCount)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if len(c) != 19 || seen[c] {
				t.Fatalf("recovery codes %v: want distinct xxxx-xxxx-xxxx-xxxx", codes)
			}
			seen[c] = true
		}
		// Kept only as digests.
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM recovery_codes WHERE code_hash = $1 OR code_hash = $2", codes[0], strings.ReplaceAll(codes[0], "-", "")).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a recovery code is stored in clear (%d, %v)", n, err)
		}
		st, err := svc.TwoFactorStatus(ctx, u.ID)
		if err != nil || !st.Enabled || st.RecoveryCodesLeft != auth.RecoveryCodeCount {
			t.Fatalf("status %+v, %v", st, err)
		}
		_, err = svc.BeginTwoFactor(ctx, u.ID)
		wantCode(t, err, errs.Conflict)
		if got, _ := svc.GetUser(ctx, u.ID); !got.TwoFactor {
			t.Fatal("User.TwoFactor is false after enabling")
		}
	})
}

func TestTwoFactorSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		secret, recovery := enrol(t, svc, clock, u.ID)
		clock.Advance(time.Minute) // the enrolment code is used up

		si, err := svc.Login(ctx, "ana@example.com", testPassword, ip)
		if err != nil || si.Challenge == "" {
			t.Fatalf("want a challenge after the password, got %q, %v", si.Challenge, err)
		}
		_, err = svc.CompleteSignIn(ctx, si.Challenge, "123456", ip)
		wantFields(t, err, "code")
		code := totpAt(t, secret, clock.Now())
		got, err := svc.CompleteSignIn(ctx, si.Challenge, code[:3]+" "+code[3:], ip)
		if err != nil || got.ID != u.ID {
			t.Fatalf("right code: %v", err)
		}
		// The challenge is used up, and so is the code.
		_, err = svc.CompleteSignIn(ctx, si.Challenge, code, ip)
		wantCode(t, err, errs.Unauthorized)
		si, _ = svc.Login(ctx, "ana@example.com", testPassword, ip)
		_, err = svc.CompleteSignIn(ctx, si.Challenge, code, ip)
		wantFields(t, err, "code")

		// A recovery code works once, in any case and with or without dashes.
		if _, err := svc.CompleteSignIn(ctx, si.Challenge, strings.ToUpper(strings.ReplaceAll(recovery[0], "-", "")), ip); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		si, _ = svc.Login(ctx, "ana@example.com", testPassword, ip)
		_, err = svc.CompleteSignIn(ctx, si.Challenge, recovery[0], ip)
		wantFields(t, err, "code")
		if st, _ := svc.TwoFactorStatus(ctx, u.ID); st.RecoveryCodesLeft != auth.RecoveryCodeCount-1 {
			t.Fatalf("%d recovery codes left, want %d", st.RecoveryCodesLeft, auth.RecoveryCodeCount-1)
		}

		// A challenge expires.
		clock.Advance(auth.ChallengeTTL)
		_, err = svc.CompleteSignIn(ctx, si.Challenge, totpAt(t, secret, clock.Now()), ip)
		wantCode(t, err, errs.Unauthorized)
		_, err = svc.CompleteSignIn(ctx, "made-up", "123456", ip)
		wantCode(t, err, errs.Unauthorized)
	})
}

// Knowing the password does not make guessing codes fast: a challenge ends
// after a few wrong codes, and wrong codes count as failed attempts, so
// each new round waits longer.
func TestTwoFactorCodeGuessingIsThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		secret, _ := enrol(t, svc, clock, u.ID)
		clock.Advance(time.Minute)
		si, err := svc.Login(ctx, "ana@example.com", testPassword, ip)
		if err != nil {
			t.Fatal(err)
		}
		for range auth.ChallengeMaxAttempts {
			_, err := svc.CompleteSignIn(ctx, si.Challenge, "000000", ip)
			wantFields(t, err, "code")
		}
		_, err = svc.CompleteSignIn(ctx, si.Challenge, totpAt(t, secret, clock.Now()), ip)
		wantCode(t, err, errs.Unauthorized)
		clock.Slept()
		si, err = svc.Login(ctx, "ana@example.com", testPassword, ip)
		if err != nil {
			t.Fatal(err)
		}
		if d := clock.Slept(); len(d) != 1 || d[0] != auth.LoginDelay(auth.ChallengeMaxAttempts, auth.ChallengeMaxAttempts) {
			t.Fatalf("after %d wrong codes the password waited %v", auth.ChallengeMaxAttempts, d)
		}
		if _, err := svc.CompleteSignIn(ctx, si.Challenge, totpAt(t, secret, clock.Now()), ip); err != nil {
			t.Fatalf("the right code after the delay: %v", err)
		}
	})
}

func TestTwoFactorDisableRenewReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		secret, recovery := enrol(t, svc, clock, u.ID)
		clock.Advance(time.Minute)

		err := svc.DisableTwoFactor(ctx, u.ID, "wrong password", "000000")
		wantFields(t, err, "password", "code")
		err = svc.DisableTwoFactor(ctx, u.ID, testPassword, "000000")
		wantFields(t, err, "code")
		// A refused attempt used nothing up.
		err = svc.DisableTwoFactor(ctx, u.ID, "wrong password", recovery[1])
		wantFields(t, err, "password")

		fresh, err := svc.RenewRecoveryCodes(ctx, u.ID, testPassword, recovery[1])
		if err != nil || len(fresh) != auth.RecoveryCodeCount {
			t.Fatalf("renew: %d codes, %v", len(fresh), err)
		}
		err = svc.DisableTwoFactor(ctx, u.ID, testPassword, recovery[2])
		wantFields(t, err, "code") // the old codes are gone

		if err := svc.DisableTwoFactor(ctx, u.ID, testPassword, totpAt(t, secret, clock.Now())); err != nil {
			t.Fatal(err)
		}
		if si, err := svc.Login(ctx, "ana@example.com", testPassword, ip); err != nil || si.Challenge != "" {
			t.Fatalf("after disabling: challenge %q, %v", si.Challenge, err)
		}

		// An administrator resets someone's two-factor and signs them out.
		enrol(t, svc, clock, u.ID)
		secretOfUser, _, err := svc.CreateSession(ctx, u.ID, ip, "phone")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, svc.ResetTwoFactor(ctx, u.Principal(), admin.ID), errs.Forbidden)
		if err := svc.ResetTwoFactor(ctx, admin.Principal(), u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.Authenticate(ctx, secretOfUser)
		wantCode(t, err, errs.Unauthorized)
		if got, _ := svc.GetUser(ctx, u.ID); got.TwoFactor {
			t.Fatal("still on after the reset")
		}

		// Each change is in the history the audit reads.
		rows, err := db.Read().QueryContext(ctx, "SELECT action, COALESCE(actor_id, 0) FROM record_changes WHERE entity = 'users' AND record_id = $1 ORDER BY id", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var action string
			var actor int64
			rows.Scan(&action, &actor)
			if action == "two_factor_reset" && actor != admin.ID {
				t.Errorf("reset recorded with actor %d, want %d", actor, admin.ID)
			}
			got = append(got, action)
		}
		want := "two_factor_enabled recovery_codes_renewed two_factor_disabled two_factor_enabled two_factor_reset"
		if strings.Join(got, " ") != want {
			t.Fatalf("history %v, want %s", got, want)
		}
	})
}

func TestRequireTwoFactorForAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		sales := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		needs := func(userID int64) bool {
			t.Helper()
			secret, _, err := svc.CreateSession(ctx, userID, ip, "browser")
			if err != nil {
				t.Fatal(err)
			}
			_, sess, err := svc.Authenticate(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			return sess.NeedsTwoFactor
		}
		if needs(admin.ID) {
			t.Fatal("required while the setting is off")
		}
		wantCode(t, svc.SetRequireTwoFactorForAdmins(ctx, sales.Principal(), true), errs.Forbidden)
		if err := svc.SetRequireTwoFactorForAdmins(ctx, admin.Principal(), true); err != nil {
			t.Fatal(err)
		}
		if on, err := svc.RequireTwoFactorForAdmins(ctx); err != nil || !on {
			t.Fatalf("setting reads %v, %v", on, err)
		}
		if !needs(admin.ID) || needs(sales.ID) {
			t.Fatal("want an admin without two-factor to need it, and no one else")
		}
		if st, _ := svc.TwoFactorStatus(ctx, admin.ID); !st.Required {
			t.Fatal("status does not say it is required")
		}
		enrol(t, svc, clock, admin.ID)
		if needs(admin.ID) {
			t.Fatal("still required after enrolling")
		}
	})
}

// Codes guessed in parallel on one challenge get no more than
// ChallengeMaxAttempts tries between them, and the rest are told to sign
// in again — none fails with an internal error.
func TestTwoFactorParallelGuessesShareTheAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		enrol(t, svc, clock, u.ID)
		si, err := svc.Login(ctx, "ana@example.com", testPassword, ip)
		if err != nil {
			t.Fatal(err)
		}
		const n = 3 * auth.ChallengeMaxAttempts
		results := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := svc.CompleteSignIn(ctx, si.Challenge, "000000", ip)
				results <- err
			})
		}
		wg.Wait()
		close(results)
		var wrong, ended int
		for err := range results {
			switch {
			case errs.Is(err, errs.Invalid):
				wrong++
			case errs.Is(err, errs.Unauthorized):
				ended++
			default:
				t.Errorf("want a wrong code or an ended challenge, got %v", err)
			}
		}
		if wrong != auth.ChallengeMaxAttempts || ended != n-auth.ChallengeMaxAttempts {
			t.Fatalf("%d wrong codes and %d ended challenges, want %d and %d", wrong, ended, auth.ChallengeMaxAttempts, n-auth.ChallengeMaxAttempts)
		}
	})
}
