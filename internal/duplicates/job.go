package duplicates

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// RefreshArgs brings the stored duplicate keys up to date in the
// background. A search does it first anyway, but after a bulk import of
// a hundred thousand records that first search would work through all of
// them while someone waits; the job does it ahead of them.
type RefreshArgs struct{}

// Kind names the job in River's tables.
func (RefreshArgs) Kind() string { return "duplicates.refresh" }

// RefreshEvery is how often the keys are brought up to date. A run over
// records that did not change costs one pass over their stamps.
const RefreshEvery = 10 * time.Minute

// RefreshWorker runs the refresh.
type RefreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	Module *Module
	Logger *slog.Logger // nil logs nothing
}

// Timeout lets a refresh after a large import take its time.
func (w *RefreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration { return time.Hour }

// Work refreshes every entity with duplicate rules.
func (w *RefreshWorker) Work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	return w.Module.RefreshAll(ctx, w.Logger)
}

// RefreshAll refreshes every entity with duplicate rules, logging those
// that took more than a second (nil logs nothing).
func (m *Module) RefreshAll(ctx context.Context, logger *slog.Logger) error {
	for _, name := range m.names {
		start := time.Now()
		if err := m.Refresh(ctx, name); err != nil {
			return err
		}
		if took := time.Since(start); logger != nil && took > time.Second {
			logger.InfoContext(ctx, "duplicate keys refreshed", "entity", name, "took", took.Round(time.Millisecond))
		}
	}
	return nil
}

// RefreshPeriodic schedules the refresh. It does not run at start: a
// server starting after a bulk load serves first and catches up a few
// minutes later, in the background.
func RefreshPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(RefreshEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RefreshArgs{}, nil },
		&river.PeriodicJobOpts{ID: "duplicates.refresh"})
}
