package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // opens the backup like any SQLite tool would

	"github.com/relasi/relasi/internal/store"
)

// relasi backup copies a SQLite database that a running relasi is writing
// to, and the copy is a sound database holding what was committed.
func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	in := newInstallation(t, store.SQLite)
	in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
	token := strings.TrimSpace(in.mustRun(t, "token", "create", "--email", "ayu@example.co.id"))
	srv := in.serve(t)

	// Create users through the API until the backup is done.
	var (
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		created atomic.Int64
		failMu  sync.Mutex
		failure string
	)
	failed := func() string {
		failMu.Lock()
		defer failMu.Unlock()
		return failure
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf(`{"email":"sales%d@example.co.id","name":"Sales %d","password":"rahasia-123","role":"sales"}`, i, i)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				failMu.Lock()
				failure = err.Error()
				failMu.Unlock()
				return
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failMu.Lock()
				failure = fmt.Sprintf("POST /api/v1/users: status %d: %s", resp.StatusCode, msg)
				failMu.Unlock()
				return
			}
			created.Add(1)
		}
	}()
	stopWriting := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopWriting)

	deadline := time.Now().Add(10 * time.Second)
	for created.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the API created %d users in 10s; failure: %s", created.Load(), failed())
		}
		time.Sleep(20 * time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "relasi-backup.db")
	r := in.run(t, "", "backup", backup)
	during := created.Load()
	stopWriting()
	if f := failed(); f != "" {
		t.Errorf("writing during the backup failed: %s", f)
	}
	if r.code != 0 || !strings.Contains(r.stdout, "Backed up") {
		t.Fatalf("backup while serving:\n%s", r)
	}
	t.Logf("%d users created through the API by the end of the backup, %d in all", during, created.Load())

	db, err := sql.Open("sqlite", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("PRAGMA integrity_check on the backup = %q, %v; want ok", check, err)
	}
	var admin string
	if err := db.QueryRow("SELECT email FROM users WHERE role = 'admin'").Scan(&admin); err != nil || admin != "ayu@example.co.id" {
		t.Errorf("admin in the backup = %q, %v; want ayu@example.co.id", admin, err)
	}
	var users int64
	if err := db.QueryRow("SELECT count(*) FROM users").Scan(&users); err != nil {
		t.Errorf("count users in the backup: %v", err)
	}
	if users < 1+3 || users > 1+created.Load() {
		t.Errorf("the backup holds %d users; want between %d (created before it started) and %d (created in all)", users, 1+3, 1+created.Load())
	}
	if _, err := os.Stat(backup + ".partial"); err == nil {
		t.Errorf("backup left %s.partial behind", backup)
	}

	// The live database is as usable after the backup as before.
	if resp, body := get(t, srv.URL+"/api/v1/me", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/v1/me after the backup: status %d, body %s", resp.StatusCode, body)
	}

	// A backup never overwrites a file.
	existing := filepath.Join(t.TempDir(), "precious.db")
	const content = "not a database, but someone's file"
	if err := os.WriteFile(existing, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r = in.run(t, "", "backup", existing)
	if r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup to an existing file: want a non-zero exit saying it already exists\n%s", r)
	}
	if got, err := os.ReadFile(existing); err != nil || !bytes.Equal(got, []byte(content)) {
		t.Errorf("backup to an existing file changed it: %q, %v", got, err)
	}

	srv.stop(t)
}

// Without a database there is nothing to back up, and no empty one is
// created by trying.
func TestBackupWithoutDatabase(t *testing.T) {
	t.Parallel()
	in := newInstallation(t, store.SQLite)
	target := filepath.Join(t.TempDir(), "backup.db")
	r := in.run(t, "", "backup", target)
	if r.code == 0 || !strings.Contains(r.stderr, "no database") {
		t.Errorf("backup without a database: want a non-zero exit saying there is none\n%s", r)
	}
	for _, p := range []string{target, in.dsn} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("backup without a database created %s", p)
		}
	}
	r = in.run(t, "", "backup")
	if r.code != 2 || !strings.Contains(r.stderr, "name the backup file") {
		t.Errorf("backup without FILE: want exit 2 asking for the file\n%s", r)
	}
}

// On PostgreSQL, relasi backup points to pg_dump and writes nothing.
func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	t.Parallel()
	in := newInstallation(t, store.Postgres)
	in.mustRun(t, "migrate")
	r := in.run(t, "", "backup", "x.db")
	if r.code != 2 || !strings.Contains(r.stderr, "pg_dump") {
		t.Errorf("backup on PostgreSQL: want exit 2 naming pg_dump\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(in.dir, "x.db")); err == nil {
		t.Errorf("backup on PostgreSQL created x.db")
	}
}
