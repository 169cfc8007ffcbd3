package leads

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// derived are the read-only fields a save may change: the score and the
// response clock. The records machinery inserts them on create but never
// updates read-only columns, so afterSave writes those that changed.
var derived = []string{"score", "score_reasons", "assigned_at", "response_due_at", "first_response_at", "response_seconds", "overdue"}

// beforeSave guards the status, computes the score and moves the response
// clock: the owner marking a new lead contacted is its first response, and
// an unanswered lead given to someone else starts a fresh clock for them.
func (m *Module) beforeSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	status := r.String("status")
	var old string
	if c.Old != nil {
		old = c.Old.String("status")
	}
	var fe errs.Fields
	switch {
	case status == "" && c.Old == nil:
		r.Set("status", StatusNew)
	case status == "":
		fe.Add("status", "required", "is required")
	case status == StatusConverted && old != StatusConverted:
		fe.Add("status", "convert_to_convert", "becomes converted only by converting the lead")
	case old == StatusConverted && status != StatusConverted:
		fe.Add("status", "lead_converted", "of a converted lead cannot change")
	}
	if err := fe.Err(); err != nil {
		return err
	}

	score, reasons := Score(r)
	r.Set("score", int64(score))
	if texts := reasonTexts(reasons); len(texts) > 0 {
		r.Set("score_reasons", texts)
	} else {
		r.Set("score_reasons", nil)
	}
	if c.Old == nil {
		r.Set("overdue", false)
		return nil
	}

	now := m.now()
	if old == StatusNew && status == StatusContacted && c.Actor.UserID == r.OwnerID {
		if at, ok := r.Get("assigned_at").(time.Time); ok && r.Get("first_response_at") == nil {
			r.Set("first_response_at", now)
			r.Set("response_seconds", responseSeconds(at, now))
			r.Set("overdue", false)
		}
	}
	// A quiet import that gives a lead another owner starts no clock the
	// lead did not have; one already running starts afresh for the new
	// owner, as when someone reassigns it by hand.
	quiet := c.Origin.Imported() && c.Origin.Quiet && r.Get("assigned_at") == nil
	if r.OwnerID != c.Old.OwnerID && r.OwnerID != 0 && r.Get("first_response_at") == nil && status != StatusConverted && !quiet {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		r.Set("assigned_at", now)
		r.Set("response_due_at", now.Add(time.Duration(st.ResponseMinutes)*time.Minute))
		r.Set("overdue", false)
	}
	return nil
}

// afterSave assigns new leads, writes changed derived fields and keeps
// the search document in step.
func (m *Module) afterSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	switch c.Action {
	case "created":
		if err := m.assignNew(ctx, tx, c); err != nil {
			return err
		}
	case "updated":
		if err := writeDerived(ctx, tx, c.Old, c.New); err != nil {
			return err
		}
	}
	return indexForSearch(ctx, tx, m.db.Engine, c.New)
}

// writeDerived updates the derived columns whose values the save changed,
// in the save's own version (they follow from the fields that changed).
func writeDerived(ctx context.Context, tx *sql.Tx, old, cur *records.Record) error {
	var sets []string
	var args []any
	for _, name := range derived {
		v := cur.Get(name)
		if reflect.DeepEqual(old.Get(name), v) {
			continue
		}
		if l, ok := v.([]string); ok {
			b, _ := json.Marshal(l)
			v = string(b)
		}
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", name, len(args)))
	}
	if len(sets) == 0 {
		return nil
	}
	args = append(args, cur.ID)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE leads SET %s WHERE id = $%d", strings.Join(sets, ", "), len(args)), args...); err != nil {
		return fmt.Errorf("lead %d: %w", cur.ID, err)
	}
	return nil
}

// responseSeconds is the time from assignment to response, never negative
// (an activity logged with an earlier time answers at once).
func responseSeconds(assigned, answered time.Time) int64 {
	return max(int64(answered.Sub(assigned)/time.Second), 0)
}
