package leads

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// LateLead is a lead still waiting for its owner's first answer past the
// response due time.
type LateLead struct {
	ID    int64
	Name  string
	Owner string
	DueAt time.Time
	// Late is how long past the due time it waits.
	Late time.Duration
}

// Link is the lead's page.
func (l LateLead) Link() string { return "/leads/" + strconv.FormatInt(l.ID, 10) }

// LateLeads are the first late leads and how many there are in all.
type LateLeads struct {
	Leads []LateLead
	Total int
}

// More reports whether the list holds fewer leads than there are.
func (l LateLeads) More() bool { return l.Total > len(l.Leads) }

// ListLink is the lead list of the leads flagged late, the list the
// response-time report links to as well.
func (LateLeads) ListLink() string { return "/leads?filter=overdue%20%3D%20true" }

// LateLeads lists the late leads p may see, the longest waiting first, at
// most limit of them, and counts them all. Late is the overdue check's
// rule (lateAt), read at this moment rather than from the flag the check
// sets each minute. One query: the count is a window over the same rows,
// found through the index leads_waiting.
func (m *Module) LateLeads(ctx context.Context, p auth.Principal, limit int) (LateLeads, error) {
	now := m.now().UTC()
	scope, sargs := p.Scope(auth.Read, "l.owner_id", 3)
	var out LateLeads
	leads, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (LateLead, error) {
		var l LateLead
		err := row.Scan(&l.ID, &l.Name, &l.Owner, &l.DueAt, &out.Total)
		l.DueAt = l.DueAt.UTC()
		l.Late = now.Sub(l.DueAt)
		return l, err
	}, `SELECT l.id, trim(l.first_name || ' ' || COALESCE(l.last_name, '')), u.name, l.response_due_at, COUNT(*) OVER ()
		FROM leads l JOIN users u ON u.id = l.owner_id
		WHERE `+lateAt(1)+` AND `+scope+`
		ORDER BY l.response_due_at, l.id
		LIMIT $2`, append([]any{now, limit}, sargs...)...)
	if err != nil {
		return LateLeads{}, fmt.Errorf("late leads: %w", err)
	}
	out.Leads = leads
	return out, nil
}
