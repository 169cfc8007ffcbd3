package imports

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Owners. Exports of other CRMs name each record's owner: HubSpot's
// "Contact owner" and Pipedrive's "Owner" hold the user's full name,
// Salesforce's "Owner Name" too (or an alias), some files an e-mail
// address. A cell is matched against Relasi's active users by e-mail
// address, then by name, both ignoring case and extra blanks, then by the
// part of an e-mail address before the @ ("bsantoso" for a Salesforce
// alias). A name two users share matches neither: the row says so.
//
// An owner Relasi does not know is handled the same way for the whole
// import, as Options.UnknownOwner says: the record goes to the importing
// user (the default: a migration should not lose rows over an owner who
// never got an account), to one chosen user, or the row is rejected. The
// mapping page counts, before anything is imported, the rows whose owner
// is unknown, with the names.
//
// Ownership rules hold as for a record typed in: a user may give records
// only to owners their role may write for (a sales user to nobody but
// themselves). A row that names another owner is rejected with that
// reason on its owner field; nothing else of the import changes.

// UnknownOwner is what happens to a row whose owner is no Relasi user.
type UnknownOwner string

const (
	OwnerImporter UnknownOwner = "importer" // the importing user owns it
	OwnerUser     UnknownOwner = "user"     // Options.UnknownOwnerID owns it
	OwnerReject   UnknownOwner = "reject"   // the row is rejected
)

// unknownOwner is the choice in force; "" is the default, the importer.
func (o Options) unknownOwner() UnknownOwner {
	if o.UnknownOwner == "" {
		return OwnerImporter
	}
	return o.UnknownOwner
}

// ownerUser is an active user as owners are matched against them.
type ownerUser struct {
	ID     int64
	Name   string
	Email  string
	TeamID int64
}

// ownerDirectory finds users by what an export writes for an owner.
type ownerDirectory struct {
	users  []ownerUser
	byID   map[int64]ownerUser
	byKey  map[string][]int64 // e-mail, name, alias (lower case, blanks collapsed) → users
	emails map[string]int64
}

// ownerKey is how a cell and a user's name are compared.
func ownerKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func loadOwners(ctx context.Context, q store.Querier) (*ownerDirectory, error) {
	users, err := store.Collect(ctx, q, func(row store.Scanner) (ownerUser, error) {
		var u ownerUser
		var team sql.NullInt64
		err := row.Scan(&u.ID, &u.Name, &u.Email, &team)
		u.TeamID = team.Int64
		return u, err
	}, "SELECT id, name, email, team_id FROM users WHERE disabled_at IS NULL ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("users for owners: %w", err)
	}
	d := &ownerDirectory{users: users, byID: map[int64]ownerUser{}, byKey: map[string][]int64{}, emails: map[string]int64{}}
	aliases := map[string][]int64{}
	for _, u := range users {
		d.byID[u.ID] = u
		email := ownerKey(u.Email)
		d.emails[email] = u.ID
		if n := ownerKey(u.Name); n != "" {
			d.byKey[n] = append(d.byKey[n], u.ID)
		}
		if local, _, ok := strings.Cut(email, "@"); ok && local != "" {
			aliases[local] = append(aliases[local], u.ID)
		}
	}
	// An alias counts only where no user has it as their name.
	for a, ids := range aliases {
		if _, taken := d.byKey[a]; !taken {
			d.byKey[a] = ids
		}
	}
	return d, nil
}

// find returns the user a cell names, or how many users it could mean
// (0: none, 2 or more: ambiguous).
func (d *ownerDirectory) find(who string) (ownerUser, int) {
	k := ownerKey(who)
	if id, ok := d.emails[k]; ok {
		return d.byID[id], 1
	}
	ids := d.byKey[k]
	if len(ids) == 1 {
		return d.byID[ids[0]], 1
	}
	return ownerUser{}, len(ids)
}

// directory loads the active users once per run.
func (r *runner) directory(ctx context.Context, tx *sql.Tx) (*ownerDirectory, error) {
	if r.ownerDir == nil {
		d, err := loadOwners(ctx, tx)
		if err != nil {
			return nil, err
		}
		r.ownerDir = d
	}
	return r.ownerDir, nil
}

// resolveOwner sets the owner a row names (by e-mail, name or alias),
// applying the import's choice for owners Relasi does not know, and holds
// any owner the row gives to the importer's rights. Problems are added to
// fe, on the owner field.
func (r *runner) resolveOwner(ctx context.Context, tx *sql.Tx, rv *rowValues, fe *errs.Fields) error {
	d, err := r.directory(ctx, tx)
	if err != nil {
		return err
	}
	if who := rv.ownerLookup; who != "" {
		u, n := d.find(who)
		switch {
		case n > 1:
			fe.Add("owner_id", "owner_ambiguous", "%d users are named %q: give the owner's e-mail address instead", n, who)
			return nil
		case n == 1:
			rv.in["owner_id"] = u.ID
		default:
			switch r.imp.Options.unknownOwner() {
			case OwnerReject:
				fe.Add("owner_id", "not_found", "no user has the e-mail address or name %q", who)
				return nil
			case OwnerUser:
				rv.in["owner_id"] = r.imp.Options.UnknownOwnerID
			default:
				rv.in["owner_id"] = r.p.UserID
			}
		}
	}
	if !r.entity.Owned {
		return nil
	}
	var id int64
	switch v := rv.in["owner_id"].(type) {
	case int64:
		id = v
	case records.FormText:
		id, _ = strconv.ParseInt(string(v), 10, 64)
	}
	if id == 0 || id == r.p.UserID {
		return nil
	}
	u, ok := d.byID[id]
	if !ok {
		return nil // the save says that no active user has the ID
	}
	if r.p.Can(auth.Write, auth.Owned{OwnerID: u.ID, OwnerTeamID: u.TeamID}) != nil {
		name := u.Name
		if name == "" {
			name = u.Email
		}
		fe.Add("owner_id", "owner_not_yours", "names %s as the owner, and your role (%s) may not give records to other users", name, r.p.Role)
	}
	return nil
}

// checkOwnerOptions checks the choice for unknown owners: the chosen user
// must be active and one p may give records to.
func (m *Module) checkOwnerOptions(ctx context.Context, q store.Querier, p auth.Principal, opts *Options) error {
	var fe errs.Fields
	switch opts.UnknownOwner {
	case "", OwnerImporter, OwnerReject:
		opts.UnknownOwnerID = 0
	case OwnerUser:
		d, err := loadOwners(ctx, q)
		if err != nil {
			return err
		}
		u, ok := d.byID[opts.UnknownOwnerID]
		switch {
		case opts.UnknownOwnerID == 0:
			fe.Add("unknown_owner_id", "required", "is required when unknown owners go to one user")
		case !ok:
			fe.Add("unknown_owner_id", "not_found", "no active user has this ID")
		case u.ID != p.UserID && p.Can(auth.Write, auth.Owned{OwnerID: u.ID, OwnerTeamID: u.TeamID}) != nil:
			fe.Add("unknown_owner_id", "owner_not_yours", "names %s, and your role (%s) may not give records to other users", u.Name, p.Role)
		}
	default:
		fe.Add("unknown_owner", "invalid_choice", "must be one of: importer, user, reject")
	}
	return fe.Err()
}

// UnknownOwnerChoice reads the choice for unknown owners as the CLI and
// the API take it: "importer" (or ""), "reject", or the user who gets
// those records, by e-mail address or ID.
func (m *Module) UnknownOwnerChoice(ctx context.Context, s string) (UnknownOwner, int64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", string(OwnerImporter), "me":
		return OwnerImporter, 0, nil
	case string(OwnerReject):
		return OwnerReject, 0, nil
	}
	d, err := loadOwners(ctx, m.db.Read())
	if err != nil {
		return "", 0, err
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if _, ok := d.byID[id]; ok {
			return OwnerUser, id, nil
		}
	} else if id, ok := d.emails[ownerKey(s)]; ok {
		return OwnerUser, id, nil
	}
	var fe errs.Fields
	fe.Add("unknown_owner", "invalid_choice", "must be importer, reject, or the e-mail address of an active user; %q is none of these", s)
	return "", 0, fe.Err()
}

// OwnerCount is a name an owner column holds, with the rows that hold it.
type OwnerCount struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
	// Users is how many users the name could mean, for an ambiguous one.
	Users int `json:"users,omitempty"`
}

// OwnerSummary is what the owner column of a file holds, before the
// import: how many rows name an owner Relasi knows, and which names it
// does not know (or cannot tell apart), with their counts.
type OwnerSummary struct {
	Column    string       `json:"column"` // the header of the owner column; "" when none is mapped
	Rows      int64        `json:"rows"`   // rows that name an owner
	KnownRows int64        `json:"known_rows"`
	Unknown   []OwnerCount `json:"unknown"` // most rows first
	// UnknownRows counts the rows with an unknown owner.
	UnknownRows int64        `json:"unknown_rows"`
	Ambiguous   []OwnerCount `json:"ambiguous"`
	// Partial says the column holds more distinct names than are counted
	// one by one (maxDistinct); the rest are in Rows only.
	Partial bool `json:"partial,omitempty"`
}

// Owners tells which owners Relasi knows among the names in the column of
// imp's file that mapping sends to owner_id. It reads the counts of the
// file's values (tallyOf: one pass, kept beside the file), so showing the
// mapping page or a dry run again reads nothing new.
func (m *Module) Owners(ctx context.Context, imp Import, mapping []string) (OwnerSummary, error) {
	col := slices.Index(mapping, "owner_id")
	if col < 0 || col >= len(imp.Headers) {
		return OwnerSummary{}, nil
	}
	out := OwnerSummary{Column: imp.Headers[col], Unknown: []OwnerCount{}, Ambiguous: []OwnerCount{}}
	t, err := m.tallyOf(imp)
	if err != nil {
		return out, err
	}
	ct := t.Columns[col]
	// Names beyond the tally's bound are rows with an owner the summary
	// cannot tell apart: counted, and the summary says it is partial.
	out.Rows, out.Partial = ct.Others, ct.Capped
	counts := map[string]*OwnerCount{}
	var order []string
	for _, vc := range ct.Values {
		if isDigits(vc.Value) {
			continue // a user's ID
		}
		out.Rows += vc.Count
		k := ownerKey(vc.Value)
		c, ok := counts[k]
		if !ok {
			c = &OwnerCount{Name: strings.Join(strings.Fields(vc.Value), " ")}
			counts[k] = c
			order = append(order, k)
		}
		c.Rows += vc.Count
	}
	d, err := loadOwners(ctx, m.db.Read())
	if err != nil {
		return out, err
	}
	for _, k := range order {
		c := counts[k]
		switch _, n := d.find(c.Name); {
		case n == 1:
			out.KnownRows += c.Rows
		case n > 1:
			c.Users = n
			out.Ambiguous = append(out.Ambiguous, *c)
		default:
			out.UnknownRows += c.Rows
			out.Unknown = append(out.Unknown, *c)
		}
	}
	byRows := func(a, b OwnerCount) int {
		if a.Rows != b.Rows {
			return int(b.Rows - a.Rows)
		}
		return strings.Compare(a.Name, b.Name)
	}
	slices.SortStableFunc(out.Unknown, byRows)
	slices.SortStableFunc(out.Ambiguous, byRows)
	return out, nil
}

// assignable lists the active users p may give records to, for the
// choice of who gets the records of unknown owners.
func (m *Module) assignable(ctx context.Context, p auth.Principal) ([]ownerUser, error) {
	d, err := loadOwners(ctx, m.db.Read())
	if err != nil {
		return nil, err
	}
	var out []ownerUser
	for _, u := range d.users {
		if u.ID == p.UserID || p.Can(auth.Write, auth.Owned{OwnerID: u.ID, OwnerTeamID: u.TeamID}) == nil {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b ownerUser) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// apiOwnerOption reads the API's unknown_owner and unknown_owner_id.
func (m *Module) apiOwnerOption(ctx context.Context, choice, id string, opts *Options) error {
	if strings.EqualFold(strings.TrimSpace(choice), string(OwnerUser)) {
		opts.UnknownOwner = OwnerUser
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil && id != "" {
			var fe errs.Fields
			fe.Add("unknown_owner_id", "wrong_type", "must be a user's ID")
			return fe.Err()
		}
		opts.UnknownOwnerID = n
		return nil
	}
	mode, uid, err := m.UnknownOwnerChoice(ctx, choice)
	opts.UnknownOwner, opts.UnknownOwnerID = mode, uid
	return err
}

// ownersJSON adds a dry run's owner summary to its answer.
func (m *Module) ownersJSON(ctx context.Context, imp Import, out *importJSON) error {
	e, ok := m.entity(imp.Entity)
	if !imp.DryRun || imp.Status != Done || !ok || !e.Owned || !slices.Contains(imp.Mapping, "owner_id") {
		return nil
	}
	s, err := m.Owners(ctx, imp, imp.Mapping)
	if err != nil {
		return err
	}
	out.Owners = &s
	return nil
}
