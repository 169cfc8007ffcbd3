package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// RecordResponse stops a lead's response clock at the owner's first
// response: a call or e-mail logged on the lead at time at. Responses by
// anyone but the owner, responses after the first, and leads that are
// unassigned, in the trash or missing change nothing. It runs in the
// caller's transaction (the one that logs the activity).
func RecordResponse(ctx context.Context, tx *sql.Tx, leadID, userID int64, at time.Time) error {
	var owner sql.NullInt64
	var assigned, first sql.NullTime
	err := tx.QueryRowContext(ctx, "SELECT owner_id, assigned_at, first_response_at FROM leads WHERE id = $1 AND deleted_at IS NULL", leadID).
		Scan(&owner, &assigned, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("response to lead %d: %w", leadID, err)
	}
	if first.Valid || !assigned.Valid || !owner.Valid || owner.Int64 != userID {
		return nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	secs := responseSeconds(assigned.Time, at)
	res, err := tx.ExecContext(ctx, `UPDATE leads SET first_response_at = $1, response_seconds = $2, overdue = $3, version = version + 1
		WHERE id = $4 AND first_response_at IS NULL`, at, secs, false, leadID)
	if err != nil {
		return fmt.Errorf("response to lead %d: %w", leadID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return records.RecordChange(ctx, tx, at, "leads", leadID, "responded", auth.Principal{UserID: userID},
		map[string][2]any{"first_response_at": {nil, at}, "response_seconds": {nil, secs}})
}

// ActivityLogged stops a lead's response clock when its owner logs a call
// or an e-mail on it — one that happened, not one planned for later.
func ActivityLogged(ctx context.Context, tx *sql.Tx, a *records.Record) error {
	kind := a.String("kind")
	if a.String("related_type") != "leads" || kind != "call" && kind != "email" {
		return nil
	}
	at := a.CreatedAt
	if done, ok := a.Get("done_at").(time.Time); ok {
		at = done
	} else if due, ok := a.Get("due_at").(time.Time); ok && due.After(at) {
		return nil // scheduled, not yet made
	}
	return RecordResponse(ctx, tx, a.Int("related_id"), a.OwnerID, at)
}
