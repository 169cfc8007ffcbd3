package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

// History rows store facts — field names, values as JSON, IDs — and are
// worded only when shown, in the viewer's language: a record's detail page
// and the audit log both read them through a HistoryView.

// ChangeLine is one changed field of a history entry as a viewer reads it.
type ChangeLine struct {
	Name     string // as stored: "stage", "custom.vip"
	Label    string
	Old, New string
}

// HistoryView words history entries for the viewer of one page. It
// remembers, for that page, the fields of each entity and the names it
// looked up.
type HistoryView struct {
	s      *Store
	c      *web.Ctx
	p      auth.Principal
	users  map[int64]string
	fields map[string][]Field // entity → fields, system and custom ones included
	titles map[string]string  // "entity\x00id" → title the viewer may read, or ""
	money  map[string]string  // "entity\x00id" → the record's currency
}

// NewHistoryView returns a HistoryView for the signed-in viewer of c.
func (s *Store) NewHistoryView(c *web.Ctx) (*HistoryView, error) {
	users, err := (&pages{s: s}).userNames(c.R.Context())
	if err != nil {
		return nil, err
	}
	return &HistoryView{s: s, c: c, p: *c.User, users: users, fields: map[string][]Field{}, titles: map[string]string{}, money: map[string]string{}}, nil
}

// ReadableTitle is the title of record id of e when p may read it, in the
// trash or not; ok is false when p may not, or the record is gone. It is
// the one check that stands between a history line and a name its viewer
// must not see.
func (s *Store) ReadableTitle(ctx context.Context, p auth.Principal, e *Entity, id int64) (title string, ok bool, err error) {
	titles, err := s.ReadableTitles(ctx, p, e, []int64{id})
	title, ok = titles[id]
	return title, ok, err
}

// ReadableTitles is ReadableTitle for many records at once: the titles of
// those among ids that p may read, by ID. Only the titles are read, a
// hundred records a query: a history page or an import's report names
// many records.
func (s *Store) ReadableTitles(ctx context.Context, p auth.Principal, e *Entity, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if e.TitleSQL == "" {
		return out, nil
	}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		ph := make([]string, n)
		args := make([]any, n)
		for i := range ph {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), ids[i]
		}
		where := e.Alias + ".id IN (" + strings.Join(ph, ", ") + ")"
		if e.Owned {
			scope, sargs := p.Scope(auth.Read, e.Alias+".owner_id", n+1)
			where += " AND " + scope
			args = append(args, sargs...)
		}
		type titled struct {
			id    int64
			title sql.NullString
		}
		rows, err := store.Collect(ctx, s.db.Read(), func(row store.Scanner) (titled, error) {
			var t titled
			err := row.Scan(&t.id, &t.title)
			return t, err
		}, fmt.Sprintf("SELECT %s.id, %s FROM %s %s WHERE %s", e.Alias, e.TitleSQL, e.Table, e.Alias, where), args...)
		if err != nil {
			return nil, fmt.Errorf("titles of %s: %w", e.Name, err)
		}
		for _, t := range rows {
			out[t.id] = t.title.String
		}
		ids = ids[n:]
	}
	return out, nil
}

type historyViewKey struct{}

// WithHistoryView returns ctx carrying hv, so that a detail page's panels
// (a timeline of changes) word history as the page does.
func WithHistoryView(ctx context.Context, hv *HistoryView) context.Context {
	return context.WithValue(ctx, historyViewKey{}, hv)
}

// HistoryViewFrom is the HistoryView ctx carries, or nil.
func HistoryViewFrom(ctx context.Context) *HistoryView {
	hv, _ := ctx.Value(historyViewKey{}).(*HistoryView)
	return hv
}

// ChangesOf is Changes for a record of the entity named entity.
func (hv *HistoryView) ChangesOf(entity string, id int64, changes map[string][2]any) ([]ChangeLine, error) {
	e, _ := hv.s.entities.get(entity)
	return hv.Changes(e, id, changes)
}

// Action is the verb of a history entry ("changed it"), for a line that
// starts with the actor's name.
func (hv *HistoryView) Action(action string) string {
	if key := "records.history." + action; hv.c.HasMessage(key) {
		return hv.c.T(key)
	}
	return hv.c.T("records.history.other")
}

// historyFields are stored names that are no field of the record: the
// facts domain operations record (a stage's name, a merge), labelled
// "records.change.<name>".
var hiddenWhen = map[string]string{
	"lead_id":  "lead",  // shown through "lead", the lead's name
	"stage_id": "stage", // shown through "stage", the name it had then
	"merged":   "merged_ids",
	"survivor": "survivor_id",
}

// Changes words the changes of one history entry of record id of e, in
// the order its form shows the fields; names of removed fields last.
func (hv *HistoryView) Changes(e *Entity, id int64, changes map[string][2]any) ([]ChangeLine, error) {
	var fields []Field
	if e != nil {
		var err error
		if fields, err = hv.entityFields(e); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(changes))
	for name := range changes {
		if other, ok := hiddenWhen[name]; ok {
			if _, has := changes[other]; has {
				continue
			}
		}
		names = append(names, name)
	}
	order := func(name string) int {
		if i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == name }); i >= 0 {
			return i
		}
		return len(fields)
	}
	slices.SortFunc(names, func(a, b string) int {
		if oa, ob := order(a), order(b); oa != ob {
			return oa - ob
		}
		return strings.Compare(a, b)
	})
	out := make([]ChangeLine, 0, len(names))
	for _, name := range names {
		f, label := hv.field(e, fields, name)
		vals := changes[name]
		line := ChangeLine{Name: name, Label: label}
		for i, v := range vals {
			text, err := hv.value(e, id, f, changes, i, normalizeJSON(v))
			if err != nil {
				return nil, err
			}
			if i == 0 {
				line.Old = text
			} else {
				line.New = text
			}
		}
		out = append(out, line)
	}
	return out, nil
}

func (hv *HistoryView) entityFields(e *Entity) ([]Field, error) {
	if f, ok := hv.fields[e.Name]; ok {
		return f, nil
	}
	custom, err := hv.s.Fields(hv.c.R.Context(), e)
	if err != nil {
		return nil, err
	}
	all := append(e.systemFields(), custom...)
	hv.fields[e.Name] = all
	return all, nil
}

// field is the field a stored name stands for, with its label.
func (hv *HistoryView) field(e *Entity, fields []Field, name string) (Field, string) {
	c := hv.c
	if f, ok := fieldByName(fields, name); ok {
		if name == "owner_id" {
			return f, c.T("field.owner")
		}
		return f, fieldLabel(c, f)
	}
	f := Field{Name: name, Kind: Text}
	switch name {
	case "stage":
		if sf, ok := fieldByName(fields, "stage_id"); ok {
			f.RefTitleKey = sf.RefTitleKey
		}
	case "survivor_id", "merged_ids":
		if e != nil {
			f.Kind, f.Ref = Ref, e.Name
		}
	case "owner_id":
		f.Kind = User
		return f, c.T("field.owner")
	case "entity":
		f.Kind = entityName
	}
	if key := "records.change." + name; c.HasMessage(key) {
		return f, c.T(key)
	}
	// A custom field since removed: its key is all that is left of it.
	return f, strings.TrimPrefix(name, "custom.")
}

// entityName marks a stored entity name ("contacts"), shown as the
// entity's label.
const entityName Kind = "entity_name"

// value words one stored value; i is 0 for the old value, 1 for the new.
func (hv *HistoryView) value(e *Entity, id int64, f Field, changes map[string][2]any, i int, v any) (string, error) {
	fm := formatter{c: hv.c, users: hv.users}
	switch f.Kind {
	case Ref:
		if ids, ok := v.([]any); ok {
			parts := make([]string, 0, len(ids))
			for _, it := range ids {
				s, err := hv.ref(f, it)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, ", "), nil
		}
		return hv.ref(f, v)
	case Money:
		amount, ok := v.(float64)
		if s, isText := v.(string); isText {
			amount, ok = parseMajor(s)
		}
		if !ok {
			break
		}
		cur, err := hv.currency(e, id, f, changes, i)
		if err != nil {
			return "", err
		}
		return hv.c.Fmt().Money(int64(math.Round(amount*math.Pow10(f.exponent(cur)))), cur), nil
	case entityName:
		if s, ok := v.(string); ok {
			if other, ok := hv.s.entities.get(s); ok {
				return hv.c.T(other.Label), nil
			}
		}
	}
	if s, ok := v.(string); ok && f.RefTitleKey != nil {
		return shownTitle(hv.c, f, s), nil
	}
	if f.Kind == Text {
		// A fact stored without a field: still a number, a yes or no, a
		// time in the viewer's format.
		switch x := v.(type) {
		case bool:
			return fm.text(Field{Kind: Bool}, x), nil
		case float64:
			if x == math.Trunc(x) {
				return fm.text(Field{Kind: Integer}, int64(x)), nil
			}
		case string:
			return fm.historyText(Field{Kind: DateTime}, x), nil
		}
	}
	return fm.historyText(f, v), nil
}

func parseMajor(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil
}

// ref is a referenced record's name when the viewer may read it, and
// otherwise the entity and ID ("Akun #201"), which say nothing the viewer
// could not know.
func (hv *HistoryView) ref(f Field, v any) (string, error) {
	n, ok := v.(float64)
	if !ok || n != math.Trunc(n) || n < 1 {
		return formatter{c: hv.c}.historyText(Field{Kind: Text}, v), nil
	}
	id := int64(n)
	key := f.Ref + "\x00" + strconv.FormatInt(id, 10)
	if t, ok := hv.titles[key]; ok {
		return t, nil
	}
	ctx := hv.c.R.Context()
	shown := "#" + strconv.FormatInt(id, 10)
	if target, ok := hv.s.entities.get(f.Ref); ok {
		title, readable, err := hv.s.ReadableTitle(ctx, hv.p, target, id)
		if err != nil {
			return "", err
		}
		if readable && title != "" {
			shown = title
		} else {
			shown = hv.c.T(target.Singular) + " " + shown
		}
	} else if f.RefTitle != "" {
		// Not a record with owners (a pipeline, a stage): anyone may read
		// its name.
		var title sql.NullString
		err := hv.s.db.Read().QueryRowContext(ctx, "SELECT "+strings.ReplaceAll(f.RefTitle, "$col", "$1"), id).Scan(&title)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("history: name of %s %d: %w", f.Ref, id, err)
		}
		if title.String != "" {
			shown = shownTitle(hv.c, f, title.String)
		}
	}
	hv.titles[key] = shown
	return shown, nil
}

// currency is the currency of a Money value: the one the same change
// recorded beside it, else the record's own now, else the field's.
func (hv *HistoryView) currency(e *Entity, id int64, f Field, changes map[string][2]any, i int) (string, error) {
	if f.CurrencyField == "" {
		return moneyCurrency(f, ""), nil
	}
	if ch, ok := changes[f.CurrencyField]; ok {
		if s, ok := ch[i].(string); ok && s != "" {
			return s, nil
		}
	}
	if e == nil {
		return moneyCurrency(f, ""), nil
	}
	cf, ok := e.Field(f.CurrencyField)
	if !ok || cf.Column == "" {
		return moneyCurrency(f, ""), nil
	}
	key := e.Name + "\x00" + strconv.FormatInt(id, 10)
	if cur, ok := hv.money[key]; ok {
		return cur, nil
	}
	var cur sql.NullString
	err := hv.s.db.Read().QueryRowContext(hv.c.R.Context(), "SELECT "+cf.Column+" FROM "+e.Table+" WHERE id = $1", id).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("history: currency of %s %d: %w", e.Name, id, err)
	}
	hv.money[key] = moneyCurrency(f, cur.String)
	return hv.money[key], nil
}

// normalizeJSON turns json.Number (the audit log decodes with UseNumber)
// into float64, as a plain decode gives.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = normalizeJSON(it)
		}
		return out
	}
	return v
}
