package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupUnsupported is returned by Backup on PostgreSQL, whose own tools
// (pg_dump, base backups) do the job better.
var ErrBackupUnsupported = errors.New("backup: this database is PostgreSQL; use pg_dump (e.g. pg_dump -Fc -f relasi.dump \"$RELASI_DB\")")

// Backup writes a consistent copy of the SQLite database to path while the
// database stays in use. VACUUM INTO reads one snapshot, so concurrent writes
// neither block the copy nor leak half into it. The copy is written beside
// path and renamed into place, so path is either absent or complete.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Engine != SQLite {
		return ErrBackupUnsupported
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := path + ".partial"
	os.Remove(tmp)
	// A connection of its own: the read pool is query_only, and the write
	// pool's single connection must stay free for writers during the copy.
	conn, err := sql.Open("sqlite", SQLiteDSN(db.Path, true))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "VACUUM INTO $1", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// A hard link, unlike a rename, fails when path appeared meanwhile, so an
	// existing file is never replaced.
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
