package duplicates

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// MergePage is one page of the merge log, newest first.
type MergePage struct {
	Items      []Merge `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

var errMergeNotFound = errs.E(errs.NotFound, "No such merge, or you may not see its record.").WithKey("duplicates.error.merge_not_found")

// jsonText reads a JSON column as text on either engine.
func (m *Module) jsonText(col string) string {
	if m.db.Engine == store.Postgres {
		return col + "::text"
	}
	return col
}

func (m *Module) mergeSelect() string {
	return `SELECT mg.id, mg.entity, mg.survivor_id, ` + m.jsonText("mg.merged_ids") + `, ` + m.jsonText("mg.titles") + `,
		mg.actor_id, COALESCE(u.name, ''), mg.merged_at, mg.undone_at, mg.undone_by
		FROM merges mg LEFT JOIN users u ON u.id = mg.actor_id`
}

func scanMerge(row store.Scanner) (Merge, error) {
	var (
		mg              Merge
		ids, titles     string
		actor, undoneBy sql.NullInt64
		undoneAt        sql.NullTime
	)
	if err := row.Scan(&mg.ID, &mg.Entity, &mg.SurvivorID, &ids, &titles, &actor, &mg.Actor, &mg.MergedAt, &undoneAt, &undoneBy); err != nil {
		return Merge{}, err
	}
	if err := json.Unmarshal([]byte(ids), &mg.MergedIDs); err != nil {
		return Merge{}, fmt.Errorf("merge %d: %w", mg.ID, err)
	}
	if err := json.Unmarshal([]byte(titles), &mg.Titles); err != nil {
		return Merge{}, fmt.Errorf("merge %d: %w", mg.ID, err)
	}
	mg.MergedAt = mg.MergedAt.UTC()
	if actor.Valid {
		mg.ActorID = &actor.Int64
	}
	if undoneAt.Valid {
		t := undoneAt.Time.UTC()
		mg.UndoneAt = &t
	}
	if undoneBy.Valid {
		mg.UndoneBy = &undoneBy.Int64
	}
	mg.Moved = []MovedCount{}
	return mg, nil
}

// survivorVisible is the condition that p may read the survivor of a
// merge (alias mg), in the trash or not.
func survivorVisible(p auth.Principal, e *records.Entity, first int) (string, []any) {
	if !e.Owned {
		return fmt.Sprintf("EXISTS (SELECT 1 FROM %s x WHERE x.id = mg.survivor_id)", e.Table), nil
	}
	scope, args := p.Scope(auth.Read, "x.owner_id", first)
	return fmt.Sprintf("EXISTS (SELECT 1 FROM %s x WHERE x.id = mg.survivor_id AND %s)", e.Table, scope), args
}

// GetMerge returns one merge whose survivor p may read.
func (m *Module) GetMerge(ctx context.Context, p auth.Principal, id int64) (Merge, error) {
	var entity string
	err := m.db.Read().QueryRowContext(ctx, "SELECT entity FROM merges WHERE id = $1", id).Scan(&entity)
	if errors.Is(err, sql.ErrNoRows) {
		return Merge{}, errMergeNotFound
	}
	if err != nil {
		return Merge{}, fmt.Errorf("merge %d: %w", id, err)
	}
	e, ok := m.entities[entity]
	if !ok {
		return Merge{}, errMergeNotFound
	}
	cond, args := survivorVisible(p, e, 2)
	mg, err := scanMerge(m.db.Read().QueryRowContext(ctx, m.mergeSelect()+" WHERE mg.id = $1 AND "+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Merge{}, errMergeNotFound
	}
	if err != nil {
		return Merge{}, fmt.Errorf("merge %d: %w", id, err)
	}
	list := []Merge{mg}
	if err := m.countMoved(ctx, list); err != nil {
		return Merge{}, err
	}
	return list[0], nil
}

// ListMerges returns the merges of an entity whose survivor p may read,
// newest first; recordID, when not 0, keeps those into that record.
// page holds limit and cursor.
func (m *Module) ListMerges(ctx context.Context, p auth.Principal, entity string, recordID int64, page url.Values) (MergePage, error) {
	e, _, err := m.entity(entity, "entity")
	if err != nil {
		return MergePage{}, err
	}
	limit, after, err := parsePage(page)
	if err != nil {
		return MergePage{}, err
	}
	where := []string{"mg.entity = $1"}
	args := []any{e.Name}
	cond, sargs := survivorVisible(p, e, len(args)+1)
	where = append(where, cond)
	args = append(args, sargs...)
	if recordID != 0 {
		args = append(args, recordID)
		where = append(where, fmt.Sprintf("mg.survivor_id = $%d", len(args)))
	}
	if after != 0 {
		args = append(args, after)
		where = append(where, fmt.Sprintf("mg.id < $%d", len(args)))
	}
	list, err := store.Collect(ctx, m.db.Read(), scanMerge,
		m.mergeSelect()+" WHERE "+strings.Join(where, " AND ")+" ORDER BY mg.id DESC LIMIT "+strconv.Itoa(limit+1), args...)
	if err != nil {
		return MergePage{}, fmt.Errorf("merges of %s: %w", e.Name, err)
	}
	out := MergePage{Items: list}
	if len(list) > limit {
		out.Items = list[:limit]
		out.NextCursor = strconv.FormatInt(list[limit-1].ID, 10)
	}
	if out.Items == nil {
		out.Items = []Merge{}
	}
	return out, m.countMoved(ctx, out.Items)
}

// countMoved fills in how many links each merge moved.
func (m *Module) countMoved(ctx context.Context, list []Merge) error {
	if len(list) == 0 {
		return nil
	}
	args := make([]any, len(list))
	index := map[int64]int{}
	for i, mg := range list {
		args[i] = mg.ID
		index[mg.ID] = i
	}
	rows, err := m.db.Read().QueryContext(ctx, `SELECT merge_id, ref_table, ref_column, COUNT(*) FROM merge_references
		WHERE merge_id IN (`+placeholders(1, len(list))+`) GROUP BY merge_id, ref_table, ref_column ORDER BY merge_id, ref_table, ref_column`, args...)
	if err != nil {
		return fmt.Errorf("links moved by merges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c MovedCount
		if err := rows.Scan(&id, &c.Table, &c.Column, &c.Count); err != nil {
			return err
		}
		list[index[id]].Moved = append(list[index[id]].Moved, c)
	}
	return rows.Err()
}
