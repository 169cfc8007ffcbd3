package trash

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// PurgeArgs is the daily purge of records past the retention period.
type PurgeArgs struct{}

// Kind names the job in River's tables.
func (PurgeArgs) Kind() string { return "trash.purge" }

// PurgeEvery is how often the purge runs: a record is deleted forever at
// most this long after its retention period ends.
const PurgeEvery = 24 * time.Hour

// PurgeWorker runs the purge.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Trash  *Trash
	Logger *slog.Logger // nil logs nothing
	// Budget bounds one run (default 25 minutes); a purge that needs
	// longer — after a large import was undone — snoozes and goes on.
	Budget time.Duration
}

// defaultBudget keeps a run inside its timeout.
const defaultBudget = 25 * time.Minute

// Timeout lets a purge run longer than River's default minute.
func (w *PurgeWorker) Timeout(*river.Job[PurgeArgs]) time.Duration {
	return defaultBudget + 5*time.Minute
}

// Work runs one purge. Each record is purged in its own transaction, so
// a run that uses up its budget keeps what it did; it then snoozes for a
// moment (which River does not count as a failed attempt) and the next
// run goes on from there.
func (w *PurgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	budget := w.Budget
	if budget <= 0 {
		budget = defaultBudget
	}
	runCtx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	n, err := w.Trash.PurgeExpired(runCtx)
	if w.Logger != nil && (n > 0 || err != nil) {
		w.Logger.InfoContext(ctx, "trash purged", "records", n, "err", err)
	}
	if err != nil && ctx.Err() == nil && errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		return river.JobSnooze(time.Second)
	}
	return err
}

// PurgePeriodic schedules the purge every day, and once at start.
func PurgePeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(PurgeEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "trash.purge"})
}
