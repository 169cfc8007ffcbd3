// Command loadgen puts a running Relasi server under API load, the way a
// sales team's integrations and browsers would: many clients at once, each
// request after the previous answer. Each scenario (get, list, search,
// create, move, timeline) runs alone for the whole duration with every
// client, and its latencies are reported as a Markdown table with the
// targets of issue 5.
//
// It speaks only HTTP: the IDs, names and deals it uses are discovered
// through the API at start.
//
//	go run ./bench/loadgen -base http://127.0.0.1:18090 -token rls_… -clients 32 -duration 30s
//
// With -soak it runs every kind of request at once for the duration —
// reads, creates, updates, imports, exports — samples the server's memory,
// and at the end reads back every write the server acknowledged:
//
//	go run ./bench/loadgen -soak -pid 1234 -base http://127.0.0.1:18090 -token rls_… -duration 10m
//
// With -startup it instead measures how long `relasi serve` takes to answer
// its first /healthz, starting the command given after the flags:
//
//	go run ./bench/loadgen -startup -runs 5 -base http://127.0.0.1:18090 -- relasi serve --addr 127.0.0.1:18090
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the server's URL")
	token := flag.String("token", os.Getenv("RELASI_TOKEN"), "API token, sent as Authorization: Bearer (env RELASI_TOKEN)")
	clients := flag.Int("clients", 32, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "how long each scenario runs")
	warmup := flag.Duration("warmup", 2*time.Second, "untimed load before each scenario, to warm caches and connections")
	only := flag.String("scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run")
	out := flag.String("out", "", "also write the Markdown report to this file")
	startup := flag.Bool("startup", false, "measure the start-up of the command given after the flags instead")
	runs := flag.Int("runs", 5, "with -startup: how many starts")
	serverLog := flag.String("server-log", "", "with -startup: append the server's output to this file")
	soak := flag.Bool("soak", false, "run the mixed soak for -duration instead of one scenario after another")
	pid := flag.Int("pid", 0, "with -soak: the server's process ID, whose memory is sampled")
	sample := flag.Duration("sample", 10*time.Second, "with -soak: how often the server's memory is sampled")
	soakWarmup := flag.Duration("soak-warmup", 2*time.Minute, "with -soak: memory samples before this do not count for the trend")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *startup:
		err = measureStartup(ctx, *base, *runs, *serverLog, flag.Args())
	case *soak:
		err = runSoak(ctx, soakConfig{base: strings.TrimRight(*base, "/"), token: *token, clients: *clients, duration: *duration,
			warmup: *soakWarmup, sample: *sample, pid: *pid, out: *out})
	default:
		err = runLoad(ctx, loadConfig{base: strings.TrimRight(*base, "/"), token: *token, clients: *clients,
			duration: *duration, warmup: *warmup, scenarios: *only, out: *out})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type loadConfig struct {
	base, token      string
	clients          int
	duration, warmup time.Duration
	scenarios, out   string
}

func runLoad(ctx context.Context, cfg loadConfig) error {
	if cfg.token == "" {
		return fmt.Errorf("-token is required (create one with `relasi token create --email …`)")
	}
	if cfg.clients < 1 || cfg.duration <= 0 {
		return fmt.Errorf("-clients must be at least 1 and -duration positive")
	}
	var chosen []string
	for _, name := range strings.Split(cfg.scenarios, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, ok := scenarioTargets[name]; !ok {
			return fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
		chosen = append(chosen, name)
	}
	client := newAPI(cfg.base, cfg.token, cfg.clients)
	fmt.Fprintf(os.Stderr, "loadgen: discovering data at %s\n", cfg.base)
	data, err := discover(ctx, client, cfg.clients)
	if err != nil {
		return fmt.Errorf("discover: %w", err)
	}
	fmt.Fprintf(os.Stderr, "loadgen: contacts %d…%d, %d first names, %d phone prefixes, %d accounts, %d open deals in %d pipelines\n",
		data.contactMin, data.contactMax, len(data.firstNames), len(data.phonePrefixes), len(data.accountIDs), len(data.deals), len(data.openStages))

	var results []result
	for _, name := range chosen {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(os.Stderr, "loadgen: %s — %d clients, %s (warm-up %s)\n", name, cfg.clients, cfg.duration, cfg.warmup)
		r := runScenario(ctx, client, data, name, cfg.clients, cfg.warmup, cfg.duration)
		fmt.Fprintf(os.Stderr, "loadgen: %s — %d requests, %.0f/s, p99 %s ms, %d errors\n", name, r.requests(), r.rate(), ms(r.all.quantile(0.99)), r.errors)
		results = append(results, r)
	}
	report := markdown(results, cfg, data)
	fmt.Print(report)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	return ctx.Err()
}

// api is the one HTTP client every load client shares, as a connection
// pool would in a real integration.
type api struct {
	base, token string
	http        *http.Client
}

func newAPI(base, token string, clients int) *api {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &api{base: base, token: token, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// do sends one request and reads the whole answer (so the connection is
// reused). A transport error comes back as err; any status as status.
func (a *api) do(ctx context.Context, method, path string, body []byte, header http.Header) (status int, respBody []byte, respHeader http.Header, err error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	respBody, err = io.ReadAll(resp.Body)
	return resp.StatusCode, respBody, resp.Header, err
}
