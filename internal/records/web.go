package records

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/phone"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the pages every entity shares, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// RegisterWeb adds the browser pages of an entity, all generated from its
// fields:
//
//	GET  /{entity}                     list: columns, sort, filter, saved views, next page
//	GET  /{entity}/trash               deleted records
//	GET  /{entity}/new                 create form; POST creates
//	GET  /{entity}/{id}                detail: fields, panels, actions, history
//	GET  /{entity}/{id}/edit           edit form; POST saves (If-Match via the form's version)
//	GET  /{entity}/{id}/delete         asks first; POST moves the record to the trash
//	GET  /{entity}/{id}/trash          a record in the trash, read-only, with its restore button
//	POST /{entity}/{id}/restore        brings it back
//	GET  /{entity}/{id}/fields/{field}/edit one field's edit form, inline (htmx) or on a page; POST saves it
//	POST /{entity}/views               saves the list's filter, sort and columns
//	POST /{entity}/views/{id}/delete   deletes a saved view
//
// It also links the entity's navigation item (from its Label "nav.x").
func RegisterWeb(rt *web.Router, s *Store, e *Entity) {
	h := &pages{s: s, e: e, base: "/" + e.Name, nav: strings.TrimPrefix(e.Label, "nav.")}
	s.Serve(e)
	if strings.HasPrefix(e.Label, "nav.") {
		rt.EnableNav(h.nav, h.base)
	}
	rt.Page("GET "+h.base, h.list)
	rt.Page("GET "+h.base+"/trash", h.trash)
	if hasLookup(e) {
		rt.Page("GET "+h.base+"/lookup", h.lookup)
	}
	rt.Page("GET "+h.base+"/new", h.newForm)
	rt.Page("POST "+h.base+"/new", h.create)
	rt.Page("GET "+h.base+"/{id}", h.detail)
	rt.Page("GET "+h.base+"/{id}/edit", h.editForm)
	rt.Page("POST "+h.base+"/{id}/edit", h.update)
	rt.Page("GET "+h.base+"/{id}/delete", h.confirmDelete)
	rt.Page("POST "+h.base+"/{id}/delete", h.delete)
	rt.Page("GET "+h.base+"/{id}/trash", h.trashed)
	rt.Page("POST "+h.base+"/{id}/restore", h.restore)
	rt.Page("GET "+h.base+"/{id}/fields/{field}/edit", h.fieldForm)
	rt.Page("POST "+h.base+"/{id}/fields/{field}/edit", h.saveField)
	rt.Page("POST "+h.base+"/views", h.saveView)
	rt.Page("POST "+h.base+"/views/{id}/delete", h.deleteView)
}

// pages serves the pages of one entity.
type pages struct {
	s    *Store
	e    *Entity
	base string // "/contacts"
	nav  string // navigation item to highlight
}

// webPathID reads the {id} of a page path.
func webPathID(c *web.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.R.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	}
	return id, nil
}

// allFields are the fields a page can show: ID, created, updated, then
// the standard, owner and custom fields.
func (h *pages) allFields(ctx context.Context) ([]Field, error) {
	fields, err := h.s.Fields(ctx, h.e)
	if err != nil {
		return nil, err
	}
	return append(h.e.systemFields(), fields...), nil
}

func fieldByName(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// fieldLabel is a field's label in the user's language; custom fields
// carry the admin's literal label.
func fieldLabel(c *web.Ctx, f Field) string {
	if f.Custom {
		return f.Label
	}
	if f.Label != "" && c.HasMessage(f.Label) {
		return c.T(f.Label)
	}
	return f.Name
}

// choiceLabel translates a choice of a standard field
// ("choice.<field>.<value>"); custom choices are the admin's words.
func choiceLabel(c *web.Ctx, f Field, v string) string {
	if !f.Custom {
		if key := "choice." + f.Name + "." + v; c.HasMessage(key) {
			return c.T(key)
		}
	}
	return v
}

// shownTitle is a referenced record's title in the viewer's language: a
// title Relasi shipped (RefTitleKey) translated, any other as typed.
func shownTitle(c *web.Ctx, f Field, title string) string {
	if f.RefTitleKey != nil && title != "" {
		if key := f.RefTitleKey(title); key != "" && c.HasMessage(key) {
			return c.T(key)
		}
	}
	return title
}

// cell is one formatted value; URL makes it a link, Tel a link that dials
// a phone number. Parts are the items of a list that link one by one (a
// contact's phone numbers); Text then holds them all.
type cell struct {
	Text  string
	URL   string
	Tel   template.URL
	Parts []cell
	// Edit, in a list, is the cell's inline form ("" when it is not
	// edited here); EditLabel names its column for the pencil.
	Edit, EditLabel string
}

// Full is the cell's whole text, for a list cell cut short to read on
// hover.
func (c cell) Full() string {
	if len(c.Parts) == 0 {
		return c.Text
	}
	texts := make([]string, len(c.Parts))
	for i, p := range c.Parts {
		texts[i] = p.Text
	}
	return strings.Join(texts, ", ")
}

// phoneCell is a stored phone number as shown: in the national form of
// the user's country ("0831-5783-0432"; a foreign one international), with
// its extension, dialled by a tel: link of the stored form
// (tel:+62215551234;ext=12).
func (fm formatter) phoneCell(stored string) cell {
	// TelURI builds the link from digits and the ";ext=" suffix only, so
	// it is safe as a template.URL (html/template refuses the tel: scheme
	// from a plain string).
	return cell{Text: fm.c.Fmt().Phone(stored), Tel: template.URL(phone.TelURI(stored))}
}

// formatter turns Go values into text for the user's language and zone.
type formatter struct {
	c     *web.Ctx
	users map[int64]string // names of users, for history values
}

func (fm formatter) cell(f Field, r *Record) cell {
	v := r.Get(f.Name)
	if f.Show != nil {
		return cell{Text: f.Show(fm.c.T, v)}
	}
	switch f.Kind {
	case Ref:
		id, ok := v.(int64)
		if !ok {
			return cell{}
		}
		title := shownTitle(fm.c, f, r.Titles[f.Name])
		if title == "" {
			// In the trash, or not the viewer's to read: its page
			// would answer 404, so the ID is shown without a link.
			return cell{Text: "#" + strconv.FormatInt(id, 10)}
		}
		return cell{Text: title, URL: fmt.Sprintf("/%s/%d", f.Ref, id)}
	case User:
		id, ok := v.(int64)
		if !ok {
			return cell{}
		}
		if t := r.Titles[f.Name]; t != "" {
			return cell{Text: t}
		}
		return cell{Text: fm.userName(id)}
	case Money:
		minor, ok := v.(int64)
		if !ok {
			return cell{}
		}
		return cell{Text: fm.c.Fmt().Money(minor, moneyCurrency(f, r.String(f.CurrencyField)))}
	case URL:
		s, _ := v.(string)
		if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
			return cell{Text: s, URL: s}
		}
		return cell{Text: s}
	case Phone:
		if s, _ := v.(string); s != "" {
			return fm.phoneCell(s)
		}
	case List:
		if l, ok := v.([]string); ok && f.Items == Phone && len(l) > 0 {
			c := cell{Text: fm.text(f, l)}
			for _, s := range l {
				c.Parts = append(c.Parts, fm.phoneCell(s))
			}
			return c
		}
	}
	return cell{Text: fm.text(f, v)}
}

// ValueText is a value of r's field f as the record pages show it in c's
// language: choices translated, money, phones, dates, durations and
// percentages formatted, a linked record or user by its title. Pages of
// other packages that show record values (a merge's columns) use it, so a
// value reads the same everywhere.
func ValueText(c *web.Ctx, f Field, r *Record, v any) string {
	fm := formatter{c: c}
	if id, ok := v.(int64); ok && (f.Kind == Ref || f.Kind == User) {
		if t := shownTitle(c, f, r.Titles[f.Name]); t != "" {
			return t
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	if minor, ok := v.(int64); ok && f.Kind == Money {
		return c.Fmt().Money(minor, moneyCurrency(f, r.String(f.CurrencyField)))
	}
	return fm.text(f, v)
}

// text formats a value as Record holds it.
func (fm formatter) text(f Field, v any) string {
	fmtr := fm.c.Fmt()
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		switch f.Kind {
		case Select:
			return choiceLabel(fm.c, f, x)
		case Date:
			return fmtr.Day(x)
		case Phone:
			return fmtr.Phone(x)
		}
		return x
	case int64:
		if f.Kind == User {
			return fm.userName(x)
		}
		if f.Kind == Ref {
			return "#" + strconv.FormatInt(x, 10)
		}
		switch f.Unit {
		case Seconds:
			return fmtr.Duration(time.Duration(x) * time.Second)
		case Percent:
			return fmtr.Percent(float64(x), 0)
		}
		return fmtr.Int(x)
	case float64:
		return fmtr.Number(x, decimals(x))
	case bool:
		if x {
			return fm.c.T("records.yes")
		}
		return fm.c.T("records.no")
	case time.Time:
		return fmtr.DateTime(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			if f.Items == Phone {
				out[i] = fmtr.Phone(s)
				continue
			}
			out[i] = choiceLabel(fm.c, f, s)
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprint(v)
}

// historyText formats a value as history stores it (decoded JSON: money
// in major units, times as RFC 3339 text, lists as []any).
func (fm formatter) historyText(f Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		switch f.Kind {
		case Money:
			exp := f.exponent("")
			return fm.c.Fmt().Money(int64(math.Round(x*math.Pow10(exp))), moneyCurrency(f, ""))
		case Integer, Ref, User:
			return fm.text(f, int64(x))
		}
		return fm.text(f, x)
	case string:
		if f.Kind == DateTime {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return fm.text(f, t)
			}
		}
		return fm.text(f, x)
	case []any:
		items := make([]string, 0, len(x))
		for _, it := range x {
			items = append(items, fmt.Sprint(it))
		}
		if f.Show != nil {
			return f.Show(fm.c.T, items)
		}
		return fm.text(f, items)
	}
	return fm.text(f, v)
}

func (fm formatter) userName(id int64) string {
	if n, ok := fm.users[id]; ok && n != "" {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// moneyCurrency is the currency a Money field's amount is in.
func moneyCurrency(f Field, recordCurrency string) string {
	switch {
	case recordCurrency != "":
		return recordCurrency
	case f.Currency != "":
		return f.Currency
	}
	return "IDR"
}

// decimals is how many fraction digits show a number as it is (at most 6).
func decimals(x float64) int {
	for d := 0; d < 6; d++ {
		p := math.Pow10(d)
		if math.Abs(math.Round(x*p)-x*p) < 1e-9 {
			return d
		}
	}
	return 6
}

// formatter is how c shows cell values, with the users' names at hand for
// owner fields.
func (h *pages) formatter(c *web.Ctx) (formatter, error) {
	users, err := h.userNames(c.R.Context())
	if err != nil {
		return formatter{}, err
	}
	return formatter{c: c, users: users}, nil
}

// heading is a record's title, or "Contact #12" for one without.
func (h *pages) heading(c *web.Ctx, r *Record) string {
	if r.Title != "" {
		return r.Title
	}
	return fmt.Sprintf("%s #%d", c.T(h.e.Singular), r.ID)
}

// userNames maps user IDs to names, for owners and history.
func (h *pages) userNames(ctx context.Context) (map[int64]string, error) {
	type user struct {
		id   int64
		name string
	}
	list, err := store.Collect(ctx, h.s.db.Read(), func(row store.Scanner) (user, error) {
		var u user
		err := row.Scan(&u.id, &u.name)
		return u, err
	}, "SELECT id, name FROM users")
	if err != nil {
		return nil, fmt.Errorf("user names: %w", err)
	}
	out := make(map[int64]string, len(list))
	for _, u := range list {
		out[u.id] = u.name
	}
	return out, nil
}

// option is a choice of a select input.
type option struct {
	Value, Label string
	Selected     bool
}

// activeUsers lists the users a record may be given to, and keep, the
// current owner even when disabled.
func (h *pages) activeUsers(ctx context.Context, keep int64) ([]option, error) {
	list, err := store.Collect(ctx, h.s.db.Read(), func(row store.Scanner) (option, error) {
		var o option
		var id int64
		err := row.Scan(&id, &o.Label)
		o.Value = strconv.FormatInt(id, 10)
		return o, err
	}, "SELECT id, name FROM users WHERE disabled_at IS NULL OR id = $1 ORDER BY lower(name), id", keep)
	if err != nil {
		return nil, fmt.Errorf("users for a picker: %w", err)
	}
	return list, nil
}

// maxRefOptions is the most records a Ref field offers in a select; with
// more, the form asks for an ID.
const maxRefOptions = 200

// refOptions lists the records a Ref field may point at that the user may
// read, by title, or returns ok=false when there are more than
// maxRefOptions (or the entity has no pages here).
func (h *pages) refOptions(c *web.Ctx, f Field) (opts []option, ok bool, err error) {
	ctx, p := c.R.Context(), *c.User
	if f.RefChoices != nil {
		choices, err := f.RefChoices(ctx, h.s.db.Read())
		if err != nil {
			return nil, false, fmt.Errorf("choices of %s: %w", f.Name, err)
		}
		return refChoiceOptions(c, f, choices), true, nil
	}
	re, found := h.s.entities.get(f.Ref)
	if !found || re.TitleSQL == "" {
		return nil, false, nil
	}
	where := []string{re.Alias + ".deleted_at IS NULL"}
	var args []any
	if re.Owned {
		cond, sargs := p.Scope(auth.Read, re.Alias+".owner_id", 1)
		where = append(where, cond)
		args = append(args, sargs...)
	}
	// Counting first, with a ceiling, keeps a form fast when the
	// referenced table is large: it stops at the 201st row.
	if _, more, err := h.s.Count(ctx, p, re, Query{}, maxRefOptions); err != nil || more {
		return nil, false, err
	}
	title := "COALESCE(" + re.TitleSQL + ", '')"
	query := fmt.Sprintf("SELECT %s.id, %s FROM %s %s WHERE %s ORDER BY lower(%s), %s.id",
		re.Alias, title, re.Table, re.Alias, strings.Join(where, " AND "), title, re.Alias)
	opts, err = store.Collect(ctx, h.s.db.Read(), func(row store.Scanner) (option, error) {
		var o option
		var id int64
		err := row.Scan(&id, &o.Label)
		o.Value = strconv.FormatInt(id, 10)
		if o.Label == "" {
			o.Label = "#" + o.Value
		}
		return o, err
	}, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("choices of %s: %w", f.Name, err)
	}
	return opts, true, nil
}

// refChoiceOptions are a field's RefChoices as a select shows them:
// titles in the viewer's language, prefixed by their group when there
// are several ("Sales · Proposal").
func refChoiceOptions(c *web.Ctx, f Field, choices []RefChoice) []option {
	groups := map[string]bool{}
	for _, ch := range choices {
		groups[ch.Group] = true
	}
	opts := make([]option, 0, len(choices))
	for _, ch := range choices {
		label := shownTitle(c, f, ch.Title)
		if len(groups) > 1 && ch.Group != "" {
			label = ch.Group + " · " + label
		}
		opts = append(opts, option{Value: strconv.FormatInt(ch.ID, 10), Label: label})
	}
	return opts
}

// canWriteRecord reports whether the user may change r, to show or hide
// the buttons that would; the store checks again on every write.
func (h *pages) canWriteRecord(ctx context.Context, p auth.Principal, r *Record) bool {
	if p.CanWriteAny() != nil {
		return false
	}
	if !h.e.Owned {
		return true
	}
	var team sql.NullInt64
	if r.OwnerID != 0 {
		if err := h.s.db.Read().QueryRowContext(ctx, "SELECT team_id FROM users WHERE id = $1", r.OwnerID).Scan(&team); err != nil {
			return false
		}
	}
	return p.Can(auth.Write, auth.Owned{OwnerID: r.OwnerID, OwnerTeamID: team.Int64}) == nil
}

// listURL builds a list URL with the non-empty parameters.
func listURL(base string, params url.Values) string {
	clean := url.Values{}
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				clean.Add(k, v)
			}
		}
	}
	if len(clean) == 0 {
		return base
	}
	return base + "?" + clean.Encode()
}

// splitList reads a comma-separated parameter, dropping blanks and repeats.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}
