package jobs

import (
	"context"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/relasi/relasi/internal/store"
)

// Inserter enqueues jobs with a client of its own that only inserts, made
// on the first job, so that the web, the API and the CLI can all start
// background work whether or not their process runs jobs itself.
type Inserter struct {
	db      *store.DB
	workers *river.Workers // the kinds it may insert

	mu     sync.Mutex
	client Runner
}

// NewInserter returns an inserter of the jobs worker serves; it connects
// nothing until the first Insert.
func NewInserter(db *store.DB, worker func(*river.Workers)) *Inserter {
	w := river.NewWorkers()
	worker(w)
	return &Inserter{db: db, workers: w}
}

// Insert enqueues one job.
func (i *Inserter) Insert(ctx context.Context, args river.JobArgs) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.client == nil {
		c, err := New(i.db, Config{InsertOnly: true, Workers: i.workers})
		if err != nil {
			return err
		}
		i.client = c
	}
	_, err := i.client.Insert(ctx, args, nil)
	return err
}

// Close releases the client, if one was made.
func (i *Inserter) Close(ctx context.Context) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.client == nil {
		return nil
	}
	err := i.client.Stop(ctx)
	i.client = nil
	return err
}

// OnePerArgs keeps one job per arguments in the queue (a second insert
// while the first waits or runs is dropped) and retries a failed one
// maxAttempts times: work that resumes from its own checkpoint.
func OnePerArgs(maxAttempts int) river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}
