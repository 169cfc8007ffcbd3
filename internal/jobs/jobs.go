// Package jobs runs Relasi's background work through River, on the same
// database as everything else: River's SQLite driver on the embedded file,
// its pgx driver on PostgreSQL. With several relasi processes on one
// PostgreSQL database, each job runs exactly once, whichever process takes
// it, and periodic jobs are scheduled by one elected leader.
//
// Modules add work by registering a worker on the *river.Workers passed to
// New and, for scheduled work, a periodic job.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/relasi/relasi/internal/store"
)

// Runner is a River client on either engine.
type Runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Config configures the runner.
type Config struct {
	Workers      *river.Workers
	PeriodicJobs []*river.PeriodicJob
	// MaxWorkers is how many jobs one process runs at once.
	MaxWorkers int
	// InsertOnly makes a client that only enqueues (CLI commands).
	InsertOnly bool
	Logger     *slog.Logger
	// FetchPoll is how often idle workers look for new jobs when the
	// database cannot notify them (SQLite). Default 1s.
	FetchPoll time.Duration
}

type client[TTx any] struct {
	*river.Client[TTx]
	close func() error
}

func (c client[TTx]) Stop(ctx context.Context) error {
	err := c.Client.Stop(ctx)
	if c.close != nil {
		if cerr := c.close(); err == nil {
			err = cerr
		}
	}
	return err
}

// New returns a runner on db. It does not start working until Start.
func New(db *store.DB, cfg Config) (Runner, error) {
	rc := &river.Config{Logger: cfg.Logger, FetchPollInterval: cfg.FetchPoll}
	if cfg.Logger != nil {
		// River logs each job at info; keep the app's log for the app.
		rc.Logger = cfg.Logger.With("component", "river")
	}
	if !cfg.InsertOnly {
		n := cfg.MaxWorkers
		if n <= 0 {
			n = 10
		}
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		rc.Workers = cfg.Workers
		rc.PeriodicJobs = cfg.PeriodicJobs
	} else {
		rc.Workers = cfg.Workers
	}
	if rc.FetchPollInterval == 0 {
		rc.FetchPollInterval = time.Second
	}
	if db.Engine == store.Postgres {
		c, err := river.NewClient[pgx.Tx](riverpgxv5.New(db.PgxPool()), rc)
		if err != nil {
			return nil, fmt.Errorf("job runner: %w", err)
		}
		return client[pgx.Tx]{Client: c}, nil
	}
	// River gets its own pool on the file with a single connection, as its
	// SQLite driver requires; busy_timeout makes it wait for the app's
	// writer instead of failing.
	pool, err := sql.Open("sqlite", store.SQLiteDSN(db.Path, false))
	if err != nil {
		return nil, fmt.Errorf("job runner: open %s: %w", db.Path, err)
	}
	pool.SetMaxOpenConns(1)
	c, err := river.NewClient[*sql.Tx](riversqlite.New(pool), rc)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job runner: %w", err)
	}
	return client[*sql.Tx]{Client: c, close: pool.Close}, nil
}
