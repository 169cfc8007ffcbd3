package main

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/store"
)

// The requirement: two relasi serve processes on one PostgreSQL
// database run each job exactly once, whichever of them takes it.
func TestTwoServersRunAJobExactlyOnce(t *testing.T) {
	t.Parallel()
	const n = 40
	in := newInstallation(t, store.Postgres)
	// Migrate first, so the two servers do not both start on an empty schema
	// (they would serialise on the migration lock anyway).
	in.mustRun(t, "migrate")
	servers := []*server{in.serve(t), in.serve(t)}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	// Each process records itself as host:pid (internal/app).
	instances := map[string]bool{}
	for _, s := range servers {
		instances[host+":"+strconv.Itoa(s.cmd.Process.Pid)] = true
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, in.dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", in.dsn, err)
	}
	defer pool.Close()
	// An insert-only client, as any other program enqueueing work would use.
	inserter, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatalf("River client: %v", err)
	}
	ids := make([]int64, 0, n)
	for range n {
		res, err := inserter.Insert(ctx, jobs.HousekeepingArgs{}, &river.InsertOpts{})
		if err != nil {
			t.Fatalf("insert housekeeping job: %v", err)
		}
		ids = append(ids, res.Job.ID)
	}

	// Wait until River has finished every job, and fail at once on a job
	// that failed.
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	for {
		var completed, failed int
		var lastErr *string
		err := pool.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE state = 'completed'),
				count(*) FILTER (WHERE state IN ('retryable', 'discarded', 'cancelled')),
				max(errors::text) FILTER (WHERE errors IS NOT NULL)
			FROM river_job WHERE id = ANY($1)`, ids).Scan(&completed, &failed, &lastErr)
		if err != nil {
			t.Fatalf("read job states: %v", err)
		}
		if failed > 0 {
			t.Fatalf("%d housekeeping jobs failed; errors: %v", failed, deref(lastErr))
		}
		if completed == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d housekeeping jobs completed within 60s", completed, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d housekeeping jobs completed in %s", n, time.Since(start).Round(time.Millisecond))

	rows, err := pool.Query(ctx, "SELECT job_id, instance FROM housekeeping_runs WHERE job_id = ANY($1)", ids)
	if err != nil {
		t.Fatalf("read housekeeping runs: %v", err)
	}
	runs := map[int64]int{}
	byInstance := map[string]int{}
	for rows.Next() {
		var id int64
		var instance string
		if err := rows.Scan(&id, &instance); err != nil {
			t.Fatal(err)
		}
		runs[id]++
		byInstance[instance]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %d ran %d times; want exactly once", id, runs[id])
		}
	}
	for instance, count := range byInstance {
		if !instances[instance] {
			t.Errorf("%d jobs ran on %q, which is neither of the two servers %v", count, instance, instances)
		}
	}
	t.Logf("jobs per server: %v", byInstance)

	for _, s := range servers {
		s.stop(t)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
