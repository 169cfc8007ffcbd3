package leads

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/store"
)

// Assignment modes: how a lead created without an owner gets one.
const (
	// ModeRoundRobin deals leads in turn to the members of the default
	// team, which it requires.
	ModeRoundRobin = "round_robin"
	// ModeRules tries the rules first, then the default team's round robin.
	ModeRules = "rules"
	// ModeNone leaves a lead with whoever created it.
	ModeNone = "none"
)

// Modes lists the assignment modes.
var Modes = []string{ModeRoundRobin, ModeRules, ModeNone}

// Settings are the company's speed-to-lead settings.
type Settings struct {
	// ResponseMinutes is how long an owner has to answer a new lead.
	ResponseMinutes int    `json:"response_minutes"`
	AssignmentMode  string `json:"assignment_mode"`
	// DefaultTeamID is the team new leads go round-robin within; nil for none.
	DefaultTeamID *int64    `json:"default_team_id"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// SettingsInput changes the settings.
type SettingsInput struct {
	ResponseMinutes *int    `json:"response_minutes"`
	AssignmentMode  *string `json:"assignment_mode"`
	DefaultTeamID   *int64  `json:"default_team_id"`
}

// MaxResponseMinutes bounds the response target: a week.
const MaxResponseMinutes = 7 * 24 * 60

func loadSettings(ctx context.Context, q store.Querier) (Settings, error) {
	var s Settings
	var team sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT response_minutes, assignment_mode, default_team_id, updated_at, version FROM lead_settings WHERE id = 1").
		Scan(&s.ResponseMinutes, &s.AssignmentMode, &team, &s.UpdatedAt, &s.Version)
	if err != nil {
		return Settings{}, fmt.Errorf("lead settings: %w", err)
	}
	if team.Valid {
		s.DefaultTeamID = &team.Int64
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return s, nil
}

// Settings returns the speed-to-lead settings.
func (m *Module) Settings(ctx context.Context) (Settings, error) {
	return loadSettings(ctx, m.db.Read())
}

// SaveSettings changes the settings (administrators only). A nil field of
// in keeps its value, except DefaultTeamID, which nil clears.
func (m *Module) SaveSettings(ctx context.Context, p auth.Principal, in SettingsInput) (Settings, error) {
	if err := p.CanManage(); err != nil {
		return Settings{}, err
	}
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		var fe errs.Fields
		if in.ResponseMinutes != nil {
			if *in.ResponseMinutes < 1 || *in.ResponseMinutes > MaxResponseMinutes {
				fe.Add("response_minutes", "out_of_range", "must be a whole number from %d to %d", 1, MaxResponseMinutes)
			}
			cur.ResponseMinutes = *in.ResponseMinutes
		}
		if in.AssignmentMode != nil {
			if !slices.Contains(Modes, *in.AssignmentMode) {
				fe.Add("assignment_mode", "invalid_choice", "must be one of: %s", strings.Join(Modes, ", "))
			}
			cur.AssignmentMode = *in.AssignmentMode
		}
		cur.DefaultTeamID = in.DefaultTeamID
		if cur.DefaultTeamID != nil {
			if err := checkTeam(ctx, tx, *cur.DefaultTeamID, "default_team_id", &fe); err != nil {
				return err
			}
		}
		if cur.AssignmentMode == ModeRoundRobin && cur.DefaultTeamID == nil {
			fe.Add("default_team_id", "required", "is required")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE lead_settings SET response_minutes = $1, assignment_mode = $2, default_team_id = $3,
			updated_at = $4, version = version + 1 WHERE id = 1`, cur.ResponseMinutes, cur.AssignmentMode, nullable(cur.DefaultTeamID), m.now())
		if err != nil {
			return fmt.Errorf("save lead settings: %w", err)
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	return m.Settings(ctx)
}

// Rule is an assignment rule: leads matching Filter go to UserID, or
// round-robin within TeamID.
type Rule struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Filter   string `json:"filter"`
	TeamID   *int64 `json:"team_id"`
	UserID   *int64 `json:"user_id"`
	// Assignee is the team's or user's name.
	Assignee  string    `json:"assignee"`
	CreatedAt time.Time `json:"created_at"`
}

// RuleInput is a new rule. Position 0 puts it after the others.
type RuleInput struct {
	Position int    `json:"position"`
	Filter   string `json:"filter"`
	TeamID   *int64 `json:"team_id"`
	UserID   *int64 `json:"user_id"`
}

func listRules(ctx context.Context, q store.Querier) ([]Rule, error) {
	rules, err := store.Collect(ctx, q, func(row store.Scanner) (Rule, error) {
		var r Rule
		var team, user sql.NullInt64
		err := row.Scan(&r.ID, &r.Position, &r.Filter, &team, &user, &r.Assignee, &r.CreatedAt)
		if team.Valid {
			r.TeamID = &team.Int64
		}
		if user.Valid {
			r.UserID = &user.Int64
		}
		r.CreatedAt = r.CreatedAt.UTC()
		return r, err
	}, `SELECT r.id, r.position, r.filter, r.team_id, r.user_id, COALESCE(t.name, u.name, ''), r.created_at
		FROM lead_assignment_rules r LEFT JOIN teams t ON t.id = r.team_id LEFT JOIN users u ON u.id = r.user_id
		ORDER BY r.position, r.id`)
	if err != nil {
		return nil, fmt.Errorf("lead assignment rules: %w", err)
	}
	if rules == nil {
		rules = []Rule{}
	}
	return rules, nil
}

// Rules lists the assignment rules in the order they are tried.
func (m *Module) Rules(ctx context.Context) ([]Rule, error) { return listRules(ctx, m.db.Read()) }

// AddRule adds an assignment rule (administrators only). The filter is
// checked against the leads' fields, custom fields included.
func (m *Module) AddRule(ctx context.Context, p auth.Principal, in RuleInput) (Rule, error) {
	if err := p.CanManage(); err != nil {
		return Rule{}, err
	}
	var fe errs.Fields
	in.Filter = strings.TrimSpace(in.Filter)
	if in.Filter != "" {
		schema, err := m.records.Schema(ctx, m.entity)
		if err != nil {
			return Rule{}, err
		}
		if _, err := filter.Compile(in.Filter, schema, filter.Options{Engine: m.db.Engine}); err != nil {
			e, ok := errs.As(err)
			if !ok {
				return Rule{}, err
			}
			fe = append(fe, e.Fields...)
		}
	}
	if in.Position < 0 {
		fe.Add("position", "out_of_range", "must be a whole number from %d to %d", 0, 1_000_000)
	}
	switch {
	case (in.TeamID == nil) == (in.UserID == nil):
		fe.Add("team_id", "one_assignee", "give either a team or a user")
	}
	var id int64
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if in.TeamID != nil {
			if err := checkTeam(ctx, tx, *in.TeamID, "team_id", &fe); err != nil {
				return err
			}
		}
		if in.UserID != nil {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NULL", *in.UserID).Scan(&n); err != nil {
				return fmt.Errorf("rule's user: %w", err)
			}
			if n == 0 {
				fe.Add("user_id", "not_found", "no active user has this ID")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		pos := in.Position
		if pos == 0 {
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM lead_assignment_rules").Scan(&pos); err != nil {
				return fmt.Errorf("rule position: %w", err)
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO lead_assignment_rules (position, filter, team_id, user_id, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, pos, in.Filter, nullable(in.TeamID), nullable(in.UserID), m.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("add lead rule: %w", err)
		}
		return nil
	})
	if err != nil {
		return Rule{}, err
	}
	rules, err := m.Rules(ctx)
	if err != nil {
		return Rule{}, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return Rule{}, errs.E(errs.NotFound, "No such assignment rule.").WithKey("leads.error.rule_not_found")
}

// DeleteRule removes an assignment rule (administrators only).
func (m *Module) DeleteRule(ctx context.Context, p auth.Principal, id int64) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM lead_assignment_rules WHERE id = $1", id)
		if err != nil {
			return fmt.Errorf("delete lead rule %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such assignment rule.").WithKey("leads.error.rule_not_found")
		}
		return nil
	})
}

func checkTeam(ctx context.Context, tx *sql.Tx, id int64, field string, fe *errs.Fields) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM teams WHERE id = $1", id).Scan(&n); err != nil {
		return fmt.Errorf("check team %d: %w", id, err)
	}
	if n == 0 {
		fe.Add(field, "not_found", "refers to a record that does not exist")
	}
	return nil
}

func nullable(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}
