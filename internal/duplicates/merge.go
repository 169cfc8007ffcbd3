package duplicates

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// MaxMerged is how many records one merge folds into the survivor.
const MaxMerged = 9

// RecordID is a record's ID in a request, written as a number or as a
// string of digits.
type RecordID int64

// UnmarshalJSON accepts 12 and "12".
func (id *RecordID) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not a record ID: %s", b)
	}
	*id = RecordID(n)
	return nil
}

// MergeInput is a merge: the survivor, the records merged into it, and
// for each field the record whose value survives.
type MergeInput struct {
	Entity     string  `json:"entity"`
	SurvivorID int64   `json:"survivor_id"`
	MergedIDs  []int64 `json:"merged_ids"`
	// Values maps a field ("city", "custom.budget", "owner_id") to the
	// record whose value the survivor takes. A field left out takes the
	// newest non-empty value; a list field (e-mails, phones, tags) the
	// union of every record's items.
	Values map[string]RecordID `json:"values"`
	// Versions, when given, are the versions of the records the caller
	// chose from (record ID → version): if one changed meanwhile nothing
	// is merged (412).
	Versions map[string]int64 `json:"versions"`
}

// Merge is one merge, as its log holds it.
type Merge struct {
	ID         int64   `json:"id"`
	Entity     string  `json:"entity"`
	SurvivorID int64   `json:"survivor_id"`
	MergedIDs  []int64 `json:"merged_ids"`
	// Titles are the records' names at the time of the merge, by ID.
	Titles   map[string]string `json:"titles"`
	ActorID  *int64            `json:"actor_id"`
	Actor    string            `json:"actor"`
	MergedAt time.Time         `json:"merged_at"`
	UndoneAt *time.Time        `json:"undone_at"`
	UndoneBy *int64            `json:"undone_by"`
	// Moved counts the links moved to the survivor, by table and column.
	Moved []MovedCount `json:"moved"`
}

// MovedCount is how many rows of a table's column a merge re-pointed.
type MovedCount struct {
	Table  string `json:"table"`
	Column string `json:"column"`
	Count  int    `json:"count"`
}

// UndoneTime is when the merge was undone, the zero time if it was not
// (for templates, which cannot pass a pointer on).
func (mg Merge) UndoneTime() time.Time {
	if mg.UndoneAt == nil {
		return time.Time{}
	}
	return *mg.UndoneAt
}

// Title is a record's name at the time of the merge.
func (mg Merge) Title(id int64) string {
	if t := mg.Titles[strconv.FormatInt(id, 10)]; t != "" {
		return t
	}
	return "#" + strconv.FormatInt(id, 10)
}

// Mergeable reports whether a merge chooses the field's value: every
// field a user may edit.
func Mergeable(f records.Field) bool { return !f.ReadOnly && (f.Column != "" || f.Custom) }

// IsList reports whether a merge unions the field's items by default.
func IsList(f records.Field) bool { return f.Kind == records.List || f.Kind == records.MultiSelect }

// Defaults returns, for each mergeable field, the record whose value a
// merge keeps when the user does not choose: the most recently updated
// record with a value (the survivor when none has one); 0 for list fields,
// whose items are unioned. recs holds the survivor first.
func Defaults(fields []records.Field, recs []records.Record) map[string]int64 {
	newest := slices.Clone(recs)
	slices.SortStableFunc(newest, func(a, b records.Record) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	out := map[string]int64{}
	for _, f := range fields {
		if !Mergeable(f) {
			continue
		}
		if IsList(f) {
			out[f.Name] = 0
			continue
		}
		out[f.Name] = recs[0].ID
		for _, r := range newest {
			if !empty(r.Get(f.Name)) {
				out[f.Name] = r.ID
				break
			}
		}
	}
	return out
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	return false
}

// union is the items of a list field across the records, the survivor's
// first, each once.
func union(f records.Field, recs []records.Record) []string {
	var out []string
	for _, r := range recs {
		for _, it := range r.Strings(f.Name) {
			if !slices.Contains(out, it) {
				out = append(out, it)
			}
		}
	}
	return out
}

// checkChoices validates the caller's choices (field → record ID, 0 for
// a list's union) against the fields and the merge's records.
func checkChoices(fields []records.Field, ids []int64, choices map[string]int64) error {
	var fe errs.Fields
	for name, from := range choices {
		i := slices.IndexFunc(fields, func(f records.Field) bool { return f.Name == name })
		switch {
		case i < 0:
			fe.Add("values."+name, "unknown_field", "is not a field of this record")
		case !Mergeable(fields[i]):
			fe.Add("values."+name, "read_only", "is set by Relasi and cannot be chosen")
		case from == 0 && IsList(fields[i]):
		case !slices.Contains(ids, from):
			fe.Add("values."+name, "not_found", "must name one of the merged records")
		}
	}
	return fe.Err()
}

// plan works out the survivor's new values: the input for Store.UpdateTx
// with the fields whose value changes. choices are checked ones.
func plan(fields []records.Field, recs []records.Record, choices map[string]int64) records.Input {
	byName := map[string]records.Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	survivor := recs[0]
	in := records.Input{}
	for name, from := range withDefaults(Defaults(fields, recs), choices) {
		f := byName[name]
		var v any
		if from == 0 {
			if l := union(f, recs); len(l) > 0 {
				v = l
			}
		} else {
			r := recs[slices.IndexFunc(recs, func(r records.Record) bool { return r.ID == from })]
			v = r.Get(name)
		}
		if same(v, survivor.Get(name)) {
			continue
		}
		in[name] = inputValue(f, &survivor, v)
	}
	return in
}

func withDefaults(defaults, choices map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range choices {
		out[k] = v
	}
	return out
}

// same compares two field values as Relasi holds them.
func same(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if empty(a) && empty(b) {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// inputValue turns a field's Go value into what Store input accepts:
// money goes back to major units, the form input and the API use.
func inputValue(f records.Field, r *records.Record, v any) any {
	if minor, ok := v.(int64); ok && f.Kind == records.Money {
		cur := f.Currency
		if f.CurrencyField != "" {
			if c, _ := r.Get(f.CurrencyField).(string); c != "" {
				cur = c
			}
		}
		if cur == "" {
			cur = i18n.DefaultCurrency
		}
		exp, ok := i18n.CurrencyExponent(cur)
		if !ok {
			exp = 2
		}
		return records.FormatAmount(minor, exp)
	}
	return v
}

// Merge folds the merged records into the survivor in one transaction:
// the survivor takes the chosen values and every link to the merged
// records (activities, deals, orders, the history…), and the merged
// records go to the trash, marked as merged. The caller must be allowed to
// change every record involved.
func (m *Module) Merge(ctx context.Context, p auth.Principal, in MergeInput) (Merge, records.Record, error) {
	e, rule, err := m.entity(in.Entity, "entity")
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	ids, err := checkIDs(in)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	choices := map[string]int64{}
	for k, v := range in.Values {
		choices[k] = int64(v)
	}
	for _, f := range rule.Keep {
		if _, chosen := choices[f]; !chosen {
			choices[f] = in.SurvivorID
		}
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	if err := checkChoices(fields, ids, choices); err != nil {
		return Merge{}, records.Record{}, err
	}
	var mergeID int64
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		recs := make([]records.Record, 0, len(ids))
		for _, id := range ids {
			r, err := m.records.GetTx(ctx, tx, p, e, id)
			if err != nil {
				return err
			}
			if v, ok := in.Versions[strconv.FormatInt(id, 10)]; ok && v != r.Version {
				return errs.E(errs.PreconditionFailed, "%s changed since you chose the values (now at version %d); look at the records again and merge.", r.Title, r.Version).
					WithKey("duplicates.error.stale", r.Title)
			}
			recs = append(recs, r)
		}
		if err := m.canWrite(ctx, tx, p, e, ids, false, errMayNotMerge); err != nil {
			return err
		}
		mergeID, err = m.merge(ctx, tx, p, e, rule, recs, plan(fields, recs, choices))
		return err
	})
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	mg, err := m.GetMerge(ctx, p, mergeID)
	if err != nil {
		return Merge{}, records.Record{}, err
	}
	survivor, err := m.records.Get(ctx, p, e, in.SurvivorID)
	return mg, survivor, err
}

// checkIDs validates the records of a merge and returns them, survivor
// first.
func checkIDs(in MergeInput) ([]int64, error) {
	var fe errs.Fields
	if in.SurvivorID < 1 {
		fe.Add("survivor_id", "required", "is required")
	}
	switch {
	case len(in.MergedIDs) == 0:
		fe.Add("merged_ids", "required", "is required")
	case len(in.MergedIDs) > MaxMerged:
		fe.Add("merged_ids", "too_many", "may hold at most %d records", MaxMerged)
	}
	ids := []int64{in.SurvivorID}
	for _, id := range in.MergedIDs {
		switch {
		case id == in.SurvivorID:
			fe.Add("merged_ids", "survivor_merged", "must not hold the survivor")
		case slices.Contains(ids, id):
			fe.Add("merged_ids", "repeated", "holds %d twice", id)
		case id < 1:
			fe.Add("merged_ids", "not_found", "holds %d, which is not a record ID", id)
		}
		ids = append(ids, id)
	}
	return ids, fe.Err()
}

// errMayNotMerge refuses a merge (or its undo) of records the caller may
// not change every one of.
var errMayNotMerge = errs.E(errs.Forbidden, "You may not change every one of these records, so they cannot be merged.").WithKey("duplicates.error.forbidden")

// canWrite checks that p may change every record of ids (in the trash
// when deleted), else refuses with forbidden. Records p cannot even read
// are not found.
func (m *Module) canWrite(ctx context.Context, q store.Querier, p auth.Principal, e *records.Entity, ids []int64, deleted bool, forbidden *errs.Error) error {
	if err := p.CanWriteAny(); err != nil {
		return err
	}
	state := "x.deleted_at IS NULL"
	if deleted {
		state = "x.deleted_at IS NOT NULL"
	}
	for _, a := range []auth.Action{auth.Read, auth.Write} {
		args := make([]any, 0, len(ids)+2)
		for _, id := range ids {
			args = append(args, id)
		}
		cond := "1 = 1"
		if e.Owned {
			var sargs []any
			cond, sargs = p.Scope(a, "x.owner_id", len(args)+1)
			args = append(args, sargs...)
		}
		var n int
		query := fmt.Sprintf("SELECT COUNT(*) FROM %s x WHERE x.id IN (%s) AND %s AND %s", e.Table, placeholders(1, len(ids)), state, cond)
		if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			return fmt.Errorf("check %s: %w", e.Name, err)
		}
		if n == len(ids) {
			continue
		}
		if a == auth.Read {
			return errs.E(errs.NotFound, "No such record, or you may not see it.").WithKey("error.record_not_found")
		}
		return forbidden
	}
	return nil
}

// merge does the writes of a merge; recs holds the survivor first.
func (m *Module) merge(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, rule Rule, recs []records.Record, input records.Input) (int64, error) {
	survivor, merged := recs[0], recs[1:]
	now := m.records.Now()
	before, err := json.Marshal(survivor)
	if err != nil {
		return 0, err
	}
	titles := map[string]string{}
	mergedIDs := make([]int64, len(merged))
	for i, r := range recs {
		titles[strconv.FormatInt(r.ID, 10)] = r.Title
		if i > 0 {
			mergedIDs[i-1] = r.ID
		}
	}
	titlesJSON, _ := json.Marshal(titles)
	idsJSON, _ := json.Marshal(mergedIDs)
	var mergeID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO merges (entity, survivor_id, merged_ids, titles, survivor_before, survivor_after, actor_id, merged_at)
		VALUES ($1, $2, $3, $4, $5, '{}', $6, $7) RETURNING id`,
		e.Name, survivor.ID, string(idsJSON), string(titlesJSON), string(before), nullID(p.UserID), now).Scan(&mergeID); err != nil {
		return 0, fmt.Errorf("log merge: %w", err)
	}

	// The links first, so that the merged records' history moves before
	// their "merged" entries are written.
	for _, ref := range referencesTo(e.Name) {
		rows, err := repoint(ctx, tx, ref, survivor.ID, mergedIDs)
		if err != nil {
			return 0, err
		}
		if err := m.insert(ctx, tx, "merge_references (merge_id, ref_table, ref_column, row_id, old_value)", len(rows), func(i int) []any {
			return []any{mergeID, rows[i].ref.Table, rows[i].ref.Column, rows[i].rowID, rows[i].oldValue}
		}); err != nil {
			return 0, fmt.Errorf("log moved links: %w", err)
		}
	}
	for _, r := range merged {
		if err := m.trash(ctx, tx, p, e, r, now); err != nil {
			return 0, err
		}
	}
	if _, err := m.records.UpdateTx(ctx, tx, p, e, survivor.ID, input, 0); err != nil {
		return 0, err
	}
	if err := m.takeLatest(ctx, tx, p, e, rule, recs); err != nil {
		return 0, err
	}

	names := make([]string, len(merged))
	for i, r := range merged {
		names[i] = fmt.Sprintf("%s (#%d)", r.Title, r.ID)
	}
	if err := records.RecordChange(ctx, tx, now, e.Name, survivor.ID, "merged", p, map[string][2]any{
		"merge_id": {nil, mergeID}, "merged_ids": {nil, mergedIDs}, "merged": {nil, strings.Join(names, ", ")},
	}); err != nil {
		return 0, err
	}
	for _, r := range merged {
		if err := records.RecordChange(ctx, tx, now, e.Name, r.ID, "merged", p, map[string][2]any{
			"merge_id": {nil, mergeID}, "survivor_id": {nil, survivor.ID}, "survivor": {nil, fmt.Sprintf("%s (#%d)", survivor.Title, survivor.ID)},
		}); err != nil {
			return 0, err
		}
	}
	after, err := m.records.GetTx(ctx, tx, p, e, survivor.ID)
	if err != nil {
		return 0, err
	}
	afterJSON, err := json.Marshal(after)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE merges SET survivor_after = $1 WHERE id = $2", string(afterJSON), mergeID); err != nil {
		return 0, fmt.Errorf("log merge: %w", err)
	}
	return mergeID, m.reindex(ctx, tx, e.Name, survivor.ID)
}

// trash moves a merged record to the trash, as Store.Delete does (inside
// this transaction): deleted_at set, and the save hooks told, so lookups
// and search forget it. Its history says "merged", not "deleted".
func (m *Module) trash(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, r records.Record, now time.Time) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET deleted_at = $1, updated_by = $2, version = version + 1 WHERE id = $3", e.Table),
		now, nullID(p.UserID), r.ID); err != nil {
		return fmt.Errorf("trash %s %d: %w", e.Name, r.ID, err)
	}
	if e.AfterSave == nil {
		return nil
	}
	old := r
	del := r
	del.DeletedAt = &now
	return e.AfterSave(ctx, tx, &records.Change{Actor: p, Action: "deleted", Old: &old, New: &del})
}

// takeLatest gives the survivor the latest value of the rule's Latest
// fields (the last activity) across the merged records.
func (m *Module) takeLatest(ctx context.Context, tx *sql.Tx, p auth.Principal, e *records.Entity, rule Rule, recs []records.Record) error {
	values := map[string]any{}
	for _, name := range rule.Latest {
		var latest *time.Time
		for _, r := range recs {
			if t, ok := r.Get(name).(time.Time); ok && (latest == nil || t.After(*latest)) {
				latest = &t
			}
		}
		if latest != nil && !same(*latest, recs[0].Get(name)) {
			values[name] = *latest
		}
	}
	if len(values) == 0 {
		return nil
	}
	return m.records.SetSystem(ctx, tx, p, e, recs[0].ID, values, "")
}

// reindex runs the app's Reindex hooks for records of an entity.
func (m *Module) reindex(ctx context.Context, tx *sql.Tx, entity string, ids ...int64) error {
	for _, hook := range m.cfg.Reindex[entity] {
		for _, id := range ids {
			if err := hook(ctx, tx, m.db.Engine, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
