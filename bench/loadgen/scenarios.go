package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scenarioNames in the order they run.
var scenarioNames = []string{"get", "list", "search", "timeline", "create", "move"}

// scenarioTargets are the p99 targets of issue 5 (SQLite, 32 clients):
// 50 ms for reads, 100 ms for writes.
var scenarioTargets = map[string]time.Duration{
	"get": 50 * time.Millisecond, "list": 50 * time.Millisecond, "search": 50 * time.Millisecond,
	"timeline": 50 * time.Millisecond, "create": 100 * time.Millisecond, "move": 100 * time.Millisecond,
}

// listQueries are contact lists as the UI offers them: a quick filter or
// a filter typed in the filter box, with a column sort. %s is one of the
// demo's cities.
var listQueries = []struct{ label, filter, sort string }{
	{"city = (one of the cities), sort last_name", `city = "%s"`, "last_name"},
	{"lifecycle_stage = customer, sort -created_at", `lifecycle_stage = "customer"`, "-created_at"},
	{"contact_role = buyer, sort first_name", `contact_role = "buyer"`, "first_name"},
	{"source = web_form, sort city", `source = "web_form"`, "city"},
	{"last_activity_at < -90d, sort -last_activity_at", `last_activity_at < -90d`, "-last_activity_at"},
	{"no filter, sort -created_at", "", "-created_at"},
}

var (
	jobTitles = []string{"Manajer Pembelian", "Staf Pengadaan", "Owner", "Kepala Gudang", "Procurement Officer", "Direktur Utama"}
	roles     = []string{"decision_maker", "buyer", "influencer", "user"}
	sources   = []string{"web_form", "referral", "event", "phone", "walk_in"}
	stages    = []string{"lead", "engagement", "customer"}
)

// worker is one client: it sends a request, waits for the answer, and
// sends the next.
type worker struct {
	id    int
	rnd   *rand.Rand
	deals []deal // the open deals only this worker moves
	seq   int
}

// request makes one request of the scenario and says which variant it was.
type request func(ctx context.Context, a *api, w *world, wk *worker) (label string, status int, body []byte, err error)

func scenarioRequest(name string) request {
	switch name {
	case "get":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			status, body, _, err := a.do(ctx, "GET", fmt.Sprintf("/api/v1/contacts/%d", randomContact(w, wk)), nil, nil)
			return "", status, body, err
		}
	case "timeline":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			status, body, _, err := a.do(ctx, "GET", fmt.Sprintf("/api/v1/contacts/%d/timeline", randomContact(w, wk)), nil, nil)
			return "", status, body, err
		}
	case "list":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			l := listQueries[wk.rnd.IntN(len(listQueries))]
			q := url.Values{"sort": {l.sort}, "limit": {"50"}}
			if f := l.filter; f != "" {
				if strings.Contains(f, "%s") {
					f = fmt.Sprintf(f, w.cities[wk.rnd.IntN(len(w.cities))])
				}
				q.Set("filter", f)
			}
			status, body, _, err := a.do(ctx, "GET", "/api/v1/contacts?"+q.Encode(), nil, nil)
			return l.label, status, body, err
		}
	case "search":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			// Two in three searches are for a person's first name, the rest
			// for the start of a mobile number, as typed at the phone.
			label, q := "first name", w.firstNames[wk.rnd.IntN(len(w.firstNames))]
			if wk.rnd.IntN(3) == 0 {
				label, q = "phone prefix", w.phonePrefixes[wk.rnd.IntN(len(w.phonePrefixes))]
			}
			status, body, _, err := a.do(ctx, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil, nil)
			return label, status, body, err
		}
	case "create":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			wk.seq++
			first, last := w.firstNames[wk.rnd.IntN(len(w.firstNames))], w.lastNames[wk.rnd.IntN(len(w.lastNames))]
			c := map[string]any{
				"first_name": first, "last_name": last,
				// Unique across runs and clients: a load run never trips the
				// duplicate check.
				"emails":          []string{fmt.Sprintf("%s.%s.%d.%d.%d@contoh.co.id", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, " ", "")), runNonce, wk.id, wk.seq)},
				"phones":          []string{fmt.Sprintf("%s-%04d-%04d", w.phonePrefixes[wk.rnd.IntN(len(w.phonePrefixes))], wk.rnd.IntN(10000), wk.rnd.IntN(10000))},
				"job_title":       jobTitles[wk.rnd.IntN(len(jobTitles))],
				"contact_role":    roles[wk.rnd.IntN(len(roles))],
				"city":            w.cities[wk.rnd.IntN(len(w.cities))],
				"country":         "Indonesia",
				"source":          sources[wk.rnd.IntN(len(sources))],
				"lifecycle_stage": stages[wk.rnd.IntN(len(stages))],
			}
			if len(w.accountIDs) > 0 && wk.rnd.IntN(4) != 0 {
				c["account_id"] = w.accountIDs[wk.rnd.IntN(len(w.accountIDs))]
			}
			body, _ := json.Marshal(c)
			status, resp, _, err := a.do(ctx, "POST", "/api/v1/contacts", body, nil)
			return "", status, resp, err
		}
	case "move":
		return func(ctx context.Context, a *api, w *world, wk *worker) (string, int, []byte, error) {
			i := wk.rnd.IntN(len(wk.deals))
			d := &wk.deals[i]
			choices := w.openStages[d.pipeline]
			to := choices[wk.rnd.IntN(len(choices))]
			for to == d.stage {
				to = choices[wk.rnd.IntN(len(choices))]
			}
			body := fmt.Appendf(nil, `{"stage_id":%d}`, to)
			// The board sends the version it showed, as here.
			h := http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, d.version)}}
			status, resp, header, err := a.do(ctx, "POST", fmt.Sprintf("/api/v1/opportunities/%d/move", d.id), body, h)
			if err == nil && status == 200 {
				d.stage = to
				if v, perr := strconv.ParseInt(strings.Trim(strings.TrimPrefix(header.Get("ETag"), "W/"), `"v`), 10, 64); perr == nil {
					d.version = v
				}
			}
			return "", status, resp, err
		}
	}
	panic("unknown scenario " + name)
}

// runNonce keeps this run's e-mail addresses apart from earlier runs'.
var runNonce = time.Now().Unix()

func randomContact(w *world, wk *worker) int64 {
	return w.contactMin + wk.rnd.Int64N(w.contactMax-w.contactMin+1)
}

// runScenario runs one scenario with every client: first untimed for the
// warm-up, then timed for the duration.
func runScenario(ctx context.Context, a *api, w *world, name string, clients int, warmup, duration time.Duration) result {
	do := scenarioRequest(name)
	workers := make([]*worker, clients)
	for i := range workers {
		workers[i] = &worker{id: i, rnd: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
	}
	if name == "move" {
		for i, d := range w.deals {
			workers[i%clients].deals = append(workers[i%clients].deals, d)
		}
		idle := 0
		for _, wk := range workers {
			if len(wk.deals) == 0 {
				idle++
			}
		}
		if idle > 0 {
			fmt.Fprintf(os.Stderr, "loadgen: move — only %d open deals to move: %d clients stay idle\n", len(w.deals), idle)
		}
	}
	var printed sync.Mutex
	shown := 0
	phase := func(d time.Duration, record bool) result {
		res := result{name: name, target: scenarioTargets[name], byLabel: map[string]latencies{}}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		end := start.Add(d)
		for _, wk := range workers {
			if name == "move" && len(wk.deals) == 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var all latencies
				byLabel := map[string]latencies{}
				errors := 0
				for ctx.Err() == nil && time.Now().Before(end) {
					t0 := time.Now()
					label, status, body, err := do(ctx, a, w, wk)
					took := time.Since(t0)
					if ctx.Err() != nil {
						break
					}
					all = append(all, took)
					byLabel[label] = append(byLabel[label], took)
					if err != nil || status < 200 || status > 299 {
						errors++
						printed.Lock()
						if record && shown < 5 {
							shown++
							if err != nil {
								fmt.Fprintf(os.Stderr, "loadgen: %s %s: %v\n", name, label, err)
							} else {
								fmt.Fprintf(os.Stderr, "loadgen: %s %s: HTTP %d %s\n", name, label, status, truncate(body, 500))
							}
						}
						printed.Unlock()
					}
				}
				mu.Lock()
				res.all = append(res.all, all...)
				for l, v := range byLabel {
					res.byLabel[l] = append(res.byLabel[l], v...)
				}
				res.errors += errors
				mu.Unlock()
			}()
		}
		wg.Wait()
		res.elapsed = time.Since(start)
		return res
	}
	if warmup > 0 {
		phase(warmup, false)
	}
	res := phase(duration, true)
	res.all.sort()
	for _, l := range res.byLabel {
		l.sort()
	}
	return res
}
