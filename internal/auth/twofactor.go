package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
)

// Two-factor sign-in: after the password, a six-digit code from an
// authenticator app (TOTP, see totp.go) or one of ten single-use recovery
// codes. Any user may turn it on from the profile page; the setting
// RequireTwoFactorForAdmins makes administrators turn it on before they
// can do anything else. API tokens are not affected: a token is already a
// secret that only its holder has.
const (
	// TOTPIssuer names Relasi in authenticator apps.
	TOTPIssuer = "Relasi"
	// RecoveryCodeCount is how many recovery codes a user gets at a time.
	RecoveryCodeCount = 10
	// ChallengeTTL is how long the code may take after the password.
	ChallengeTTL = 5 * time.Minute
	// ChallengeMaxAttempts wrong codes end a challenge: the password must
	// be given again (and is throttled like any other attempt).
	ChallengeMaxAttempts = 5
)

var (
	errWrongCode = func() error {
		var fe errs.Fields
		fe.Add("code", "wrong_code", "is not a valid code")
		return fe.Err()
	}
	errChallengeEnded = errs.E(errs.Unauthorized, "The sign-in took too long or had too many wrong codes; sign in again.").WithKey("error.challenge_ended")
)

// startChallenge records a sign-in waiting for its second factor and
// returns the secret the browser keeps for it.
func (s *Service) startChallenge(ctx context.Context, userID int64, ip string) (string, error) {
	secret := newSecret()
	now := s.now()
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signin_challenges (token_hash, user_id, ip, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, hashSecret(secret), userID, ip, now, now.Add(ChallengeTTL))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("start sign-in challenge: %w", err)
	}
	return secret, nil
}

// CompleteSignIn finishes a sign-in whose password was right: code is a
// six-digit code from the user's app or one of their recovery codes (which
// is then used up). A wrong code is an Invalid error on the field "code";
// an unknown or expired challenge, or the one after ChallengeMaxAttempts
// wrong codes, is Unauthorized and the password must be given again. Code
// attempts are throttled like passwords, for the same e-mail and IP.
func (s *Service) CompleteSignIn(ctx context.Context, challenge, code, ip string) (User, error) {
	var chID, userID int64
	var expires time.Time
	err := s.db.Read().QueryRowContext(ctx, "SELECT id, user_id, expires_at FROM signin_challenges WHERE token_hash = $1",
		hashSecret(challenge)).Scan(&chID, &userID, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !s.now().Before(expires) {
		return User{}, errChallengeEnded
	}
	if err != nil {
		return User{}, fmt.Errorf("sign-in challenge: %w", err)
	}
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if _, err := s.beginAttempt(ctx, u.Email, ip); err != nil {
		return User{}, err
	}
	var ok, recovery bool
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		// Take one of the challenge's attempts first, atomically: the
		// throttling delay may have let it expire or run out meanwhile,
		// and parallel guesses must not get more than their share.
		var attempts int
		err := tx.QueryRowContext(ctx, `UPDATE signin_challenges SET attempts = attempts + 1
			WHERE id = $1 AND expires_at > $2 AND attempts < $3 RETURNING attempts`, chID, s.now(), ChallengeMaxAttempts).Scan(&attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return errChallengeEnded
		}
		if err != nil {
			return err
		}
		ok, recovery, err = s.useSecondFactor(ctx, tx, userID, code)
		if err != nil {
			return err
		}
		if ok || attempts >= ChallengeMaxAttempts {
			_, err = tx.ExecContext(ctx, "DELETE FROM signin_challenges WHERE id = $1", chID)
		}
		return err
	})
	if errs.Is(err, errs.Unauthorized) {
		return User{}, err
	}
	if err != nil {
		return User{}, fmt.Errorf("check sign-in code: %w", err)
	}
	if !ok {
		if err := s.audit(ctx, u.ID, "signin_code_failed", Principal{}, map[string][2]any{"ip": {nil, ip}}); err != nil {
			return User{}, err
		}
		return User{}, errWrongCode()
	}
	if recovery {
		if err := s.audit(ctx, u.ID, "recovery_code_used", u.Principal(), map[string][2]any{"ip": {nil, ip}}); err != nil {
			return User{}, err
		}
	}
	if u.Disabled {
		return User{}, errBadLogin
	}
	return u, s.clearFailures(ctx, u.Email, ip)
}

// useSecondFactor checks code against the user's enabled TOTP secret and,
// failing that, their unused recovery codes, and uses it up.
func (s *Service) useSecondFactor(ctx context.Context, tx *sql.Tx, userID int64, code string) (ok, recovery bool, err error) {
	var secret string
	var lastStep int64
	var enabled sql.NullTime
	err = tx.QueryRowContext(ctx, "SELECT totp_secret, totp_last_step, totp_enabled_at FROM users WHERE id = $1", userID).Scan(&secret, &lastStep, &enabled)
	if err != nil {
		return false, false, err
	}
	if !enabled.Valid {
		return false, false, nil
	}
	code = strings.Join(strings.Fields(code), "")
	if step, good := checkTOTP(secret, code, s.now(), lastStep); good {
		// The step is only ever raised, so two requests with one code
		// cannot both succeed.
		res, err := tx.ExecContext(ctx, "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, userID)
		if err != nil {
			return false, false, err
		}
		n, _ := res.RowsAffected()
		return n == 1, false, nil
	}
	norm := normalizeRecoveryCode(code)
	if len(norm) != recoveryCodeLen {
		return false, false, nil
	}
	res, err := tx.ExecContext(ctx, "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
		s.now(), userID, hashSecret(norm))
	if err != nil {
		return false, false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, n == 1, nil
}

// recoveryCodeLen is a recovery code's length without its dashes: 16
// base32 characters, 80 random bits — enough that their SHA-256 digests
// cannot be turned back into codes.
const recoveryCodeLen = 16

func newRecoveryCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	c := strings.ToLower(b32.EncodeToString(b))
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// normalizeRecoveryCode is how a typed recovery code is compared: without
// dashes and spaces, in lower case.
func normalizeRecoveryCode(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
}

// Enrolment is a two-factor secret waiting to be confirmed.
type Enrolment struct {
	Secret string // base32, for typing into an app
	URI    string // otpauth://, for an app that reads it (or a QR code of it)
}

// TwoFactorStatus is where a user stands with two-factor sign-in.
type TwoFactorStatus struct {
	Enabled bool
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
	// Required is true when the user must turn it on (an administrator
	// while RequireTwoFactorForAdmins is on).
	Required bool
}

// TwoFactorStatus returns a user's two-factor state.
func (s *Service) TwoFactorStatus(ctx context.Context, userID int64) (TwoFactorStatus, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return TwoFactorStatus{}, err
	}
	st := TwoFactorStatus{Enabled: u.TwoFactor}
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", userID).Scan(&st.RecoveryCodesLeft); err != nil {
		return TwoFactorStatus{}, fmt.Errorf("count recovery codes: %w", err)
	}
	if u.Role == Admin && !u.TwoFactor {
		if st.Required, err = s.RequireTwoFactorForAdmins(ctx); err != nil {
			return TwoFactorStatus{}, err
		}
	}
	return st, nil
}

// BeginTwoFactor starts enrolment: it gives the user a new secret (or the
// one already waiting, so that reloading the page does not invalidate what
// the app has scanned). It is a Conflict when two-factor is already on.
func (s *Service) BeginTwoFactor(ctx context.Context, userID int64) (Enrolment, error) {
	var secret string
	var email string
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var enabled sql.NullTime
		if err := tx.QueryRowContext(ctx, "SELECT email, totp_secret, totp_enabled_at FROM users WHERE id = $1", userID).Scan(&email, &secret, &enabled); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.NotFound, "No such user.").WithKey("error.user_not_found")
			}
			return err
		}
		if enabled.Valid {
			return errs.E(errs.Conflict, "Two-factor sign-in is already on.").WithKey("error.two_factor_on")
		}
		if secret != "" {
			return nil
		}
		secret = newTOTPSecret()
		_, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = $1 WHERE id = $2", secret, userID)
		return err
	})
	if err != nil {
		if _, ok := errs.As(err); ok {
			return Enrolment{}, err
		}
		return Enrolment{}, fmt.Errorf("begin two-factor: %w", err)
	}
	return Enrolment{Secret: secret, URI: totpURI(TOTPIssuer, email, secret)}, nil
}

// EnableTwoFactor confirms enrolment with a code from the app and returns
// the recovery codes, which are shown once and kept only as digests.
func (s *Service) EnableTwoFactor(ctx context.Context, userID int64, code string) ([]string, error) {
	var codes []string
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var secret string
		var enabled sql.NullTime
		if err := tx.QueryRowContext(ctx, "SELECT totp_secret, totp_enabled_at FROM users WHERE id = $1", userID).Scan(&secret, &enabled); err != nil {
			return err
		}
		if enabled.Valid {
			return errs.E(errs.Conflict, "Two-factor sign-in is already on.").WithKey("error.two_factor_on")
		}
		if secret == "" {
			return errs.E(errs.Conflict, "Start setting up two-factor sign-in first.").WithKey("error.two_factor_not_started")
		}
		now := s.now()
		step, ok := checkTOTP(secret, strings.Join(strings.Fields(code), ""), now, 0)
		if !ok {
			return errWrongCode()
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_enabled_at = $1, totp_last_step = $2, updated_at = $1, version = version + 1 WHERE id = $3",
			now, step, userID); err != nil {
			return err
		}
		var err error
		if codes, err = replaceRecoveryCodes(ctx, tx, userID, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, userID, "two_factor_enabled", Principal{UserID: userID}, map[string][2]any{"two_factor": {false, true}})
	})
	if err != nil {
		if _, ok := errs.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("enable two-factor: %w", err)
	}
	return codes, nil
}

func replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) ([]string, error) {
	if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
			userID, hashSecret(normalizeRecoveryCode(codes[i])), now); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// checkPasswordAndCode is what turning two-factor off or renewing the
// recovery codes asks for: the password, and a current code or a recovery
// code. The errors are on the fields "password" and "code".
func (s *Service) checkPasswordAndCode(ctx context.Context, tx *sql.Tx, userID int64, password, code string) error {
	u, err := getUser(ctx, tx, "u.id = $1", userID)
	if err != nil {
		return err
	}
	var fe errs.Fields
	if !CheckPassword(u.passwordHash, password) {
		fe.Add("password", "wrong_password", "is not your current password")
	}
	ok, _, err := s.useSecondFactor(ctx, tx, userID, code)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add("code", "wrong_code", "is not a valid code")
	}
	return fe.Err()
}

// DisableTwoFactor turns two-factor sign-in off, given the password and a
// current or recovery code.
func (s *Service) DisableTwoFactor(ctx context.Context, userID int64, password, code string) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkPasswordAndCode(ctx, tx, userID, password, code); err != nil {
			return err
		}
		return clearTwoFactor(ctx, tx, s.now(), userID, "two_factor_disabled", Principal{UserID: userID})
	})
}

// RenewRecoveryCodes replaces a user's recovery codes, given the password
// and a current or recovery code, and returns the new ones.
func (s *Service) RenewRecoveryCodes(ctx context.Context, userID int64, password, code string) ([]string, error) {
	var codes []string
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkPasswordAndCode(ctx, tx, userID, password, code); err != nil {
			return err
		}
		now := s.now()
		var err error
		if codes, err = replaceRecoveryCodes(ctx, tx, userID, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, userID, "recovery_codes_renewed", Principal{UserID: userID}, nil)
	})
	return codes, err
}

// ResetTwoFactor turns a user's two-factor sign-in off, for an
// administrator helping someone who lost their phone and recovery codes.
// The user is signed out everywhere and may enrol again.
func (s *Service) ResetTwoFactor(ctx context.Context, actor Principal, userID int64) error {
	if err := actor.CanManage(); err != nil {
		return err
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := getUser(ctx, tx, "u.id = $1", userID); err != nil {
			return err
		}
		if err := clearTwoFactor(ctx, tx, s.now(), userID, "two_factor_reset", actor); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		return nil
	})
}

func clearTwoFactor(ctx context.Context, tx *sql.Tx, now time.Time, userID int64, action string, actor Principal) error {
	var enabled sql.NullTime
	if err := tx.QueryRowContext(ctx, "SELECT totp_enabled_at FROM users WHERE id = $1", userID).Scan(&enabled); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_enabled_at = NULL, totp_last_step = 0,
		updated_at = $1, version = version + 1 WHERE id = $2`, now, userID); err != nil {
		return fmt.Errorf("clear two-factor: %w", err)
	}
	for _, q := range []string{"DELETE FROM recovery_codes WHERE user_id = $1", "DELETE FROM signin_challenges WHERE user_id = $1"} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return fmt.Errorf("clear two-factor: %w", err)
		}
	}
	if !enabled.Valid {
		return nil
	}
	return auditTx(ctx, tx, now, userID, action, actor, map[string][2]any{"two_factor": {true, false}})
}

// requireTwoFactorKey is the row in the settings table that makes
// two-factor sign-in mandatory for administrators ("true"; off without it).
const requireTwoFactorKey = "require_two_factor_for_admins"

// RequireTwoFactorForAdmins reports whether administrators must use
// two-factor sign-in.
func (s *Service) RequireTwoFactorForAdmins(ctx context.Context) (bool, error) {
	var v string
	err := s.db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", requireTwoFactorKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("two-factor setting: %w", err)
	}
	return v == "true", nil
}

// SetRequireTwoFactorForAdmins changes the setting (administrators only).
// Administrators without two-factor sign-in are then sent to set it up
// before they can use anything else.
func (s *Service) SetRequireTwoFactorForAdmins(ctx context.Context, actor Principal, on bool) error {
	if err := actor.CanManage(); err != nil {
		return err
	}
	cur, err := s.RequireTwoFactorForAdmins(ctx)
	if err != nil {
		return err
	}
	if cur == on {
		return nil
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			requireTwoFactorKey, fmt.Sprint(on), now)
		if err != nil {
			return fmt.Errorf("save two-factor setting: %w", err)
		}
		return insertChange(ctx, tx, now, "settings", 0, "updated", actor, map[string][2]any{requireTwoFactorKey: {cur, on}})
	})
}

// AuditEntity is the entity name of the history rows about sign-ins and
// two-factor changes; their record ID is the user's.
const AuditEntity = "users"

// audit records an event about a user in the history the audit reads.
func (s *Service) audit(ctx context.Context, userID int64, action string, actor Principal, changes map[string][2]any) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		return auditTx(ctx, tx, s.now(), userID, action, actor, changes)
	})
}

func auditTx(ctx context.Context, tx *sql.Tx, at time.Time, userID int64, action string, actor Principal, changes map[string][2]any) error {
	return insertChange(ctx, tx, at, AuditEntity, userID, action, actor, changes)
}

// insertChange writes one row of record_changes, the history the audit
// reads (the records package writes it the same way for records; auth
// cannot import records, which imports auth).
func insertChange(ctx context.Context, tx *sql.Tx, at time.Time, entity string, id int64, action string, actor Principal, changes map[string][2]any) error {
	if changes == nil {
		changes = map[string][2]any{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit %s %d: %w", action, id, err)
	}
	var actorID any
	if actor.UserID != 0 {
		actorID = actor.UserID
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO record_changes (entity, record_id, action, actor_id, at, changes) VALUES ($1, $2, $3, $4, $5, $6)",
		entity, id, action, actorID, at, string(b)); err != nil {
		return fmt.Errorf("audit %s %d: %w", action, id, err)
	}
	return nil
}
