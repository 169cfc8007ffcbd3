package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// latencies are every request's time, kept whole: a 30-second run at a
// few thousand requests a second is a few hundred thousand values.
type latencies []time.Duration

func (l latencies) sort() { slices.Sort(l) }

// quantile of sorted latencies (nearest rank).
func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(l)))) - 1
	return l[max(0, min(i, len(l)-1))]
}

// result is one scenario's run.
type result struct {
	name    string
	target  time.Duration
	all     latencies
	byLabel map[string]latencies
	errors  int
	elapsed time.Duration
}

func (r result) requests() int { return len(r.all) }

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.all)) / r.elapsed.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// markdown is the report: one row per scenario with its target, then the
// variants of the scenarios that mix several kinds of request.
func markdown(results []result, cfg loadConfig, w *world) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients, each scenario alone for %s after a %s warm-up; latency is the client's, from sending the request to the end of the answer, in ms. "+
		"Contact IDs %d…%d at the start (the demo's and those earlier runs created).\n\n",
		cfg.clients, cfg.duration, cfg.warmup, w.contactMin, w.contactMax)
	b.WriteString("| Scenario | Requests | Req/s | p50 | p90 | p99 | Max | Errors | p99 target | Met |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range results {
		met := "yes"
		if r.all.quantile(0.99) >= r.target || r.errors > 0 {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %s | %s | %d | < %d ms | %s |\n", r.name, r.requests(), r.rate(),
			ms(r.all.quantile(0.5)), ms(r.all.quantile(0.9)), ms(r.all.quantile(0.99)), ms(r.all.quantile(1)), r.errors, r.target.Milliseconds(), met)
	}
	var mixed []result
	for _, r := range results {
		if len(r.byLabel) > 1 {
			mixed = append(mixed, r)
		}
	}
	if len(mixed) == 0 {
		return b.String()
	}
	b.WriteString("\nThe requests of the mixed scenarios, by kind. The kinds run at the same time and share the server's database connections, so a slow kind delays the others:\n\n")
	b.WriteString("| Scenario | Request | Requests | p50 | p90 | p99 | Max |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, r := range mixed {
		labels := make([]string, 0, len(r.byLabel))
		for l := range r.byLabel {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		for _, l := range labels {
			v := r.byLabel[l]
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n", r.name, l, len(v),
				ms(v.quantile(0.5)), ms(v.quantile(0.9)), ms(v.quantile(0.99)), ms(v.quantile(1)))
		}
	}
	return b.String()
}
