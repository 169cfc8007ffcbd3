// Command perfdoc writes one measurement's results into docs/performance.md.
// Each bench command pipes its Markdown (a table and notes) into it; perfdoc
// replaces that measurement's section, between the markers
//
//	<!-- bench:NAME -->  …  <!-- /bench:NAME -->
//
// (appending the section when the document lacks it), and heads it with
// what the figures depend on: the machine, the Go version, the engine and
// the commit. Everything else in the document is left as it is.
//
//	go run ./bench/perfdoc -name api-sqlite -title "API under load — SQLite" -engine sqlite < table.md
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	name := flag.String("name", "", "the section's marker name, e.g. api-sqlite")
	title := flag.String("title", "", "the section's heading")
	engine := flag.String("engine", "", "the database engine measured (sqlite, postgres), if any")
	doc := flag.String("doc", "docs/performance.md", "the document to update")
	flag.Parse()
	if *name == "" || *title == "" {
		fmt.Fprintln(os.Stderr, "perfdoc: -name and -title are required")
		os.Exit(2)
	}
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	section := render(*name, *title, *engine, strings.TrimSpace(string(body)))
	if err := update(*doc, *name, section); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "perfdoc: %s updated (%s)\n", *doc, *name)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "perfdoc:", err)
	os.Exit(1)
}

// render is the section with its provenance line.
func render(name, title, engine, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- bench:%s -->\n### %s\n\n", name, title)
	fmt.Fprintf(&b, "_Measured %s on %s; %s", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine(), runtime.Version())
	if engine != "" {
		fmt.Fprintf(&b, "; %s", engineVersion(engine))
	}
	fmt.Fprintf(&b, "; commit %s._\n\n%s\n<!-- /bench:%s -->", commit(), body, name)
	return b.String()
}

// update replaces the named section of the document, or appends it.
func update(path, name, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	start, end := fmt.Sprintf("<!-- bench:%s -->", name), fmt.Sprintf("<!-- /bench:%s -->", name)
	var out []byte
	i, j := bytes.Index(old, []byte(start)), bytes.Index(old, []byte(end))
	if i >= 0 && j > i {
		out = append(append(append([]byte{}, old[:i]...), section...), old[j+len(end):]...)
	} else {
		out = append(bytes.TrimRight(old, "\n"), []byte("\n\n"+section+"\n")...)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// machine describes the CPU, its cores and the memory.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %d GiB RAM", (kb+1<<19)>>20)
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load average " + strings.Fields(string(b))[0] + " at the end"
	}
	return fmt.Sprintf("%s, %d cores%s (%s/%s%s)", cpu, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, load)
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	// The document itself changes with every section written; only other
	// changes make the figures belong to something not committed.
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/performance.md").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

// engineVersion names the engine with its server's version where it can.
func engineVersion(engine string) string {
	switch engine {
	case "postgres":
		url := os.Getenv("RELASI_DB")
		if url == "" {
			url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		}
		if out, err := exec.Command("psql", url, "-Atc", "SHOW server_version").Output(); err == nil {
			return "PostgreSQL " + strings.Fields(string(out))[0]
		}
		return "PostgreSQL"
	case "sqlite":
		return "SQLite (modernc.org/sqlite " + moduleVersion("modernc.org/sqlite") + ")"
	}
	return engine
}

func moduleVersion(path string) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", path).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
