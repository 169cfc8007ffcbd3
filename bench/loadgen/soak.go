package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The soak (-soak) runs every kind of request at once for a long time —
// reads, creates, updates, imports and exports, mixed as a working day
// mixes them — and checks three things a short load run cannot: that the
// server answers no request with a 5xx, that its memory stops growing once
// warm, and that every write it acknowledged with a 2xx is there at the
// end, as acknowledged.

// soakMix is how often each kind of request comes up, out of the sum.
var soakMix = []struct {
	kind   string
	weight int
}{
	{"get", 28}, {"list", 18}, {"search", 14}, {"timeline", 6},
	{"create", 14}, {"update", 14}, {"export", 4}, {"import", 2},
}

// soakImportRows is the size of each imported file: small enough to be
// imported before the answer, as a salesperson's spreadsheet is.
const soakImportRows = 20

type soakConfig struct {
	base, token string
	clients     int
	duration    time.Duration
	warmup      time.Duration // memory samples before this do not count for the trend
	sample      time.Duration
	pid         int // the server's process, for its resident memory
	out         string
}

// written is what the server acknowledged about one contact: the job
// title and version of its last 2xx answer.
type written struct {
	id       int64
	jobTitle string
	version  int64
}

// soakImport is one acknowledged import: its rows carry job_title = tag.
type soakImport struct {
	id      int64
	tag     string
	created int64
}

// soakClient is one client of the soak. It updates only contacts it
// created itself, one request at a time, so the last acknowledged write of
// each is what the database must hold.
type soakClient struct {
	worker
	mine    []*written
	imports []soakImport
}

// soakStats counts the answers of one kind of request.
type soakStats struct {
	lat      latencies
	byStatus map[int]int
	failed   int // no answer: a transport error
}

type memSample struct {
	at       time.Duration
	rssKB    int64
	heapMB   float64 // Go heap in use, from /metrics
	routines int
}

func runSoak(ctx context.Context, cfg soakConfig) error {
	if cfg.token == "" {
		return fmt.Errorf("-token is required (create one with `relasi token create --email …`)")
	}
	if cfg.pid == 0 {
		return fmt.Errorf("-pid is required: the server's process ID, for its memory")
	}
	if _, err := readRSS(cfg.pid); err != nil {
		return err
	}
	client := newAPI(cfg.base, cfg.token, cfg.clients)
	fmt.Fprintf(os.Stderr, "loadgen: discovering data at %s\n", cfg.base)
	data, err := discover(ctx, client, 0)
	if err != nil {
		return fmt.Errorf("discover: %w", err)
	}

	var memMu sync.Mutex
	var mem []memSample
	start := time.Now()
	end := start.Add(cfg.duration)
	sampleOnce := func() {
		s := memSample{at: time.Since(start)}
		s.rssKB, _ = readRSS(cfg.pid)
		s.heapMB, s.routines = runtimeMetrics(ctx, client)
		memMu.Lock()
		mem = append(mem, s)
		memMu.Unlock()
	}
	sampleOnce()
	sampling := make(chan struct{})
	go func() {
		defer close(sampling)
		tick := time.NewTicker(cfg.sample)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if time.Now().After(end) {
					return
				}
				sampleOnce()
			}
		}
	}()

	fmt.Fprintf(os.Stderr, "loadgen: soak — %d clients, %s, memory every %s\n", cfg.clients, cfg.duration, cfg.sample)
	total := 0
	for _, m := range soakMix {
		total += m.weight
	}
	stats := map[string]*soakStats{}
	for _, m := range soakMix {
		stats[m.kind] = &soakStats{byStatus: map[int]int{}}
	}
	var mu sync.Mutex
	var printed int
	clients := make([]*soakClient, cfg.clients)
	var wg sync.WaitGroup
	for i := range clients {
		sc := &soakClient{worker: worker{id: i, rnd: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}}
		clients[i] = sc
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]*soakStats{}
			for _, m := range soakMix {
				local[m.kind] = &soakStats{byStatus: map[int]int{}}
			}
			for ctx.Err() == nil && time.Now().Before(end) {
				kind := pickKind(sc.rnd.IntN(total))
				if kind == "update" && len(sc.mine) == 0 {
					kind = "create" // nothing of its own to update yet
				}
				t0 := time.Now()
				status, body, err := soakRequest(ctx, client, data, sc, kind)
				if ctx.Err() != nil {
					break
				}
				st := local[kind]
				st.lat = append(st.lat, time.Since(t0))
				if err != nil {
					st.failed++
				} else {
					st.byStatus[status]++
				}
				if err != nil || status < 200 || status > 299 {
					mu.Lock()
					if printed < 10 {
						printed++
						if err != nil {
							fmt.Fprintf(os.Stderr, "loadgen: soak %s: %v\n", kind, err)
						} else {
							fmt.Fprintf(os.Stderr, "loadgen: soak %s: HTTP %d %s\n", kind, status, truncate(body, 300))
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			for k, l := range local {
				s := stats[k]
				s.lat = append(s.lat, l.lat...)
				s.failed += l.failed
				for code, n := range l.byStatus {
					s.byStatus[code] += n
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	<-sampling
	sampleOnce()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	fmt.Fprintf(os.Stderr, "loadgen: soak done after %s; checking every acknowledged write\n", elapsed.Round(time.Second))
	v := verifySoak(ctx, client, data, clients)
	report := soakMarkdown(cfg, elapsed, stats, mem, v)
	fmt.Print(report)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if v.lost > 0 || v.errors > 0 || count5xx(stats) > 0 {
		return fmt.Errorf("the soak failed: %d 5xx answers, %d lost writes, %d checks that could not be made", count5xx(stats), v.lost, v.errors)
	}
	return nil
}

func pickKind(n int) string {
	for _, m := range soakMix {
		if n < m.weight {
			return m.kind
		}
		n -= m.weight
	}
	return soakMix[0].kind
}

// soakRequest sends one request of the kind and remembers what a 2xx
// write acknowledged.
func soakRequest(ctx context.Context, a *api, w *world, sc *soakClient, kind string) (int, []byte, error) {
	wk := &sc.worker
	switch kind {
	case "get", "list", "search", "timeline", "create":
		_, status, body, err := scenarioRequest(kind)(ctx, a, w, wk)
		if kind == "create" && err == nil && status == http.StatusCreated {
			var c struct {
				ID       int64  `json:"id"`
				JobTitle string `json:"job_title"`
				Version  int64  `json:"version"`
			}
			if json.Unmarshal(body, &c) == nil && c.ID > 0 {
				sc.mine = append(sc.mine, &written{id: c.ID, jobTitle: c.JobTitle, version: c.Version})
			}
		}
		return status, body, err
	case "update":
		c := sc.mine[wk.rnd.IntN(len(sc.mine))]
		title := fmt.Sprintf("Soak %d/%d v%d", wk.id, c.id, c.version+1)
		body, _ := json.Marshal(map[string]any{"job_title": title})
		h := http.Header{"If-Match": {fmt.Sprintf(`"v%d"`, c.version)}}
		status, resp, _, err := a.do(ctx, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", c.id), body, h)
		if err == nil && status == http.StatusOK {
			var got struct {
				Version int64 `json:"version"`
			}
			if json.Unmarshal(resp, &got) == nil {
				c.jobTitle, c.version = title, got.Version
			}
		}
		return status, resp, err
	case "export":
		q := url.Values{"filter": {fmt.Sprintf(`city = "%s"`, w.cities[wk.rnd.IntN(len(w.cities))])}, "format": {"csv"}}
		if wk.rnd.IntN(4) == 0 {
			q.Set("format", "xlsx")
		}
		status, body, _, err := a.do(ctx, "GET", "/api/v1/contacts/export?"+q.Encode(), nil, nil)
		if err == nil && status == http.StatusOK && len(body) == 0 {
			return status, body, fmt.Errorf("an empty export")
		}
		return status, nil, err
	case "import":
		return soakImportFile(ctx, a, w, sc)
	}
	panic("unknown soak request " + kind)
}

// soakImportFile uploads a small contacts CSV with Indonesian headers, its
// rows tagged with one job title that the check counts at the end.
func soakImportFile(ctx context.Context, a *api, w *world, sc *soakClient) (int, []byte, error) {
	wk := &sc.worker
	wk.seq++
	tag := fmt.Sprintf("Impor %d-%d-%d", runNonce, wk.id, wk.seq)
	var csv bytes.Buffer
	csv.WriteString("Nama Depan,Nama Belakang,Surel,Jabatan,Kota\n")
	for i := range soakImportRows {
		first, last := w.firstNames[wk.rnd.IntN(len(w.firstNames))], w.lastNames[wk.rnd.IntN(len(w.lastNames))]
		fmt.Fprintf(&csv, "%s,%s,impor.%d.%d.%d.%d@contoh.co.id,%s,%s\n", first, last, runNonce, wk.id, wk.seq, i, tag, w.cities[wk.rnd.IntN(len(w.cities))])
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("entity", "contacts")
	fw, _ := mw.CreateFormFile("file", "kontak.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	status, resp, _, err := a.do(ctx, "POST", "/api/v1/imports", body.Bytes(), http.Header{"Content-Type": {mw.FormDataContentType()}})
	if err == nil && status == http.StatusCreated {
		var imp struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Counts struct {
				Created int64 `json:"created"`
			} `json:"counts"`
		}
		if json.Unmarshal(resp, &imp) == nil {
			sc.imports = append(sc.imports, soakImport{id: imp.ID, tag: tag, created: imp.Counts.Created})
			if imp.Status != "done" || imp.Counts.Created != soakImportRows {
				return status, resp, fmt.Errorf("import %d answered %s with %d created, want done with %d", imp.ID, imp.Status, imp.Counts.Created, soakImportRows)
			}
		}
	}
	return status, resp, err
}

// soakCheck is what the final check found.
type soakCheck struct {
	contacts, updated, imports int
	lost                       int // acknowledged writes missing or different
	errors                     int // checks that could not be made
	examples                   []string
}

// verifySoak reads back every contact a client was told it created or
// updated, and counts the contacts of every acknowledged import.
func verifySoak(ctx context.Context, a *api, w *world, clients []*soakClient) soakCheck {
	var v soakCheck
	var mu sync.Mutex
	note := func(lost bool, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if lost {
			v.lost++
		} else {
			v.errors++
		}
		if len(v.examples) < 10 {
			v.examples = append(v.examples, fmt.Sprintf(format, args...))
		}
	}
	var wg sync.WaitGroup
	for _, sc := range clients {
		v.imports += len(sc.imports)
		v.contacts += len(sc.mine)
		for _, c := range sc.mine {
			if c.version > 1 {
				v.updated++
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range sc.mine {
				status, body, _, err := a.do(ctx, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.id), nil, nil)
				if err != nil {
					note(false, "GET contact %d: %v", c.id, err)
					continue
				}
				var got struct {
					JobTitle string `json:"job_title"`
					Version  int64  `json:"version"`
				}
				if status != http.StatusOK || json.Unmarshal(body, &got) != nil {
					note(true, "contact %d (acknowledged at v%d) answers %d %s", c.id, c.version, status, truncate(body, 200))
					continue
				}
				if got.Version != c.version || got.JobTitle != c.jobTitle {
					note(true, "contact %d is v%d %q, acknowledged v%d %q", c.id, got.Version, got.JobTitle, c.version, c.jobTitle)
				}
			}
			for _, imp := range sc.imports {
				q := url.Values{"filter": {fmt.Sprintf(`job_title = "%s"`, imp.tag)}, "limit": {"500"}}
				var page struct {
					Items []struct {
						ID int64 `json:"id"`
					} `json:"items"`
				}
				if err := getJSON(ctx, a, "/api/v1/contacts?"+q.Encode(), &page); err != nil {
					note(false, "import %d: %v", imp.id, err)
					continue
				}
				if int64(len(page.Items)) != imp.created {
					note(true, "import %d acknowledged %d contacts, %d are there", imp.id, imp.created, len(page.Items))
				}
			}
		}()
	}
	wg.Wait()
	return v
}

func count5xx(stats map[string]*soakStats) int {
	n := 0
	for _, s := range stats {
		for code, c := range s.byStatus {
			if code >= 500 {
				n += c
			}
		}
	}
	return n
}

// readRSS is the resident memory of a process, in kB (KiB, as /proc says).
func readRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("the server's memory: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// runtimeMetrics reads the Go heap in use and the goroutines from the
// server's /metrics: a leak of either shows there before it shows in RSS.
func runtimeMetrics(ctx context.Context, a *api) (heapMB float64, goroutines int) {
	status, body, _, err := a.do(ctx, "GET", "/metrics", nil, nil)
	if err != nil || status != http.StatusOK {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heapMB = f / 1e6
		case "go_goroutines":
			goroutines = int(f)
		}
	}
	return heapMB, goroutines
}

// trend fits a line through the samples after the warm-up and returns its
// slope in MB per minute, and the fitted growth over that window in MB.
func trend(mem []memSample, warmup time.Duration, value func(memSample) float64) (perMinute, growth float64, n int) {
	var xs, ys []float64
	for _, s := range mem {
		if s.at >= warmup {
			xs, ys = append(xs, s.at.Minutes()), append(ys, value(s))
		}
	}
	n = len(xs)
	if n < 3 {
		return 0, 0, n
	}
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i], my+ys[i]
	}
	mx, my = mx/float64(n), my/float64(n)
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return 0, 0, n
	}
	perMinute = sxy / sxx
	return perMinute, perMinute * (xs[n-1] - xs[0]), n
}

func kbToMB(kb int64) float64 { return float64(kb) * 1024 / 1e6 }

func soakMarkdown(cfg soakConfig, elapsed time.Duration, stats map[string]*soakStats, mem []memSample, v soakCheck) string {
	var b strings.Builder
	requests, fivexx := 0, count5xx(stats)
	for _, s := range stats {
		requests += len(s.lat)
	}
	fmt.Fprintf(&b, "%d clients for %s, each sending its next request as soon as the last is answered, the kind drawn at random: ",
		cfg.clients, elapsed.Round(time.Second))
	var mix []string
	total := 0
	for _, m := range soakMix {
		total += m.weight
	}
	for _, m := range soakMix {
		mix = append(mix, fmt.Sprintf("%s %d%%", m.kind, int(math.Round(float64(m.weight)*100/float64(total)))))
	}
	fmt.Fprintf(&b, "%s. An update is a `PATCH` with `If-Match` of a contact the same client created; an import is a %d-row CSV; an export is a city's contacts as CSV or XLSX. Latency in ms, as the client saw it.\n\n",
		strings.Join(mix, ", "), soakImportRows)
	b.WriteString("| Request | Requests | p50 | p99 | Max | Answers |\n")
	b.WriteString("|---|--:|--:|--:|--:|---|\n")
	for _, m := range soakMix {
		s := stats[m.kind]
		s.lat.sort()
		codes := make([]int, 0, len(s.byStatus))
		for c := range s.byStatus {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var answers []string
		for _, c := range codes {
			answers = append(answers, fmt.Sprintf("%d × %d", s.byStatus[c], c))
		}
		if s.failed > 0 {
			answers = append(answers, fmt.Sprintf("%d without an answer", s.failed))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", m.kind, len(s.lat), ms(s.lat.quantile(0.5)), ms(s.lat.quantile(0.99)), ms(s.lat.quantile(1)), strings.Join(answers, ", "))
	}
	fmt.Fprintf(&b, "\n%d requests (%.0f/s), **%d answered 5xx**.\n\n", requests, float64(requests)/elapsed.Seconds(), fivexx)

	fmt.Fprintf(&b, "Acknowledged writes read back at the end: %d created contacts, %d of them updated at least once (each must have its last acknowledged version and job title), %d imports (each must have its %d contacts): **%d lost**", v.contacts, v.updated, v.imports, soakImportRows, v.lost)
	if v.errors > 0 {
		fmt.Fprintf(&b, ", %d checks that could not be made", v.errors)
	}
	b.WriteString(".\n")
	for _, e := range v.examples {
		fmt.Fprintf(&b, "- %s\n", e)
	}

	b.WriteString("\nThe server's memory, one sample a minute (resident memory from /proc, Go heap in use and goroutines from /metrics):\n\n")
	b.WriteString("| Minute | RSS MB | Go heap MB | Goroutines |\n|--:|--:|--:|--:|\n")
	next := time.Duration(0)
	for i, s := range mem {
		if s.at >= next || i == len(mem)-1 {
			fmt.Fprintf(&b, "| %.1f | %.0f | %.0f | %d |\n", s.at.Minutes(), kbToMB(s.rssKB), s.heapMB, s.routines)
			next = s.at.Truncate(time.Minute) + time.Minute
		}
	}
	slope, growth, n := trend(mem, cfg.warmup, func(s memSample) float64 { return kbToMB(s.rssKB) })
	hslope, hgrowth, _ := trend(mem, cfg.warmup, func(s memSample) float64 { return s.heapMB })
	var peak int64
	for _, s := range mem {
		peak = max(peak, s.rssKB)
	}
	verdict := "flat"
	// A leak grows steadily; a warm server's RSS moves within a few MB as
	// the Go heap and SQLite's caches breathe.
	if growth > 10 {
		verdict = "**growing**"
	}
	fmt.Fprintf(&b, "\nAfter the %s warm-up (%d samples, every %s): RSS trend %+.2f MB/min (%+.1f MB over the window) — %s; Go heap trend %+.2f MB/min (%+.1f MB); peak RSS %.0f MB. \"Flat\" means the fitted growth after warm-up is under 10 MB.\n",
		cfg.warmup, n, cfg.sample, slope, growth, verdict, hslope, hgrowth, kbToMB(peak))
	return b.String()
}
