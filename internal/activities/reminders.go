package activities

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/store"
)

// ReminderLead is how long before its due time a task or meeting is
// announced to its owner.
const ReminderLead = 15 * time.Minute

// ReminderArgs is the job that sends due reminders; it runs every minute.
type ReminderArgs struct{}

// Kind names the job in River's tables.
func (ReminderArgs) Kind() string { return "activities.reminders" }

// ReminderWorker sends the reminders.
type ReminderWorker struct {
	river.WorkerDefaults[ReminderArgs]
	DB      *store.DB
	Catalog *i18n.Catalog
}

// Work sends the reminders due now.
func (w *ReminderWorker) Work(ctx context.Context, job *river.Job[ReminderArgs]) error {
	_, err := SendReminders(ctx, w.DB, w.Catalog, time.Now().UTC())
	return err
}

// ReminderPeriodic schedules the reminders every minute.
func ReminderPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return ReminderArgs{}, nil },
		&river.PeriodicJobOpts{ID: "activities.reminders"})
}

// SendReminders notifies the owners of open tasks and meetings due within
// ReminderLead of now, in the app, each activity once: reminded_at marks
// it, and only a new due time clears the mark. It returns how many
// reminders it sent.
func SendReminders(ctx context.Context, db *store.DB, catalog *i18n.Catalog, now time.Time) (int, error) {
	type due struct {
		id, owner    int64
		subject      string
		at           time.Time
		locale, zone string
	}
	sent := 0
	err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		items, err := store.Collect(ctx, tx, func(row store.Scanner) (due, error) {
			var d due
			err := row.Scan(&d.id, &d.owner, &d.subject, &d.at, &d.locale, &d.zone)
			return d, err
		}, // kind || '': tasks and meetings are most activities, so the
			// (kind, created_at) index would read them all; without
			// statistics SQLite would take it over the due_at range.
			`SELECT a.id, a.owner_id, a.subject, a.due_at, u.locale, u.time_zone
			FROM activities a JOIN users u ON u.id = a.owner_id
			WHERE a.due_at > $1 AND a.due_at <= $2 AND a.kind || '' IN ('task', 'meeting')
			  AND a.done = false AND a.reminded_at IS NULL AND a.deleted_at IS NULL AND u.disabled_at IS NULL
			ORDER BY a.due_at, a.id`, now, now.Add(ReminderLead))
		if err != nil {
			return fmt.Errorf("due reminders: %w", err)
		}
		for _, d := range items {
			msg := notifications.Message{Key: "activities.reminder", Args: []notifications.Arg{notifications.Text(d.subject), notifications.Time(d.at)}}
			if err := notifications.CreateAt(ctx, tx, d.owner, "activity_reminder", msg, "/activities/"+strconv.FormatInt(d.id, 10), now); err != nil {
				return fmt.Errorf("reminder of activity %d: %w", d.id, err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE activities SET reminded_at = $1 WHERE id = $2", now, d.id); err != nil {
				return fmt.Errorf("reminder of activity %d: %w", d.id, err)
			}
			sent++
		}
		return nil
	})
	return sent, err
}
