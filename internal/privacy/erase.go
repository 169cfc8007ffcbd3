package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Erasure is what an erasure did.
type Erasure struct {
	Entity   string    `json:"entity"`
	ID       int64     `json:"id"`
	Records  []Ref     `json:"records"` // every record of the person, now anonymised
	ErasedAt time.Time `json:"erased_at"`
	// ImportFilesRemoved are the imports whose stored file held a row
	// about the person and was deleted; their rejected-rows report is gone.
	ImportFilesRemoved []int64 `json:"import_files_removed"`
	// ImportFilesKept are imports still running, whose file was kept.
	ImportFilesKept []int64 `json:"import_files_kept"`
}

// Confirmed reports whether what a user typed confirms erasing a record
// named title: the word ERASE, or the name itself.
func Confirmed(typed, title string) bool {
	typed = strings.TrimSpace(typed)
	return typed == ConfirmWord || title != "" && strings.EqualFold(strings.Join(strings.Fields(typed), " "), strings.Join(strings.Fields(title), " "))
}

// Erase anonymises a person (see the package comment) in one
// transaction. confirm must be ERASE or the record's name.
func (m *Module) Erase(ctx context.Context, p auth.Principal, entity string, id int64, confirm string) (Erasure, error) {
	if err := allowed(p); err != nil {
		return Erasure{}, err
	}
	e, err := m.subject(entity)
	if err != nil {
		return Erasure{}, err
	}
	out := Erasure{Entity: entity, ID: id, ErasedAt: m.records.Now().UTC(), ImportFilesRemoved: []int64{}, ImportFilesKept: []int64{}}
	var imports []int64
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, tx, e, id); err != nil {
			return err
		}
		title, err := m.title(ctx, tx, e, id)
		if err != nil {
			return err
		}
		if !Confirmed(confirm, title) {
			var fe errs.Fields
			fe.Add("confirm", "privacy_confirm", "type %s or the person's name to confirm the erasure", ConfirmWord)
			return fe.Err()
		}
		group, err := m.group(ctx, tx, Ref{entity, id})
		if err != nil {
			return err
		}
		out.Records = group
		er := &eraser{m: m, tx: tx, p: p, now: out.ErasedAt, group: group}
		if imports, err = er.run(ctx); err != nil {
			return err
		}
		out.ImportFilesKept = append(out.ImportFilesKept, er.keptImports...)
		for _, r := range group {
			changes := map[string][2]any{}
			if r != (Ref{entity, id}) {
				changes["erased_with"] = [2]any{nil, Ref{entity, id}.String()}
			}
			if err := records.RecordChange(ctx, tx, out.ErasedAt, r.Entity, r.ID, "erased", p, changes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Erasure{}, err
	}
	// Files are not in the transaction: they go once the erasure is
	// committed. A file that cannot be removed fails the call, so the
	// operator learns of it; the database part stands.
	for _, imp := range imports {
		if err := os.RemoveAll(filepath.Dir(m.importFile(imp))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("remove the file of import %d: %w", imp, err)
		}
		out.ImportFilesRemoved = append(out.ImportFilesRemoved, imp)
	}
	return out, nil
}

// title is a record's display name.
func (m *Module) title(ctx context.Context, q store.Querier, e *records.Entity, id int64) (string, error) {
	var title sql.NullString
	err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s %s WHERE %s.id = $1", e.TitleSQL, e.Table, e.Alias, e.Alias), id).Scan(&title)
	if err != nil {
		return "", fmt.Errorf("name of %s %d: %w", e.Name, id, err)
	}
	return title.String, nil
}

// eraser is one erasure in progress.
type eraser struct {
	m     *Module
	tx    *sql.Tx
	p     auth.Principal
	now   time.Time
	group []Ref
	ids   identifiers
	// all scrubs names too (records about the person); contact only
	// e-mail addresses and phone numbers (text anywhere).
	all, contact *scrubber
	// related are the other records about the person (activities, deals,
	// orders), whose text was scrubbed.
	related []Ref
	// keptImports are imports about the person still at work, whose
	// file stays.
	keptImports []int64
}

// run does the erasure's database work and returns the imports whose
// file is to be removed.
func (er *eraser) run(ctx context.Context) ([]int64, error) {
	for _, r := range er.group {
		if err := er.collect(ctx, r); err != nil {
			return nil, err
		}
	}
	er.all = newScrubber(er.ids, true)
	er.contact = newScrubber(er.ids, false)
	for _, r := range er.group {
		if err := er.anonymise(ctx, r); err != nil {
			return nil, err
		}
	}
	if err := er.relatedRecords(ctx); err != nil {
		return nil, err
	}
	if err := er.history(ctx); err != nil {
		return nil, err
	}
	if err := er.mergeLog(ctx); err != nil {
		return nil, err
	}
	imports, err := er.importItems(ctx)
	if err != nil {
		return nil, err
	}
	if err := er.mentions(ctx); err != nil {
		return nil, err
	}
	return imports, nil
}

// entity returns a group member's entity and its fields, custom ones
// included.
func (er *eraser) entity(ctx context.Context, name string) (*records.Entity, []records.Field, error) {
	e, ok := er.m.entities.Get(name)
	if !ok {
		return nil, nil, fmt.Errorf("no entity %s", name)
	}
	fields, err := er.m.records.Fields(ctx, e)
	return e, fields, err
}

// collect reads the identifiers of one record before it is anonymised.
func (er *eraser) collect(ctx context.Context, r Ref) error {
	e, fields, err := er.entity(ctx, r.Entity)
	if err != nil {
		return err
	}
	var cols []string
	var names []records.Field
	for _, f := range fields {
		if f.Column != "" && personal(f) {
			cols = append(cols, "COALESCE("+er.m.jsonText(f.Column)+", '')")
			names = append(names, f)
		}
	}
	cols = append(cols, er.m.jsonText("custom"))
	vals := make([]string, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := er.tx.QueryRowContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+e.Table+" WHERE id = $1", r.ID).Scan(dest...); err != nil {
		return fmt.Errorf("read %s: %w", r, err)
	}
	byName := map[string]string{}
	for i, f := range names {
		byName[f.Name] = vals[i]
		var list []string
		switch {
		case f.Kind == records.Email:
			er.ids.addEmail(vals[i])
		case f.Kind == records.Phone:
			er.ids.addPhone(vals[i])
		case f.Kind == records.List && (f.Name == "emails" || f.Name == "phones"):
			json.Unmarshal([]byte(vals[i]), &list)
			for _, v := range list {
				if f.Name == "emails" {
					er.ids.addEmail(v)
				} else {
					er.ids.addPhone(v)
				}
			}
		}
	}
	er.ids.addName(byName["first_name"] + " " + byName["last_name"])
	er.ids.addName(byName["first_name"])
	er.ids.addName(byName["last_name"])
	er.ids.addPhrase(byName["street"])
	var custom map[string]any
	json.Unmarshal([]byte(vals[len(vals)-1]), &custom)
	for _, f := range fields {
		if !f.Custom {
			continue
		}
		if s, ok := custom[f.Key].(string); ok {
			switch f.Kind {
			case records.Email:
				er.ids.addEmail(s)
			case records.Phone:
				er.ids.addPhone(s)
			}
		}
	}
	return nil
}

// anonymise clears a record's personal fields, its lookups and its
// duplicate keys, and gives search the placeholder.
func (er *eraser) anonymise(ctx context.Context, r Ref) error {
	e, fields, err := er.entity(ctx, r.Entity)
	if err != nil {
		return err
	}
	var customText string
	if err := er.tx.QueryRowContext(ctx, "SELECT "+er.m.jsonText("custom")+" FROM "+e.Table+" WHERE id = $1", r.ID).Scan(&customText); err != nil {
		return fmt.Errorf("read %s: %w", r, err)
	}
	custom := map[string]any{}
	json.Unmarshal([]byte(customText), &custom)
	sets, args := []string{}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	named := false
	for _, f := range fields {
		if !personal(f) {
			continue
		}
		if f.Custom {
			delete(custom, f.Key)
			continue
		}
		if f.Column == "" {
			continue
		}
		if !named && f.Required && f.Kind == records.Text {
			// The record's name: required, so a placeholder.
			sets = append(sets, f.Column+" = "+arg(Placeholder))
			named = true
			continue
		}
		sets = append(sets, f.Column+" = NULL")
	}
	// Values of custom fields deleted since are personal too, and
	// invisible: only keys of fields that exist and are not personal stay.
	keep := map[string]bool{}
	for _, f := range fields {
		if f.Custom && !personal(f) {
			keep[f.Key] = true
		}
	}
	for k := range custom {
		if !keep[k] {
			delete(custom, k)
		}
	}
	b, _ := json.Marshal(custom)
	sets = append(sets, "custom = "+arg(string(b)), "updated_at = "+arg(er.now), "updated_by = "+arg(nullID(er.p.UserID)), "version = version + 1")
	if _, err := er.tx.ExecContext(ctx, "UPDATE "+e.Table+" SET "+strings.Join(sets, ", ")+" WHERE id = "+arg(r.ID), args...); err != nil {
		return fmt.Errorf("anonymise %s: %w", r, err)
	}

	// The person's IDs in the systems they were imported from identify
	// them there: they go (before search gets the placeholder, which
	// would carry them).
	if _, err := er.tx.ExecContext(ctx, "DELETE FROM external_ids WHERE entity = $1 AND record_id = $2", r.Entity, r.ID); err != nil {
		return fmt.Errorf("external IDs of %s: %w", r, err)
	}
	if r.Entity == "contacts" {
		for _, table := range []string{"contact_emails", "contact_phones"} {
			if _, err := er.tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE contact_id = $1", r.ID); err != nil {
				return fmt.Errorf("lookups of %s: %w", r, err)
			}
		}
	}
	// Search: the placeholder for a live record, nothing for one in the
	// trash (as a deletion leaves it).
	var owner sql.NullInt64
	var deleted sql.NullTime
	if err := er.tx.QueryRowContext(ctx, "SELECT owner_id, deleted_at FROM "+e.Table+" WHERE id = $1", r.ID).Scan(&owner, &deleted); err != nil {
		return fmt.Errorf("read %s: %w", r, err)
	}
	if err := search.Remove(ctx, er.tx, er.m.db.Engine, r.Entity, r.ID); err != nil {
		return err
	}
	if !deleted.Valid {
		if err := search.Index(ctx, er.tx, er.m.db.Engine, search.Doc{Entity: r.Entity, ID: r.ID, OwnerID: owner.Int64, Title: Placeholder}); err != nil {
			return err
		}
	}

	// Duplicates: the keys and pairs go, and the record is marked as
	// having none at its new version (the stamp the duplicates module
	// computes), so erased people are never offered as duplicates of one
	// another under the placeholder name.
	for _, q := range []string{
		"DELETE FROM duplicate_keys WHERE entity = $1 AND record_id = $2",
		"DELETE FROM duplicate_pairs WHERE entity = $1 AND (low_id = $2 OR high_id = $2)",
		"DELETE FROM duplicate_state WHERE entity = $1 AND record_id = $2",
		"INSERT INTO duplicate_state (entity, record_id, stamp) SELECT $1, x.id, CAST(x.version AS TEXT) || '/' || CAST(x.created_at AS TEXT) FROM " + e.Table + " x WHERE x.id = $2",
	} {
		if _, err := er.tx.ExecContext(ctx, q, r.Entity, r.ID); err != nil {
			return fmt.Errorf("duplicate keys of %s: %w", r, err)
		}
	}
	return nil
}

// relatedRecords scrubs the person's names, e-mails and phones from the
// text of the activities, deals and orders about them. Amounts, stages,
// dates and counts stay.
func (er *eraser) relatedRecords(ctx context.Context) error {
	acts, deals, orders, err := relatedIDs(ctx, er.tx, er.group)
	if err != nil {
		return err
	}
	jobs := []struct {
		entity, table string
		ids           []int64
		cols          []string
	}{
		{"activities", "activities", acts, []string{"subject", "body"}},
		{"opportunities", "deals", deals, []string{"name", "lost_reason", "won_reason"}},
		{"orders", "orders", orders, []string{"notes"}},
	}
	for _, j := range jobs {
		for _, id := range j.ids {
			er.related = append(er.related, Ref{j.entity, id})
			if _, err := er.scrubRows(ctx, er.all, j.table, []string{"id"}, j.cols, nil, "id = $1", id); err != nil {
				return err
			}
		}
	}
	for _, id := range orders {
		if _, err := er.scrubRows(ctx, er.all, "order_lines", []string{"id"}, []string{"description"}, nil, "order_id = $1", id); err != nil {
			return err
		}
	}
	// Their search documents hold the same text.
	for _, r := range er.related {
		if err := er.scrubSearchDoc(ctx, er.all, r); err != nil {
			return err
		}
	}
	return nil
}

// history empties the values of the person's own history (who changed
// which field when stays; what the values were goes, but for fields that
// are not personal, such as a status) and scrubs the history of the
// records about them.
func (er *eraser) history(ctx context.Context) error {
	for _, r := range er.group {
		_, fields, err := er.entity(ctx, r.Entity)
		if err != nil {
			return err
		}
		keep := map[string]bool{"owner_id": true}
		for _, f := range fields {
			if !personal(f) {
				keep[f.Name] = true
			}
		}
		type row struct {
			id      int64
			changes string
		}
		rows, err := store.Collect(ctx, er.tx, func(s store.Scanner) (row, error) {
			var x row
			return x, s.Scan(&x.id, &x.changes)
		}, "SELECT id, "+er.m.jsonText("changes")+" FROM record_changes WHERE entity = $1 AND record_id = $2", r.Entity, r.ID)
		if err != nil {
			return fmt.Errorf("history of %s: %w", r, err)
		}
		for _, x := range rows {
			var changes map[string]json.RawMessage
			if err := json.Unmarshal([]byte(x.changes), &changes); err != nil {
				return fmt.Errorf("history of %s: %w", r, err)
			}
			for k, v := range changes {
				if !keep[k] {
					changes[k] = json.RawMessage("[null,null]")
					continue
				}
				// A kept field's value still must not name the person.
				if s, ok := er.all.json(string(v)); ok {
					changes[k] = json.RawMessage(s)
				}
			}
			b, _ := json.Marshal(changes)
			if string(b) == x.changes {
				continue
			}
			if _, err := er.tx.ExecContext(ctx, "UPDATE record_changes SET changes = $1 WHERE id = $2", string(b), x.id); err != nil {
				return fmt.Errorf("history of %s: %w", r, err)
			}
		}
	}
	for _, r := range er.related {
		if _, err := er.scrubRows(ctx, er.all, "record_changes", []string{"id"}, nil, []string{"changes"}, "entity = $1 AND record_id = $2", r.Entity, r.ID); err != nil {
			return err
		}
	}
	// Notifications about the person's records ("New lead: Budi …").
	for _, r := range er.group {
		link := "/" + r.Entity + "/" + strconv.FormatInt(r.ID, 10)
		if _, err := er.scrubRows(ctx, er.all, "notifications", []string{"id"}, []string{"message", "message_args"}, nil, "link = $1 OR link LIKE $2", link, link+"/%"); err != nil {
			return err
		}
	}
	return nil
}

// mergeLog takes the person out of the merge log: the names it recorded
// become the placeholder, and the snapshots of the survivor go. A merge
// whose snapshots are gone can no longer be undone (undo finds the
// survivor changed), so an undo cannot bring erased values back.
func (er *eraser) mergeLog(ctx context.Context) error {
	done := map[int64]bool{}
	for _, r := range er.group {
		merges, err := er.m.merges(ctx, er.tx, r)
		if err != nil {
			return err
		}
		for _, mg := range merges {
			if done[mg.ID] {
				continue
			}
			done[mg.ID] = true
			titles := map[string]string{}
			json.Unmarshal(mg.Titles, &titles)
			for k := range titles {
				titles[k] = Placeholder
			}
			b, _ := json.Marshal(titles)
			if _, err := er.tx.ExecContext(ctx, "UPDATE merges SET titles = $1, survivor_before = $2, survivor_after = $2 WHERE id = $3",
				string(b), `{"erased":true}`, mg.ID); err != nil {
				return fmt.Errorf("merge %d: %w", mg.ID, err)
			}
		}
	}
	return nil
}

// importItems empties what imports recorded of the person's values (the
// values an update replaced, which an import undo would put back) and
// returns the finished imports whose stored file holds a row about them.
func (er *eraser) importItems(ctx context.Context) ([]int64, error) {
	var out []int64
	for _, r := range er.group {
		if _, err := er.tx.ExecContext(ctx, `UPDATE import_items SET previous = $1 WHERE entity = $2 AND record_id = $3 AND previous IS NOT NULL`,
			`{"old":{},"new":{}}`, r.Entity, r.ID); err != nil {
			return nil, fmt.Errorf("imports of %s: %w", r, err)
		}
		type imp struct {
			id     int64
			status string
		}
		rows, err := store.Collect(ctx, er.tx, func(s store.Scanner) (imp, error) {
			var x imp
			return x, s.Scan(&x.id, &x.status)
		}, `SELECT DISTINCT i.id, i.status FROM imports i JOIN import_items it ON it.import_id = i.id
			WHERE it.entity = $1 AND it.record_id = $2 AND `+notDryRunCreation+` ORDER BY i.id`, r.Entity, r.ID)
		if err != nil {
			return nil, fmt.Errorf("imports of %s: %w", r, err)
		}
		for _, x := range rows {
			// A file named after the person ("kontak-budi.csv").
			if _, err := er.scrubRows(ctx, er.all, "imports", []string{"id"}, []string{"file_name"}, nil, "id = $1", x.id); err != nil {
				return nil, err
			}
			if _, err := er.scrubRows(ctx, er.all, "record_changes", []string{"id"}, nil, []string{"changes"}, "entity = 'imports' AND record_id = $1", x.id); err != nil {
				return nil, err
			}
			switch {
			case slices.Contains(out, x.id) || slices.Contains(er.keptImports, x.id):
			case slices.Contains([]string{"pending", "queued", "running", "undoing"}, x.status):
				// The import still reads its file; the operator removes
				// the import (or erases again) once it has finished.
				er.keptImports = append(er.keptImports, x.id)
			default:
				out = append(out, x.id)
			}
		}
	}
	return out, nil
}

// mentions scrubs the person's e-mail addresses and phone numbers from
// free text anywhere in the CRM: activities, deals and orders about
// other people, notifications, import errors, history, search.
func (er *eraser) mentions(ctx context.Context) error {
	s := er.contact
	if len(s.patterns) == 0 {
		return nil
	}
	for _, t := range []struct {
		table      string
		cols, json []string
	}{
		{"activities", []string{"subject", "body"}, nil},
		{"deals", []string{"name", "lost_reason", "won_reason"}, nil},
		{"orders", []string{"notes"}, nil},
		{"order_lines", []string{"description"}, nil},
		{"notifications", []string{"message", "message_args"}, nil},
		{"import_items", []string{"error"}, []string{"previous"}},
		{"record_changes", nil, []string{"changes"}},
	} {
		if _, err := er.scrubRows(ctx, s, t.table, []string{"id"}, t.cols, t.json, ""); err != nil {
			return err
		}
	}
	return er.scrubSearch(ctx, s)
}

// scrubRows rewrites the text columns (cols) and JSON columns (jsons) of
// a table's rows matching where (and containing one of the scrubber's
// words) with the identifiers replaced. keys name the row.
func (er *eraser) scrubRows(ctx context.Context, s *scrubber, table string, keys, cols, jsons []string, where string, args ...any) (int, error) {
	all := append(slices.Clone(cols), jsons...)
	if len(all) == 0 || len(s.patterns) == 0 {
		return 0, nil
	}
	var sel, like []string
	for _, k := range keys {
		sel = append(sel, k)
	}
	for _, c := range all {
		text := "COALESCE(" + er.m.jsonText(c) + ", '')"
		sel = append(sel, text)
		for _, w := range s.likes {
			args = append(args, "%"+likeEscape(w)+"%")
			like = append(like, "lower("+text+") LIKE $"+strconv.Itoa(len(args))+" ESCAPE '\\'")
		}
	}
	conds := []string{"(" + strings.Join(like, " OR ") + ")"}
	if where != "" {
		conds = append(conds, "("+where+")")
	}
	query := "SELECT " + strings.Join(sel, ", ") + " FROM " + table + " WHERE " + strings.Join(conds, " AND ")
	type row struct {
		keys []any
		vals []string
	}
	rows, err := store.Collect(ctx, er.tx, func(sc store.Scanner) (row, error) {
		x := row{keys: make([]any, len(keys)), vals: make([]string, len(all))}
		dest := make([]any, 0, len(keys)+len(all))
		for i := range x.keys {
			dest = append(dest, &x.keys[i])
		}
		for i := range x.vals {
			dest = append(dest, &x.vals[i])
		}
		return x, sc.Scan(dest...)
	}, query, args...)
	if err != nil {
		return 0, fmt.Errorf("scrub %s: %w", table, err)
	}
	n := 0
	for _, x := range rows {
		var sets []string
		var uargs []any
		for i, c := range all {
			var out string
			changed := false
			if i < len(cols) {
				out = s.text(x.vals[i])
				changed = out != x.vals[i]
			} else {
				out, changed = s.json(x.vals[i])
			}
			if !changed {
				continue
			}
			uargs = append(uargs, out)
			sets = append(sets, c+" = $"+strconv.Itoa(len(uargs)))
		}
		if len(sets) == 0 {
			continue
		}
		var match []string
		for i, k := range keys {
			uargs = append(uargs, x.keys[i])
			match = append(match, k+" = $"+strconv.Itoa(len(uargs)))
		}
		if _, err := er.tx.ExecContext(ctx, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE "+strings.Join(match, " AND "), uargs...); err != nil {
			return n, fmt.Errorf("scrub %s: %w", table, err)
		}
		n++
	}
	return n, nil
}

// scrubSearch scrubs every search document: its words and the detail a
// hit shows.
func (er *eraser) scrubSearch(ctx context.Context, s *scrubber) error {
	if er.m.db.Engine == store.Postgres {
		_, err := er.scrubRows(ctx, s, "search_docs", []string{"entity", "record_id"}, []string{"title", "body", "detail"}, nil, "")
		return err
	}
	// SQLite keeps the words in the FTS5 table, whose rowid is the key,
	// and the detail in search_docs.
	if _, err := er.scrubRows(ctx, s, "search_fts", []string{"rowid"}, []string{"title", "body"}, nil, ""); err != nil {
		return err
	}
	_, err := er.scrubRows(ctx, s, "search_docs", []string{"entity", "record_id"}, []string{"detail"}, nil, "")
	return err
}

// scrubSearchDoc scrubs one record's search document.
func (er *eraser) scrubSearchDoc(ctx context.Context, s *scrubber, r Ref) error {
	if er.m.db.Engine == store.Postgres {
		_, err := er.scrubRows(ctx, s, "search_docs", []string{"entity", "record_id"}, []string{"title", "body", "detail"}, nil, "entity = $1 AND record_id = $2", r.Entity, r.ID)
		return err
	}
	if _, err := er.scrubRows(ctx, s, "search_docs", []string{"entity", "record_id"}, []string{"detail"}, nil, "entity = $1 AND record_id = $2", r.Entity, r.ID); err != nil {
		return err
	}
	// By rowid: a condition on the FTS5 table's other columns reads
	// every document.
	_, err := er.scrubRows(ctx, s, "search_fts", []string{"rowid"}, []string{"title", "body"}, nil,
		"rowid = (SELECT fts_rowid FROM search_docs WHERE entity = $1 AND record_id = $2)", r.Entity, r.ID)
	return err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
