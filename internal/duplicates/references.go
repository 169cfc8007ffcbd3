package duplicates

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/relasi/relasi/internal/records"
)

// Reference is a column of another table that holds the ID of a record
// of Entity. A merge points it from the merged records at the survivor and
// logs each row it moved; an undo points those rows back.
type Reference struct {
	Entity string // the entity whose IDs the column holds
	Table  string
	Column string
	// TypeColumn and TypeValue, when set, limit the reference to the rows
	// that say they point at Entity (activities.related_type = 'contacts').
	TypeColumn, TypeValue string
	// Versioned tables are records with a version column: moving a link
	// is a change of the row, so its version moves too (clients holding
	// its ETag reload it).
	Versioned bool
}

// References are every link to a contact, account or lead that a merge
// moves to the survivor. A module whose table links to one of them adds a
// line here.
//
// Not listed, because they follow by themselves: contact_emails and
// contact_phones (rebuilt by the contacts save hook from the survivor's
// merged lists), search_docs (rebuilt by the save hooks), duplicate_keys
// (recomputed by the next search). Not movable: links inside text, such as
// notifications.link ("/leads/12"), which keep pointing at the merged
// record in the trash.
var References = []Reference{
	{Entity: "contacts", Table: "activities", Column: "contact_id", Versioned: true},
	{Entity: "contacts", Table: "activities", Column: "related_id", TypeColumn: "related_type", TypeValue: "contacts", Versioned: true},
	{Entity: "contacts", Table: "deals", Column: "contact_id", Versioned: true},
	{Entity: "contacts", Table: "orders", Column: "contact_id", Versioned: true},
	{Entity: "contacts", Table: "leads", Column: "converted_contact_id", Versioned: true},
	{Entity: "contacts", Table: "record_changes", Column: "record_id", TypeColumn: "entity", TypeValue: "contacts"},

	{Entity: "accounts", Table: "contacts", Column: "account_id", Versioned: true},
	{Entity: "accounts", Table: "deals", Column: "account_id", Versioned: true},
	{Entity: "accounts", Table: "orders", Column: "account_id", Versioned: true},
	{Entity: "accounts", Table: "activities", Column: "account_id", Versioned: true},
	{Entity: "accounts", Table: "activities", Column: "related_id", TypeColumn: "related_type", TypeValue: "accounts", Versioned: true},
	{Entity: "accounts", Table: "leads", Column: "converted_account_id", Versioned: true},
	{Entity: "accounts", Table: "record_changes", Column: "record_id", TypeColumn: "entity", TypeValue: "accounts"},

	{Entity: "leads", Table: "activities", Column: "related_id", TypeColumn: "related_type", TypeValue: "leads", Versioned: true},
	{Entity: "leads", Table: "record_changes", Column: "record_id", TypeColumn: "entity", TypeValue: "leads"},
}

// MissingReferences lists the links to merged entities that the entities
// of reg declare — Ref fields, and related_type/related_id pairs — but
// References lacks, as "table.column → entity". A test of the app holds
// it empty, so a new module's link is not left behind by merges.
func MissingReferences(reg *records.Registry) []string {
	var out []string
	has := func(entity, table, column string) bool {
		return slices.ContainsFunc(References, func(r Reference) bool {
			return r.Entity == entity && r.Table == table && r.Column == column
		})
	}
	for _, other := range reg.All() {
		for _, f := range other.Fields {
			if _, merged := Rules[f.Ref]; f.Kind == records.Ref && merged && f.Column != "" && !has(f.Ref, other.Table, f.Column) {
				out = append(out, other.Table+"."+f.Column+" → "+f.Ref)
			}
		}
		typ, okType := other.Field("related_type")
		rel, okID := other.Field("related_id")
		if !okType || !okID {
			continue
		}
		for _, choice := range typ.Choices {
			if _, merged := Rules[choice]; merged && !has(choice, other.Table, rel.Column) {
				out = append(out, other.Table+"."+rel.Column+" → "+choice)
			}
		}
	}
	return out
}

// referencesTo lists the references to an entity.
func referencesTo(entity string) []Reference {
	var out []Reference
	for _, r := range References {
		if r.Entity == entity {
			out = append(out, r)
		}
	}
	return out
}

func (r Reference) typed(first int) (string, []any) {
	if r.TypeColumn == "" {
		return "", nil
	}
	return fmt.Sprintf(" AND %s = $%d", r.TypeColumn, first), []any{r.TypeValue}
}

// moved is one row a merge re-pointed.
type moved struct {
	ref      Reference
	rowID    int64
	oldValue int64
}

// idBatch is how many IDs one IN list holds.
const idBatch = 500

// repoint points the reference's rows from the merged records at the
// survivor and returns the rows it moved with their old values.
func repoint(ctx context.Context, tx *sql.Tx, ref Reference, survivor int64, merged []int64) ([]moved, error) {
	args := make([]any, 0, len(merged)+1)
	for _, id := range merged {
		args = append(args, id)
	}
	typed, targs := ref.typed(len(args) + 1)
	rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE %s IN (%s)%s ORDER BY id",
		ref.Column, ref.Table, ref.Column, placeholders(1, len(merged)), typed), append(args, targs...)...)
	if err != nil {
		return nil, fmt.Errorf("links from %s.%s: %w", ref.Table, ref.Column, err)
	}
	var out []moved
	for rows.Next() {
		mv := moved{ref: ref}
		if err := rows.Scan(&mv.rowID, &mv.oldValue); err != nil {
			rows.Close()
			return nil, fmt.Errorf("links from %s.%s: %w", ref.Table, ref.Column, err)
		}
		out = append(out, mv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("links from %s.%s: %w", ref.Table, ref.Column, err)
	}
	ids := make([]int64, len(out))
	for i, mv := range out {
		ids[i] = mv.rowID
	}
	if err := setColumn(ctx, tx, ref, ids, survivor); err != nil {
		return nil, err
	}
	return out, nil
}

// setColumn sets the reference's column of the rows with these IDs.
func setColumn(ctx context.Context, tx *sql.Tx, ref Reference, ids []int64, value int64) error {
	bump := ""
	if ref.Versioned {
		bump = ", version = version + 1"
	}
	for len(ids) > 0 {
		n := min(len(ids), idBatch)
		args := []any{value}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		query := fmt.Sprintf("UPDATE %s SET %s = $1%s WHERE id IN (%s)", ref.Table, ref.Column, bump, placeholders(2, n))
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("move links of %s.%s: %w", ref.Table, ref.Column, err)
		}
		ids = ids[n:]
	}
	return nil
}

// loggedMoves reads what a merge moved, for its entity's references.
func loggedMoves(ctx context.Context, tx *sql.Tx, mergeID int64, entity string) ([]moved, error) {
	rows, err := tx.QueryContext(ctx, "SELECT ref_table, ref_column, row_id, old_value FROM merge_references WHERE merge_id = $1 ORDER BY ref_table, ref_column, row_id", mergeID)
	if err != nil {
		return nil, fmt.Errorf("links moved by merge %d: %w", mergeID, err)
	}
	defer rows.Close()
	refs := referencesTo(entity)
	var out []moved
	for rows.Next() {
		var table, column string
		mv := moved{}
		if err := rows.Scan(&table, &column, &mv.rowID, &mv.oldValue); err != nil {
			return nil, fmt.Errorf("links moved by merge %d: %w", mergeID, err)
		}
		i := slices.IndexFunc(refs, func(r Reference) bool { return r.Table == table && r.Column == column })
		if i < 0 {
			// Only a reference removed from References since the merge;
			// its table is then not this package's to touch.
			return nil, fmt.Errorf("merge %d moved %s.%s, which is no longer a known reference", mergeID, table, column)
		}
		mv.ref = refs[i]
		out = append(out, mv)
	}
	return out, rows.Err()
}

// conflict is a moved row that no longer points at the survivor.
type conflict struct {
	ref   Reference
	rowID int64
}

// checkMoved returns the logged rows that still exist and, separately,
// those that no longer point at the survivor. Rows deleted for good since
// (a purged activity) have nothing to put back and are skipped.
func checkMoved(ctx context.Context, tx *sql.Tx, rows []moved, survivor int64) (present []moved, conflicts []conflict, err error) {
	byRef := map[Reference][]moved{}
	var order []Reference
	for _, mv := range rows {
		if _, ok := byRef[mv.ref]; !ok {
			order = append(order, mv.ref)
		}
		byRef[mv.ref] = append(byRef[mv.ref], mv)
	}
	for _, ref := range order {
		list := byRef[ref]
		for start := 0; start < len(list); start += idBatch {
			chunk := list[start:min(start+idBatch, len(list))]
			args := make([]any, len(chunk))
			for i, mv := range chunk {
				args[i] = mv.rowID
			}
			typed, targs := ref.typed(len(args) + 1)
			cur := map[int64]sql.NullInt64{}
			q, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT id, %s FROM %s WHERE id IN (%s)%s", ref.Column, ref.Table, placeholders(1, len(chunk)), typed), append(args, targs...)...)
			if err != nil {
				return nil, nil, fmt.Errorf("check links of %s.%s: %w", ref.Table, ref.Column, err)
			}
			for q.Next() {
				var id int64
				var v sql.NullInt64
				if err := q.Scan(&id, &v); err != nil {
					q.Close()
					return nil, nil, err
				}
				cur[id] = v
			}
			q.Close()
			if err := q.Err(); err != nil {
				return nil, nil, err
			}
			for _, mv := range chunk {
				v, ok := cur[mv.rowID]
				switch {
				case !ok:
				case !v.Valid || v.Int64 != survivor:
					conflicts = append(conflicts, conflict{ref: ref, rowID: mv.rowID})
				default:
					present = append(present, mv)
				}
			}
		}
	}
	return present, conflicts, nil
}

// putBack points the moved rows at their old records again.
func putBack(ctx context.Context, tx *sql.Tx, rows []moved) error {
	type target struct {
		ref Reference
		old int64
	}
	groups := map[target][]int64{}
	var order []target
	for _, mv := range rows {
		t := target{mv.ref, mv.oldValue}
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], mv.rowID)
	}
	for _, t := range order {
		if err := setColumn(ctx, tx, t.ref, groups[t], t.old); err != nil {
			return err
		}
	}
	return nil
}
