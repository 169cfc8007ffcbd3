package leads

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// OverdueArgs is the minutely check for leads whose owner has not answered
// in time.
type OverdueArgs struct{}

// Kind names the job in River's tables.
func (OverdueArgs) Kind() string { return "leads.overdue" }

// OverdueEvery is how often the check runs, and so how late past its due
// time a lead may be flagged.
const OverdueEvery = time.Minute

// OverdueWorker flags unanswered leads past their response due time, once
// each, and notifies the owner and the manager of the owner's team.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	DB *store.DB
	// Now is the clock; nil is the system clock.
	Now func() time.Time
}

// Work runs one check.
func (w *OverdueWorker) Work(ctx context.Context, job *river.Job[OverdueArgs]) error {
	_, err := w.Flag(ctx)
	return err
}

// OverduePeriodic schedules the check every minute, and once at start.
func OverduePeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(OverdueEvery),
		func() (river.JobArgs, *river.InsertOpts) { return OverdueArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "leads.overdue"})
}

// lateAt is what makes a lead l late at the time in argument $nowArg:
// still open and unanswered past its response due time. The overdue check
// flags these leads and the home page lists them; keep it the one rule.
func lateAt(nowArg int) string {
	return fmt.Sprintf(`l.first_response_at IS NULL AND l.response_due_at <= $%d
			  AND l.deleted_at IS NULL AND l.status NOT IN ('converted', 'unqualified')`, nowArg)
}

// overdueBatch bounds one transaction; the next run takes the rest.
const overdueBatch = 500

type waitingLead struct {
	id, owner          int64
	name               string
	manager            sql.NullInt64
	ownerLang, mgrLang string
}

// Flag marks every lead that waits past its due time overdue and sends the
// notifications, returning how many leads it flagged. A lead is flagged
// once: the flag is set only where it is not set yet, so two instances
// running the check at once notify once.
func (w *OverdueWorker) Flag(ctx context.Context) (int, error) {
	now := time.Now().UTC()
	if w.Now != nil {
		now = w.Now().UTC()
	}
	flagged := 0
	err := w.DB.WriteTx(ctx, func(tx *sql.Tx) error {
		waiting, err := store.Collect(ctx, tx, func(row store.Scanner) (waitingLead, error) {
			var l waitingLead
			err := row.Scan(&l.id, &l.name, &l.owner, &l.ownerLang, &l.manager, &l.mgrLang)
			return l, err
		}, // NOT l.overdue (not "= $n") matches the partial index
			// leads_waiting_open, which holds only the leads to look at.
			`SELECT l.id, trim(l.first_name || ' ' || COALESCE(l.last_name, '')), l.owner_id, u.locale, mu.id, COALESCE(mu.locale, u.locale)
			FROM leads l
			JOIN users u ON u.id = l.owner_id
			LEFT JOIN teams t ON t.id = u.team_id
			LEFT JOIN users mu ON mu.id = t.manager_id AND mu.disabled_at IS NULL
			WHERE `+lateAt(1)+` AND NOT l.overdue
			ORDER BY l.response_due_at, l.id LIMIT $2`, now, overdueBatch)
		if err != nil {
			return fmt.Errorf("waiting leads: %w", err)
		}
		for _, l := range waiting {
			res, err := tx.ExecContext(ctx, "UPDATE leads SET overdue = $1, version = version + 1 WHERE id = $2 AND overdue = $3", true, l.id, false)
			if err != nil {
				return fmt.Errorf("flag lead %d: %w", l.id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			flagged++
			if err := records.RecordChange(ctx, tx, now, "leads", l.id, "overdue", auth.Principal{}, map[string][2]any{"overdue": {false, true}}); err != nil {
				return err
			}
			link := fmt.Sprintf("/leads/%d", l.id)
			if err := notifications.Create(ctx, tx, l.owner, "lead_overdue", notifications.Message{Key: "leads.notify.overdue_owner", Args: []notifications.Arg{notifications.Text(l.name)}}, link); err != nil {
				return err
			}
			if l.manager.Valid && l.manager.Int64 != l.owner {
				if err := notifications.Create(ctx, tx, l.manager.Int64, "lead_overdue", notifications.Message{Key: "leads.notify.overdue_manager", Args: []notifications.Arg{notifications.Text(l.name)}}, link); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return flagged, err
}

var _ river.Worker[OverdueArgs] = (*OverdueWorker)(nil)
