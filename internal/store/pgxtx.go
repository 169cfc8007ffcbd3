package store

import "github.com/jackc/pgx/v5"

// pgxTx is the transaction type of River's PostgreSQL driver.
type pgxTx = pgx.Tx
