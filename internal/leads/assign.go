package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/records"
)

// Advisory-lock key spaces (PostgreSQL; SQLite writes one at a time):
// roundRobinLock+team keeps two leads created at once for one team from
// going to the same member, convertLock+lead keeps a lead from being
// converted twice at once.
const (
	roundRobinLock = 0x6c65_6164 << 32 // "lead"
	convertLock    = 0x636f_6e76 << 32 // "conv"
)

// assignNew gives a lead created without an owner of its own one, and
// starts its response clock. It runs after the insert, so that rule
// filters are evaluated by the database against the stored lead.
//
// A lead "has no owner of its own" when it was created unowned or owned by
// its creator (which is what the records machinery defaults to). The lead
// goes to the first matching rule's user or team (in mode "rules"), else
// round-robin within the default team (modes "rules" and "round_robin"),
// else stays with the creator. An assignee the creator may not give
// records to (a sales user creating a lead) is passed over.
//
// A lead brought in by a quiet import (the default: a file of last
// year's leads is history, not three hundred people waiting for a call)
// is neither assigned nor timed: it keeps the owner its row named, or the
// importer, or none (an empty owner cell), and no response clock starts,
// so the overdue check never flags it and no one is notified. Someone
// giving it to a person later starts the clock then (beforeSave). An
// import of new leads is treated like leads typed in.
func (m *Module) assignNew(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	if c.Origin.Imported() && c.Origin.Quiet {
		return nil
	}
	st, err := loadSettings(ctx, tx)
	if err != nil {
		return err
	}
	owner := r.OwnerID
	if owner == 0 || owner == c.Actor.UserID {
		picked, err := m.pickOwner(ctx, tx, c.Actor, st, r.ID)
		if err != nil {
			return err
		}
		if picked != 0 {
			owner = picked
		}
	}
	if owner == 0 {
		return nil // unowned: the clock starts when someone gets it
	}
	now := m.now()
	due := now.Add(time.Duration(st.ResponseMinutes) * time.Minute)
	if _, err := tx.ExecContext(ctx, "UPDATE leads SET owner_id = $1, assigned_at = $2, response_due_at = $3 WHERE id = $4",
		owner, now, due, r.ID); err != nil {
		return fmt.Errorf("assign lead %d: %w", r.ID, err)
	}
	changes := map[string][2]any{"assigned_at": {nil, now}, "response_due_at": {nil, due}}
	if owner != r.OwnerID {
		changes["owner_id"] = [2]any{nullID(r.OwnerID), owner}
	}
	r.OwnerID = owner
	r.Set("assigned_at", now)
	r.Set("response_due_at", due)
	return records.RecordChange(ctx, tx, now, "leads", r.ID, "assigned", c.Actor, changes)
}

// pickOwner returns who a new lead goes to, or 0 to leave it as it is.
func (m *Module) pickOwner(ctx context.Context, tx *sql.Tx, p auth.Principal, st Settings, leadID int64) (int64, error) {
	if st.AssignmentMode == ModeRules {
		rules, err := listRules(ctx, tx)
		if err != nil {
			return 0, err
		}
		for _, rule := range rules {
			ok, err := m.matches(ctx, tx, rule.Filter, leadID)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
			if rule.UserID != nil {
				if m.mayGive(ctx, tx, p, *rule.UserID) {
					return *rule.UserID, nil
				}
				return 0, nil
			}
			return m.nextInTeam(ctx, tx, p, *rule.TeamID)
		}
	}
	if st.AssignmentMode != ModeNone && st.DefaultTeamID != nil {
		return m.nextInTeam(ctx, tx, p, *st.DefaultTeamID)
	}
	return 0, nil
}

// matches reports whether the stored lead matches a rule's filter. A
// filter that no longer compiles (its custom field was removed) matches
// nothing; an empty one matches every lead.
func (m *Module) matches(ctx context.Context, tx *sql.Tx, src string, leadID int64) (bool, error) {
	schema, err := m.records.Schema(ctx, m.entity)
	if err != nil {
		return false, err
	}
	w, err := filter.Compile(src, schema, filter.Options{Engine: m.db.Engine, FirstArg: 2, Now: m.now()})
	if errs.Is(err, errs.Invalid) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cond := "1 = 1"
	if w.SQL != "" {
		cond = w.SQL
	}
	var n int
	args := append([]any{leadID}, w.Args...)
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM leads l WHERE l.id = $1 AND ("+cond+")", args...).Scan(&n); err != nil {
		return false, fmt.Errorf("match lead rule: %w", err)
	}
	return n > 0, nil
}

// nextInTeam deals the next lead of a team: the active member (not
// read-only) after the one who got the last, in ID order, wrapping around.
// The team's cursor row is read and written in the lead's transaction,
// serialized per team on PostgreSQL (SQLite writes one at a time anyway),
// so concurrent leads go to different members.
func (m *Module) nextInTeam(ctx context.Context, tx *sql.Tx, p auth.Principal, teamID int64) (int64, error) {
	if err := m.db.Serialize(ctx, tx, roundRobinLock+teamID); err != nil {
		return 0, err
	}
	var last sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT last_user_id FROM lead_round_robin WHERE team_id = $1", teamID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("round robin of team %d: %w", teamID, err)
	}
	members := "FROM users WHERE team_id = $1 AND disabled_at IS NULL AND role <> 'readonly'"
	var next int64
	err = tx.QueryRowContext(ctx, "SELECT COALESCE(MIN(id), 0) "+members+" AND id > $2", teamID, last.Int64).Scan(&next)
	if err == nil && next == 0 {
		err = tx.QueryRowContext(ctx, "SELECT COALESCE(MIN(id), 0) "+members, teamID).Scan(&next)
	}
	if err != nil {
		return 0, fmt.Errorf("round robin of team %d: %w", teamID, err)
	}
	if next == 0 || !m.mayGive(ctx, tx, p, next) {
		return 0, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO lead_round_robin (team_id, last_user_id) VALUES ($1, $2)
		ON CONFLICT (team_id) DO UPDATE SET last_user_id = EXCLUDED.last_user_id`, teamID, next)
	if err != nil {
		return 0, fmt.Errorf("round robin of team %d: %w", teamID, err)
	}
	return next, nil
}

// mayGive reports whether p may give a record to the user: the one
// authorisation rule, applied to the record as the user would own it.
func (m *Module) mayGive(ctx context.Context, tx *sql.Tx, p auth.Principal, userID int64) bool {
	team, ok := userTeam(ctx, tx, userID)
	return ok && p.Can(auth.Write, auth.Owned{OwnerID: userID, OwnerTeamID: team}) == nil
}

// userTeam returns an active user's team (0 for none); ok is false when
// there is no such active user.
func userTeam(ctx context.Context, tx *sql.Tx, userID int64) (int64, bool) {
	var team sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT team_id FROM users WHERE id = $1 AND disabled_at IS NULL", userID).Scan(&team); err != nil {
		return 0, false
	}
	return team.Int64, true
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
