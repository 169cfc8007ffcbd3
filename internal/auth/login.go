package auth

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/errs"
)

// Sign-in throttling slows guessing down without ever refusing the right
// password. Every attempt waits before its password is checked, for longer
// the more attempts for the same e-mail from the same IP address failed
// within LoginWindow: none for the first LoginFreeFailures, then one
// second, doubling each time up to LoginMaxDelay. Each IP address also
// gets LoginIPFreeFailures failures across all e-mails in the window, and
// after that every attempt from it waits one second more for each further
// LoginIPStep failures, up to LoginIPMaxDelay — a coarse brake on one
// address trying many accounts, mild enough for an office behind one NAT.
//
// Keyed by the pair, a stranger who knows an e-mail address can slow down
// only their own attempts, not its owner's from elsewhere; the failures are
// kept in the database so that every relasi process sharing it counts the
// same.
const (
	LoginWindow         = 15 * time.Minute
	LoginFreeFailures   = 3
	LoginMaxDelay       = 30 * time.Second
	LoginIPFreeFailures = 50
	LoginIPStep         = 10
	LoginIPMaxDelay     = 10 * time.Second
)

// LoginDelay is how long an attempt waits after pairFailures failed
// attempts for its e-mail from its IP address and ipFailures from its IP
// address in all, within LoginWindow.
func LoginDelay(pairFailures, ipFailures int) time.Duration {
	var pair, perIP time.Duration
	if n := pairFailures - LoginFreeFailures; n > 0 {
		pair = LoginMaxDelay
		if n <= 6 {
			pair = min(LoginMaxDelay, time.Second<<(n-1))
		}
	}
	if n := ipFailures - LoginIPFreeFailures; n > 0 {
		perIP = min(LoginIPMaxDelay, time.Duration((n+LoginIPStep-1)/LoginIPStep)*time.Second)
	}
	return max(pair, perIP)
}

// loginThrottleLock serialises the counting of attempts on PostgreSQL, so
// that attempts made in parallel each see the ones before them.
const loginThrottleLock = 7_274_633_504

var errBadLogin = errs.E(errs.Unauthorized, "Wrong e-mail or password.").WithKey("error.bad_login")

// SignIn is the outcome of a right password.
type SignIn struct {
	User User
	// Challenge, when not "", means the user has two-factor sign-in on:
	// they are signed in only once CompleteSignIn accepts a code for this
	// secret. Until then no session may be created.
	Challenge string
}

// Login checks an e-mail and password. It answers the same "wrong e-mail
// or password" for unknown e-mails, wrong passwords and disabled users, so
// it reveals nothing about who has an account, and takes as long for each.
// Before checking, it waits as LoginDelay says (see the throttling above).
func (s *Service) Login(ctx context.Context, email, password, ip string) (SignIn, error) {
	email = NormalizeEmail(email)
	attempt, err := s.beginAttempt(ctx, email, ip)
	if err != nil {
		return SignIn{}, err
	}
	u, err := s.GetUserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		CheckPassword(dummyHash, password)
		return SignIn{}, errBadLogin
	}
	if err != nil {
		return SignIn{}, err
	}
	if !CheckPassword(u.passwordHash, password) || u.Disabled {
		if err := s.audit(ctx, u.ID, "signin_failed", Principal{}, map[string][2]any{"ip": {nil, ip}}); err != nil {
			return SignIn{}, err
		}
		return SignIn{}, errBadLogin
	}
	if !u.TwoFactor {
		return SignIn{User: u}, s.clearFailures(ctx, email, ip)
	}
	// The password was right, so this attempt was no failure; earlier ones
	// stay counted until the code is right too, so that someone who knows
	// the password cannot guess codes any faster.
	if err := s.forgetAttempt(ctx, attempt); err != nil {
		return SignIn{}, err
	}
	secret, err := s.startChallenge(ctx, u.ID, ip)
	if err != nil {
		return SignIn{}, err
	}
	return SignIn{User: u, Challenge: secret}, nil
}

// beginAttempt counts the failures that decide this attempt's delay,
// records the attempt as a failure (it is forgotten if it succeeds, and
// recording it first means attempts made in parallel each wait longer than
// the one before), and waits.
func (s *Service) beginAttempt(ctx context.Context, email, ip string) (int64, error) {
	now := s.now()
	since := now.Add(-LoginWindow)
	var id int64
	var pair, perIP int
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := s.db.Serialize(ctx, tx, loginThrottleLock); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM login_failures WHERE email = $1 AND ip = $2 AND failed_at > $3),
				(SELECT count(*) FROM login_failures WHERE ip = $2 AND failed_at > $3)`, email, ip, since).Scan(&pair, &perIP)
		if err != nil {
			return fmt.Errorf("count login failures: %w", err)
		}
		return tx.QueryRowContext(ctx, "INSERT INTO login_failures (email, ip, failed_at) VALUES ($1, $2, $3) RETURNING id",
			email, ip, now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("record sign-in attempt: %w", err)
	}
	if d := LoginDelay(pair, perIP); d > 0 {
		if err := s.sleep(ctx, d); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Service) forgetAttempt(ctx context.Context, id int64) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE id = $1", id); err != nil {
			return fmt.Errorf("forget sign-in attempt: %w", err)
		}
		return nil
	})
}

// clearFailures forgets the failures of one e-mail from one IP address,
// once someone there has signed in.
func (s *Service) clearFailures(ctx context.Context, email, ip string) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE email = $1 AND ip = $2", email, ip); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
		return nil
	})
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PurgeExpired deletes sessions past their expiry, login failures older
// than the throttle window and expired two-factor challenges;
// housekeeping runs it.
func (s *Service) PurgeExpired(ctx context.Context) (sessions, failures int64, err error) {
	now := s.now()
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now)
		if err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		sessions, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, "DELETE FROM login_failures WHERE failed_at <= $1", now.Add(-LoginWindow))
		if err != nil {
			return fmt.Errorf("purge login failures: %w", err)
		}
		failures, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, "DELETE FROM signin_challenges WHERE expires_at <= $1", now); err != nil {
			return fmt.Errorf("purge sign-in challenges: %w", err)
		}
		return nil
	})
	return sessions, failures, err
}
