package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

// SavedView is a named list view of an entity: a filter, a sort and the
// columns shown. It belongs to the user who saved it; a shared view is
// offered to everyone.
type SavedView struct {
	ID        int64     `json:"id"`
	Entity    string    `json:"entity"`
	Name      string    `json:"name"`
	Filter    string    `json:"filter"`
	Sort      string    `json:"sort"`
	Columns   []string  `json:"columns"`
	Shared    bool      `json:"shared"`
	UserID    int64     `json:"user_id"`
	Owner     string    `json:"owner"` // the name of the user who saved it
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Query returns the list parameters the view stands for.
func (v SavedView) Query() url.Values {
	q := url.Values{}
	if v.Filter != "" {
		q.Set("filter", v.Filter)
	}
	if v.Sort != "" {
		q.Set("sort", v.Sort)
	}
	if len(v.Columns) > 0 {
		q.Set("columns", strings.Join(v.Columns, ","))
	}
	return q
}

// ViewInput saves a view.
type ViewInput struct {
	Name    string   `json:"name"`
	Filter  string   `json:"filter"`
	Sort    string   `json:"sort"`
	Columns []string `json:"columns"`
	Shared  bool     `json:"shared"`
}

// validate checks a view against the entity as it is now, so a saved view
// always opens: its filter compiles, its sort and columns exist.
func (s *Store) validateView(ctx context.Context, e *Entity, in *ViewInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Filter = strings.TrimSpace(in.Filter)
	in.Sort = strings.TrimSpace(in.Sort)
	var fe errs.Fields
	switch {
	case in.Name == "":
		fe.Add("name", "required", "is required")
	case utf8.RuneCountInString(in.Name) > 100:
		fe.Add("name", "too_long", "must be at most %d characters", 100)
	}
	fields, err := s.fields(ctx, s.db.Read(), e)
	if err != nil {
		return err
	}
	if in.Filter != "" {
		_, err := filter.Compile(in.Filter, s.schema(e, fields), filter.Options{Engine: s.db.Engine, Now: s.now()})
		if ferr, ok := errs.As(err); ok && ferr.Code == errs.Invalid {
			fe = append(fe, ferr.Fields...)
		} else if err != nil {
			return err
		}
	}
	if in.Sort != "" {
		if _, err := page.Parse(url.Values{"sort": {in.Sort}}, s.SortColumns(e, fields), "", e.Alias+".id"); err != nil {
			fe.Add("sort", "unknown_field", "is not a sort of this list")
		}
	}
	known := map[string]bool{}
	for _, f := range append(e.systemFields(), fields...) {
		known[f.Name] = true
	}
	var cols []string
	for _, c := range in.Columns {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !known[c] {
			fe.Add("columns", "unknown_field", "holds %q, which is not a field of %s", c, e.Name)
			break
		}
		cols = append(cols, c)
	}
	in.Columns = cols
	return fe.Err()
}

func (s *Store) viewSelect() string {
	return `SELECT v.id, v.entity, v.name, v.filter, v.sort, ` + jsonText(s.db.Engine, "v.columns") + `, v.shared, v.user_id,
		COALESCE(u.name, ''), v.created_at, v.updated_at FROM saved_views v LEFT JOIN users u ON u.id = v.user_id`
}

func scanView(row store.Scanner) (SavedView, error) {
	var v SavedView
	var cols string
	if err := row.Scan(&v.ID, &v.Entity, &v.Name, &v.Filter, &v.Sort, &cols, &v.Shared, &v.UserID, &v.Owner, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return SavedView{}, err
	}
	if err := json.Unmarshal([]byte(cols), &v.Columns); err != nil {
		return SavedView{}, fmt.Errorf("columns of saved view %d: %w", v.ID, err)
	}
	if v.Columns == nil {
		v.Columns = []string{}
	}
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return v, nil
}

// Views returns the caller's own views of an entity and those others
// shared, by name.
func (s *Store) Views(ctx context.Context, p auth.Principal, entity string) ([]SavedView, error) {
	out, err := store.Collect(ctx, s.db.Read(), scanView,
		s.viewSelect()+" WHERE v.entity = $1 AND (v.user_id = $2 OR v.shared = $3) ORDER BY lower(v.name), v.id", entity, p.UserID, true)
	if err != nil {
		return nil, fmt.Errorf("saved views of %s: %w", entity, err)
	}
	if out == nil {
		out = []SavedView{}
	}
	return out, nil
}

// GetView returns a view the caller may use: their own or a shared one.
func (s *Store) GetView(ctx context.Context, p auth.Principal, id int64) (SavedView, error) {
	v, err := scanView(s.db.Read().QueryRowContext(ctx, s.viewSelect()+" WHERE v.id = $1 AND (v.user_id = $2 OR v.shared = $3)", id, p.UserID, true))
	if errors.Is(err, sql.ErrNoRows) {
		return SavedView{}, errs.E(errs.NotFound, "No such saved view.").WithKey("error.view_not_found")
	}
	if err != nil {
		return SavedView{}, fmt.Errorf("get saved view %d: %w", id, err)
	}
	return v, nil
}

// CreateView saves a view of an entity for the caller.
func (s *Store) CreateView(ctx context.Context, p auth.Principal, e *Entity, in ViewInput) (SavedView, error) {
	if err := s.validateView(ctx, e, &in); err != nil {
		return SavedView{}, err
	}
	cols, _ := json.Marshal(append([]string{}, in.Columns...))
	var id int64
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, entity, name, filter, sort, columns, shared, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, p.UserID, e.Name, in.Name, in.Filter, in.Sort, string(cols), in.Shared, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert saved view: %w", err)
		}
		return nil
	})
	if err != nil {
		return SavedView{}, err
	}
	return s.GetView(ctx, p, id)
}

// DeleteView deletes a view. Only the user who saved it, or an
// administrator, may.
func (s *Store) DeleteView(ctx context.Context, p auth.Principal, id int64) error {
	v, err := s.GetView(ctx, p, id)
	if err != nil {
		return err
	}
	if v.UserID != p.UserID && p.CanManage() != nil {
		return errs.E(errs.Forbidden, "Only the person who saved this view may delete it.").WithKey("error.view_not_yours")
	}
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM saved_views WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete saved view %d: %w", id, err)
		}
		return nil
	})
}
