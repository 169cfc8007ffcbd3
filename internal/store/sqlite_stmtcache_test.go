package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The SQLite connections keep prepared statements; what a caller sees must
// not change: the same query asked again while its rows are still being
// read, scripts of several statements, and errors.
func TestSQLiteStatementCache(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		// A script: both statements must run.
		if _, err := tx.ExecContext(ctx, "CREATE TABLE cache_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO cache_probe (n) VALUES (1), (2), (3)"); err != nil {
			return err
		}
		const q = "SELECT n FROM cache_probe WHERE n >= $1 ORDER BY n"
		outer, err := tx.QueryContext(ctx, q, 1)
		if err != nil {
			return err
		}
		defer outer.Close()
		var pairs int
		for outer.Next() {
			var n int
			if err := outer.Scan(&n); err != nil {
				return err
			}
			// The same text while the outer rows are open.
			inner, err := store.Collect(ctx, tx, func(row store.Scanner) (int, error) {
				var m int
				return m, row.Scan(&m)
			}, q, n)
			if err != nil {
				return err
			}
			if len(inner) != 4-n || inner[0] != n {
				t.Errorf("inner query from %d read %v", n, inner)
			}
			pairs += len(inner)
		}
		if err := outer.Err(); err != nil {
			return err
		}
		if pairs != 6 {
			t.Errorf("read %d inner rows, want 6", pairs)
		}
		// A cached statement that fails reports the error and stays usable.
		const ins = "INSERT INTO cache_probe (id, n) VALUES ($1, $2)"
		if _, err := tx.ExecContext(ctx, ins, 1, 9); err == nil {
			t.Error("inserting a duplicate primary key succeeded")
		}
		if _, err := tx.ExecContext(ctx, ins, 10, 9); err != nil {
			t.Errorf("the statement after an error: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := db.Read().QueryRowContext(ctx, "SELECT SUM(n) FROM cache_probe").Scan(&sum); err != nil || sum != 15 {
		t.Fatalf("sum %d, %v; want 15", sum, err)
	}
}
