// Package audit is the administrators' view of the history every save
// writes to record_changes: who created, changed, deleted, restored,
// merged, imported or purged which record, when, and which fields went from
// what to what. It only reads; the records machinery and the modules that
// merge, import and purge write the rows.
//
// The audit is for administrators only. A manager's view of "changes to
// my team's records" would have to decide whose team a record belonged to
// at the time of each change (owners change, and a purged record has no
// owner left); rather than show a half-right answer, the audit is limited
// to the one role that may see everything anyway. Everyone still sees the
// history of the records they may read on those records' own pages.
package audit

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Record states: whether the record an entry is about still exists.
const (
	StateActive = "active" // a live record
	StateTrash  = "trash"  // in the trash, restorable
	StatePurged = "purged" // deleted forever
	StateNone   = "none"   // not a record: a company setting
)

// Entry is one row of the audit.
type Entry struct {
	ID       int64  `json:"id"`
	Entity   string `json:"entity"`
	RecordID int64  `json:"record_id"`
	// Record is the record's display name: its title now, or for a purged
	// record the title it had when it was purged.
	Record      string    `json:"record"`
	RecordState string    `json:"record_state"`
	Action      string    `json:"action"`
	ActorID     *int64    `json:"actor_id"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
	// Changes maps each changed field to [old, new].
	Changes map[string][2]any `json:"changes"`
}

// Fields returns the changed fields' names, sorted.
func (e Entry) Fields() []string {
	names := make([]string, 0, len(e.Changes))
	for name := range e.Changes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Page is one page of the audit, newest first.
type Page struct {
	Items      []Entry `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// Log reads the audit.
type Log struct {
	db    *store.DB
	store *records.Store
	reg   *records.Registry
	// recordSQL selects, for the row rch, "a" or "t" (active, trash)
	// followed by the record's title, or NULL when the record is gone.
	recordSQL string
}

// New returns the audit of the records in s, naming them through the
// entities of reg (their tables, title expressions and field labels).
func New(s *records.Store, reg *records.Registry) *Log {
	return &Log{db: s.DB(), store: s, reg: reg, recordSQL: recordSQL(reg)}
}

// recordSQL is one CASE over the registered entities: each branch looks
// the record up by primary key in its own table. The entity names and
// title expressions come from code, not from requests.
func recordSQL(reg *records.Registry) string {
	var b strings.Builder
	b.WriteString("CASE rch.entity")
	n := 0
	for _, e := range reg.All() {
		if !validName(e.Name) {
			continue
		}
		title := "''"
		if e.TitleSQL != "" {
			title = "COALESCE(" + e.TitleSQL + ", '')"
		}
		fmt.Fprintf(&b, " WHEN '%s' THEN (SELECT CASE WHEN %[2]s.deleted_at IS NULL THEN 'a' ELSE 't' END || %[3]s FROM %[4]s %[2]s WHERE %[2]s.id = rch.record_id)",
			e.Name, e.Alias, title, e.Table)
		n++
	}
	if n == 0 {
		return "CAST(NULL AS TEXT)"
	}
	b.WriteString(" END")
	return b.String()
}

// validName is what entity, action and field names look like; a filter
// value that does not is refused rather than searched for.
func validName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Settings is the entity name of history rows about company settings
// (the trash's retention period), which are not records.
const Settings = "settings"

// List returns one page of the entries matching f. Only administrators
// may read the audit.
func (l *Log) List(ctx context.Context, p auth.Principal, f Filter) (Page, error) {
	if err := p.CanManage(); err != nil {
		return Page{}, err
	}
	items, err := l.query(ctx, f, f.after, f.Limit+1)
	if err != nil {
		return Page{}, err
	}
	out := Page{Items: items}
	if out.Items == nil {
		out.Items = []Entry{}
	}
	if len(items) > f.Limit {
		out.Items = items[:f.Limit]
		out.NextCursor = encodeCursor(out.Items[f.Limit-1].ID)
	}
	return out, nil
}

// Each calls fn with every entry matching f, newest first, reading in
// batches so that an audit of any size streams in constant memory. f's
// cursor is honoured; its limit is not.
func (l *Log) Each(ctx context.Context, p auth.Principal, f Filter, fn func(Entry) error) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	after := f.after
	for {
		items, err := l.query(ctx, f, after, eachBatch)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(items) < eachBatch {
			return nil
		}
		after = items[len(items)-1].ID
	}
}

// eachBatch is how many entries Each reads per query.
const eachBatch = 1000

// query reads up to limit entries matching f with IDs below after (0 for
// the newest).
func (l *Log) query(ctx context.Context, f Filter, after int64, limit int) ([]Entry, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Entity != "" {
		where = append(where, "rch.entity = "+arg(f.Entity))
	}
	if f.RecordID != 0 {
		where = append(where, "rch.record_id = "+arg(f.RecordID))
	}
	if f.ActorID != 0 {
		where = append(where, "rch.actor_id = "+arg(f.ActorID))
	}
	if f.Action != "" {
		where = append(where, "rch.action = "+arg(f.Action))
	}
	if !f.From.IsZero() {
		where = append(where, "rch.at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, "rch.at < "+arg(f.To.UTC()))
	}
	if f.Field != "" {
		if l.db.Engine == store.Postgres {
			where = append(where, "rch.changes ? "+arg(f.Field))
		} else {
			// The text search skips most rows cheaply; json_each confirms
			// that the quoted name is a key and not part of a value.
			where = append(where, "instr(rch.changes, "+arg(`"`+f.Field+`"`)+") > 0 AND EXISTS (SELECT 1 FROM json_each(rch.changes) WHERE json_each.key = "+arg(f.Field)+")")
		}
	}
	if after != 0 {
		where = append(where, "rch.id < "+arg(after))
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	changes := "rch.changes"
	if l.db.Engine == store.Postgres {
		changes = "rch.changes::text"
	}
	query := `SELECT rch.id, rch.entity, rch.record_id, rch.action, rch.actor_id, COALESCE(rcu.name, ''), rch.at, ` + changes + `, ` + l.recordSQL + `
		FROM record_changes rch LEFT JOIN users rcu ON rcu.id = rch.actor_id
		` + cond + ` ORDER BY rch.id DESC LIMIT ` + strconv.Itoa(limit)
	items, err := store.Collect(ctx, l.db.Read(), scanEntry, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	for i, it := range items {
		if _, ok := l.reg.Get(it.Entity); !ok {
			items[i].RecordState = StateNone
		}
	}
	if err := l.purgedTitles(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

func scanEntry(row store.Scanner) (Entry, error) {
	var (
		e       Entry
		actor   sql.NullInt64
		changes string
		rec     sql.NullString
	)
	if err := row.Scan(&e.ID, &e.Entity, &e.RecordID, &e.Action, &actor, &e.Actor, &e.At, &changes, &rec); err != nil {
		return e, err
	}
	if actor.Valid {
		e.ActorID = &actor.Int64
	}
	e.At = e.At.UTC()
	e.Changes = decodeChanges(changes)
	switch {
	case !rec.Valid || rec.String == "":
		e.RecordState = StatePurged
	case rec.String[0] == 't':
		e.RecordState, e.Record = StateTrash, rec.String[1:]
	default:
		e.RecordState, e.Record = StateActive, rec.String[1:]
	}
	return e, nil
}

// decodeChanges reads a row's changes, keeping numbers as written.
func decodeChanges(s string) map[string][2]any {
	out := map[string][2]any{}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return map[string][2]any{}
	}
	return out
}

// purgedTitles fills in the names of purged records from the "purged"
// rows, which keep the title a record had.
func (l *Log) purgedTitles(ctx context.Context, items []Entry) error {
	ids := map[string][]int64{}
	for _, it := range items {
		if it.RecordState == StatePurged {
			ids[it.Entity] = append(ids[it.Entity], it.RecordID)
		}
	}
	titles := map[string]map[int64]string{}
	for entity, list := range ids {
		args := []any{entity}
		ph := make([]string, 0, len(list))
		seen := map[int64]bool{}
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				args = append(args, id)
				ph = append(ph, "$"+strconv.Itoa(len(args)))
			}
		}
		changes := "changes"
		if l.db.Engine == store.Postgres {
			changes = "changes::text"
		}
		rows, err := store.Collect(ctx, l.db.Read(), func(row store.Scanner) (Entry, error) {
			var e Entry
			var c string
			err := row.Scan(&e.RecordID, &c)
			e.Changes = decodeChanges(c)
			return e, err
		}, `SELECT record_id, `+changes+` FROM record_changes WHERE entity = $1 AND action = 'purged' AND record_id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return fmt.Errorf("audit: purged titles: %w", err)
		}
		titles[entity] = map[int64]string{}
		for _, r := range rows {
			if t, ok := r.Changes["title"][0].(string); ok {
				titles[entity][r.RecordID] = t
			}
		}
	}
	for i, it := range items {
		if t, ok := titles[it.Entity][it.RecordID]; ok {
			items[i].Record = t
		}
	}
	return nil
}

// encodeCursor and decodeCursor make the opaque next_cursor: the last
// entry's ID.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("a" + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(b) > 1 && b[0] == 'a' {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	var fe errs.Fields
	fe.Add("cursor", "invalid", "is not a cursor from this list with this sort; start again without it")
	return 0, fe.Err()
}
