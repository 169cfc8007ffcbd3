package duplicates

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
)

// Dismiss records that the records are not duplicates of each other:
// no pair of them is offered again. The caller must be able to read them
// all and to change records at all.
func (m *Module) Dismiss(ctx context.Context, p auth.Principal, entity string, ids []int64) error {
	e, _, err := m.entity(entity, "entity")
	if err != nil {
		return err
	}
	if err := p.CanWriteAny(); err != nil {
		return err
	}
	var fe errs.Fields
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	switch {
	case len(ids) < 2:
		fe.Add("ids", "too_few", "must hold at least two records")
	case len(ids) > maxShared:
		fe.Add("ids", "too_many", "may hold at most %d records", maxShared)
	case ids[0] < 1:
		fe.Add("ids", "not_found", "holds %d, which is not a record ID", ids[0])
	}
	if err := fe.Err(); err != nil {
		return err
	}
	now := m.records.Now()
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		args := make([]any, 0, len(ids)+2)
		for _, id := range ids {
			args = append(args, id)
		}
		cond, sargs := readable(p, e, len(args)+1)
		var n int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM %s x WHERE x.id IN (%s) AND %s", e.Table, placeholders(1, len(ids)), cond),
			append(args, sargs...)...).Scan(&n); err != nil {
			return fmt.Errorf("dismiss %s duplicates: %w", e.Name, err)
		}
		if n != len(ids) {
			return errs.E(errs.NotFound, "No such record, or you may not see it.").WithKey("error.record_not_found")
		}
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO duplicate_dismissals (entity, low_id, high_id, dismissed_by, dismissed_at)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (entity, low_id, high_id) DO NOTHING`, e.Name, a, b, nullID(p.UserID), now); err != nil {
					return fmt.Errorf("dismiss %s duplicates: %w", e.Name, err)
				}
			}
		}
		return nil
	})
}
