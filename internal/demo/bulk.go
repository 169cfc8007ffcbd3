package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/relasi/relasi/internal/store"
)

// Inserter writes many rows with multi-row INSERT statements, which both
// engines accept and which are an order of magnitude faster than one
// statement per row. Rows carry explicit IDs, so related rows can refer to
// them without reading anything back.
type Inserter struct {
	ctx context.Context
	tx  *sql.Tx
	// positional uses ? placeholders: SQLite looks $N parameters up by
	// name, one linear search each, which makes long statements quadratic.
	positional bool
	table      string
	cols       []string
	batch      int
	rows       [][]any
	total      int
	// children are flushed right after this Inserter, and only then, so
	// rows that refer to ours (foreign keys are checked at once) never
	// arrive first.
	children []*Inserter
	child    bool
}

// ParentOf makes in flush kids right after itself, and only then.
func (in *Inserter) ParentOf(kids ...*Inserter) {
	for _, k := range kids {
		k.child = true
	}
	in.children = append(in.children, kids...)
}

// maxParams stays under SQLite's limit of bound parameters per statement.
const maxParams = 30000

func NewInserter(ctx context.Context, tx *sql.Tx, engine store.Engine, table string, cols ...string) *Inserter {
	return &Inserter{ctx: ctx, tx: tx, table: table, cols: cols, positional: engine == store.SQLite,
		batch: max(1, min(500, maxParams/len(cols)))}
}

func (in *Inserter) Add(values ...any) error {
	if len(values) != len(in.cols) {
		return fmt.Errorf("demo: %s: %d values for %d columns", in.table, len(values), len(in.cols))
	}
	in.rows = append(in.rows, values)
	if len(in.rows) >= in.batch && !in.child {
		return in.Flush()
	}
	return nil
}

func (in *Inserter) Flush() error {
	if len(in.rows) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", in.table, strings.Join(in.cols, ", "))
	args := make([]any, 0, len(in.rows)*len(in.cols))
	n := 1
	for i, row := range in.rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			if in.positional {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", n)
			}
			n++
		}
		b.WriteByte(')')
		args = append(args, row...)
	}
	if _, err := in.tx.ExecContext(in.ctx, b.String(), args...); err != nil {
		return fmt.Errorf("demo: insert into %s: %w", in.table, err)
	}
	in.total += len(in.rows)
	in.rows = in.rows[:0]
	for _, c := range in.children {
		if err := c.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// NextID returns the first free ID of a table.
func NextID(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) + 1 FROM "+table).Scan(&id); err != nil {
		return 0, fmt.Errorf("demo: next id of %s: %w", table, err)
	}
	return id, nil
}

// SyncSequence moves a PostgreSQL identity past explicitly inserted IDs.
func SyncSequence(ctx context.Context, tx *sql.Tx, engine store.Engine, table string) error {
	if engine != store.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT GREATEST(max(id), 1) FROM %s))", table, table))
	if err != nil {
		return fmt.Errorf("demo: sequence of %s: %w", table, err)
	}
	return nil
}
