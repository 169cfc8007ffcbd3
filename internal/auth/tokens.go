package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// (and to find with secret scanners).
const TokenPrefix = "rls_"

// tokenTouchEvery limits how often last_used_at is written, so that an API
// client does not turn every read into a write.
const tokenTouchEvery = time.Minute

// Token is an API token. The secret is shown once, at creation; only its
// hash and first characters are kept.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	UserEmail  string     `json:"user_email"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Active reports whether the token still works at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// NewToken is the input for creating a token.
type NewToken struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// CreateToken issues an API token for userID and returns its secret. Users
// create tokens for themselves; admins for anyone.
func (s *Service) CreateToken(ctx context.Context, actor Principal, userID int64, in NewToken) (string, Token, error) {
	if actor.UserID != userID {
		if err := actor.CanManage(); err != nil {
			return "", Token{}, err
		}
	}
	in.Name = strings.TrimSpace(in.Name)
	var fe errs.Fields
	switch {
	case in.Name == "":
		fe.Add("name", "required", "is required")
	case utf8.RuneCountInString(in.Name) > 100:
		fe.Add("name", "too_long", "must be at most %d characters", 100)
	}
	now := s.now()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fe.Add("expires_at", "in_past", "must be in the future")
	}
	if err := fe.Err(); err != nil {
		return "", Token{}, err
	}
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return "", Token{}, err
	}
	if u.Disabled {
		return "", Token{}, errs.E(errs.Conflict, "This user is disabled.").WithKey("error.user_disabled")
	}
	secret := TokenPrefix + newSecret()
	var id int64
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			userID, in.Name, hashSecret(secret), secret[:len(TokenPrefix)+6], now, in.ExpiresAt).Scan(&id)
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	t, err := s.getToken(ctx, id)
	return secret, t, err
}

const tokenSelect = `SELECT k.id, k.user_id, u.email, k.name, k.token_prefix, k.created_at, k.last_used_at, k.expires_at, k.revoked_at
	FROM api_tokens k JOIN users u ON u.id = k.user_id`

func scanToken(row store.Scanner) (Token, error) {
	var t Token
	var used, exp, rev sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &t.Prefix, &t.CreatedAt, &used, &exp, &rev); err != nil {
		return Token{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	for _, p := range []struct {
		src sql.NullTime
		dst **time.Time
	}{{used, &t.LastUsedAt}, {exp, &t.ExpiresAt}, {rev, &t.RevokedAt}} {
		if p.src.Valid {
			v := p.src.Time.UTC()
			*p.dst = &v
		}
	}
	return t, nil
}

func (s *Service) getToken(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(s.db.Read().QueryRowContext(ctx, tokenSelect+" WHERE k.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, errs.E(errs.NotFound, "No such API token.").WithKey("error.token_not_found")
	}
	if err != nil {
		return Token{}, fmt.Errorf("get token %d: %w", id, err)
	}
	return t, nil
}

// TokenSort lists the fields tokens can be sorted by.
var TokenSort = page.Columns{
	"created_at": {Expr: "k.created_at", Kind: page.Time},
	"name":       {Expr: "lower(k.name)", Kind: page.Text},
}

// ListTokens returns one page of tokens: the actor's own, or everyone's
// when all is set and the actor is an admin.
func (s *Service) ListTokens(ctx context.Context, actor Principal, all bool, pr page.Request) (page.List[Token], error) {
	var where []string
	var args []any
	if all {
		if err := actor.CanManage(); err != nil {
			return page.List[Token]{}, err
		}
	} else {
		where = append(where, "k.user_id = $1")
		args = append(args, actor.UserID)
	}
	if cond, kargs := pr.Where(len(args) + 1); cond != "" {
		where = append(where, cond)
		args = append(args, kargs...)
	}
	q := tokenSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d", pr.OrderBy(), pr.Fetch())
	out, err := store.Collect(ctx, s.db.Read(), scanToken, q, args...)
	if err != nil {
		return page.List[Token]{}, fmt.Errorf("list tokens: %w", err)
	}
	return page.Trim(pr, out, func(t Token) map[string]any {
		return map[string]any{"created_at": t.CreatedAt, "name": strings.ToLower(t.Name)}
	}, func(t Token) int64 { return t.ID }), nil
}

// RevokeToken stops a token from working. Owners revoke their own; admins any.
func (s *Service) RevokeToken(ctx context.Context, actor Principal, id int64) (Token, error) {
	t, err := s.getToken(ctx, id)
	if err != nil {
		return Token{}, err
	}
	if t.UserID != actor.UserID {
		if err := actor.CanManage(); err != nil {
			return Token{}, errs.E(errs.NotFound, "No such API token.").WithKey("error.token_not_found")
		}
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", s.now(), id)
		return err
	})
	if err != nil {
		return Token{}, fmt.Errorf("revoke token %d: %w", id, err)
	}
	return s.getToken(ctx, id)
}

var errBadToken = errs.E(errs.Unauthorized, "The API token is unknown, revoked or expired.").WithKey("error.bad_token")

// AuthenticateToken returns the caller behind an API token secret.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Principal{}, errBadToken
	}
	var p Principal
	var team sql.NullInt64
	var used, exp, rev sql.NullTime
	err := s.db.Read().QueryRowContext(ctx, `SELECT k.id, k.last_used_at, k.expires_at, k.revoked_at, u.id, u.email, u.name, u.role, u.team_id
		FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.token_hash = $1 AND u.disabled_at IS NULL`, hashSecret(secret)).
		Scan(&p.TokenID, &used, &exp, &rev, &p.UserID, &p.Email, &p.Name, &p.Role, &team)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, errBadToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	now := s.now()
	if rev.Valid || exp.Valid && !now.Before(exp.Time) {
		return Principal{}, errBadToken
	}
	if team.Valid {
		p.TeamID = team.Int64
	}
	if !used.Valid || now.Sub(used.Time) > tokenTouchEvery {
		err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now, p.TokenID)
			return err
		})
		if err != nil {
			return Principal{}, fmt.Errorf("record token use: %w", err)
		}
	}
	return p, nil
}
