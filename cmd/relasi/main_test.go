package main

// The tests in this package build the relasi binary once and run it as a
// user would: as a separate process, in a directory of its own, with a clean
// environment holding only RELASI_* variables, on a fresh database of each
// engine.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// relasiBin is the binary TestMain builds.
var relasiBin string

// Time limits for the processes the tests start.
const (
	commandTimeout = 60 * time.Second // one CLI command
	startTimeout   = 30 * time.Second // serve until /healthz answers 200
	stopTimeout    = 10 * time.Second // serve after SIGTERM until it exits
)

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "relasi-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make temp dir for the binary:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	relasiBin = filepath.Join(dir, "relasi")
	build := exec.Command("go", "build", "-o", relasiBin, "github.com/relasi/relasi/cmd/relasi")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build relasi: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// installation is one relasi set-up: a working directory of its own (so the
// default ./relasi-data never lands in the source tree) and the RELASI_*
// variables that point at a fresh database.
type installation struct {
	engine store.Engine
	dsn    string // RELASI_DB
	dir    string
	env    []string
}

// newInstallation returns an installation on a fresh database of engine.
func newInstallation(t *testing.T, engine store.Engine) *installation {
	t.Helper()
	dir := t.TempDir()
	dsn := storetest.DSN(t, engine)
	return &installation{
		engine: engine,
		dsn:    dsn,
		dir:    dir,
		env:    []string{"RELASI_DATA_DIR=" + filepath.Join(dir, "data"), "RELASI_DB=" + dsn},
	}
}

// result is what a finished command left behind.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("relasi %s: exit %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs relasi with args, stdin as standard input (none when empty),
// and returns how it ended.
func (in *installation) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, relasiBin, args...)
	cmd.Dir = in.dir
	cmd.Env = append([]string{}, in.env...) // never nil: nil would pass on the test's own environment
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("relasi %s did not finish within %s\n%s", strings.Join(args, " "), commandTimeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run relasi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustRun runs relasi and fails the test unless it exits 0; it returns
// standard output.
func (in *installation) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := in.run(t, "", args...)
	if r.code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	return r.stdout
}

// with returns a copy of the installation with more environment variables.
func (in *installation) with(vars ...string) *installation {
	c := *in
	c.env = append(append([]string(nil), in.env...), vars...)
	return &c
}

// syncBuffer collects a running process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running `relasi serve`.
type server struct {
	URL    string // http://127.0.0.1:<port>
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // from Wait, valid once done is closed
}

// serve starts `relasi serve` on a free port and waits until /healthz
// answers 200. The process is killed when the test ends, and its log is
// printed if the test failed.
func (in *installation) serve(t *testing.T) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{URL: "http://" + addr, stderr: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(relasiBin, "serve")
	s.cmd.Dir = in.dir
	s.cmd.Env = append(append([]string{}, in.env...), "RELASI_ADDR="+addr)
	s.cmd.Stdout = s.stderr
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start relasi serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("log of relasi serve on %s (%s):\n%s", addr, in.engine, s.stderr)
		}
	})

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("relasi serve exited before it was healthy: %v", s.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("relasi serve did not answer /healthz with 200 within %s (last error: %v)", startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and checks that the server shuts down gracefully:
// exit status 0 within stopTimeout, with "stopped cleanly" in its log.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		t.Fatalf("relasi serve did not exit within %s of SIGTERM", stopTimeout)
	}
	if s.err != nil {
		t.Errorf("relasi serve after SIGTERM: want exit 0, got %v", s.err)
	}
	if !strings.Contains(s.stderr.String(), "stopped cleanly") {
		t.Errorf("relasi serve's log does not say it stopped cleanly")
	}
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
