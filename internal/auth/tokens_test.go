package auth_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func listTokens(t *testing.T, svc *auth.Service, actor auth.Principal, all bool) []auth.Token {
	t.Helper()
	pr, err := page.Parse(nil, auth.TokenSort, "created_at", "k.id")
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.ListTokens(t.Context(), actor, all, pr)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	return l.Items
}

func TestCreateAndUseToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		me := u.Principal()

		secret, tok, err := svc.CreateToken(ctx, me, u.ID, auth.NewToken{Name: " CI deploy "})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "rls_") || len(secret) < 40 {
			t.Fatalf("secret %q: want rls_ and at least 40 characters", secret)
		}
		if tok.Name != "CI deploy" || tok.UserID != u.ID || tok.UserEmail != "ana@example.com" ||
			!strings.HasPrefix(secret, tok.Prefix) || tok.LastUsedAt != nil || tok.ExpiresAt != nil || tok.RevokedAt != nil {
			t.Fatalf("token %+v", tok)
		}
		hidden := secret[len(tok.Prefix):] // the part never shown again
		b, _ := json.Marshal(tok)
		if strings.Contains(string(b), hidden) {
			t.Fatalf("the stored token carries its secret: %s", b)
		}

		var stored string
		if err := db.Read().QueryRowContext(ctx, "SELECT token_hash FROM api_tokens WHERE id = $1", tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == secret || strings.Contains(stored, hidden) {
			t.Fatalf("token_hash %q holds the secret", stored)
		}

		clock.Advance(time.Hour)
		p, err := svc.AuthenticateToken(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := me
		want.TokenID = tok.ID
		if p != want {
			t.Fatalf("principal %+v, want %+v", p, want)
		}
		usedAt := clock.Now()
		lastUsed := func() time.Time {
			t.Helper()
			list := listTokens(t, svc, me, false)
			if len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsedAt == nil {
				t.Fatalf("ListTokens = %+v; want the used token", list)
			}
			b, _ := json.Marshal(list)
			if strings.Contains(string(b), hidden) {
				t.Fatalf("the token list carries the secret: %s", b)
			}
			return *list[0].LastUsedAt
		}
		if got := lastUsed(); !got.Equal(usedAt) {
			t.Fatalf("last used at %v, want %v", got, usedAt)
		}
		// Uses a few seconds apart are not each written down…
		clock.Advance(30 * time.Second)
		if _, err := svc.AuthenticateToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(usedAt) {
			t.Fatalf("last used at %v, want it still %v", got, usedAt)
		}
		// …but a later one is.
		clock.Advance(time.Hour)
		if _, err := svc.AuthenticateToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(clock.Now()) {
			t.Fatalf("last used at %v, want %v", got, clock.Now())
		}

		for _, bad := range []string{"", "rls_", secret[len("rls_"):], secret + "x", "rls_" + strings.Repeat("A", 43)} {
			_, err := svc.AuthenticateToken(ctx, bad)
			wantCode(t, err, errs.Unauthorized)
		}
	})
}

func TestTokenValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		_, _, err := svc.CreateToken(ctx, u.Principal(), u.ID, auth.NewToken{Name: " ", ExpiresAt: ptr(t0)})
		wantFields(t, err, "name", "expires_at")
		_, _, err = svc.CreateToken(ctx, u.Principal(), u.ID, auth.NewToken{Name: strings.Repeat("n", 101)})
		wantFields(t, err, "name")
	})
}

func TestTokenStopsWorking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, clock := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		me := u.Principal()

		revoked, tok, err := svc.CreateToken(ctx, me, u.ID, auth.NewToken{Name: "revoked"})
		if err != nil {
			t.Fatal(err)
		}
		expiring, _, err := svc.CreateToken(ctx, me, u.ID, auth.NewToken{Name: "expiring", ExpiresAt: ptr(t0.Add(24 * time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		disabled, _, err := svc.CreateToken(ctx, me, u.ID, auth.NewToken{Name: "owner disabled"})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{revoked, expiring, disabled} {
			if _, err := svc.AuthenticateToken(ctx, s); err != nil {
				t.Fatalf("fresh token: %v", err)
			}
		}

		got, err := svc.RevokeToken(ctx, me, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(t0) || got.Active(clock.Now()) {
			t.Fatalf("revoked token %+v", got)
		}
		_, err = svc.AuthenticateToken(ctx, revoked)
		wantCode(t, err, errs.Unauthorized)

		clock.Advance(24*time.Hour - time.Second)
		if _, err := svc.AuthenticateToken(ctx, expiring); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		clock.Advance(time.Second)
		_, err = svc.AuthenticateToken(ctx, expiring)
		wantCode(t, err, errs.Unauthorized)

		if _, err := svc.UpdateUser(ctx, admin.Principal(), u.ID, auth.UserUpdate{Disabled: ptr(true)}, 0); err != nil {
			t.Fatal(err)
		}
		_, err = svc.AuthenticateToken(ctx, disabled)
		wantCode(t, err, errs.Unauthorized)
	})
}

func TestTokenOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		admin := mustCreateUser(t, svc, "admin@example.com", "Admin", auth.Admin, nil)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Manager, nil)

		_, _, err := svc.CreateToken(ctx, u.Principal(), admin.ID, auth.NewToken{Name: "for the boss"})
		wantCode(t, err, errs.Forbidden)

		adminSecret, adminTok, err := svc.CreateToken(ctx, admin.Principal(), admin.ID, auth.NewToken{Name: "admin's"})
		if err != nil {
			t.Fatal(err)
		}
		// An admin may issue a token for someone else.
		_, forAna, err := svc.CreateToken(ctx, admin.Principal(), u.ID, auth.NewToken{Name: "issued for Ana"})
		if err != nil {
			t.Fatalf("admin creating a token for another user: %v", err)
		}
		if forAna.UserID != u.ID {
			t.Fatalf("token for user %d, want %d", forAna.UserID, u.ID)
		}

		// Someone else's token looks like no token at all.
		_, err = svc.RevokeToken(ctx, u.Principal(), adminTok.ID)
		wantCode(t, err, errs.NotFound)
		if _, err := svc.AuthenticateToken(ctx, adminSecret); err != nil {
			t.Fatalf("a refused revoke stopped the token: %v", err)
		}

		_, err = svc.ListTokens(ctx, u.Principal(), true, page.Request{})
		wantCode(t, err, errs.Forbidden)
		ids := func(list []auth.Token) []int64 {
			var out []int64
			for _, k := range list {
				out = append(out, k.ID)
			}
			slices.Sort(out)
			return out
		}
		if got := ids(listTokens(t, svc, u.Principal(), false)); !slices.Equal(got, []int64{forAna.ID}) {
			t.Fatalf("Ana lists tokens %v, want only %d", got, forAna.ID)
		}
		if got := ids(listTokens(t, svc, admin.Principal(), true)); !slices.Equal(got, []int64{adminTok.ID, forAna.ID}) {
			t.Fatalf("admin lists tokens %v, want %d and %d", got, adminTok.ID, forAna.ID)
		}

		// An admin may revoke anyone's token.
		if _, err := svc.RevokeToken(ctx, admin.Principal(), forAna.ID); err != nil {
			t.Fatalf("admin revoking another user's token: %v", err)
		}
	})
}
