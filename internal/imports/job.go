package imports

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/jobs"
)

// RunArgs is the background job that runs (or resumes) an import, or
// undoes one, for files too large to handle within a request.
type RunArgs struct {
	ImportID int64 `json:"import_id"`
	// Undo takes the import back instead, as UserID.
	Undo   bool  `json:"undo,omitempty"`
	UserID int64 `json:"user_id,omitempty"`
}

// Kind names the job in River's tables.
func (RunArgs) Kind() string { return "imports.run" }

// InsertOpts keeps one job per import in the queue, and retries a job
// that fails (a crash, a restart) a few times: each attempt resumes from
// the checkpoint.
func (RunArgs) InsertOpts() river.InsertOpts { return jobs.OnePerArgs(10) }

// RunWorker runs import jobs.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	m *Module
}

// Worker returns the worker to register with the app's job runner.
func (m *Module) Worker() *RunWorker { return &RunWorker{m: m} }

// Timeout lets an import take as long as its file needs.
func (w *RunWorker) Timeout(*river.Job[RunArgs]) time.Duration { return -1 }

// Work runs the import from its checkpoint. Problems with the file or the
// mapping are final (the import shows them); anything else is retried.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	var err error
	if job.Args.Undo {
		u, uerr := w.m.auth.GetUser(ctx, job.Args.UserID)
		if uerr != nil {
			return river.JobCancel(uerr)
		}
		_, err = w.m.Undo(ctx, u.Principal(), job.Args.ImportID, nil)
	} else {
		_, err = w.m.Run(ctx, job.Args.ImportID, nil)
	}
	if e, ok := errs.As(err); ok && e.Code != errs.Internal {
		return river.JobCancel(err)
	}
	if err == errLostClaim {
		return nil
	}
	return err
}

// enqueue inserts a job (Module.jobs: an insert-only client, so that
// any process can start one).
func (m *Module) enqueue(ctx context.Context, args RunArgs) error {
	if err := m.jobs.Insert(ctx, args); err != nil {
		return fmt.Errorf("queue import %d: %w", args.ImportID, err)
	}
	return nil
}
