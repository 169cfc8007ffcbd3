// Package storetest gives tests a fresh, migrated Relasi database on each
// engine. SQLite always runs; PostgreSQL runs against
// RELASI_TEST_POSTGRES_URL, defaulting to the local server, and a test FAILS
// (never skips) when that server cannot be reached — a suite that quietly
// skipped half its storage tests would prove nothing. Set
// RELASI_TEST_POSTGRES_URL=off to run SQLite only on a machine without
// PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema setup

	"github.com/relasi/relasi/internal/store"
)

// DefaultPostgresURL is the local server every development machine and CI
// runner of Relasi has.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the server URL for PostgreSQL tests, or "" when they
// are switched off.
func PostgresURL() string {
	u := os.Getenv("RELASI_TEST_POSTGRES_URL")
	switch u {
	case "":
		return DefaultPostgresURL
	case "off":
		return ""
	}
	return u
}

// Engines lists the engines tests run on.
func Engines() []store.Engine {
	if PostgresURL() == "" {
		return []store.Engine{store.SQLite}
	}
	return []store.Engine{store.SQLite, store.Postgres}
}

// Each runs fn as a subtest on every engine with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database on engine, removed when t ends.
func Open(tb testing.TB, engine store.Engine) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), DSN(tb, engine))
	if err != nil {
		tb.Fatalf("open %s test database: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), tb.TempDir()); err != nil {
		tb.Fatalf("migrate %s test database: %v", engine, err)
	}
	return db
}

// DSN returns a connection string for a new, empty database on engine: a
// SQLite file in a temp dir, or a PostgreSQL URL whose search_path is a new
// schema dropped when tb ends. Tests that start relasi processes pass it as
// RELASI_DB.
func DSN(tb testing.TB, engine store.Engine) string {
	tb.Helper()
	if engine == store.SQLite {
		return filepath.Join(tb.TempDir(), "relasi.db")
	}
	base := PostgresURL()
	if base == "" {
		tb.Fatal("PostgreSQL tests are switched off (RELASI_TEST_POSTGRES_URL=off)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("PostgreSQL test server %s: %v", base, err)
	}
	defer admin.Close()
	if err := admin.Ping(); err != nil {
		tb.Fatalf("PostgreSQL test server %s is not reachable: %v\n"+
			"start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "+
			"or set RELASI_TEST_POSTGRES_URL=off to test SQLite only", base, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		cleanup, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer cleanup.Close()
		cleanup.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Explain returns the plan of a query, one line a step: the details of
// EXPLAIN QUERY PLAN on SQLite ("SEARCH contact_emails USING COVERING INDEX
// contact_emails_email (email>? AND email<?)"), EXPLAIN on PostgreSQL. On
// PostgreSQL it plans with sequential scans disabled (in a transaction
// rolled back), so that a test database's few rows, which a scan reads
// cheapest, still show the index a condition can use; a condition no index
// serves keeps its Seq Scan.
func Explain(ctx context.Context, db *store.DB, query string, args ...any) (string, error) {
	tx, err := db.Read().BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	explain := "EXPLAIN QUERY PLAN "
	if db.Engine == store.Postgres {
		explain = "EXPLAIN "
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return "", err
		}
	}
	rows, err := tx.QueryContext(ctx, explain+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: QUERY PLAN.
		line := vals[len(vals)-1]
		if b, ok := line.([]byte); ok {
			line = string(b)
		}
		lines = append(lines, fmt.Sprint(line))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}
