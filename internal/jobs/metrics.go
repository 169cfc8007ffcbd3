package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relasi/relasi/internal/store"
)

// StateCollector exports the number of jobs in each River state, read from
// the database at scrape time so that every process reports the same,
// cluster-wide figures.
type StateCollector struct {
	db   *store.DB
	desc *prometheus.Desc
}

// NewStateCollector returns the collector.
func NewStateCollector(db *store.DB) *StateCollector {
	return &StateCollector{db: db, desc: prometheus.NewDesc("relasi_jobs",
		"Background jobs by River state (available, running, retryable, completed, discarded, …).", []string{"kind", "state"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *StateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *StateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.db.Read().QueryContext(ctx, "SELECT kind, state, count(*) FROM river_job GROUP BY kind, state")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n float64
		if err := rows.Scan(&kind, &state, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(c.desc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, n, kind, state)
	}
}
