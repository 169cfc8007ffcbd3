package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

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
