package records

import (
	"context"
	"fmt"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// Owner is a person an owner filter offers.
type Owner struct {
	ID     int64
	Name   string
	TeamID int64 // 0 for none
}

// ReadableOwners lists, by name, the active users whose records p may
// read: every user for a role that reads all records, the team's members
// for one that reads its team's, and p alone otherwise. keep (a user ID,
// or 0) is listed as well, so that a person chosen in a URL shows as
// chosen even when disabled; the list's scope still decides which of
// their records p sees.
func ReadableOwners(ctx context.Context, db store.Querier, p auth.Principal, keep int64) ([]Owner, error) {
	who := "id = $1 OR id = $2"
	args := []any{p.UserID, keep}
	switch p.Reads() {
	case auth.VisibleAll:
		who += " OR disabled_at IS NULL"
	case auth.VisibleTeam:
		if p.TeamID != 0 {
			who += " OR (disabled_at IS NULL AND team_id = $3)"
			args = append(args, p.TeamID)
		}
	}
	list, err := store.Collect(ctx, db, func(row store.Scanner) (Owner, error) {
		var o Owner
		var team *int64
		err := row.Scan(&o.ID, &o.Name, &team)
		if team != nil {
			o.TeamID = *team
		}
		return o, err
	}, "SELECT id, name, team_id FROM users WHERE "+who+" ORDER BY lower(name), id", args...)
	if err != nil {
		return nil, fmt.Errorf("owners for a filter: %w", err)
	}
	return list, nil
}
