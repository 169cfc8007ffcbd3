package exports

import (
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
)

// part is which value of a field a column holds.
type part int

const (
	value        part = iota // the field's own value
	refName                  // a Ref field's record's display name: account_name
	userEmail                // a User field's user's e-mail: owner_email
	contactEmail             // a Ref to contacts: the contact's first e-mail, contact_email
)

// column is one column of an entity export.
type column struct {
	name  string // the header: a field name, or a companion's name
	field records.Field
	part  part
}

// systemFields are the fields every record has, set by Relasi.
func systemFields() (id records.Field, created, updated records.Field) {
	return records.Field{Name: "id", Label: "field.id", Kind: records.Integer, ReadOnly: true},
		records.Field{Name: "created_at", Label: "field.created", Kind: records.DateTime, ReadOnly: true},
		records.Field{Name: "updated_at", Label: "field.updated", Kind: records.DateTime, ReadOnly: true}
}

// companions are the columns that name what a Ref or User field points
// at, since its ID means nothing in another database: account_id brings
// account_name, contact_id contact_name and contact_email, owner_id
// owner_email — the names the import resolves references by. taken holds
// the entity's field names: a companion never takes one ("x_id.name" then).
func companions(f records.Field, taken map[string]bool) []column {
	base := strings.TrimSuffix(f.Name, "_id")
	named := func(suffix string, p part) column {
		n := base + "_" + suffix
		if taken[n] || base == f.Name {
			n = f.Name + "." + suffix
		}
		return column{name: n, field: f, part: p}
	}
	var out []column
	switch f.Kind {
	case records.User:
		out = append(out, named("email", userEmail))
	case records.Ref:
		if f.RefTitle != "" {
			out = append(out, named("name", refName))
		}
		if f.Ref == "contacts" {
			out = append(out, named("email", contactEmail))
		}
	}
	return out
}

// columns resolves the requested column names against the entity's fields
// (from Store.Fields). No names means every field: id, the standard,
// owner and custom fields, then created_at and updated_at — with a
// reference as its companion columns (account_name, owner_email) rather
// than its ID, which would point at nothing, or at the wrong record, in
// the database the file is imported into. Asked for by name, a Ref or
// User field gives its ID, followed by its companions.
func columns(e *records.Entity, fields []records.Field, names []string) ([]column, error) {
	id, created, updated := systemFields()
	all := append(append([]records.Field{id}, fields...), created, updated)
	taken := map[string]bool{}
	for _, f := range all {
		taken[f.Name] = true
	}
	var every []column
	byName := map[string]column{}
	var known []string
	for _, f := range all {
		c := column{name: f.Name, field: f}
		comps := companions(f, taken)
		if len(comps) == 0 {
			every = append(every, c)
		}
		byName[c.name] = c
		known = append(known, c.name)
		for _, comp := range comps {
			every = append(every, comp)
			byName[comp.name] = comp
			known = append(known, comp.name)
		}
	}
	if len(names) == 0 {
		return every, nil
	}
	asked := map[string]bool{}
	for _, n := range names {
		asked[strings.TrimSpace(n)] = true
	}
	var out []column
	seen := map[string]bool{}
	add := func(c column) {
		if !seen[c.name] {
			seen[c.name] = true
			out = append(out, c)
		}
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		c, ok := byName[n]
		if !ok {
			var fe errs.Fields
			fe.Add("columns", "unknown_field", "holds %q, which is not a column of %s; columns: %s", n, e.Name, strings.Join(known, ", "))
			return nil, fe.Err()
		}
		add(c)
		if c.part == value {
			for _, comp := range companions(c.field, taken) {
				if !asked[comp.name] {
					add(comp)
				}
			}
		}
	}
	if len(out) == 0 {
		return every, nil
	}
	return out, nil
}

// headers returns the header row: field names, or labels in lang.
func headers(cols []column, labels bool, cat *i18n.Catalog, lang string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if !labels || cat == nil {
			out[i] = c.name
			continue
		}
		label := c.field.Label
		if !c.field.Custom {
			label = cat.T(lang, label)
		}
		switch c.part {
		case refName:
			label = cat.T(lang, "exports.header_name", label)
		case userEmail, contactEmail:
			label = cat.T(lang, "exports.header_email", label)
		}
		out[i] = label
	}
	return out
}

// kind is the type of a cell.
type kind uint8

const (
	blank kind = iota
	text
	integer
	decimal
	money
	date
	dateTime
	boolean
)

// cell is one value as both formats need it: the canonical text the
// import reads, and for XLSX the typed value.
type cell struct {
	kind kind
	s    string    // text; the decimal of money; YYYY-MM-DD of a date
	i    int64     // integer; money in minor units
	f    float64   // decimal
	t    time.Time // date-time
	b    bool
	exp  int // money: decimals of the currency
}

// lookups are what companion columns show, by ID.
type lookups struct {
	users    map[int64]string // e-mail by user ID, for the whole export
	contacts map[int64]string // first e-mail by contact ID, for one page
}

// rowCells fills cells with the record's values for cols.
func rowCells(cells []cell, cols []column, r *records.Record, lk *lookups) {
	for i, c := range cols {
		cells[i] = valueCell(c, r, lk)
	}
}

func valueCell(c column, r *records.Record, lk *lookups) cell {
	f := c.field
	switch c.part {
	case refName:
		return textCell(r.Titles[f.Name])
	case userEmail:
		id, _ := r.Get(f.Name).(int64)
		return textCell(lk.users[id])
	case contactEmail:
		id, _ := r.Get(f.Name).(int64)
		return textCell(lk.contacts[id])
	}
	v := r.Get(f.Name)
	if v == nil {
		return cell{}
	}
	switch f.Kind {
	case records.Integer, records.Ref, records.User:
		if n, ok := v.(int64); ok {
			return cell{kind: integer, i: n}
		}
	case records.Number:
		if n, ok := v.(float64); ok {
			return cell{kind: decimal, f: n}
		}
	case records.Money:
		if n, ok := v.(int64); ok {
			exp := exponent(f, r)
			return cell{kind: money, i: n, exp: exp, s: records.FormatAmount(n, exp).String()}
		}
	case records.Date:
		if s, ok := v.(string); ok {
			return cell{kind: date, s: s}
		}
	case records.DateTime:
		if t, ok := v.(time.Time); ok {
			return cell{kind: dateTime, t: t}
		}
	case records.Bool:
		if b, ok := v.(bool); ok {
			return cell{kind: boolean, b: b}
		}
	case records.List, records.MultiSelect:
		if l, ok := v.([]string); ok {
			return textCell(strings.Join(l, listSeparator))
		}
	}
	if s, ok := v.(string); ok {
		return textCell(s)
	}
	return cell{}
}

// listSeparator joins a list's values in one cell. Field.Accept splits a
// string on commas and trims the parts, so this is what the import reads.
const listSeparator = ", "

func textCell(s string) cell {
	if s == "" {
		return cell{}
	}
	return cell{kind: text, s: s}
}

// exponent is the number of decimals of a money value's currency: the
// record's own (CurrencyField) when it has one, else the field's.
func exponent(f records.Field, r *records.Record) int {
	cur := f.Currency
	if f.CurrencyField != "" {
		if c, _ := r.Get(f.CurrencyField).(string); c != "" {
			cur = c
		}
	}
	if cur == "" {
		cur = i18n.DefaultCurrency
	}
	if e, ok := i18n.CurrencyExponent(cur); ok {
		return e
	}
	return 2
}

// csvText is a cell as CSV writes it: the text the import reads back.
func (c cell) csvText(loc *time.Location) string {
	switch c.kind {
	case text:
		return defuse(c.s)
	case integer:
		return strconv.FormatInt(c.i, 10)
	case decimal:
		return strconv.FormatFloat(c.f, 'f', -1, 64)
	case money, date:
		return c.s
	case dateTime:
		return c.t.In(loc).Format(time.RFC3339)
	case boolean:
		return strconv.FormatBool(c.b)
	}
	return ""
}
