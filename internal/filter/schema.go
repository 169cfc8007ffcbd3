package filter

import (
	"fmt"
	"slices"
	"strings"
)

// Type is a field's value type. It decides which operators and values a
// filter may use with the field and how values are bound.
type Type int

const (
	Text      Type = iota // free text; =, in, contains and startswith ignore case
	Number                // integer or decimal
	Money                 // stored as integer minor units; see Field.Scale
	Date                  // calendar date, stored as 'YYYY-MM-DD' (DATE on PostgreSQL)
	DateTime              // instant, stored in UTC (TIMESTAMPTZ on PostgreSQL)
	Bool                  // 0/1 on SQLite, boolean on PostgreSQL
	Enum                  // one of Field.Choices
	MultiEnum             // JSON array of Field.Choices or NULL (TEXT on SQLite, jsonb on PostgreSQL)
	ID                    // integer record ID
)

var typeNames = [...]string{
	Text:      "text",
	Number:    "number",
	Money:     "money",
	Date:      "date",
	DateTime:  "date-time",
	Bool:      "true/false",
	Enum:      "choice",
	MultiEnum: "multiple choice",
	ID:        "ID",
}

// String names the type the way error messages do ("created_at is a
// date-time field").
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Field is one filterable field. SQL is an expression valid for the engine
// the filter is compiled for: a column like "c.city", a JSON extraction for a
// custom field, or a subquery for a related record such as
// "(SELECT a.employees FROM accounts a WHERE a.id = c.account_id)". It must not
// contain placeholders, and it is trusted: it comes from code, never from the
// filter text.
type Field struct {
	Name string // as written in filters: "city", "last_activity_at", "account.employees", "cf_budget"
	Type Type
	SQL  string
	// Args are the values of $1…$n in SQL (e.g. the caller's IDs in a
	// condition on a related record); each use of the field binds them
	// anew after the arguments before it.
	Args    []any
	Choices []string // Enum and MultiEnum: the allowed values; empty allows any value
	Scale   int      // Money: minor-unit exponent; 1500.5 with Scale 2 binds 150050
	// OrderedSQL, for DateTime fields, is an expression that orders like
	// SQL but is never NULL (the expression a list sorts and indexes the
	// field by, such as COALESCE(x, '')). When set, <, <=, > and >= are
	// written on it, so that a list sorted by the field reads the range
	// of its sort index instead of testing every row it walks.
	OrderedSQL string
	// Prefix, when set, is how startswith reads the field (see Prefix).
	// A MultiEnum field takes startswith only when it has one.
	Prefix *Prefix
	// Self lets an ID field take a word for the viewer's own ID: me for
	// the user (Options.UserID), my for the user's team (Options.TeamID).
	Self Self
	// Via, when set, reads the field from a linked table: SQL names a
	// column of Via.Table, and a condition on it is written
	//
	//	Via.ID IN (SELECT Via.Key FROM Via.Table WHERE <condition on SQL>)
	//
	// so that an index on Via.ID (a list's owner_id) serves it, where a
	// subquery per row would read every record: owner.name = "Budi" is
	// owner_id IN (SELECT id FROM users WHERE lower(name) = lower($1)).
	Via *Via
}

// Self is the word an ID field takes for the viewer's own ID.
type Self int

const (
	NoSelf   Self = iota
	SelfUser      // me: Options.UserID
	SelfTeam      // my: Options.TeamID
)

// word is how a filter writes the viewer's ID for s.
func (s Self) word() string {
	switch s {
	case SelfUser:
		return "me"
	case SelfTeam:
		return "my"
	}
	return ""
}

// Via is the linked table a field is read from (see Field.Via).
type Via struct {
	ID    string // the linking expression: "c.owner_id"
	Table string // "users"
	Key   string // the linked table's key that ID holds: "id"
}

// Prefix says how startswith matches a field whose values are stored in
// one canonical form — e-mail addresses lower-cased, phone numbers in
// E.164 — so that the typed prefix is first brought into that form and,
// where an index holds the values, matched as a range the index serves:
//
//	Column >= prefix AND Column < prefix'
//
// where prefix' is prefix with its last character incremented (so both are
// valid UTF-8; for ASCII that is its last byte). Both engines compare the
// range byte by byte: SQLite's default BINARY collation, and on PostgreSQL
// the column is written Column COLLATE "C", which an index on
// (Column COLLATE "C") serves whatever the database's collation. % and _
// are plain characters in a range. Without Column, startswith stays a LIKE
// on the field's SQL (ignoring case, as on any text) with the normalised
// prefix, which no index serves.
type Prefix struct {
	// Normalize turns the typed prefix into the stored form ("0812" →
	// "+62812", "Budi" → "budi"); nil keeps it as typed. Its error's text
	// is the type mismatch shown ("is not the start of a phone number").
	Normalize func(string) (string, error)
	// Column is the indexed expression compared, holding the values as
	// Normalize writes prefixes: "l.email", or a side table's column.
	Column string
	// Table and Key: for a list kept one item a row in a side table (a
	// contact's e-mails in contact_emails), the condition is
	//
	//	ID IN (SELECT Key FROM Table WHERE <range on Column>)
	//
	// which finds a record once however many of its items match.
	Table, Key, ID string
}

// Schema is the set of fields a filter may name. The zero Schema has none.
type Schema struct {
	byName map[string]Field // keyed by lower-case name
	names  []string         // as declared, sorted
}

// NewSchema builds a schema. Field names are matched without regard to case.
// It panics when a field is unusable — a name that is not an identifier of the
// language or is a keyword, an empty SQL expression, a duplicate name, a
// Scale outside 0..18 — because that is a mistake in code, not in input.
func NewSchema(fields ...Field) Schema {
	s := Schema{byName: make(map[string]Field, len(fields))}
	for _, f := range fields {
		if !validFieldName(f.Name) {
			panic(fmt.Sprintf("filter: field name %q is not an identifier (letters, digits, _ and .) or is a keyword", f.Name))
		}
		if strings.TrimSpace(f.SQL) == "" {
			panic(fmt.Sprintf("filter: field %q has no SQL expression", f.Name))
		}
		if f.Type < Text || f.Type > ID {
			panic(fmt.Sprintf("filter: field %q has unknown type %d", f.Name, int(f.Type)))
		}
		if p := f.Prefix; p != nil && (p.Table != "") != (p.Key != "" && p.ID != "" && p.Column != "") {
			panic(fmt.Sprintf("filter: field %q has a prefix side table without its key, record ID or column", f.Name))
		}
		if f.Prefix != nil && f.Type != Text && f.Type != MultiEnum {
			panic(fmt.Sprintf("filter: field %q of type %s cannot have a prefix", f.Name, f.Type))
		}
		if f.Prefix != nil && f.Type == MultiEnum && f.Prefix.Column != "" && f.Prefix.Table == "" {
			panic(fmt.Sprintf("filter: list field %q can have a prefix column only in a side table", f.Name))
		}
		if f.Self != NoSelf && f.Type != ID {
			panic(fmt.Sprintf("filter: field %q of type %s cannot take me or my", f.Name, f.Type))
		}
		if v := f.Via; v != nil && (v.ID == "" || v.Table == "" || v.Key == "" || f.Prefix != nil || len(f.Args) > 0) {
			panic(fmt.Sprintf("filter: field %q has a linked table without its ID, table or key, or with a prefix or arguments", f.Name))
		}
		if f.Scale < 0 || f.Scale > 18 {
			panic(fmt.Sprintf("filter: field %q has scale %d outside 0..18", f.Name, f.Scale))
		}
		key := strings.ToLower(f.Name)
		if _, dup := s.byName[key]; dup {
			panic(fmt.Sprintf("filter: field %q is declared twice", f.Name))
		}
		f.Choices = slices.Clone(f.Choices)
		s.byName[key] = f
		s.names = append(s.names, f.Name)
	}
	slices.Sort(s.names)
	return s
}

// Lookup finds a field by name, ignoring case.
func (s Schema) Lookup(name string) (Field, bool) {
	f, ok := s.byName[strings.ToLower(name)]
	return f, ok
}

// Names lists the field names in alphabetical order.
func (s Schema) Names() []string { return slices.Clone(s.names) }

// validFieldName reports whether name lexes as one identifier that is not a
// keyword, so that every schema field can be written in a filter.
func validFieldName(name string) bool {
	if name == "" || isKeyword(name) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || isASCIILetter(rune(c)):
		case isDigit(rune(c)) || c == '.':
			if i == 0 {
				return false
			}
			if c == '.' && (i == len(name)-1 || name[i+1] == '.' || isDigit(rune(name[i+1]))) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
