package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// t0 is where every test clock starts: a fixed instant, so expiry and
// throttling are tested by moving the clock rather than by sleeping.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

// Sleep records a throttling delay instead of waiting for it.
func (c *testClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	return nil
}

// Slept returns the delays recorded since the last call.
func (c *testClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.slept
	c.slept = nil
	return out
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newService returns a Service on db whose clock stands at t0 and whose
// throttling delays are recorded on the clock, not waited for.
func newService(db *store.DB) (*auth.Service, *testClock) {
	c := &testClock{now: t0}
	svc := auth.NewService(db)
	svc.SetClock(c.Now)
	svc.SetSleep(c.Sleep)
	return svc, c
}

// mustCreateUser creates a user with testPassword. Each call costs one
// argon2id hash (tens of milliseconds), so tests create only the users
// they need.
func mustCreateUser(t *testing.T, svc *auth.Service, email, name string, role auth.Role, teamID *int64) auth.User {
	t.Helper()
	u, err := svc.CreateUser(t.Context(), auth.NewUser{Email: email, Name: name, Password: testPassword, Role: role, TeamID: teamID})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// wantCode fails the test unless err carries code, and returns the *errs.Error.
func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("want a %s error, got %v", code, err)
	}
	e, _ := errs.As(err)
	return e
}

// wantFields fails the test unless err is Invalid with problems on exactly
// the given fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	e := wantCode(t, err, errs.Invalid)
	if len(e.Fields) != len(fields) {
		t.Fatalf("want field errors on %v, got %+v", fields, e.Fields)
	}
	for _, f := range fields {
		if e.Field(f) == "" {
			t.Fatalf("want a field error on %q, got %+v", f, e.Fields)
		}
	}
}

func ptr[T any](v T) *T { return &v }
