package auth

import (
	"time"

	"github.com/relasi/relasi/internal/store"
)

// Service holds the people-and-permissions data: users, teams, sessions,
// API tokens and login throttling.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service on db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the clock, for tests of expiry and throttling.
func (s *Service) SetClock(now func() time.Time) { s.now = now }
