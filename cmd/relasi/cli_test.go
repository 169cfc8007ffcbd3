package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// anyFailure stands for "some non-zero exit status" in the tables below.
const anyFailure = -1

// Every mistake on the command line gets a message that says what is wrong,
// and leaves the users as they were.
func TestWrongInputIsExplainedAndChangesNothing(t *testing.T) {
	const pw = "rahasia-123"
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int      // exit status, or anyFailure
		want  []string // each must appear on standard error
	}{
		{"unknown command", []string{"frobnicate"}, "", 2, []string{`unknown command "frobnicate"`, "Usage: relasi <command>"}},
		{"unknown user subcommand", []string{"user", "delete"}, "", 2, []string{`"delete"`}},
		{"user create without a subcommand", []string{"user"}, "", 2, []string{"create"}},
		{"user create without --role", []string{"user", "create", "--email", "budi@example.co.id", "--password", pw}, "", 2, []string{"--role", "required"}},
		{"user create without --email", []string{"user", "create", "--role", "sales", "--password", pw}, "", 2, []string{"--email", "required"}},
		{"user create with an unknown role", []string{"user", "create", "--email", "budi@example.co.id", "--password", pw, "--role", "boss"}, "", 1, []string{"--role", "admin, manager, sales"}},
		{"user create with a taken e-mail in another case", []string{"user", "create", "--email", "AYU@Example.CO.ID", "--password", pw, "--role", "sales"}, "", anyFailure, []string{"already used"}},
		{"user create with a short password", []string{"user", "create", "--email", "budi@example.co.id", "--password", "pendek", "--role", "sales"}, "", anyFailure, []string{"--password", "at least 8"}},
		{"user create with a bad e-mail", []string{"user", "create", "--email", "budi-at-example", "--password", pw, "--role", "sales"}, "", anyFailure, []string{"--email", "not a valid e-mail"}},
		{"user create with a bad time zone", []string{"user", "create", "--email", "budi@example.co.id", "--password", pw, "--role", "sales", "--time-zone", "Mars/Olympus"}, "", anyFailure, []string{"--time-zone"}},
		{"user create with nothing on stdin", []string{"user", "create", "--email", "budi@example.co.id", "--role", "sales"}, "", 2, []string{"no password", "--password"}},
		{"user create with a stray argument", []string{"user", "create", "--email", "budi@example.co.id", "--role", "sales", "--password", pw, "extra"}, "", 2, []string{`unexpected argument "extra"`}},
		{"user create with a common password", []string{"user", "create", "--email", "budi@example.co.id", "--password", "12345678", "--role", "sales"}, "", anyFailure, []string{"--password", "most common"}},
		{"user create with a blank password", []string{"user", "create", "--email", "budi@example.co.id", "--role", "sales"}, "        \n", anyFailure, []string{"--password", "blank"}},
		{"user passwd to a common password", []string{"user", "passwd", "--email", "ayu@example.co.id", "--password", "password"}, "", anyFailure, []string{"--password", "most common"}},
		{"user reset-2fa for an unknown e-mail", []string{"user", "reset-2fa", "--email", "nobody@example.co.id"}, "", anyFailure, []string{"no user", "nobody@example.co.id"}},
		{"user reset-2fa without --email", []string{"user", "reset-2fa"}, "", 2, []string{"--email", "required"}},
		{"trusted proxy that is no CIDR", []string{"serve", "--trusted-proxies", "10.0.0.0/33"}, "", 2, []string{"10.0.0.0/33", "CIDR"}},
		{"user passwd for an unknown e-mail", []string{"user", "passwd", "--email", "nobody@example.co.id", "--password", pw}, "", anyFailure, []string{"no user", "nobody@example.co.id"}},
		{"token create for an unknown e-mail", []string{"token", "create", "--email", "nobody@example.co.id"}, "", anyFailure, []string{"no user", "nobody@example.co.id"}},
		{"token create without --email", []string{"token", "create"}, "", 2, []string{"--email", "required"}},
		{"token create with a negative lifetime", []string{"token", "create", "--email", "ayu@example.co.id", "--expires-in", "-1h"}, "", 2, []string{"--expires-in"}},
		{"unknown token subcommand", []string{"token", "revoke"}, "", 2, []string{`"revoke"`}},
		{"unknown flag", []string{"user", "list", "--nope"}, "", 2, []string{"nope", "--help"}},
		{"unknown flag on serve", []string{"serve", "--nope"}, "", 2, []string{"nope"}},
		{"log format xml", []string{"user", "list", "--log-format", "xml"}, "", 2, []string{"xml", "text or json"}},
		{"log format xml on serve", []string{"serve", "--log-format", "xml"}, "", 2, []string{"xml", "text or json"}},
		{"base URL without a scheme", []string{"serve", "--base-url", "crm.example.co.id"}, "", 2, []string{"base URL", "http"}},
		{"database URL of another kind", []string{"user", "list", "--db", "mysql://localhost/relasi"}, "", 2, []string{"mysql://", "postgres://"}},
		{"migrate with a stray argument", []string{"migrate", "now"}, "", 2, []string{`unexpected argument "now"`}},
		{"version with a stray argument", []string{"version", "now"}, "", 2, []string{`unexpected argument "now"`}},
	}
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			// serve must not start even if a case wrongly let it through.
			in := newInstallation(t, engine).with("RELASI_ADDR=" + freeAddr(t))
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", pw, "--role", "admin")
			users := in.mustRun(t, "user", "list")
			if n := strings.Count(users, "@example.co.id"); n != 1 {
				t.Fatalf("user list shows %d users, want 1:\n%s", n, users)
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r := in.run(t, tt.stdin, tt.args...)
					if tt.code == anyFailure && r.code == 0 || tt.code != anyFailure && r.code != tt.code {
						t.Errorf("want exit status %s\n%s", statusName(tt.code), r)
					}
					for _, w := range tt.want {
						if !strings.Contains(r.stderr, w) {
							t.Errorf("standard error does not mention %q\n%s", w, r)
						}
					}
					if r.stdout != "" {
						t.Errorf("a failed command printed on standard output\n%s", r)
					}
					if after := in.mustRun(t, "user", "list"); after != users {
						t.Errorf("the users changed:\nbefore:\n%s\nafter:\n%s", users, after)
					}
				})
			}
		})
	}
}

func statusName(code int) string {
	if code == anyFailure {
		return "non-zero"
	}
	return strconv.Itoa(code)
}

// Every command explains itself with --help, exits 0 and touches no
// database.
func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: relasi <command>", "serve", "migrate", "user", "token", "backup", "version"}},
		{[]string{"help"}, []string{"Usage: relasi <command>", "serve"}},
		{[]string{"serve", "--help"}, []string{"Usage: relasi serve", "-addr", "RELASI_ADDR", "-base-url", "RELASI_BASE_URL", "-trusted-proxies", "RELASI_TRUSTED_PROXIES", "-data-dir", "-db", "-log-format"}},
		{[]string{"serve", "-h"}, []string{"Usage: relasi serve", "RELASI_ADDR"}},
		{[]string{"help", "serve"}, []string{"Usage: relasi serve", "RELASI_ADDR"}},
		{[]string{"migrate", "--help"}, []string{"Usage: relasi migrate", "-data-dir", "-db", "RELASI_DB"}},
		{[]string{"user", "--help"}, []string{"Usage: relasi user", "create", "list", "passwd", "reset-2fa"}},
		{[]string{"user", "reset-2fa", "--help"}, []string{"Usage: relasi user reset-2fa", "-email", "-db"}},
		{[]string{"user", "create", "--help"}, []string{"Usage: relasi user create", "-email", "-role", "-password", "-name", "-locale", "-time-zone", "-db"}},
		{[]string{"user", "list", "--help"}, []string{"Usage: relasi user list", "-db"}},
		{[]string{"user", "passwd", "--help"}, []string{"Usage: relasi user passwd", "-email", "-password"}},
		{[]string{"token", "--help"}, []string{"Usage: relasi token", "create"}},
		{[]string{"token", "create", "--help"}, []string{"Usage: relasi token create", "-email", "-name", "-expires-in", "Bearer"}},
		{[]string{"backup", "--help"}, []string{"Usage: relasi backup", "FILE", "pg_dump", "-data-dir", "-db"}},
		{[]string{"version", "--help"}, []string{"Usage: relasi version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			in := &installation{dir: t.TempDir()}
			r := in.run(t, "", tt.args...)
			if r.code != 0 {
				t.Errorf("want exit 0\n%s", r)
			}
			// Help goes to standard output, so it can be paged.
			out := r.stdout
			for _, w := range tt.want {
				if !strings.Contains(out, "--"+strings.TrimPrefix(w, "-")) && !strings.Contains(out, w) {
					t.Errorf("help does not mention %q\n%s", w, r)
				}
			}
			if entries, _ := os.ReadDir(in.dir); len(entries) != 0 {
				t.Errorf("--help created %s in the working directory", entries[0].Name())
			}
		})
	}

	// RELASI_DB may hold a password; help shows the flag's default without it.
	t.Run("database password stays secret", func(t *testing.T) {
		t.Parallel()
		in := (&installation{dir: t.TempDir()}).with("RELASI_DB=postgres://relasi:S3cretPw@db.internal/relasi")
		for _, args := range [][]string{{"serve", "--help"}, {"user", "list", "--nope"}, {"backup", "--help"}} {
			r := in.run(t, "", args...)
			if strings.Contains(r.stdout+r.stderr, "S3cretPw") {
				t.Errorf("the database password appears in the output\n%s", r)
			}
		}
	})

	t.Run("no arguments", func(t *testing.T) {
		t.Parallel()
		r := (&installation{dir: t.TempDir()}).run(t, "")
		if r.code != 2 || !strings.Contains(r.stdout, "Usage: relasi <command>") {
			t.Errorf("relasi without arguments: want the usage and exit 2\n%s", r)
		}
	})
}

// migrate creates the schema of a new database, then finds nothing to do.
func TestMigrate(t *testing.T) {
	t.Run("sqlite data dir", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		in := &installation{engine: store.SQLite, dir: dir, env: []string{"RELASI_DATA_DIR=" + filepath.Join(dir, "data")}}
		checkMigrate(t, in)
		if _, err := os.Stat(filepath.Join(dir, "data", "relasi.db")); err != nil {
			t.Errorf("migrate did not create the database in RELASI_DATA_DIR: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "backups")); err == nil {
			t.Errorf("migrate backed up a database that was new")
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		checkMigrate(t, newInstallation(t, store.Postgres))
	})
}

var migratedRE = regexp.MustCompile(`^Migrated the database from schema version 0 to (\d+)\.\n$`)

func checkMigrate(t *testing.T, in *installation) {
	t.Helper()
	out := in.mustRun(t, "migrate")
	m := migratedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("first migrate printed %q; want %q", out, "Migrated the database from schema version 0 to N.")
	}
	want := "Database is up to date (schema version " + m[1] + ").\n"
	if out := in.mustRun(t, "migrate"); out != want {
		t.Errorf("second migrate printed %q; want %q", out, want)
	}
	// A migrated database is one the other commands use as it is.
	in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
	if out := in.mustRun(t, "migrate"); out != want {
		t.Errorf("migrate after user create printed %q; want %q", out, want)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	in := &installation{dir: t.TempDir()}
	if out := in.mustRun(t, "version"); out != "relasi dev\n" {
		t.Errorf("relasi version printed %q; want %q", out, "relasi dev\n")
	}
}
