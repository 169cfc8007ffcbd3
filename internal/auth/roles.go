// Package auth knows who is calling and what they may do: users, teams,
// roles, passwords, browser sessions, API tokens, login throttling, and the
// one authorisation check (Principal.Can and Principal.Scope) that every read
// and write of an owned record passes through.
package auth

import "slices"

// Role is a user's role. It decides which records a user sees and changes.
type Role string

const (
	Admin     Role = "admin"
	Manager   Role = "manager"
	Sales     Role = "sales"
	Support   Role = "support"
	Marketing Role = "marketing"
	ReadOnly  Role = "readonly"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Manager, Sales, Support, Marketing, ReadOnly}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Visibility is how far a role reaches over owned records.
type Visibility string

const (
	VisibleNone Visibility = "none" // no records
	VisibleOwn  Visibility = "own"  // records the user owns
	VisibleTeam Visibility = "team" // records owned by anyone in the user's team
	VisibleAll  Visibility = "all"  // every record
)

// Policy is what a role may read and write. Unowned records (no owner yet,
// e.g. a lead waiting for assignment) are readable by every role that reads
// anything, and writable by roles that write team or all records.
type Policy struct {
	Read  Visibility
	Write Visibility
	// Manage allows administering users, teams, tokens and settings.
	Manage bool
}

// policies is the whole permission model in one table; docs/api.md repeats it.
var policies = map[Role]Policy{
	Admin:     {Read: VisibleAll, Write: VisibleAll, Manage: true},
	Manager:   {Read: VisibleTeam, Write: VisibleTeam},
	Sales:     {Read: VisibleOwn, Write: VisibleOwn},
	Support:   {Read: VisibleTeam, Write: VisibleOwn},
	Marketing: {Read: VisibleAll, Write: VisibleOwn},
	ReadOnly:  {Read: VisibleAll, Write: VisibleNone},
}

// PolicyOf returns the policy of a role; an unknown role may do nothing.
func PolicyOf(r Role) Policy {
	if p, ok := policies[r]; ok {
		return p
	}
	return Policy{Read: VisibleNone, Write: VisibleNone}
}
