package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLockID is the PostgreSQL advisory lock that serialises migrations
// when several relasi processes start at once against one database.
const migrationLockID = 7_274_633_501

// MigrationStatus describes where the schema stands.
type MigrationStatus struct {
	Current int64 // version applied now (0 for an empty database)
	Latest  int64 // version this binary brings
}

// Pending reports whether migrations are waiting to be applied.
func (s MigrationStatus) Pending() bool { return s.Current < s.Latest }

func (db *DB) provider() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if db.Engine == Postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", db.Engine, err)
	}
	p, err := goose.NewProvider(dialect, db.write, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", db.Engine, err)
	}
	return p, nil
}

// MigrationStatus reports the applied and latest schema versions.
func (db *DB) MigrationStatus(ctx context.Context) (MigrationStatus, error) {
	p, err := db.provider()
	if err != nil {
		return MigrationStatus{}, err
	}
	return db.migrationStatus(ctx, p)
}

func (db *DB) migrationStatus(ctx context.Context, p *goose.Provider) (MigrationStatus, error) {
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("read schema version: %w", err)
	}
	sources := p.ListSources()
	var latest int64
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	return MigrationStatus{Current: cur, Latest: latest}, nil
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	From, To int64
	// BackupPath is the copy of the SQLite file taken before migrating, or ""
	// when none was needed (a new database, nothing pending, or PostgreSQL).
	BackupPath string
}

// Migrate brings the schema — Relasi's own tables and River's job tables — to
// the latest version. On SQLite, when an existing database has migrations
// pending, it first copies the file into backupDir, so an upgrade can always
// be rolled back by restoring that copy. Migrations apply in order from
// whatever version the database is at, so releases can be skipped.
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger, backupDir string) (MigrateResult, error) {
	if db.Engine == Postgres {
		// Hold an advisory lock on one connection so that concurrent starts
		// migrate one after the other.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return MigrateResult{}, fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
			return MigrateResult{}, fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockID)
	}
	p, err := db.provider()
	if err != nil {
		return MigrateResult{}, err
	}
	st, err := db.migrationStatus(ctx, p)
	if err != nil {
		return MigrateResult{}, err
	}
	res := MigrateResult{From: st.Current, To: st.Current}
	if st.Pending() && st.Current > 0 && db.Engine == SQLite {
		name := fmt.Sprintf("relasi-v%d-before-v%d-%s.db", st.Current, st.Latest, time.Now().UTC().Format("20060102T150405Z"))
		res.BackupPath = filepath.Join(backupDir, name)
		if err := db.Backup(ctx, res.BackupPath); err != nil {
			return res, fmt.Errorf("backup before migrating: %w", err)
		}
		logger.Info("backed up database before migrating", "path", res.BackupPath, "from", st.Current, "to", st.Latest)
	}
	applied, err := p.Up(ctx)
	for _, r := range applied {
		logger.Info("applied migration", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "duration", r.Duration)
		res.To = r.Source.Version
	}
	if err != nil {
		return res, fmt.Errorf("migrate from version %d: %w", st.Current, err)
	}
	if err := db.migrateRiver(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// migrateRiver applies River's own migrations for its job tables.
func (db *DB) migrateRiver(ctx context.Context) error {
	var err error
	if db.Engine == Postgres {
		var m *rivermigrate.Migrator[pgxTx]
		m, err = rivermigrate.New(riverpgxv5.New(db.pool), nil)
		if err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		m, err = rivermigrate.New(riversqlite.New(db.write), nil)
		if err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate job tables: %w", err)
	}
	return nil
}

// MigrateTo applies migrations up to version and no further. Tests use it to
// build a database as an older release left it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to version %d: %w", version, err)
	}
	return nil
}
