package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// HousekeepingArgs is the hourly clean-up: expired sessions and old login
// failures are deleted, and the run is recorded in housekeeping_runs (which
// also lets an operator see that background jobs are running at all).
type HousekeepingArgs struct{}

// Kind names the job in River's tables.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// HousekeepingEvery is how often housekeeping is scheduled.
const HousekeepingEvery = time.Hour

// HousekeepingWorker does the clean-up.
type HousekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	DB       *store.DB
	Auth     *auth.Service
	Instance string // which relasi process ran it, for operators
}

// Work runs one clean-up.
func (w *HousekeepingWorker) Work(ctx context.Context, job *river.Job[HousekeepingArgs]) error {
	sessions, failures, err := w.Auth.PurgeExpired(ctx)
	if err != nil {
		return err
	}
	return w.DB.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO housekeeping_runs (job_id, instance, ran_at, sessions_deleted, login_failures_deleted)
			VALUES ($1, $2, $3, $4, $5)`, job.ID, w.Instance, time.Now().UTC(), sessions, failures)
		if err != nil {
			return fmt.Errorf("record housekeeping run: %w", err)
		}
		return nil
	})
}

// HousekeepingPeriodic schedules housekeeping every hour, and once at start.
func HousekeepingPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(HousekeepingEvery),
		func() (river.JobArgs, *river.InsertOpts) { return HousekeepingArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "housekeeping"})
}
