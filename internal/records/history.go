package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// HistoryBatch holds the history rows of a bulk write until Flush, which
// writes them a hundred to a statement: on PostgreSQL each statement is a
// round trip, and an import writes a history row for every record.
type HistoryBatch struct {
	rows [][]any
}

type historyKey struct{}

// DeferHistory returns a context in which RecordChange queues its rows on
// the returned batch; the caller must Flush it in the same transaction.
func DeferHistory(ctx context.Context) (context.Context, *HistoryBatch) {
	b := &HistoryBatch{}
	return context.WithValue(ctx, historyKey{}, b), b
}

// Len is how many rows are queued, a mark for Truncate.
func (b *HistoryBatch) Len() int { return len(b.rows) }

// Truncate drops the rows queued after mark: those of a write rolled back
// to a savepoint.
func (b *HistoryBatch) Truncate(mark int) { b.rows = b.rows[:mark] }

// Flush writes the queued history rows, in order.
func (b *HistoryBatch) Flush(ctx context.Context, tx *sql.Tx) error {
	const perStatement = 100
	for len(b.rows) > 0 {
		n := min(len(b.rows), perStatement)
		values := make([]string, n)
		args := make([]any, 0, n*6)
		for i, row := range b.rows[:n] {
			k := len(args)
			values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6)
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO record_changes (entity, record_id, action, actor_id, at, changes) VALUES "+strings.Join(values, ", "), args...); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		b.rows = b.rows[n:]
	}
	return nil
}

// HistoryEntry is one recorded change of a record.
type HistoryEntry struct {
	ID       int64             `json:"id"`
	Entity   string            `json:"entity"`
	RecordID int64             `json:"record_id"`
	Action   string            `json:"action"`
	ActorID  *int64            `json:"actor_id"`
	Actor    string            `json:"actor"`
	At       time.Time         `json:"at"`
	Changes  map[string][2]any `json:"changes"`
}

// recordChange writes one history row in the save's transaction.
func (s *Store) recordChange(ctx context.Context, tx *sql.Tx, e *Entity, id int64, action string, p auth.Principal, changes map[string][2]any) error {
	return RecordChange(ctx, tx, s.now(), e.Name, id, action, p, changes)
}

// RecordChange writes a history row for any entity, for domain operations
// (a conversion, a stage change) that are more than a field update.
func RecordChange(ctx context.Context, tx *sql.Tx, at time.Time, entity string, id int64, action string, p auth.Principal, changes map[string][2]any) error {
	if changes == nil {
		changes = map[string][2]any{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("history of %s %d: %w", entity, id, err)
	}
	if hb, _ := ctx.Value(historyKey{}).(*HistoryBatch); hb != nil {
		hb.rows = append(hb.rows, []any{entity, id, action, nullID(p.UserID), at, string(b)})
		return nil
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO record_changes (entity, record_id, action, actor_id, at, changes) VALUES ($1, $2, $3, $4, $5, $6)",
		entity, id, action, nullID(p.UserID), at, string(b))
	if err != nil {
		return fmt.Errorf("history of %s %d: %w", entity, id, err)
	}
	return nil
}

// History returns the changes of a record, newest first.
func (s *Store) History(ctx context.Context, entity string, id int64, limit int) ([]HistoryEntry, error) {
	out, err := store.Collect(ctx, s.db.Read(), func(row store.Scanner) (HistoryEntry, error) {
		var h HistoryEntry
		var actor sql.NullInt64
		var changes string
		if err := row.Scan(&h.ID, &h.Entity, &h.RecordID, &h.Action, &actor, &h.Actor, &h.At, &changes); err != nil {
			return h, err
		}
		if actor.Valid {
			h.ActorID = &actor.Int64
		}
		h.At = h.At.UTC()
		err := json.Unmarshal([]byte(changes), &h.Changes)
		return h, err
	}, `SELECT h.id, h.entity, h.record_id, h.action, h.actor_id, COALESCE(u.name, ''), h.at, `+jsonText(s.db.Engine, "h.changes")+`
		FROM record_changes h LEFT JOIN users u ON u.id = h.actor_id
		WHERE h.entity = $1 AND h.record_id = $2 ORDER BY h.id DESC LIMIT $3`, entity, id, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s %d: %w", entity, id, err)
	}
	return out, nil
}
