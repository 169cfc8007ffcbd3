package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Serialize makes concurrent transactions that pass the same key run one
// after another, for check-then-insert rules such as "create the first admin
// only when there is no user". On SQLite every write transaction is already
// exclusive (BEGIN IMMEDIATE on one connection); on PostgreSQL it takes a
// transaction-scoped advisory lock.
func (db *DB) Serialize(ctx context.Context, tx *sql.Tx, key int64) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fmt.Errorf("serialize on %d: %w", key, err)
	}
	return nil
}
