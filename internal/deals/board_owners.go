package deals

import (
	"context"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
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
type Owner = records.Owner

// Owners lists the people the board's owner filter offers p
// (records.ReadableOwners).
func (ps *Pipelines) Owners(ctx context.Context, p auth.Principal, keep int64) ([]Owner, error) {
	return records.ReadableOwners(ctx, ps.db.Read(), p, keep)
}
