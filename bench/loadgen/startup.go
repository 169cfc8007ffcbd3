package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measureStartup starts the server command runs times and measures, for
// each start, the time from exec to the first 200 on /healthz (polled
// every 2 ms: a shell's timing is too coarse for this) and the resident
// memory a second after. It prints key=value lines for bench/api.sh.
func measureStartup(ctx context.Context, base string, runs int, serverLog string, command []string) error {
	if len(command) == 0 {
		return fmt.Errorf("-startup needs the server command after the flags, e.g. -- relasi serve --addr 127.0.0.1:18090")
	}
	if runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	health := strings.TrimRight(base, "/") + "/healthz"
	// A fresh connection per poll: the server being started is a new
	// process each run, and a refused connection answers at once.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	if ok, _ := healthy(ctx, client, health); ok {
		return fmt.Errorf("something already answers at %s: stop it first", health)
	}
	var log io.Writer = io.Discard
	if serverLog != "" {
		f, err := os.OpenFile(serverLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("server log: %w", err)
		}
		defer f.Close()
		log = f
	}
	var took []time.Duration
	var rss []int64
	for run := 1; run <= runs; run++ {
		d, kb, err := startOnce(ctx, client, health, command, log)
		if err != nil {
			return fmt.Errorf("start %d: %w", run, err)
		}
		fmt.Fprintf(os.Stderr, "loadgen: start %d: ready in %s ms, %.0f MB resident a second later\n", run, ms(d), float64(kb)*1024/1e6)
		took = append(took, d)
		rss = append(rss, kb)
	}
	all := make([]string, len(took))
	for i, d := range took {
		all[i] = ms(d)
	}
	slices.Sort(took)
	slices.Sort(rss)
	fmt.Printf("startup_runs=%d\nstartup_ms=%s\nstartup_median_ms=%s\nstartup_max_ms=%s\nidle_rss_kb=%d\n",
		runs, strings.Join(all, ","), ms(took[len(took)/2]), ms(took[len(took)-1]), rss[len(rss)/2])
	return nil
}

// startOnce starts the server, waits for its first healthy answer, reads
// its resident memory a second later and stops it.
func startOnce(ctx context.Context, client *http.Client, health string, command []string, log io.Writer) (time.Duration, int64, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	deadline := start.Add(2 * time.Minute)
	for {
		if ok, _ := healthy(ctx, client, health); ok {
			break
		}
		select {
		case err := <-exited:
			return 0, 0, fmt.Errorf("the server exited before answering: %v", err)
		case <-ctx.Done():
			stop()
			return 0, 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return 0, 0, fmt.Errorf("no 200 from %s within 2 minutes", health)
		}
	}
	took := time.Since(start)
	time.Sleep(time.Second)
	kb, err := procStatus(cmd.Process.Pid, "VmRSS")
	stop()
	return took, kb, err
}

func healthy(ctx context.Context, client *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == 200, nil
}

// procStatus reads a kB figure (VmRSS, VmHWM) from /proc/PID/status.
func procStatus(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", key, pid)
}
