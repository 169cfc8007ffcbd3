package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// User is a person who signs in to Relasi.
type User struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	TeamID   *int64 `json:"team_id"`
	TeamName string `json:"team_name,omitempty"`
	Locale   string `json:"locale"`
	TimeZone string `json:"time_zone"`
	Disabled bool   `json:"disabled"`
	// TwoFactor says whether the user signs in with a code from an
	// authenticator app as well as the password.
	TwoFactor bool      `json:"two_factor"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`

	passwordHash string
}

// Principal returns the user as a caller.
func (u User) Principal() Principal {
	p := Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role}
	if u.TeamID != nil {
		p.TeamID = *u.TeamID
	}
	return p
}

// NewUser is the input for creating a user.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	Role     Role   `json:"role"`
	TeamID   *int64 `json:"team_id"`
	Locale   string `json:"locale"`
	TimeZone string `json:"time_zone"`
}

// UserUpdate changes some of a user's fields; nil fields stay as they are.
// TeamID pointing at 0 removes the user from their team.
type UserUpdate struct {
	Name     *string
	Role     *Role
	TeamID   *int64
	Locale   *string
	TimeZone *string
	Disabled *bool
}

// NormalizeEmail is how e-mail addresses are compared and stored.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func validateEmail(fe *errs.Fields, email string) {
	switch {
	case email == "":
		fe.Add("email", "required", "is required")
	case len(email) > 254:
		fe.Add("email", "too_long", "must be at most %d characters", 254)
	default:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
			fe.Add("email", "invalid_email", "is not a valid e-mail address")
		}
	}
}

func validateName(fe *errs.Fields, name string) {
	switch {
	case name == "":
		fe.Add("name", "required", "is required")
	case utf8.RuneCountInString(name) > 200:
		fe.Add("name", "too_long", "must be at most %d characters", 200)
	}
}

func validateLocale(fe *errs.Fields, locale string) {
	if !i18n.IsSupported(locale) {
		fe.Add("locale", "invalid_choice", "must be one of: en, id")
	}
}

func validateTimeZone(fe *errs.Fields, tz string) {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		fe.Add("time_zone", "invalid_time_zone", "is not a known time zone (e.g. Asia/Jakarta)")
	}
}

func (in *NewUser) normalize() {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if in.Locale == "" {
		in.Locale = i18n.DefaultLanguage
	}
	if in.TimeZone == "" {
		in.TimeZone = "Asia/Jakarta"
	}
	if in.TeamID != nil && *in.TeamID == 0 {
		in.TeamID = nil
	}
}

func (in NewUser) validate() error {
	var fe errs.Fields
	validateEmail(&fe, in.Email)
	validateName(&fe, in.Name)
	if code, msg, args := passwordProblem(in.Password); code != "" {
		fe.Add("password", code, msg, args...)
	}
	if !in.Role.Valid() {
		fe.Add("role", "invalid_choice", "must be one of: admin, manager, sales, support, marketing, readonly")
	}
	validateLocale(&fe, in.Locale)
	validateTimeZone(&fe, in.TimeZone)
	return fe.Err()
}

const userColumns = `u.id, u.email, u.name, u.password_hash, u.role, u.team_id, COALESCE(t.name, ''),
	u.locale, u.time_zone, u.disabled_at, u.totp_enabled_at, u.created_at, u.updated_at, u.version`

const userFrom = `FROM users u LEFT JOIN teams t ON t.id = u.team_id`

func scanUser(row store.Scanner) (User, error) {
	var u User
	var team sql.NullInt64
	var disabled, twoFactor sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.passwordHash, &u.Role, &team, &u.TeamName,
		&u.Locale, &u.TimeZone, &disabled, &twoFactor, &u.CreatedAt, &u.UpdatedAt, &u.Version)
	if err != nil {
		return User{}, err
	}
	if team.Valid {
		u.TeamID = &team.Int64
	}
	u.Disabled = disabled.Valid
	u.TwoFactor = twoFactor.Valid
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// CountUsers returns how many users exist, disabled ones included.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateUser adds a user. A taken e-mail is a Conflict on the email field.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	return s.createUser(ctx, in, false)
}

// CreateFirstAdmin creates the first user, as an admin, and fails with a
// Conflict if any user exists already — also when two first-run forms are
// submitted at the same moment.
func (s *Service) CreateFirstAdmin(ctx context.Context, in NewUser) (User, error) {
	in.Role = Admin
	return s.createUser(ctx, in, true)
}

// firstAdminLock serialises first-run setups on PostgreSQL.
const firstAdminLock = 7_274_633_502

// lastAdminLock serialises changes that may remove an admin, so that two
// admins demoting each other at once cannot both pass the last-admin check.
const lastAdminLock = 7_274_633_503

func (s *Service) createUser(ctx context.Context, in NewUser, onlyIfFirst bool) (User, error) {
	in.normalize()
	if err := in.validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if onlyIfFirst {
			if err := s.db.Serialize(ctx, tx, firstAdminLock); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
				return fmt.Errorf("count users: %w", err)
			}
			if n > 0 {
				return errs.E(errs.Conflict, "Relasi is already set up; sign in instead.").WithKey("error.already_set_up")
			}
		}
		if in.TeamID != nil {
			if err := teamExists(ctx, tx, *in.TeamID); err != nil {
				return err
			}
		}
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role, team_id, locale, time_zone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			in.Email, in.Name, hash, in.Role, in.TeamID, in.Locale, in.TimeZone, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			var fe errs.Fields
			fe.Add("email", "taken", "is already used by another user")
			e, _ := errs.As(fe.Err())
			e.Code = errs.Conflict
			e.Message = "A user with this e-mail already exists."
			return e
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, id)
}

func teamExists(ctx context.Context, q store.Querier, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM teams WHERE id = $1", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		var fe errs.Fields
		fe.Add("team_id", "not_found", "no team has this ID")
		return fe.Err()
	}
	if err != nil {
		return fmt.Errorf("look up team %d: %w", id, err)
	}
	return nil
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id int64) (User, error) {
	return getUser(ctx, s.db.Read(), "u.id = $1", id)
}

// GetUserByEmail returns the user with this e-mail (any case).
func (s *Service) GetUserByEmail(ctx context.Context, email string) (User, error) {
	return getUser(ctx, s.db.Read(), "u.email = $1", NormalizeEmail(email))
}

func getUser(ctx context.Context, q store.Querier, where string, arg any) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" "+userFrom+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E(errs.NotFound, "No such user.").WithKey("error.user_not_found")
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// UserFilter narrows ListUsers; zero fields do not filter.
type UserFilter struct {
	Query           string // part of the name or e-mail
	Role            Role
	TeamID          int64
	IncludeDisabled bool
}

// UserSort lists the fields users can be sorted by.
var UserSort = page.Columns{
	"name":       {Expr: "lower(u.name)", Kind: page.Text},
	"email":      {Expr: "u.email", Kind: page.Text},
	"created_at": {Expr: "u.created_at", Kind: page.Time},
}

// ListUsers returns one page of users.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, pr page.Request) (page.List[User], error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !f.IncludeDisabled {
		where = append(where, "u.disabled_at IS NULL")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		where = append(where, fmt.Sprintf("(lower(u.name) LIKE %s OR u.email LIKE %s)", arg(like), arg(like)))
	}
	if f.Role != "" {
		where = append(where, "u.role = "+arg(f.Role))
	}
	if f.TeamID != 0 {
		where = append(where, "u.team_id = "+arg(f.TeamID))
	}
	if cond, kargs := pr.Where(len(args) + 1); cond != "" {
		where = append(where, cond)
		args = append(args, kargs...)
	}
	query := "SELECT " + userColumns + " " + userFrom
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + pr.OrderBy() + " LIMIT " + arg(pr.Fetch())
	users, err := store.Collect(ctx, s.db.Read(), scanUser, query, args...)
	if err != nil {
		return page.List[User]{}, fmt.Errorf("list users: %w", err)
	}
	return page.Trim(pr, users, func(u User) map[string]any {
		return map[string]any{"name": strings.ToLower(u.Name), "email": u.Email, "created_at": u.CreatedAt}
	}, func(u User) int64 { return u.ID }), nil
}

// UpdateUser changes a user. ifVersion, when not 0, must equal the stored
// version (the ETag the caller read), or the update fails with
// PreconditionFailed and changes nothing. Users may change their own name,
// language and time zone; everything else needs an admin. The last active
// admin cannot be demoted or disabled.
func (s *Service) UpdateUser(ctx context.Context, actor Principal, id int64, up UserUpdate, ifVersion int64) (User, error) {
	self := actor.UserID == id
	if !self || up.Role != nil || up.TeamID != nil || up.Disabled != nil {
		if err := actor.CanManage(); err != nil {
			return User{}, err
		}
	}
	var fe errs.Fields
	if up.Name != nil {
		*up.Name = strings.TrimSpace(*up.Name)
		validateName(&fe, *up.Name)
	}
	if up.Role != nil && !up.Role.Valid() {
		fe.Add("role", "invalid_choice", "must be one of: admin, manager, sales, support, marketing, readonly")
	}
	if up.Locale != nil {
		validateLocale(&fe, *up.Locale)
	}
	if up.TimeZone != nil {
		validateTimeZone(&fe, *up.TimeZone)
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	demotes := up.Role != nil && *up.Role != Admin || up.Disabled != nil && *up.Disabled
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if demotes {
			if err := s.db.Serialize(ctx, tx, lastAdminLock); err != nil {
				return err
			}
		}
		cur, err := getUser(ctx, tx, "u.id = $1", id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && cur.Version != ifVersion {
			return staleVersion(cur.Version)
		}
		if cur.Role == Admin && !cur.Disabled && demotes {
			var admins int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").Scan(&admins); err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if admins <= 1 {
				return errs.E(errs.Conflict, "This is the last active administrator; make someone else an admin first.").WithKey("error.last_admin")
			}
		}
		if up.TeamID != nil && *up.TeamID != 0 {
			if err := teamExists(ctx, tx, *up.TeamID); err != nil {
				return err
			}
		}
		var sets []string
		var args []any
		set := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if up.Name != nil {
			set("name", *up.Name)
		}
		if up.Role != nil {
			set("role", *up.Role)
		}
		if up.TeamID != nil {
			if *up.TeamID == 0 {
				set("team_id", nil)
			} else {
				set("team_id", *up.TeamID)
			}
		}
		if up.Locale != nil {
			set("locale", *up.Locale)
		}
		if up.TimeZone != nil {
			set("time_zone", *up.TimeZone)
		}
		now := s.now()
		if up.Disabled != nil && *up.Disabled != cur.Disabled {
			if *up.Disabled {
				set("disabled_at", now)
				// A disabled user is signed out everywhere at once.
				if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
					return fmt.Errorf("revoke sessions: %w", err)
				}
			} else {
				set("disabled_at", nil)
			}
		}
		if len(sets) == 0 {
			return nil
		}
		set("updated_at", now)
		args = append(args, id)
		q := fmt.Sprintf("UPDATE users SET %s, version = version + 1 WHERE id = $%d", strings.Join(sets, ", "), len(args))
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, id)
}

func staleVersion(current int64) error {
	return errs.E(errs.PreconditionFailed,
		"The record was changed by someone else since you loaded it (now at version %d); reload it and apply your change again.", current).
		WithKey("error.stale_version")
}

// ChangePassword sets a new password after checking the current one, and
// signs the user out of every other session (keepSessionID stays valid).
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next string, keepSessionID int64) error {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if !CheckPassword(u.passwordHash, current) {
		var fe errs.Fields
		fe.Add("current_password", "wrong_password", "is not your current password")
		return fe.Err()
	}
	return s.setPassword(ctx, userID, next, "new_password", keepSessionID)
}

// SetPassword sets a user's password without the current one (an admin's
// reset, or the CLI) and signs the user out everywhere.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	return s.setPassword(ctx, userID, password, "password", 0)
}

func (s *Service) setPassword(ctx context.Context, userID int64, password, field string, keepSessionID int64) error {
	if code, msg, args := passwordProblem(password); code != "" {
		var fe errs.Fields
		fe.Add(field, code, msg, args...)
		return fe.Err()
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3", hash, s.now(), userID)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such user.").WithKey("error.user_not_found")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2", userID, keepSessionID); err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		return nil
	})
}
