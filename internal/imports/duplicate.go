package imports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/relasi/relasi/internal/records"
)

// duplicate is the outcome of a row that repeats a record (existing) or an
// earlier row of the file (earlierRow, in a dry run) while duplicates are
// skipped: skipped, with what it repeats — "same e-mail (budi@contoh.co.id)
// as contact #123", or "as row 14 of this file" when that record is one
// this import made.
//
// A row that also holds a value its field refuses is not skipped but
// failed, with both reasons: skipping it would say nothing of the bad
// e-mail address, and the person correcting the file must learn of it
// (corrected, the row is then skipped as the duplicate it is). Missing
// values, which only creating needs, do not fail a row that is skipped.
func (r *runner) duplicate(ctx context.Context, tx *sql.Tx, p prepared, existing, earlierRow int64, matched key, b *batchState) ([]item, error) {
	if existing != 0 && earlierRow == 0 {
		row, err := r.rowThatMade(ctx, tx, existing, b)
		if err != nil {
			return nil, err
		}
		earlierRow = row
	}
	what, value := matched.k.what, matched.value
	var dup Reason
	if earlierRow != 0 {
		dup = Reason{Key: "import_report.reason.same_as_row", Args: []any{what, value, earlierRow}, ArgKeys: []string{"imports.key." + what},
			English: fmt.Sprintf("same %s (%s) as row %d of this file", what, value, earlierRow)}
	} else {
		ref := RecordRef{Entity: r.entity.Name, ID: existing}
		dup = Reason{Key: "import_report.reason.same_as_record", Args: []any{what, value}, ArgKeys: []string{"imports.key." + what}, Record: &ref,
			English: fmt.Sprintf("same %s (%s) as %s", what, value, englishRecord(ref))}
	}
	if len(p.chk.invalid) > 0 {
		return nil, dupFailure{clean: cleanFailure{p.chk.invalid.Err()}, also: dup}
	}
	return []item{{row: p.row, entity: r.entity.Name, action: "skipped", recordID: existing, err: dup.stored()}}, nil
}

// rowThatMade returns the row of this import that created or updated a
// record — in this batch, or in one committed before — or 0 when the
// record was there before the import.
func (r *runner) rowThatMade(ctx context.Context, tx *sql.Tx, id int64, b *batchState) (int64, error) {
	if row, ok := b.madeRow[id]; ok {
		return row, nil
	}
	if r.imp.DryRun {
		return 0, nil // the records of earlier batches were rolled back
	}
	var row int64
	err := tx.QueryRowContext(ctx, `SELECT row_number FROM import_items WHERE import_id = $1 AND entity = $2 AND record_id = $3
		AND action IN ('created', 'updated') ORDER BY row_number LIMIT 1`, r.imp.ID, r.entity.Name, id).Scan(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("the row that made %s %d: %w", r.entity.Name, id, err)
	}
	return row, nil
}

// unchangedReason is the reason of a row that would update a record to
// the values it has.
func unchangedReason(entity string, id int64) string {
	ref := RecordRef{Entity: entity, ID: id}
	return Reason{Key: "import_report.reason.unchanged", Record: &ref,
		English: englishRecord(ref) + " has these values already"}.stored()
}

// englishRecord names a record in the English of the API: "contact #123".
func englishRecord(ref RecordRef) string {
	return strings.TrimSuffix(ref.Entity, "s") + " #" + itoa(ref.ID)
}

// reasonWith is the reason of a refused save, followed by what else is
// true of the row (also: the record it repeats).
func (c *converter) reasonWith(err error, also *Reason) string {
	stored := c.reason(err)
	if also == nil {
		return stored
	}
	r := ReadReason(stored)
	r.Key, r.Args, r.ArgKeys, r.Record = also.Key, also.Args, also.ArgKeys, also.Record
	r.English += "; " + also.English
	return r.stored()
}

// dupFailure is a row refused for its values that also repeats a record.
type dupFailure struct {
	clean cleanFailure
	also  Reason
}

func (d dupFailure) Error() string { return d.clean.Error() }
func (d dupFailure) Unwrap() error { return d.clean }

// alsoOf is what else a refused row's reason says, or nil.
func alsoOf(err error) *Reason {
	var d dupFailure
	if errors.As(err, &d) {
		return &d.also
	}
	return nil
}

// origin tells the saves' hooks that this import writes, and whether it
// brings new business (new leads) or history (see records.Origin).
func (r *runner) origin() records.Origin {
	return records.Origin{ImportID: r.imp.ID, Quiet: !r.imp.Options.NewLeads}
}
