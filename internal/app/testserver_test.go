package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// testServer is a whole Relasi — database, services, handler — served by
// httptest on a fresh database of one engine.
type testServer struct {
	*httptest.Server
	App *App

	mu sync.Mutex
	// slept are the sign-in throttling delays, recorded instead of waited for.
	slept []time.Duration
}

// newTestServer starts Relasi on a fresh database of the given engine,
// with its configuration changed by configure.
func newTestServer(tb testing.TB, engine store.Engine, configure ...func(*Config)) *testServer {
	tb.Helper()
	cfg := Config{Addr: "127.0.0.1:0", DataDir: tb.TempDir(), DB: storetest.DSN(tb, engine), LogFormat: "text", Version: "test"}
	for _, f := range configure {
		f(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := Open(context.Background(), cfg, logger)
	if err != nil {
		tb.Fatalf("open app on %s: %v", engine, err)
	}
	srv := httptest.NewServer(a.Handler)
	tb.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	ts := &testServer{Server: srv, App: a}
	a.Auth.SetSleep(func(_ context.Context, d time.Duration) error {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.slept = append(ts.slept, d)
		return nil
	})
	return ts
}

// Slept returns the throttling delays since the last call.
func (s *testServer) Slept() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.slept
	s.slept = nil
	return out
}

// createUser adds a user directly through the service.
func (s *testServer) createUser(tb testing.TB, email string, role auth.Role) auth.User {
	tb.Helper()
	u, err := s.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Name: email, Password: "rahasia-123", Role: role})
	if err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// token issues an API token for u.
func (s *testServer) token(tb testing.TB, u auth.User) string {
	tb.Helper()
	secret, _, err := s.App.Auth.CreateToken(context.Background(), u.Principal(), u.ID, auth.NewToken{Name: "test"})
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return secret
}

// call sends a JSON API request with token and returns the status and body.
func (s *testServer) call(tb testing.TB, token, method, path string, body any) (int, string) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, string(b)
}
