package activities

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// Task is one open item on a user's to-do list.
type Task struct {
	ID          int64
	Kind        string
	Subject     string
	DueAt       *time.Time
	Overdue     bool
	RelatedType string
	RelatedID   int64
	ContactName string
	AccountName string
}

// Link is the task's page.
func (t Task) Link() string { return "/activities/" + strconv.FormatInt(t.ID, 10) }

// RelatedLink is the page of the record the task is about, or "".
func (t Task) RelatedLink() string {
	if t.RelatedType == "" || t.RelatedID == 0 {
		return ""
	}
	return "/" + t.RelatedType + "/" + strconv.FormatInt(t.RelatedID, 10)
}

// MyOpenTasks lists what the caller still has to do: their tasks and every
// other activity with a due time that is not done yet. What is due first
// comes first, so overdue items lead; tasks without a due time close the
// list.
func MyOpenTasks(ctx context.Context, db store.Querier, p auth.Principal, limit int) ([]Task, error) {
	now := time.Now()
	// A task names its contact and account only when the caller may read them.
	args := []any{p.UserID, limit}
	contactScope, cargs := p.Scope(auth.Read, "c.owner_id", len(args)+1)
	args = append(args, cargs...)
	accountScope, aargs := p.Scope(auth.Read, "acc.owner_id", len(args)+1)
	args = append(args, aargs...)
	tasks, err := store.Collect(ctx, db, func(row store.Scanner) (Task, error) {
		var t Task
		var due sql.NullTime
		var relType sql.NullString
		var relID sql.NullInt64
		err := row.Scan(&t.ID, &t.Kind, &t.Subject, &due, &relType, &relID, &t.ContactName, &t.AccountName)
		if due.Valid {
			d := due.Time.UTC()
			t.DueAt = &d
			t.Overdue = d.Before(now)
		}
		t.RelatedType, t.RelatedID = relType.String, relID.Int64
		return t, err
	}, `SELECT a.id, a.kind, a.subject, a.due_at, a.related_type, a.related_id,
			COALESCE(trim(c.first_name || ' ' || COALESCE(c.last_name, '')), ''), COALESCE(acc.name, '')
		FROM activities a
		LEFT JOIN contacts c ON c.id = a.contact_id AND c.deleted_at IS NULL AND `+contactScope+`
		LEFT JOIN accounts acc ON acc.id = a.account_id AND acc.deleted_at IS NULL AND `+accountScope+`
		WHERE a.owner_id = $1 AND a.done = false AND a.deleted_at IS NULL AND (a.kind = 'task' OR a.due_at IS NOT NULL)
		ORDER BY CASE WHEN a.due_at IS NULL THEN 1 ELSE 0 END, a.due_at, a.id
		LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("open tasks of user %d: %w", p.UserID, err)
	}
	return tasks, nil
}
