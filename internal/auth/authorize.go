package auth

import (
	"fmt"

	"github.com/relasi/relasi/internal/errs"
)

// Principal is the caller of a request: a signed-in user or the user behind
// an API token. Every domain query receives one.
type Principal struct {
	UserID int64
	Email  string
	Name   string
	Role   Role
	// TeamID is 0 when the user belongs to no team; a team-wide role then
	// reaches only the user's own records.
	TeamID int64
	// TokenID is set when the call came with an API token.
	TokenID int64
}

// Action is what a caller wants to do with a record.
type Action string

const (
	Read  Action = "read"
	Write Action = "write" // create, update, delete
)

// Owned is what the authorisation check needs to know about a record: its
// owner and the owner's team (0 for none). Domain queries select both with
// the record, joining users for the team.
type Owned struct {
	OwnerID     int64
	OwnerTeamID int64
}

// Can reports whether p may act on rec, as a Forbidden error when not.
func (p Principal) Can(a Action, rec Owned) error {
	pol := PolicyOf(p.Role)
	v := pol.Read
	if a == Write {
		v = pol.Write
	}
	if reaches(p, a, v, rec) {
		return nil
	}
	return errs.E(errs.Forbidden, "Your role (%s) may not %s this record.", p.Role, a).WithKey("error.forbidden_record")
}

// reaches is the rule Scope writes as SQL; keep the two in step.
func reaches(p Principal, a Action, v Visibility, rec Owned) bool {
	switch v {
	case VisibleAll:
		return true
	case VisibleNone:
		return false
	}
	if rec.OwnerID == 0 {
		// Unowned: anyone who reads may see it; only team-wide roles change it.
		return a == Read || v == VisibleTeam
	}
	if rec.OwnerID == p.UserID {
		return true
	}
	return v == VisibleTeam && p.TeamID != 0 && rec.OwnerTeamID == p.TeamID
}

// Reads is how far p's role reaches when reading owned records.
func (p Principal) Reads() Visibility { return PolicyOf(p.Role).Read }

// ReadsOthers reports whether p reads records other people own: a role
// that reads everyone's, or one that reads a team's when p is in a team
// (a team-wide role without a team reaches only p's own records).
func (p Principal) ReadsOthers() bool {
	switch p.Reads() {
	case VisibleAll:
		return true
	case VisibleTeam:
		return p.TeamID != 0
	}
	return false
}

// CanManage reports whether p may administer users, teams, tokens and
// settings, as a Forbidden error when not.
func (p Principal) CanManage() error {
	if PolicyOf(p.Role).Manage {
		return nil
	}
	return errs.E(errs.Forbidden, "Only an administrator may do this.").WithKey("error.admin_only")
}

// CanWriteAny reports whether p may create records at all (readonly may not).
func (p Principal) CanWriteAny() error {
	if PolicyOf(p.Role).Write != VisibleNone {
		return nil
	}
	return errs.E(errs.Forbidden, "Your role (%s) may not change records.", p.Role).WithKey("error.read_only")
}

// Scope returns the SQL condition that limits a query to the records p may
// act on, for a table whose owner column is ownerCol (e.g. "c.owner_id").
// Arguments are numbered from $firstArg. List queries AND it into their
// WHERE clause; it is the same rule as Can, written as SQL.
func (p Principal) Scope(a Action, ownerCol string, firstArg int) (string, []any) {
	pol := PolicyOf(p.Role)
	v := pol.Read
	if a == Write {
		v = pol.Write
	}
	switch v {
	case VisibleAll:
		return "1 = 1", nil
	case VisibleNone:
		return "1 = 0", nil
	case VisibleOwn:
		if a == Read {
			return fmt.Sprintf("(%s = $%d OR %s IS NULL)", ownerCol, firstArg, ownerCol), []any{p.UserID}
		}
		return fmt.Sprintf("%s = $%d", ownerCol, firstArg), []any{p.UserID}
	}
	// Team: own, unowned, and records of anyone in the same team.
	if p.TeamID == 0 {
		return fmt.Sprintf("(%s = $%d OR %s IS NULL)", ownerCol, firstArg, ownerCol), []any{p.UserID}
	}
	return fmt.Sprintf("(%s = $%d OR %s IS NULL OR %s IN (SELECT id FROM users WHERE team_id = $%d))",
		ownerCol, firstArg, ownerCol, ownerCol, firstArg+1), []any{p.UserID, p.TeamID}
}
