package bulk

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/jobs"
)

// RunArgs is the background job that runs (or resumes) a bulk change too
// large for a request, or undoes one as UserID.
type RunArgs struct {
	OperationID int64 `json:"operation_id"`
	Undo        bool  `json:"undo,omitempty"`
	UserID      int64 `json:"user_id,omitempty"`
}

// Kind names the job in River's tables.
func (RunArgs) Kind() string { return "bulk.run" }

// InsertOpts keeps one job per operation in the queue, and retries one
// that fails (a crash, a restart): each attempt resumes with the records
// still pending.
func (RunArgs) InsertOpts() river.InsertOpts { return jobs.OnePerArgs(10) }

// RunWorker runs bulk jobs.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	m *Module
}

// Worker returns the worker to register with the app's job runner.
func (m *Module) Worker() *RunWorker { return &RunWorker{m: m} }

// Timeout lets a change to a million records take its time.
func (w *RunWorker) Timeout(*river.Job[RunArgs]) time.Duration { return -1 }

// Work runs or undoes the operation from where it stopped.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	var err error
	if job.Args.Undo {
		u, uerr := w.m.auth.GetUser(ctx, job.Args.UserID)
		if uerr != nil {
			return river.JobCancel(uerr)
		}
		err = w.m.runUndo(ctx, u.Principal(), job.Args.OperationID)
	} else {
		err = w.m.Run(ctx, job.Args.OperationID)
	}
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		return river.JobCancel(err)
	}
	return err
}

// enqueue inserts a job (Module.jobs: an insert-only client, so that
// any process can start one).
func (m *Module) enqueue(ctx context.Context, args RunArgs) error {
	if err := m.jobs.Insert(ctx, args); err != nil {
		return fmt.Errorf("queue bulk change %d: %w", args.OperationID, err)
	}
	return nil
}
