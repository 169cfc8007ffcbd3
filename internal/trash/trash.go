// Package trash is the one place where deleted records of every entity are
// found, brought back or deleted forever.
//
// Deleting a record (records.Store.Delete) only sets its deleted_at: the
// record keeps its fields and its links — activities, deals and orders
// still point at a deleted contact — so restoring it brings everything
// back as it was. Records stay in the trash for a retention period (30
// days unless an administrator sets another), after which the daily
// "trash.purge" job deletes them for good: each in its own transaction,
// together with what would otherwise dangle (links from other records are
// cleared and recorded as "unlinked", side tables follow through their
// foreign keys, the search document goes). The record's history stays, with
// a last "purged" row: it is the audit of what was there.
package trash

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Trash lists, restores and purges deleted records.
type Trash struct {
	db      *store.DB
	records *records.Store
	reg     *records.Registry
	hooks   []PurgeHook
}

// PurgeHook removes what a module keeps about a record that is being
// purged (rows of its own tables that name the record), in the purge's
// transaction, before the record itself is deleted.
type PurgeHook func(ctx context.Context, tx *sql.Tx, entity string, id int64) error

// New returns the trash of the entities of reg, stored in s.
func New(s *records.Store, reg *records.Registry) *Trash {
	return &Trash{db: s.DB(), records: s, reg: reg}
}

// OnPurge adds a hook that runs for every record purged.
func (t *Trash) OnPurge(h PurgeHook) { t.hooks = append(t.hooks, h) }

// Item is one record in the trash.
type Item struct {
	Entity      string    `json:"entity"`
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	DeletedAt   time.Time `json:"deleted_at"`
	DeletedByID *int64    `json:"deleted_by_id"`
	DeletedBy   string    `json:"deleted_by"`
	// PurgeAt is when the record is deleted forever (by the first daily
	// purge after it); DaysLeft counts the days until then.
	PurgeAt  time.Time `json:"purge_at"`
	DaysLeft int       `json:"days_left"`
	// CanRestore says whether the caller may restore the record.
	CanRestore bool `json:"can_restore"`
}

// Page is one page of the trash, most recently deleted first.
type Page struct {
	Items      []Item `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Query selects a page of the trash.
type Query struct {
	Entity string // "" for every entity
	Cursor string
	Limit  int // 0 for DefaultLimit
}

// entity returns a registered entity by name, as a 404 when there is none.
func (t *Trash) entity(name string) (*records.Entity, error) {
	e, ok := t.reg.Get(name)
	if !ok {
		return nil, errs.E(errs.NotFound, "There is no record type %q.", name)
	}
	return e, nil
}

// now is the records store's clock, which stamped deleted_at.
func (t *Trash) now() time.Time { return t.records.Now() }

// List returns a page of the deleted records the caller may read, most
// recently deleted first.
func (t *Trash) List(ctx context.Context, p auth.Principal, q Query) (Page, error) {
	var fe errs.Fields
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
	}
	entities := t.reg.All()
	if q.Entity != "" {
		e, ok := t.reg.Get(q.Entity)
		if !ok {
			names := make([]string, 0, len(entities))
			for _, e := range entities {
				names = append(names, e.Name)
			}
			fe.Add("entity", "invalid_choice", "must be one of: %s", strings.Join(names, ", "))
		}
		entities = []*records.Entity{e}
	}
	after, err := decodeCursor(q.Cursor)
	if e, ok := errs.As(err); ok {
		fe = append(fe, e.Fields...)
	}
	if err := fe.Err(); err != nil {
		return Page{}, err
	}
	settings, err := t.Settings(ctx)
	if err != nil {
		return Page{}, err
	}
	b := &listQuery{p: p, after: after, fetch: limit + 1}
	parts := make([]string, 0, len(entities))
	for i, e := range entities {
		parts = append(parts, fmt.Sprintf("SELECT * FROM (%s) p%d", b.part(e), i))
	}
	query := `SELECT t.entity, t.id, t.title, t.deleted_at, h.actor_id, COALESCE(u.name, ''), t.can_restore FROM (
` + strings.Join(parts, "\nUNION ALL\n") + `
) t LEFT JOIN record_changes h ON h.id = t.deleted_by LEFT JOIN users u ON u.id = h.actor_id
ORDER BY t.deleted_at DESC, t.entity DESC, t.id DESC LIMIT ` + strconv.Itoa(b.fetch)
	now := t.now()
	items, err := store.Collect(ctx, t.db.Read(), func(row store.Scanner) (Item, error) {
		var it Item
		var at any
		var actor *int64
		var canRestore int64
		if err := row.Scan(&it.Entity, &it.ID, &it.Title, &at, &actor, &it.DeletedBy, &canRestore); err != nil {
			return it, err
		}
		var err error
		if it.DeletedAt, err = timeValue(at); err != nil {
			return it, err
		}
		it.DeletedByID, it.CanRestore = actor, canRestore == 1
		it.PurgeAt, it.DaysLeft = settings.purgeAt(it.DeletedAt, now)
		return it, nil
	}, query, b.args...)
	if err != nil {
		return Page{}, fmt.Errorf("trash: %w", err)
	}
	out := Page{Items: items}
	if out.Items == nil {
		out.Items = []Item{}
	}
	if len(items) > limit {
		out.Items = items[:limit]
		last := out.Items[limit-1]
		out.NextCursor = position{At: last.DeletedAt, Entity: last.Entity, ID: last.ID}.encode()
	}
	return out, nil
}

// listQuery builds the trash's UNION: one part per entity, each keyset-
// paged on (deleted_at, id) for its constant entity name, so that every
// part reads its own index of deleted rows.
type listQuery struct {
	p     auth.Principal
	after *position
	fetch int
	args  []any
}

func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *listQuery) scope(a auth.Action, ownerCol string) string {
	cond, args := q.p.Scope(a, ownerCol, len(q.args)+1)
	q.args = append(q.args, args...)
	return cond
}

func (q *listQuery) part(e *records.Entity) string {
	x := e.Alias
	title := "''"
	if e.TitleSQL != "" {
		title = "COALESCE(" + e.TitleSQL + ", '')"
	}
	read, write := "1 = 1", "1 = 1"
	if e.Owned {
		read, write = q.scope(auth.Read, x+".owner_id"), q.scope(auth.Write, x+".owner_id")
	}
	if q.p.CanWriteAny() != nil {
		write = "1 = 0"
	}
	name := quote(e.Name)
	return `SELECT ` + name + ` AS entity, ` + x + `.id AS id, ` + title + ` AS title, ` + x + `.deleted_at AS deleted_at,
		(SELECT MAX(dh.id) FROM record_changes dh WHERE dh.entity = ` + name + ` AND dh.record_id = ` + x + `.id AND dh.action = 'deleted') AS deleted_by,
		CASE WHEN ` + write + ` THEN 1 ELSE 0 END AS can_restore
		FROM ` + e.Table + ` ` + x + `
		WHERE ` + x + `.deleted_at IS NOT NULL AND ` + read + q.continues(e.Name, x+".deleted_at", x+".id") + `
		ORDER BY ` + x + `.deleted_at DESC, ` + x + `.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// quote makes an SQL string literal of a name that comes from code.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// continues keeps a part's rows after the cursor in the order
// (deleted_at DESC, entity DESC, id DESC); "" on the first page.
func (q *listQuery) continues(entity, at, id string) string {
	c := q.after
	switch {
	case c == nil:
		return ""
	case entity < c.Entity:
		return fmt.Sprintf(" AND %s <= %s", at, q.arg(c.At))
	case entity > c.Entity:
		return fmt.Sprintf(" AND %s < %s", at, q.arg(c.At))
	}
	ts := q.arg(c.At)
	return fmt.Sprintf(" AND (%s < %s OR (%s = %s AND %s < %s))", at, ts, at, ts, id, q.arg(c.ID))
}

// position is where a page starts: after the item with these keys.
type position struct {
	At     time.Time
	Entity string
	ID     int64
}

func (c position) encode() string {
	b, _ := json.Marshal([]any{c.At.UTC().Format(time.RFC3339Nano), c.Entity, c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*position, error) {
	if s == "" {
		return nil, nil
	}
	bad := func() (*position, error) {
		var fe errs.Fields
		fe.Add("cursor", "invalid", "is not a cursor of the trash; start again without it")
		return nil, fe.Err()
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad()
	}
	var raw []json.RawMessage
	if json.Unmarshal(b, &raw) != nil || len(raw) != 3 {
		return bad()
	}
	var at string
	var c position
	if json.Unmarshal(raw[0], &at) != nil || json.Unmarshal(raw[1], &c.Entity) != nil || json.Unmarshal(raw[2], &c.ID) != nil {
		return bad()
	}
	if c.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return bad()
	}
	c.At = c.At.UTC()
	return &c, nil
}

// timeValue reads a timestamp of either engine: PostgreSQL gives a
// time.Time, SQLite the text it stored once a UNION hides the column's type.
func timeValue(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case []byte:
		return timeValue(string(x))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("trash: unexpected time %v (%T)", v, v)
}

// purgeAt is when a record deleted at deleted is purged, and how many
// days are left until then (rounded up, never below 0).
func (s Settings) purgeAt(deleted, now time.Time) (time.Time, int) {
	at := deleted.AddDate(0, 0, s.RetentionDays)
	left := at.Sub(now)
	if left <= 0 {
		return at, 0
	}
	return at, int(math.Ceil(left.Hours() / 24))
}

// Restore brings a record back from the trash, with every link it had.
// A record whose unique value (a product's SKU) a live record has taken
// since cannot come back until one of them changes: that is a conflict,
// not a failure.
func (t *Trash) Restore(ctx context.Context, p auth.Principal, entity string, id int64) (records.Record, error) {
	e, err := t.entity(entity)
	if err != nil {
		return records.Record{}, err
	}
	rec, err := t.records.Restore(ctx, p, e, id)
	if store.IsUniqueViolation(err) {
		return records.Record{}, errs.E(errs.Conflict, "A live record has taken a value that must be unique (%s) since this one was deleted; change one of them first.",
			store.ConstraintName(err)).WithKey("trash.error.restore_conflict")
	}
	return rec, err
}

// errNotInTrash is the answer for a record that is not in the trash (or
// that the caller may not see).
var errNotInTrash = errs.E(errs.NotFound, "No such record in the trash.").WithKey("trash.error.not_in_trash")
