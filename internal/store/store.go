// Package store opens Relasi's database on one of two engines — an embedded
// SQLite file (the default) or PostgreSQL — applies the embedded migrations,
// and hides the few differences between the engines from the domain packages.
//
// Both engines bind parameters as $1, $2, …, so one SQL text serves both in
// almost every query. Reads go through Read, writes through WriteTx: on SQLite
// the write pool holds exactly one connection whose transactions begin
// IMMEDIATE, so writers queue in Go instead of failing with SQLITE_BUSY, while
// readers use a separate pool and never block under WAL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open Relasi database.
type DB struct {
	Engine Engine
	// Path is the SQLite file (empty on PostgreSQL).
	Path string
	// URL is the PostgreSQL connection URL (empty on SQLite).
	URL string

	read  *sql.DB
	write *sql.DB
	// pool is the pgx pool behind read and write on PostgreSQL; River's
	// PostgreSQL driver needs it.
	pool *pgxpool.Pool
}

// Open opens the database named by dsn: a postgres:// (or postgresql://) URL
// selects PostgreSQL, anything else is a SQLite file path. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// IsPostgresURL reports whether dsn selects the PostgreSQL engine.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Close closes every pool.
func (db *DB) Close() error {
	var errs []error
	if db.write != nil && db.write != db.read {
		errs = append(errs, db.write.Close())
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return errors.Join(errs...)
}

// Read is the pool for queries that do not write.
func (db *DB) Read() *sql.DB { return db.read }

// Writer is the pool that writes go through (one connection on SQLite).
// Prefer WriteTx; this is for code that needs the pool itself, such as
// migrations and metrics.
func (db *DB) Writer() *sql.DB { return db.write }

// PgxPool returns the pgx pool on PostgreSQL and nil on SQLite.
func (db *DB) PgxPool() *pgxpool.Pool { return db.pool }

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", db.Engine, err)
	}
	return nil
}

// Querier is what both *sql.DB and *sql.Tx offer; query helpers take it so
// they run inside or outside a transaction alike.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// WriteTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise.
func (db *DB) WriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ReadTx runs fn in a read-only transaction, for reads that must see one
// consistent snapshot.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Engine == Postgres})
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
