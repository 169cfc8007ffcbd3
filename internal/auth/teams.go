package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// Team is a group of users with an optional manager. Team-wide roles see the
// records of everyone in their team.
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ManagerID   *int64    `json:"manager_id"`
	ManagerName string    `json:"manager_name,omitempty"`
	MemberCount int       `json:"member_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

// TeamInput is used to create a team and, with all fields given, to update one.
type TeamInput struct {
	Name      string `json:"name"`
	ManagerID *int64 `json:"manager_id"`
}

func (in *TeamInput) validate(ctx context.Context, q store.Querier) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.ManagerID != nil && *in.ManagerID == 0 {
		in.ManagerID = nil
	}
	var fe errs.Fields
	switch {
	case in.Name == "":
		fe.Add("name", "required", "is required")
	case utf8.RuneCountInString(in.Name) > 100:
		fe.Add("name", "too_long", "must be at most %d characters", 100)
	}
	if in.ManagerID != nil {
		var one int
		err := q.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL", *in.ManagerID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			fe.Add("manager_id", "not_found", "no active user has this ID")
		} else if err != nil {
			return fmt.Errorf("look up manager: %w", err)
		}
	}
	return fe.Err()
}

func teamNameTaken() error {
	var fe errs.Fields
	fe.Add("name", "taken", "is already used by another team")
	e, _ := errs.As(fe.Err())
	e.Code, e.Message = errs.Conflict, "A team with this name already exists."
	return e
}

const teamSelect = `SELECT t.id, t.name, t.manager_id, COALESCE(m.name, ''),
	(SELECT count(*) FROM users u WHERE u.team_id = t.id AND u.disabled_at IS NULL),
	t.created_at, t.updated_at, t.version
	FROM teams t LEFT JOIN users m ON m.id = t.manager_id`

func scanTeam(row store.Scanner) (Team, error) {
	var t Team
	var mgr sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &mgr, &t.ManagerName, &t.MemberCount, &t.CreatedAt, &t.UpdatedAt, &t.Version); err != nil {
		return Team{}, err
	}
	if mgr.Valid {
		t.ManagerID = &mgr.Int64
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// TeamSort lists the fields teams can be sorted by.
var TeamSort = page.Columns{
	"name":       {Expr: "lower(t.name)", Kind: page.Text},
	"created_at": {Expr: "t.created_at", Kind: page.Time},
}

// ListTeams returns one page of teams.
func (s *Service) ListTeams(ctx context.Context, pr page.Request) (page.List[Team], error) {
	q := teamSelect
	cond, args := pr.Where(1)
	if cond != "" {
		q += " WHERE " + cond
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d", pr.OrderBy(), pr.Fetch())
	teams, err := store.Collect(ctx, s.db.Read(), scanTeam, q, args...)
	if err != nil {
		return page.List[Team]{}, fmt.Errorf("list teams: %w", err)
	}
	return page.Trim(pr, teams, func(t Team) map[string]any {
		return map[string]any{"name": strings.ToLower(t.Name), "created_at": t.CreatedAt}
	}, func(t Team) int64 { return t.ID }), nil
}

// AllTeams returns every team by name, for pickers.
func (s *Service) AllTeams(ctx context.Context) ([]Team, error) {
	pr, _ := page.Parse(nil, TeamSort, "name", "t.id")
	pr.Limit = page.MaxLimit
	l, err := s.ListTeams(ctx, pr)
	return l.Items, err
}

// GetTeam returns one team.
func (s *Service) GetTeam(ctx context.Context, id int64) (Team, error) {
	return getTeam(ctx, s.db.Read(), id)
}

func getTeam(ctx context.Context, q store.Querier, id int64) (Team, error) {
	t, err := scanTeam(q.QueryRowContext(ctx, teamSelect+" WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, errs.E(errs.NotFound, "No such team.").WithKey("error.team_not_found")
	}
	if err != nil {
		return Team{}, fmt.Errorf("get team %d: %w", id, err)
	}
	return t, nil
}

// CreateTeam adds a team (admins only).
func (s *Service) CreateTeam(ctx context.Context, actor Principal, in TeamInput) (Team, error) {
	if err := actor.CanManage(); err != nil {
		return Team{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		now := s.now()
		err := tx.QueryRowContext(ctx, "INSERT INTO teams (name, manager_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
			in.Name, in.ManagerID, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return teamNameTaken()
		}
		if err != nil {
			return fmt.Errorf("insert team: %w", err)
		}
		return nil
	})
	if err != nil {
		return Team{}, err
	}
	return s.GetTeam(ctx, id)
}

// UpdateTeam replaces a team's name and manager (admins only). ifVersion
// works as in UpdateUser.
func (s *Service) UpdateTeam(ctx context.Context, actor Principal, id int64, in TeamInput, ifVersion int64) (Team, error) {
	if err := actor.CanManage(); err != nil {
		return Team{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		cur, err := getTeam(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && cur.Version != ifVersion {
			return staleVersion(cur.Version)
		}
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE teams SET name = $1, manager_id = $2, updated_at = $3, version = version + 1 WHERE id = $4",
			in.Name, in.ManagerID, s.now(), id)
		if store.IsUniqueViolation(err) {
			return teamNameTaken()
		}
		if err != nil {
			return fmt.Errorf("update team %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Team{}, err
	}
	return s.GetTeam(ctx, id)
}

// DeleteTeam removes a team; its members stay, without a team.
func (s *Service) DeleteTeam(ctx context.Context, actor Principal, id int64) error {
	if err := actor.CanManage(); err != nil {
		return err
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		// Explicit rather than relying on ON DELETE SET NULL, so that the
		// members' version changes and stale edits of them are caught.
		if _, err := tx.ExecContext(ctx, "UPDATE users SET team_id = NULL, version = version + 1, updated_at = $1 WHERE team_id = $2", s.now(), id); err != nil {
			return fmt.Errorf("remove members of team %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM teams WHERE id = $1", id)
		if err != nil {
			return fmt.Errorf("delete team %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "No such team.").WithKey("error.team_not_found")
		}
		return nil
	})
}
