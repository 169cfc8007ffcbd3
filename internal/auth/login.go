package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/errs"
)

// Login throttling: after LoginMaxFailures wrong passwords for one e-mail
// within LoginWindow, that e-mail is locked until the window has passed;
// one IP address gets LoginMaxFailuresPerIP tries across all e-mails.
const (
	LoginWindow           = 15 * time.Minute
	LoginMaxFailures      = 5
	LoginMaxFailuresPerIP = 50
)

var errBadLogin = errs.E(errs.Unauthorized, "Wrong e-mail or password.").WithKey("error.bad_login")

// Login checks an e-mail and password and returns the user. It refuses with
// TooManyRequests while the e-mail or the IP address is throttled, and
// answers the same "wrong e-mail or password" for unknown e-mails, wrong
// passwords and disabled users, so it reveals nothing about who has an account.
func (s *Service) Login(ctx context.Context, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	now := s.now()
	if wait, err := s.throttled(ctx, email, ip, now); err != nil {
		return User{}, err
	} else if wait > 0 {
		mins := int((wait + time.Minute - 1) / time.Minute)
		e := errs.E(errs.TooManyRequests, "Too many failed sign-ins. Try again in %d minutes.", mins).WithKey("error.login_throttled", mins)
		e.RetryAfterSeconds = int(wait.Seconds()) + 1
		return User{}, e
	}
	u, err := s.GetUserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		CheckPassword(dummyHash, password)
		return User{}, s.recordFailure(ctx, email, ip, now)
	}
	if err != nil {
		return User{}, err
	}
	if !CheckPassword(u.passwordHash, password) || u.Disabled {
		return User{}, s.recordFailure(ctx, email, ip, now)
	}
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE email = $1", email)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("clear login failures: %w", err)
	}
	return u, nil
}

// throttled returns how long the e-mail or IP must still wait (0: not throttled).
func (s *Service) throttled(ctx context.Context, email, ip string, now time.Time) (time.Duration, error) {
	since := now.Add(-LoginWindow)
	var wait time.Duration
	for _, c := range []struct {
		col, val string
		max      int
	}{{"email", email, LoginMaxFailures}, {"ip", ip, LoginMaxFailuresPerIP}} {
		// The max-th most recent failure in the window decides: the lock
		// lifts when it leaves the window.
		var at time.Time
		err := s.db.Read().QueryRowContext(ctx, fmt.Sprintf(`SELECT failed_at FROM login_failures
			WHERE %s = $1 AND failed_at > $2 ORDER BY failed_at DESC LIMIT 1 OFFSET $3`, c.col), c.val, since, c.max-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("check login throttle: %w", err)
		}
		wait = max(wait, at.Add(LoginWindow).Sub(now))
	}
	return wait, nil
}

func (s *Service) recordFailure(ctx context.Context, email, ip string, now time.Time) error {
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO login_failures (email, ip, failed_at) VALUES ($1, $2, $3)", email, ip, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return errBadLogin
}

// PurgeExpired deletes sessions past their expiry and login failures older
// than the throttle window; housekeeping runs it.
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
		return nil
	})
	return sessions, failures, err
}
