package auth

import (
	"context"
	"time"

	"github.com/relasi/relasi/internal/store"
)

// Service holds the people-and-permissions data: users, teams, sessions,
// API tokens and login throttling.
type Service struct {
	db    *store.DB
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewService returns a Service on db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, sleep: sleepContext}
}

// SetClock replaces the clock, for tests of expiry and throttling.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetSleep replaces how sign-in attempts wait out their throttling delay,
// for tests that check the delays without waiting for them.
func (s *Service) SetSleep(sleep func(ctx context.Context, d time.Duration) error) { s.sleep = sleep }
