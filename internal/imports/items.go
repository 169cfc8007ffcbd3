package imports

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/store"
)

// Item is what became of one row of a file (or of a record a row made
// on the way, such as a contact's new account).
type Item struct {
	ID     int64
	Row    int64
	Entity string
	// Action is created, updated, skipped or failed.
	Action string
	// RecordID is the record the row created or updated, or the one a
	// skipped row repeats; 0 for none (and for what a dry run created,
	// which it rolled back).
	RecordID int64
	// Facts is why a row was skipped or failed.
	Facts Reason
}

// ItemsQuery picks an import's items: of some actions (all when empty),
// of the import's own entity only or all, after a position in file order.
type ItemsQuery struct {
	Actions   []string
	OwnEntity bool
	AfterRow  int64
	AfterID   int64
	Limit     int
}

// Items returns an import's items in file order.
func (m *Module) Items(ctx context.Context, imp Import, q ItemsQuery) ([]Item, error) {
	where := []string{"import_id = $1", "(row_number > $2 OR (row_number = $2 AND id > $3))"}
	args := []any{imp.ID, q.AfterRow, q.AfterID}
	if len(q.Actions) > 0 {
		ph := make([]string, len(q.Actions))
		for i, a := range q.Actions {
			args = append(args, a)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, "action IN ("+strings.Join(ph, ", ")+")")
	}
	if q.OwnEntity {
		args = append(args, imp.Entity)
		where = append(where, fmt.Sprintf("entity = $%d", len(args)))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 500
	}
	args = append(args, limit)
	out, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (Item, error) {
		var it Item
		var stored string
		var rec *int64
		err := row.Scan(&it.ID, &it.Row, &it.Entity, &it.Action, &rec, &stored)
		if rec != nil && !(imp.DryRun && it.Action == "created") {
			it.RecordID = *rec
		}
		if stored != "" {
			it.Facts = ReadReason(stored)
		}
		return it, err
	}, `SELECT id, row_number, entity, action, record_id, error FROM import_items WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(" ORDER BY row_number, id LIMIT $%d", len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("items of import %d: %w", imp.ID, err)
	}
	return out, nil
}

// itemCursor is a position in an import's items, as the API writes it:
// "<row>.<id>".
func itemCursor(it Item) string {
	return strconv.FormatInt(it.Row, 10) + "." + strconv.FormatInt(it.ID, 10)
}

func parseItemCursor(s string) (row, id int64, ok bool) {
	a, b, found := strings.Cut(s, ".")
	if !found {
		return 0, 0, false
	}
	row, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	return row, id, err1 == nil && err2 == nil && row >= 0 && id >= 0
}

// reasonsOf are the reasons of items.
func reasonsOf(items []Item) []Reason {
	out := make([]Reason, len(items))
	for i, it := range items {
		out[i] = it.Facts
	}
	return out
}
