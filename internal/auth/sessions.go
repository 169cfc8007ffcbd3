package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// SessionIdle is how long a browser session lasts without use. Every use
// (at most once per sessionTouchEvery) pushes the expiry out again.
const (
	SessionIdle       = 30 * 24 * time.Hour
	sessionTouchEvery = 5 * time.Minute
)

// Session is a signed-in browser.
type Session struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	// NeedsTwoFactor is set by Authenticate when the user must set up
	// two-factor sign-in before doing anything else: an administrator
	// without it while RequireTwoFactorForAdmins is on.
	NeedsTwoFactor bool
}

// CreateSession signs a user in and returns the secret for the cookie.
func (s *Service) CreateSession(ctx context.Context, userID int64, ip, userAgent string) (string, Session, error) {
	secret := newSecret()
	now := s.now()
	sess := Session{UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionIdle), IP: ip, UserAgent: truncate(userAgent, 300)}
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id`,
			hashSecret(secret), userID, now, sess.ExpiresAt, ip, sess.UserAgent).Scan(&sess.ID)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return secret, sess, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var errNoSession = errs.E(errs.Unauthorized, "Your session has ended; sign in again.").WithKey("error.session_ended")

// Authenticate returns the caller behind a session secret. It fails with
// Unauthorized for unknown, expired or revoked sessions and disabled users.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, Session, error) {
	if secret == "" {
		return Principal{}, Session{}, errNoSession
	}
	var sess Session
	var u User
	var team sql.NullInt64
	err := s.db.Read().QueryRowContext(ctx, `SELECT s.id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent,
			u.id, u.email, u.name, u.role, u.team_id, u.locale, u.time_zone,
			u.role = 'admin' AND u.totp_enabled_at IS NULL AND EXISTS (SELECT 1 FROM settings WHERE key = $2 AND value = 'true')
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND u.disabled_at IS NULL`, hashSecret(secret), requireTwoFactorKey).
		Scan(&sess.ID, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &sess.IP, &sess.UserAgent,
			&u.ID, &u.Email, &u.Name, &u.Role, &team, &u.Locale, &u.TimeZone, &sess.NeedsTwoFactor)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, Session{}, errNoSession
	}
	if err != nil {
		return Principal{}, Session{}, fmt.Errorf("authenticate session: %w", err)
	}
	sess.UserID = u.ID
	if team.Valid {
		u.TeamID = &team.Int64
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) {
		return Principal{}, Session{}, errNoSession
	}
	if now.Sub(sess.LastSeenAt) > sessionTouchEvery {
		sess.LastSeenAt, sess.ExpiresAt = now, now.Add(SessionIdle)
		err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3", now, sess.ExpiresAt, sess.ID)
			return err
		})
		if err != nil {
			return Principal{}, Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return u.Principal(), sess, nil
}

// UserPrefs returns the language and time zone of a user, for rendering.
func (s *Service) UserPrefs(ctx context.Context, userID int64) (locale, timeZone string, err error) {
	err = s.db.Read().QueryRowContext(ctx, "SELECT locale, time_zone FROM users WHERE id = $1", userID).Scan(&locale, &timeZone)
	if err != nil {
		return "", "", fmt.Errorf("user preferences: %w", err)
	}
	return locale, timeZone, nil
}

// ListSessions returns a user's sessions, most recently used first.
func (s *Service) ListSessions(ctx context.Context, userID int64) ([]Session, error) {
	out, err := store.Collect(ctx, s.db.Read(), func(row store.Scanner) (Session, error) {
		var x Session
		err := row.Scan(&x.ID, &x.UserID, &x.CreatedAt, &x.LastSeenAt, &x.ExpiresAt, &x.IP, &x.UserAgent)
		return x, err
	}, `SELECT id, user_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id DESC`, userID, s.now())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// RevokeSession ends one of a user's sessions.
func (s *Service) RevokeSession(ctx context.Context, userID, sessionID int64) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1 AND user_id = $2", sessionID, userID)
		if err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such session.").WithKey("error.session_not_found")
		}
		return nil
	})
}

// RevokeAllSessions signs a user out everywhere except keepSessionID (0: everywhere).
func (s *Service) RevokeAllSessions(ctx context.Context, userID, keepSessionID int64) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2", userID, keepSessionID)
		if err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		return nil
	})
}

// EndSession signs out the session with this secret (logout).
func (s *Service) EndSession(ctx context.Context, secret string) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashSecret(secret))
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return nil
	})
}
