package duplicates

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
)

// errMayNotDismiss refuses to dismiss records the caller may not change
// every one of.
var errMayNotDismiss = errs.E(errs.Forbidden, "You may not change every one of these records, so you cannot mark them as not duplicates.").WithKey("duplicates.error.dismiss_forbidden")

// Dismiss records that the records are not duplicates of each other:
// no pair of them is offered again. As for a merge, the caller must be
// allowed to change every one of them: it is a decision about the
// records that hides them from everyone's list of duplicates.
func (m *Module) Dismiss(ctx context.Context, p auth.Principal, entity string, ids []int64) error {
	e, _, err := m.entity(entity, "entity")
	if err != nil {
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
		// A record the caller cannot see is not found, whatever their
		// role, as for a merge; one they see but may not change forbidden.
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
		if err := m.canWrite(ctx, tx, p, e, ids, false, errMayNotDismiss); err != nil {
			return err
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
