package activities

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// TeamTask is an overdue item of someone the viewer oversees.
type TeamTask struct {
	Task
	Owner string
}

// TeamTasks is the home page's "Team's overdue tasks": the first items
// and how many there are in all.
type TeamTasks struct {
	Tasks []TeamTask
	Total int
}

// More reports whether the list holds fewer items than there are.
func (t TeamTasks) More() bool { return t.Total > len(t.Tasks) }

// teamOverdueFilter is the activities list showing every overdue item of
// the others the viewer may see: the list's own scope does the rest.
const teamOverdueFilter = "done = false and due_at < now and owner != me and owner is not null"

// ListLink is the activities list of all of them.
func (TeamTasks) ListLink() string {
	return "/activities?filter=" + url.QueryEscape(teamOverdueFilter)
}

// TeamOverdueTasks lists the open items past their due time owned by the
// people p's role oversees — a manager's team, everyone for an
// administrator — but not p's own, which MyOpenTasks shows. The most
// overdue come first; Total counts them all. One query: the count is a
// window over the same rows.
func TeamOverdueTasks(ctx context.Context, db store.Querier, p auth.Principal, now time.Time, limit int) (TeamTasks, error) {
	args := []any{p.UserID, now.UTC(), limit}
	ownerScope, oargs := p.Scope(auth.Read, "a.owner_id", len(args)+1)
	args = append(args, oargs...)
	contactScope, cargs := p.Scope(auth.Read, "c.owner_id", len(args)+1)
	args = append(args, cargs...)
	accountScope, aargs := p.Scope(auth.Read, "acc.owner_id", len(args)+1)
	args = append(args, aargs...)
	var out TeamTasks
	tasks, err := store.Collect(ctx, db, func(row store.Scanner) (TeamTask, error) {
		var t TeamTask
		var due time.Time
		var relType sql.NullString
		var relID sql.NullInt64
		err := row.Scan(&t.ID, &t.Kind, &t.Subject, &due, &relType, &relID, &t.ContactName, &t.AccountName, &t.Owner, &out.Total)
		due = due.UTC()
		t.DueAt, t.Overdue = &due, true
		t.RelatedType, t.RelatedID = relType.String, relID.Int64
		return t, err
	}, // owner_id, done, due_at: the index activities_owner_open serves a
		// team; an administrator's reads activities_due_at.
		`SELECT a.id, a.kind, a.subject, a.due_at, a.related_type, a.related_id,
			COALESCE(trim(c.first_name || ' ' || COALESCE(c.last_name, '')), ''), COALESCE(acc.name, ''),
			u.name, COUNT(*) OVER ()
		FROM activities a
		JOIN users u ON u.id = a.owner_id
		LEFT JOIN contacts c ON c.id = a.contact_id AND c.deleted_at IS NULL AND `+contactScope+`
		LEFT JOIN accounts acc ON acc.id = a.account_id AND acc.deleted_at IS NULL AND `+accountScope+`
		WHERE a.owner_id <> $1 AND a.done = false AND a.due_at < $2 AND a.deleted_at IS NULL AND `+ownerScope+`
		ORDER BY a.due_at, a.id
		LIMIT $3`, args...)
	if err != nil {
		return TeamTasks{}, fmt.Errorf("overdue tasks of user %d's team: %w", p.UserID, err)
	}
	out.Tasks = tasks
	return out, nil
}
