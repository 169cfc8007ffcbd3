package exports

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/store"
)

// BenchmarkExport exports 100,000 demo contacts from SQLite to CSV and to
// XLSX, and a tenth of them, reporting time, allocations, rows per second
// and the peak heap: the heap must stay flat whatever the row count, since
// only a page of 500 records is held at a time. RELASI_BENCH_CONTACTS sets
// another count (1000000 takes a few minutes).
//
//	go test ./internal/exports -run '^$' -bench Export -benchtime 1x
func BenchmarkExport(b *testing.B) {
	n := 100_000
	if s := os.Getenv("RELASI_BENCH_CONTACTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 10_000 {
			b.Fatalf("RELASI_BENCH_CONTACTS=%q: want a number of at least 10000", s)
		}
	}
	c := newCRM(b, store.SQLite)
	ctx := context.Background()
	start := time.Now()
	if _, err := demo.Fill(ctx, c.db, demo.Options{Contacts: n, Seed: 1, Logger: testLogger}); err != nil {
		b.Fatal(err)
	}
	b.Logf("demo data: %d contacts in %s", n, time.Since(start).Round(time.Millisecond))
	for _, tt := range []struct {
		name   string
		filter string
		rows   int
	}{
		{"10k", "id <= 10000", 10_000},
		{"all", "", n},
	} {
		for _, format := range []Format{CSV, XLSX} {
			b.Run(string(format)+"-"+tt.name, func(b *testing.B) {
				b.ReportAllocs()
				var written int64
				var peak uint64
				for b.Loop() {
					runtime.GC()
					stop := sampleHeap(&peak)
					ex, err := c.x.List(ctx, c.admin, Request{Entity: c.contacts, Filter: tt.filter, Format: format})
					if err != nil {
						b.Fatal(err)
					}
					w := &countingWriter{}
					if err := ex.WriteTo(ctx, w); err != nil {
						b.Fatal(err)
					}
					stop()
					if ex.Rows() != tt.rows {
						b.Fatalf("%d rows exported, want %d", ex.Rows(), tt.rows)
					}
					written = w.n
				}
				b.ReportMetric(float64(tt.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(written)/(1<<20), "file-MB")
			})
		}
	}
}

// sampleHeap records the largest live heap seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	var max atomic.Uint64
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		if m := max.Load(); m > *peak {
			*peak = m
		}
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
