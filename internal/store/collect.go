package store

import (
	"context"
	"database/sql"
)

// Scanner is what a *sql.Row and *sql.Rows offer to read one row.
type Scanner interface{ Scan(dest ...any) error }

// Collect runs a query and scans every row with scan. It keeps the
// rows.Next / rows.Err / rows.Close dance in one place.
func Collect[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

var _ Scanner = (*sql.Row)(nil)
