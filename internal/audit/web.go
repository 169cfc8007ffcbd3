package audit

import (
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the audit page, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// RegisterWeb adds the audit page (administrators only):
//
//	GET /settings/audit       entries with the filters as a form, next page
//	GET /settings/audit.csv   the filtered audit as a CSV download
func (l *Log) RegisterWeb(rt *web.Router) {
	rt.Page("GET /settings/audit", l.page)
	rt.Page("GET /settings/audit.csv", l.download)
}

// Actions are the actions offered as suggestions in the filter form;
// any other action can still be typed.
var Actions = []string{"created", "updated", "deleted", "restored", "purged", "unlinked", "converted", "stage_changed", "assigned", "merged", "imported"}

// maxShown is how much of a changed value the table shows; the whole
// value is in the cell's title and in the CSV.
const maxShown = 80

type option struct {
	Value, Label string
}

type logView struct {
	Entries  []entryView
	Values   map[string]string // the filter form's fields as given
	Entities []option
	Users    []option
	Actions  []string
	NextURL  string
	CSVURL   string
	Filtered bool
	// Invalid is set when the filters could not be read: the page shows
	// the form with the problems and no entries.
	Invalid bool
}

type entryView struct {
	Entry
	EntityLabel string
	// Link is the record's page, or the trash for a deleted record; ""
	// for purged records and settings.
	Link    string
	Changes []changeView
}

type changeView struct {
	Label            string
	Old, New         string
	OldFull, NewFull string
	OldCut, NewCut   bool
}

func (l *Log) page(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	q := c.R.URL.Query()
	v := logView{Values: map[string]string{}, Actions: Actions}
	for _, k := range []string{"entity", "record_id", "actor_id", "action", "field", "from", "to"} {
		v.Values[k] = strings.TrimSpace(q.Get(k))
		if v.Values[k] != "" {
			v.Filtered = true
		}
	}
	for _, e := range l.reg.All() {
		v.Entities = append(v.Entities, option{Value: e.Name, Label: c.T(e.Label)})
	}
	v.Entities = append(v.Entities, option{Value: Settings, Label: c.T("nav.settings")}, option{Value: auth.AuditEntity, Label: c.T("settings.users")})
	hv, err := l.store.NewHistoryView(c)
	if err != nil {
		return err
	}
	vw := &viewer{l: l, c: c, fields: map[string][]records.Field{}, names: map[string]string{}, users: map[string]string{}, history: hv}
	users, err := l.users(c)
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Users = append(v.Users, option{Value: u.ID, Label: fmt.Sprintf("%s (%s)", u.Name, u.Email)})
		vw.users[u.ID] = u.Name
	}
	f, err := l.ParseFilter(q, c.Loc)
	if err != nil {
		v.Invalid = true
		return c.RenderForm("audit_log", "audit.title", "settings", v, err)
	}
	pg, err := l.List(c.R.Context(), *c.User, f)
	if err != nil {
		return err
	}
	for _, e := range pg.Items {
		ev, err := vw.entry(e)
		if err != nil {
			return err
		}
		v.Entries = append(v.Entries, ev)
	}
	keep := f.Query(c.Loc)
	v.CSVURL = "/settings/audit.csv"
	if len(keep) > 0 {
		v.CSVURL += "?" + keep.Encode()
	}
	if pg.NextCursor != "" {
		next := f.Query(c.Loc)
		next.Set("cursor", pg.NextCursor)
		v.NextURL = "/settings/audit?" + next.Encode()
	}
	return c.Render("audit_log", "audit.title", "settings", v)
}

func (l *Log) download(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	q := c.R.URL.Query()
	q.Del("cursor")
	f, err := l.ParseFilter(q, c.Loc)
	if err != nil {
		return err
	}
	return l.ServeCSV(c.W, c.R, *c.User, f)
}

type user struct{ ID, Name, Email string }

// users are everyone who may appear as an actor, disabled users included.
func (l *Log) users(c *web.Ctx) ([]user, error) {
	out, err := store.Collect(c.R.Context(), l.db.Read(), func(row store.Scanner) (user, error) {
		var u user
		var id int64
		err := row.Scan(&id, &u.Name, &u.Email)
		u.ID = strconv.FormatInt(id, 10)
		return u, err
	}, "SELECT id, name, email FROM users ORDER BY lower(name), id")
	if err != nil {
		return nil, fmt.Errorf("audit: users: %w", err)
	}
	return out, nil
}

// viewer prepares entries for the table, remembering within one page
// the entities' fields and the names of the users and records that
// changes refer to by ID.
type viewer struct {
	l      *Log
	c      *web.Ctx
	fields map[string][]records.Field // entity → fields with its custom fields
	names  map[string]string          // "field\x00id" → the referenced record's name
	users  map[string]string          // user ID → name
	// history words the changes of records, as their detail pages do.
	history *records.HistoryView
}

// entry prepares one entry: the entity's and fields' labels, the record's
// link, and each change as text, referenced records by name.
func (vw *viewer) entry(e Entry) (entryView, error) {
	c := vw.c
	ev := entryView{Entry: e, EntityLabel: e.Entity}
	switch e.Entity {
	case Settings:
		ev.EntityLabel = c.T("nav.settings")
	case auth.AuditEntity: // sign-ins and two-factor changes
		ev.EntityLabel = c.T("settings.users")
		if name, ok := vw.users[strconv.FormatInt(e.RecordID, 10)]; ok {
			ev.Record = name
		}
		ev.Link = "/settings/users/" + strconv.FormatInt(e.RecordID, 10)
	}
	ent, known := vw.l.reg.Get(e.Entity)
	var fields []records.Field
	if known {
		ev.EntityLabel = c.T(ent.Singular)
		switch e.RecordState {
		case StateActive:
			ev.Link = "/" + ent.Name + "/" + strconv.FormatInt(e.RecordID, 10)
		case StateTrash:
			ev.Link = "/settings/trash?entity=" + url.QueryEscape(ent.Name)
		}
		var ok bool
		if fields, ok = vw.fields[ent.Name]; !ok {
			var err error
			if fields, err = vw.l.store.Fields(c.R.Context(), ent); err != nil {
				return ev, err
			}
			vw.fields[ent.Name] = fields
		}
	}
	if !known && c.HasMessage("nav."+e.Entity) {
		ev.EntityLabel = c.T("nav." + e.Entity) // imports
	}
	if e.Entity != Settings && e.Entity != auth.AuditEntity {
		// A record's changes read as on its detail page.
		lines, err := vw.history.Changes(ent, e.RecordID, e.Changes)
		if err != nil {
			return ev, err
		}
		for _, line := range lines {
			cv := changeView{Label: line.Label, OldFull: dash(line.Old), NewFull: dash(line.New)}
			cv.Old, cv.OldCut = truncate(cv.OldFull)
			cv.New, cv.NewCut = truncate(cv.NewFull)
			ev.Changes = append(ev.Changes, cv)
		}
		return ev, nil
	}
	for _, name := range e.Fields() {
		f := records.Field{Name: name, Label: name, Kind: records.Text}
		for _, ff := range fields {
			if ff.Name == name {
				f = ff
				break
			}
		}
		label := f.Label
		switch {
		case name == "owner_id":
			label, f.Kind = c.T("field.owner"), records.User
		case e.Entity == Settings && c.HasMessage("audit.setting."+name):
			label = c.T("audit.setting." + name)
		case !f.Custom && c.HasMessage(f.Label):
			label = c.T(f.Label)
		}
		ch := e.Changes[name]
		old, err := vw.value(f, ch[0])
		if err != nil {
			return ev, err
		}
		now, err := vw.value(f, ch[1])
		if err != nil {
			return ev, err
		}
		cv := changeView{Label: label, OldFull: old, NewFull: now}
		cv.Old, cv.OldCut = truncate(cv.OldFull)
		cv.New, cv.NewCut = truncate(cv.NewFull)
		ev.Changes = append(ev.Changes, cv)
	}
	return ev, nil
}

func (vw *viewer) registered(entity string) bool {
	e, ok := vw.l.reg.Get(entity)
	return ok && e.TitleSQL != ""
}

// value is a changed value as the table shows it: users and linked
// records by name (their ID when the record is gone), the rest as text.
func (vw *viewer) value(f records.Field, v any) (string, error) {
	n, isID := v.(json.Number)
	switch {
	case isID && f.Kind == records.User:
		if name, ok := vw.users[n.String()]; ok {
			return name, nil
		}
		return "#" + n.String(), nil
	case isID && f.Kind == records.Ref && (f.RefTitle != "" || vw.registered(f.Ref)):
		key := f.Name + "\x00" + n.String()
		if name, ok := vw.names[key]; ok {
			return name, nil
		}
		id, err := n.Int64()
		if err != nil {
			return n.String(), nil
		}
		// A registered entity's record is named even from the trash; the
		// field's own lookup (pipelines, stages) otherwise.
		query := "SELECT " + strings.ReplaceAll(f.RefTitle, "$col", "$1")
		if e, ok := vw.l.reg.Get(f.Ref); ok && e.TitleSQL != "" {
			query = "SELECT " + e.TitleSQL + " FROM " + e.Table + " " + e.Alias + " WHERE " + e.Alias + ".id = $1"
		}
		var name sql.NullString
		err = vw.l.db.Read().QueryRowContext(vw.c.R.Context(), query, id).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("audit: name of %s %s: %w", f.Name, n, err)
		}
		shown := "#" + n.String()
		if name.Valid && name.String != "" {
			shown = name.String
		}
		vw.names[key] = shown
		return shown, nil
	}
	return vw.l.shown(vw.c, v), nil
}

// shown is a changed value as the table shows it.
func (l *Log) shown(c *web.Ctx, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil && len(x) > len(time.DateOnly) {
			return c.Fmt().DateTime(t)
		}
		if x == "" {
			return "—"
		}
		return x
	case bool:
		if x {
			return c.T("audit.yes")
		}
		return c.T("audit.no")
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, 0, len(x))
		for _, it := range x {
			parts = append(parts, fmt.Sprint(it))
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// dash stands for an empty value.
func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// truncate shortens s to maxShown characters, saying whether it did.
func truncate(s string) (string, bool) {
	r := []rune(s)
	if len(r) <= maxShown {
		return s, false
	}
	return string(r[:maxShown-1]) + "…", true
}
