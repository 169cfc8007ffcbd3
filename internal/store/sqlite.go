package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
)

// sqlitePragmas are applied on every new connection. WAL lets readers run
// beside the writer; busy_timeout makes a connection wait for a lock instead
// of failing at once (River and backups hold their own connections);
// synchronous=NORMAL is durable under WAL except for the last transactions
// before a power loss, which is SQLite's recommended setting for WAL.
// Each connection caches 8 MB of pages (the operating system caches the
// file as well): at 32 MB, the writer and the readers held 470 MB under
// load at a million contacts for no gain in throughput; large sorts spill
// to temporary files rather than grow the process.
var sqlitePragmas = []string{
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"busy_timeout(10000)",
	"synchronous(NORMAL)",
	"cache_size(-8000)",
}

// SQLiteDSN builds a modernc.org/sqlite DSN for path. Exported because River
// opens its own pool on the same file.
func SQLiteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	// Timestamps are written in SQLite's own format so they sort as text.
	q.Set("_time_format", "sqlite")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// BEGIN IMMEDIATE takes the write lock at the start of a transaction,
		// so a transaction that reads then writes never deadlocks on upgrade.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: create directory: %w", err)
		}
	}
	write := sql.OpenDB(cachingConnector{dsn: SQLiteDSN(path, false), drv: &sqlite.Driver{}})
	// One writer: SQLite allows one write transaction at a time, so queue
	// writers on one connection rather than let them collide.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read := sql.OpenDB(cachingConnector{dsn: SQLiteDSN(path, true), drv: &sqlite.Driver{}})
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, Path: path, read: read, write: write}, nil
}
