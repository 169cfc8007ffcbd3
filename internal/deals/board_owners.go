package deals

import (
	"context"
	"fmt"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// The board's owner filter, as its URL writes it (?owner=…): nobody in
// particular (empty), the viewer, the viewer's team, or one user's ID.
const (
	OwnerAnyone = ""
	OwnerMe     = "me"
	OwnerTeam   = "team"
)

// ParseOwner reads the owner filter's value for p. It returns the
// filter and the value as the page should keep it: one it cannot read
// becomes OwnerAnyone, and "team" for someone in no team is their own
// deals (a team of one) but stays "team" in the URL.
func ParseOwner(p auth.Principal, value string) (BoardFilter, string) {
	switch value {
	case OwnerAnyone:
		return BoardFilter{}, OwnerAnyone
	case OwnerMe:
		return BoardFilter{OwnerID: &p.UserID}, OwnerMe
	case OwnerTeam:
		if p.TeamID == 0 {
			return BoardFilter{OwnerID: &p.UserID}, OwnerTeam
		}
		return BoardFilter{TeamID: &p.TeamID}, OwnerTeam
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id < 1 {
		return BoardFilter{}, OwnerAnyone
	}
	return BoardFilter{OwnerID: &id}, value
}

// Owner is a person the board's owner filter offers.
type Owner struct {
	ID     int64
	Name   string
	TeamID int64 // 0 for none
}

// Owners lists, by name, the active users whose deals p may read: every
// user for a role that reads all records, the team's members for one
// that reads its team's, and p alone otherwise. keep (a user ID, or 0)
// is listed as well, so that a person chosen in the URL shows as chosen
// even when disabled; the board's scope still decides which of their
// deals p sees.
func (ps *Pipelines) Owners(ctx context.Context, p auth.Principal, keep int64) ([]Owner, error) {
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
	list, err := store.Collect(ctx, ps.db.Read(), func(row store.Scanner) (Owner, error) {
		var o Owner
		var team *int64
		err := row.Scan(&o.ID, &o.Name, &team)
		if team != nil {
			o.TeamID = *team
		}
		return o, err
	}, "SELECT id, name, team_id FROM users WHERE "+who+" ORDER BY lower(name), id", args...)
	if err != nil {
		return nil, fmt.Errorf("owners for the board's filter: %w", err)
	}
	return list, nil
}
