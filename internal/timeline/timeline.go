// Package timeline is the 360° view of a customer: one list of every
// touchpoint of a contact or an account — activities, field changes,
// orders, deals and their stage changes, and conversions — newest first, and a summary
// of where the customer stands.
//
// The list is one UNION ALL query over the sources, keyset-paged on
// (at, kind, id): each source is a constant kind, so the condition that
// continues after a cursor is a plain comparison on that source's time and
// ID, which its index serves.
package timeline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Kinds of timeline items.
const (
	KindActivity   = "activity"
	KindChange     = "change"
	KindConversion = "conversion"
	KindDeal       = "deal"
	KindOrder      = "order"
	KindStage      = "stage"
)

var kinds = []string{KindActivity, KindChange, KindConversion, KindDeal, KindOrder, KindStage}

// Paging limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Sources says which optional sources the timeline and summary read.
type Sources struct {
	// Deals adds the customer's deals (when each was created) and their
	// stage changes to the timeline and their open deals to the summary. It needs the deals
	// table (migration 00006), whose history rows are written under the
	// entity name "opportunities", stage moves with action "stage_changed".
	Deals bool
}

// Item is one touchpoint.
type Item struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	// ID is the activity's, the order's or the history row's ID: with At
	// and Kind it identifies the item and orders the list.
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Link   string `json:"link"`
	Actor  string `json:"actor"`
	// Amount is an order's total or a deal's amount.
	Amount *orders.Amount `json:"amount,omitempty"`
	// StageKey is the key of a deal's stage when it is one Relasi ships
	// ("closed_lost"), so pages can name it in the viewer's language.
	StageKey string `json:"-"`
	// Changes are the fields a change, conversion or stage move touched,
	// for pages, which show them with their labels; Detail has them as
	// text.
	Changes []FieldChange `json:"-"`
	// raw are the history row's changes as stored, and entity and
	// recordID whose they are, for Reword.
	raw      map[string][2]any
	entity   string
	recordID int64
	refID    int64
}

// FieldChange is one changed field of a history row.
type FieldChange struct {
	Field    string
	Label    string // catalog key of the field's label, when known
	Old, New string
}

// Page is one page of a timeline.
type Page struct {
	Items      []Item `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Timeline reads timelines and summaries.
type Timeline struct {
	store    *records.Store
	contacts *records.Entity
	accounts *records.Entity
	sources  Sources
	// own are the entities whose records have a timeline of their own
	// (leads, deals), by name.
	own map[string]*records.Entity
}

// New returns a Timeline over the contacts and accounts entities of s.
func New(s *records.Store, contacts, accounts *records.Entity, sources Sources) *Timeline {
	return &Timeline{store: s, contacts: contacts, accounts: accounts, sources: sources}
}

// AddOwn gives the records of entities — leads, deals — a timeline of
// their own: the activities related to the record (related_type is the
// entity's name) and its history. A customer's timeline (contacts,
// accounts) gathers more: see ForContact.
func (t *Timeline) AddOwn(entities ...*records.Entity) {
	if t.own == nil {
		t.own = map[string]*records.Entity{}
	}
	for _, e := range entities {
		t.own[e.Name] = e
	}
}

// subject is whose timeline is read.
type subject struct {
	entity *records.Entity
	// column names the subject in activities, orders and deals; "" for a
	// record with a timeline of its own, whose activities name it by
	// related_type and related_id.
	column string
	id     int64
}

func (t *Timeline) ownRecord(e *records.Entity, id int64) subject { return subject{entity: e, id: id} }

func (t *Timeline) contact(id int64) subject { return subject{t.contacts, "contact_id", id} }
func (t *Timeline) account(id int64) subject { return subject{t.accounts, "account_id", id} }

// ForContact returns a page of a contact's timeline, which the caller must
// be allowed to read. cursor is the NextCursor of the previous page, or "".
func (t *Timeline) ForContact(ctx context.Context, p auth.Principal, contactID int64, cursor string, limit int) (Page, error) {
	return t.page(ctx, p, t.contact(contactID), cursor, limit)
}

// ForAccount returns a page of an account's timeline: what concerns the
// account and its contacts.
func (t *Timeline) ForAccount(ctx context.Context, p auth.Principal, accountID int64, cursor string, limit int) (Page, error) {
	return t.page(ctx, p, t.account(accountID), cursor, limit)
}

// position is where a page starts: after the item with these keys.
type position struct {
	At   time.Time
	Kind string
	ID   int64
}

func (c position) encode() string {
	b, _ := json.Marshal([]any{c.At.UTC().Format(time.RFC3339Nano), c.Kind, c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*position, error) {
	if s == "" {
		return nil, nil
	}
	bad := func() (*position, error) {
		var fe errs.Fields
		fe.Add("cursor", "invalid", "is not a cursor of this timeline; start again without it")
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
	if json.Unmarshal(raw[0], &at) != nil || json.Unmarshal(raw[1], &c.Kind) != nil || json.Unmarshal(raw[2], &c.ID) != nil {
		return bad()
	}
	if c.At, err = time.Parse(time.RFC3339Nano, at); err != nil || !slices.Contains(kinds, c.Kind) {
		return bad()
	}
	return &c, nil
}

func checkLimit(limit int) error {
	if limit < 1 || limit > MaxLimit {
		var fe errs.Fields
		fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
		return fe.Err()
	}
	return nil
}

func (t *Timeline) page(ctx context.Context, p auth.Principal, s subject, cursor string, limit int) (Page, error) {
	if err := checkLimit(limit); err != nil {
		return Page{}, err
	}
	after, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	if _, err := t.store.Get(ctx, p, s.entity, s.id); err != nil {
		return Page{}, err
	}
	q := &query{p: p, after: after, fetch: limit + 1}
	parts := []string{q.activities(s), q.changes(s, KindChange), q.changes(s, KindConversion)}
	if s.column != "" {
		parts = append(parts, q.orders(s))
	}
	if t.sources.Deals && s.column != "" {
		parts = append(parts, q.deals(s), q.stages(s))
	}
	for i, part := range parts {
		parts[i] = fmt.Sprintf("SELECT * FROM (%s) p%d", part, i)
	}
	sqlText := fmt.Sprintf(`SELECT kind, id, at, title, detail, ref_id, actor, changes, currency, amount FROM (
%s
) items ORDER BY at DESC, kind DESC, id DESC LIMIT %d`, strings.Join(parts, "\nUNION ALL\n"), q.fetch)
	items, err := store.Collect(ctx, t.store.DB().Read(), scanItem, sqlText, q.args...)
	if err != nil {
		return Page{}, fmt.Errorf("timeline of %s %d: %w", s.entity.Name, s.id, err)
	}
	for i := range items {
		switch items[i].Kind {
		case KindChange, KindConversion:
			labelChanges(s.entity, items[i].Changes)
			items[i].entity, items[i].recordID = s.entity.Name, s.id
		case KindStage:
			items[i].entity, items[i].recordID = "opportunities", items[i].refID
		}
	}
	out := Page{Items: items}
	if out.Items == nil {
		out.Items = []Item{}
	}
	if len(items) > limit {
		out.Items = items[:limit]
		last := out.Items[limit-1]
		out.NextCursor = position{At: last.At, Kind: last.Kind, ID: last.ID}.encode()
	}
	return out, nil
}

// query builds the timeline SQL: its arguments, and each source's part.
// Every part selects the same columns: kind, id, at, title, detail,
// ref_id (the record the item links to), actor, changes (history JSON),
// currency and amount.
type query struct {
	p     auth.Principal
	after *position
	fetch int
	args  []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// scope limits a part to the records the caller may read.
func (q *query) scope(ownerCol string) string {
	cond, args := q.p.Scope(auth.Read, ownerCol, len(q.args)+1)
	q.args = append(q.args, args...)
	return cond
}

// continues is the condition that keeps a part's rows of kind after the
// cursor in the order (at DESC, kind DESC, id DESC); "" on the first page.
func (q *query) continues(kind, at, id string) string {
	c := q.after
	switch {
	case c == nil:
		return ""
	case kind < c.Kind:
		return fmt.Sprintf(" AND %s <= %s", at, q.arg(c.At))
	case kind > c.Kind:
		return fmt.Sprintf(" AND %s < %s", at, q.arg(c.At))
	}
	t := q.arg(c.At)
	return fmt.Sprintf(" AND (%s < %s OR (%s = %s AND %s < %s))", at, t, at, t, id, q.arg(c.ID))
}

// activities are the activities concerning the subject: of a customer,
// every activity naming it (through whichever record it is related to);
// of a lead or deal, those related to it (index activities_related).
func (q *query) activities(s subject) string {
	const at = "COALESCE(a.done_at, a.due_at, a.created_at)"
	var concerns string
	if s.column == "" {
		concerns = "a.related_type = " + q.arg(s.entity.Name) + " AND a.related_id = " + q.arg(s.id)
	} else {
		concerns = "a." + s.column + " = " + q.arg(s.id)
	}
	return `SELECT 'activity' AS kind, a.id AS id, ` + at + ` AS at, a.subject AS title, a.kind AS detail, a.id AS ref_id,
		COALESCE(u.name, '') AS actor, CAST(NULL AS TEXT) AS changes, CAST(NULL AS TEXT) AS currency, CAST(NULL AS BIGINT) AS amount
		FROM activities a LEFT JOIN users u ON u.id = a.owner_id
		WHERE ` + concerns + ` AND a.deleted_at IS NULL AND ` + q.scope("a.owner_id") +
		q.continues(KindActivity, at, "a.id") + `
		ORDER BY ` + at + ` DESC, a.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// changes are the subject's own history: field changes, or with
// KindConversion the lead conversions that made or extended it.
func (q *query) changes(s subject, kind string) string {
	action := "h.action <> 'converted'"
	if kind == KindConversion {
		action = "h.action = 'converted'"
	}
	return `SELECT '` + kind + `' AS kind, h.id AS id, h.at AS at, h.action AS title, '' AS detail, h.record_id AS ref_id,
		COALESCE(u.name, '') AS actor, CAST(h.changes AS TEXT) AS changes, CAST(NULL AS TEXT) AS currency, CAST(NULL AS BIGINT) AS amount
		FROM record_changes h LEFT JOIN users u ON u.id = h.actor_id
		WHERE h.entity = ` + q.arg(s.entity.Name) + ` AND h.record_id = ` + q.arg(s.id) + ` AND ` + action +
		q.continues(kind, "h.at", "h.id") + `
		ORDER BY h.at DESC, h.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// orders are the subject's orders.
func (q *query) orders(s subject) string {
	return `SELECT 'order' AS kind, o.id AS id, o.created_at AS at, o.number AS title, o.status AS detail, o.id AS ref_id,
		COALESCE(u.name, '') AS actor, CAST(NULL AS TEXT) AS changes, o.currency AS currency, o.total AS amount
		FROM orders o LEFT JOIN users u ON u.id = o.owner_id
		WHERE o.` + s.column + ` = ` + q.arg(s.id) + ` AND o.deleted_at IS NULL AND ` + q.scope("o.owner_id") +
		q.continues(KindOrder, "o.created_at", "o.id") + `
		ORDER BY o.created_at DESC, o.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// deals are the subject's deals, at the time each was created, with its
// current stage as the detail. A deal has no history in the changes
// column, which carries the stage's key instead, for pages to show a
// shipped stage in the viewer's language (Item.StageKey).
func (q *query) deals(s subject) string {
	return `SELECT 'deal' AS kind, d.id AS id, d.created_at AS at, d.name AS title, COALESCE(st.name, '') AS detail, d.id AS ref_id,
		COALESCE(u.name, '') AS actor, st.key AS changes, d.currency AS currency, d.amount AS amount
		FROM deals d LEFT JOIN stages st ON st.id = d.stage_id LEFT JOIN users u ON u.id = d.owner_id
		WHERE d.` + s.column + ` = ` + q.arg(s.id) + ` AND d.deleted_at IS NULL AND ` + q.scope("d.owner_id") +
		q.continues(KindDeal, "d.created_at", "d.id") + `
		ORDER BY d.created_at DESC, d.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// stages are the stage moves of the subject's deals. CROSS JOIN makes
// SQLite start from the subject's few deals, not from every deal's
// history; PostgreSQL plans it like any join.
func (q *query) stages(s subject) string {
	return `SELECT 'stage' AS kind, h.id AS id, h.at AS at, d.name AS title, '' AS detail, d.id AS ref_id,
		COALESCE(u.name, '') AS actor, CAST(h.changes AS TEXT) AS changes, CAST(NULL AS TEXT) AS currency, CAST(NULL AS BIGINT) AS amount
		FROM deals d
		CROSS JOIN record_changes h
		LEFT JOIN users u ON u.id = h.actor_id
		WHERE d.` + s.column + ` = ` + q.arg(s.id) + ` AND d.deleted_at IS NULL AND ` + q.scope("d.owner_id") + `
		  AND h.entity = 'opportunities' AND h.record_id = d.id AND h.action = 'stage_changed'` +
		q.continues(KindStage, "h.at", "h.id") + `
		ORDER BY h.at DESC, h.id DESC LIMIT ` + strconv.Itoa(q.fetch)
}

// extraLabels name history keys that are not fields of the record: the
// owner, and the lead a contact was converted from.
var extraLabels = map[string]string{"owner_id": "field.owner", "lead": "entity.lead", "lead_id": "entity.lead"}

// labelChanges gives the subject's own changes the labels of its fields
// (account_id is "Account", not "field.account_id").
func labelChanges(e *records.Entity, changes []FieldChange) {
	for i, c := range changes {
		if f, ok := e.Field(c.Field); ok {
			changes[i].Label = f.Label
		} else if label, ok := extraLabels[c.Field]; ok {
			changes[i].Label = label
		}
	}
}

// scanItem reads one row of the union into an Item.
func scanItem(row store.Scanner) (Item, error) {
	var (
		it              Item
		at              any
		detail, changes *string
		currency        *string
		refID, amount   *int64
		title           *string
	)
	if err := row.Scan(&it.Kind, &it.ID, &at, &title, &detail, &refID, &it.Actor, &changes, &currency, &amount); err != nil {
		return Item{}, err
	}
	var err error
	if it.At, err = timeValue(at); err != nil {
		return Item{}, err
	}
	if title != nil {
		it.Title = *title
	}
	if detail != nil {
		it.Detail = *detail
	}
	ref := int64(0)
	if refID != nil {
		ref = *refID
	}
	switch it.Kind {
	case KindActivity:
		it.Link = "/activities/" + strconv.FormatInt(ref, 10)
	case KindOrder:
		it.Link = "/orders/" + strconv.FormatInt(ref, 10)
		if currency != nil && amount != nil {
			it.Amount = &orders.Amount{Currency: *currency, Minor: *amount}
		}
	case KindDeal:
		it.Link = "/opportunities/" + strconv.FormatInt(ref, 10)
		if currency != nil && amount != nil {
			it.Amount = &orders.Amount{Currency: *currency, Minor: *amount}
		}
		if changes != nil {
			it.StageKey = *changes
		}
		return it, nil
	case KindStage:
		it.Link = "/opportunities/" + strconv.FormatInt(ref, 10)
	}
	it.refID = ref
	if changes != nil {
		json.Unmarshal([]byte(*changes), &it.raw)
		it.Changes = parseChanges(*changes)
		it.Detail = describe(it.Changes)
	}
	return it, nil
}

// timeValue reads a timestamp of either engine: PostgreSQL gives a
// time.Time, SQLite the text it stored for a computed column.
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
	return time.Time{}, fmt.Errorf("timeline: unexpected time %v (%T)", v, v)
}

// maxDetail bounds an item's detail text.
const maxDetail = 300

// parseChanges reads a history row's changes (field → [old, new]), in
// field order. An ID whose name is recorded beside it (stage_id beside
// stage) is left out.
func parseChanges(changesJSON string) []FieldChange {
	var changes map[string][2]any
	if err := json.Unmarshal([]byte(changesJSON), &changes); err != nil || len(changes) == 0 {
		return nil
	}
	names := make([]string, 0, len(changes))
	for name := range changes {
		if _, named := changes[strings.TrimSuffix(name, "_id")]; named && strings.HasSuffix(name, "_id") {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]FieldChange, 0, len(names))
	for _, name := range names {
		c := changes[name]
		out = append(out, FieldChange{Field: name, Label: "field." + name, Old: showValue(c[0]), New: showValue(c[1])})
	}
	return out
}

// describe is changes as one line: "city: Jakarta → Bandung; phones: —
// → +6281…".
func describe(changes []FieldChange) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New))
	}
	s := strings.Join(parts, "; ")
	if r := []rune(s); len(r) > maxDetail {
		s = string(r[:maxDetail-1]) + "…"
	}
	return s
}

func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		if r := []rune(x); len(r) > 60 {
			return string(r[:59]) + "…"
		}
		return x
	case []any:
		if len(x) == 0 {
			return "—"
		}
		items := make([]string, len(x))
		for i, it := range x {
			items[i] = showValue(it)
		}
		return strings.Join(items, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Reword words the changes of items for the viewer hv stands for — labels,
// values by kind, linked records by the names the viewer may read — as the
// record's own history does. The API keeps the plain Detail text.
func Reword(hv *records.HistoryView, items []Item) error {
	if hv == nil {
		return nil
	}
	for i := range items {
		it := &items[i]
		if it.raw == nil || it.entity == "" {
			continue
		}
		lines, err := hv.ChangesOf(it.entity, it.recordID, it.raw)
		if err != nil {
			return err
		}
		it.Changes = it.Changes[:0]
		for _, l := range lines {
			it.Changes = append(it.Changes, FieldChange{Field: l.Name, Label: l.Label, Old: dash(l.Old), New: dash(l.New)})
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
