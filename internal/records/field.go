// Package records is the machinery every CRM record type shares. A domain
// package (contacts, leads, deals, …) describes its entity — table, fields,
// hooks — and records provides the rest from that description: storage
// with the authorisation scope, custom fields, the filter language, keyset
// lists, change history, the JSON API and its OpenAPI schema. Standard and
// custom fields are both Fields, so everything that works for one works for
// the other.
package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/store"
)

// Kind is a field's type.
type Kind string

const (
	Text        Kind = "text"
	LongText    Kind = "long_text"
	Integer     Kind = "integer"
	Number      Kind = "number"
	Money       Kind = "money"
	Date        Kind = "date"
	DateTime    Kind = "datetime"
	Bool        Kind = "boolean"
	Select      Kind = "select"
	MultiSelect Kind = "multi_select"
	URL         Kind = "url"
	Email       Kind = "email"
	Phone       Kind = "phone"
	Ref         Kind = "ref"  // the ID of a record of another entity
	User        Kind = "user" // the ID of a user (owner)
	List        Kind = "list" // a list of strings (e-mails, phones, tags)
)

// Unit is what an Integer field's number counts.
type Unit string

const (
	Seconds Unit = "seconds" // a duration: a lead's response time
	Percent Unit = "percent" // a share of 100: a deal's probability
)

// CustomKinds are the kinds an admin may give a custom field.
var CustomKinds = []Kind{Text, Number, Money, Date, Bool, Select, MultiSelect, URL, Email, Phone}

// Field describes one field of an entity.
type Field struct {
	Name   string // JSON and form name; "custom.<key>" for custom fields
	Label  string // catalog key ("field.first_name"); custom fields: the admin's label
	Kind   Kind
	Column string // SQL column of a standard field
	Custom bool
	// Key is a custom field's key inside the record's custom JSON.
	Key      string
	Required bool
	MaxLen   int
	Choices  []string
	// Ref is the entity a Ref field points at; RefTitle the SQL giving the
	// referenced record's display name from the ID in $col, e.g.
	// "(SELECT name FROM accounts WHERE id = $col)".
	Ref      string
	RefTitle string
	// RefTitleKey, when set, names the catalog message of a referenced
	// record's title that Relasi shipped (a seeded stage "Closed Won"), so
	// it shows in the viewer's language; it returns "" for any other title,
	// which shows as the user typed it.
	RefTitleKey func(title string) string
	// RefChoices lists what a Ref field to a table that is no entity of
	// its own (a deal's stage) may point at, for forms and bulk changes
	// to offer; their titles go through RefTitleKey.
	RefChoices func(ctx context.Context, q store.Querier) ([]RefChoice, error)
	// Currency of a Money field; CurrencyField names the field holding it
	// when the record carries its own currency (deals).
	Currency      string
	CurrencyField string
	ReadOnly      bool // set by Relasi, never by input
	InList        bool // a default column of list views
	NoSort        bool
	NoFilter      bool
	// Show, when set, renders a value the system stored as facts (a lead's
	// score reasons) in the viewer's language; t translates a catalog key.
	Show func(t func(key string, args ...any) string, v any) string
	// Unit, for an Integer field, is what its number counts, so pages
	// show it as people read it: Seconds as "2 h 5 min", Percent as "40%".
	// The API and exports keep the plain number.
	Unit Unit
	// Min is the least value an Integer, Number or Money field accepts
	// (for Money in minor units), nil for none: a deal's amount or a
	// price is never negative.
	Min *int64
	// Normalize rewrites an accepted value, e.g. phones to E.164.
	Normalize func(v any) (any, error)
	// Items is the kind of a List's items when they are e-mail addresses
	// (Email) or phone numbers (Phone): the filter's startswith then reads
	// a prefix as it reads one for a field of that kind, and pages show
	// each phone formatted and dialable, as a Phone field.
	Items Kind
	// Lookup, for a List of e-mails or phones, is the side table the
	// entity's AfterSave keeps its items in, one a row and in their stored
	// form (e-mails lower-cased, phones E.164), with an index on the
	// column in byte order: startswith is answered from that index.
	Lookup *Lookup
	// PrefixIndex, on a standard Text field with a sort index (on
	// lower(COALESCE(col, ''))), makes startswith a range on that
	// expression, which the index serves on SQLite and its twin in byte
	// order on PostgreSQL (migration 00026): "first_name startswith 'bud'"
	// seeks the names instead of testing every record.
	PrefixIndex bool
	// RefBy, on an Integer field, names the Select field whose value is
	// the entity the ID is of (an activity's related_type and related_id):
	// forms offer a picker over that entity's records.
	RefBy string
}

// Lookup is a side table holding a list field's items, one a row.
type Lookup struct {
	Table  string // "contact_emails"
	Key    string // the column holding the record's ID: "contact_id"
	Column string // the item: "email"
}

// Sortable reports whether lists can be ordered by the field.
func (f Field) Sortable() bool {
	return !f.NoSort && f.Kind != MultiSelect && f.Kind != List && f.Kind != LongText
}

// Filterable reports whether the filter language can use the field.
func (f Field) Filterable() bool { return !f.NoFilter && f.Kind != LongText }

var customKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidCustomKey reports whether key may name a custom field. Keys appear
// in SQL expressions, so this pattern is what keeps them safe.
func ValidCustomKey(key string) bool { return customKeyPattern.MatchString(key) }

// filterType maps a kind to the filter language's type.
func (f Field) filterType() filter.Type {
	switch f.Kind {
	case Integer, Number:
		return filter.Number
	case Money:
		return filter.Money
	case Date:
		return filter.Date
	case DateTime:
		return filter.DateTime
	case Bool:
		return filter.Bool
	case Select:
		return filter.Enum
	case MultiSelect, List:
		return filter.MultiEnum
	case Ref, User:
		return filter.ID
	}
	return filter.Text
}

// exponent is the minor-unit exponent of a Money field's currency.
func (f Field) exponent(currency string) int {
	if currency == "" {
		currency = f.Currency
	}
	if currency == "" {
		currency = i18n.DefaultCurrency
	}
	if e, ok := i18n.CurrencyExponent(currency); ok {
		return e
	}
	return 2
}

// Accept converts an input value into the field's Go value, or explains
// why it cannot. nil means empty. Values by kind: string; int64 (Integer,
// Ref, User, Money in minor units); float64 (Number); bool; "YYYY-MM-DD"
// string (Date); time.Time (DateTime); []string (MultiSelect, List).
//
// The input is either a JSON value (json.Number for numbers, []any for
// arrays; or the same Go types Accept returns), which must have the JSON
// type of the field's kind — a number for a number, an array of strings
// for a list — or FormText, which is read as text the way the kind reads
// it: "12" as a number, "ya" as true, "a, b" as a list.
func (f Field) Accept(in any, currency string) (any, error) {
	v, err := f.accept(in, currency)
	if err == nil && v != nil {
		err = f.checkMin(v, currency)
	}
	if err != nil || v == nil || f.Normalize == nil {
		return v, err
	}
	return f.Normalize(v)
}

// FormText is a value typed as text — into a web form, or a cell of an
// imported spreadsheet — rather than sent as JSON. A field reads it as
// its kind reads text; JSON input is held to JSON's types instead, so
// that "employees": "12" is a wrong_type, as the API promises.
type FormText string

// jsonType checks that a JSON value has the type the field's kind takes,
// with the message Accept gives for a value of the wrong type.
func (f Field) jsonType(in any) error {
	if in == nil {
		return nil
	}
	switch f.Kind {
	case Text, LongText, Select, URL, Email, Phone:
		if _, ok := in.(string); !ok {
			return problem("wrong_type", "must be text")
		}
	case Date:
		if _, ok := in.(string); !ok {
			return problem("wrong_type", "must be a date like 2026-01-31")
		}
	case DateTime:
		switch in.(type) {
		case string, time.Time:
		default:
			return problem("wrong_type", "must be a date and time")
		}
	case Integer, Ref, User, Number, Money:
		switch in.(type) {
		case json.Number, int64, int, float64:
		default:
			switch f.Kind {
			case Number:
				return problem("wrong_type", "must be a number")
			case Money:
				return problem("wrong_type", "must be an amount")
			}
			return problem("wrong_type", "must be a whole number")
		}
	case Bool:
		if _, ok := in.(bool); !ok {
			return problem("wrong_type", "must be true or false")
		}
	case MultiSelect, List:
		switch x := in.(type) {
		case []string:
		case []any:
			for _, it := range x {
				if _, ok := it.(string); !ok {
					return problem("wrong_type", "must be a list of text")
				}
			}
		default:
			return problem("wrong_type", "must be a list of text")
		}
	}
	return nil
}

// checkMin refuses an accepted value below the field's minimum.
func (f Field) checkMin(v any, currency string) error {
	if f.Min == nil {
		return nil
	}
	switch x := v.(type) {
	case int64:
		if x >= *f.Min {
			return nil
		}
		if f.Kind == Money {
			return problem("min", "must be at least %s", FormatAmount(*f.Min, f.exponent(currency)).String())
		}
	case float64:
		if x >= float64(*f.Min) {
			return nil
		}
	default:
		return nil
	}
	return problem("min", "must be at least %s", strconv.FormatInt(*f.Min, 10))
}

func (f Field) accept(in any, currency string) (any, error) {
	if t, ok := in.(FormText); ok {
		in = string(t)
	} else if err := f.jsonType(in); err != nil {
		return nil, err
	}
	if s, ok := in.(string); ok {
		in = strings.TrimSpace(s)
		if in == "" {
			in = nil
		}
	}
	if in == nil {
		return nil, nil
	}
	switch f.Kind {
	case Text, LongText, Select, URL, Email, Phone:
		s, ok := in.(string)
		if !ok {
			return nil, problem("wrong_type", "must be text")
		}
		max := f.MaxLen
		if max == 0 {
			max = 255
			if f.Kind == LongText {
				max = 100_000
			}
		}
		if utf8.RuneCountInString(s) > max {
			return nil, problem("too_long", "must be at most %d characters", max)
		}
		switch f.Kind {
		case Select:
			if !slices.Contains(f.Choices, s) {
				return nil, problem("invalid_choice", "must be one of: %s", strings.Join(f.Choices, ", "))
			}
		case Email:
			a, err := mail.ParseAddress(s)
			if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
				return nil, problem("invalid_email", "is not a valid e-mail address")
			}
			s = strings.ToLower(s)
		case URL:
			if !strings.Contains(s, "://") {
				s = "https://" + s
			}
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") {
				return nil, problem("invalid_url", "is not a web address")
			}
		}
		return s, nil
	case Integer, Ref, User:
		n, ok := toFloat(in)
		if !ok || n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, problem("wrong_type", "must be a whole number")
		}
		if (f.Kind == Ref || f.Kind == User) && n < 1 {
			return nil, problem("not_found", "does not exist")
		}
		return int64(n), nil
	case Number:
		n, ok := toFloat(in)
		if !ok || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, problem("wrong_type", "must be a number")
		}
		return n, nil
	case Money:
		var s string
		switch x := in.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = x
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case int64:
			s = strconv.FormatInt(x, 10)
		case int:
			s = strconv.Itoa(x)
		default:
			return nil, problem("wrong_type", "must be an amount")
		}
		minor, err := parseAmount(s, f.exponent(currency))
		if err != nil {
			// The example is in the API's notation; a form shows it in
			// the user's (localAmountExamples).
			exp := f.exponent(currency)
			return nil, problem("invalid_amount", "must be an amount like %s", string(FormatAmount(150_000_000*int64(math.Pow10(exp)), exp)))
		}
		return minor, nil
	case Bool:
		switch x := in.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(x) {
			case "true", "on", "1", "yes", "ya":
				return true, nil
			case "false", "off", "0", "no", "tidak":
				return false, nil
			}
		}
		return nil, problem("wrong_type", "must be true or false")
	case Date:
		s, ok := in.(string)
		if !ok {
			return nil, problem("wrong_type", "must be a date like 2026-01-31")
		}
		if len(s) > 10 {
			s = s[:10]
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, problem("invalid_date", "must be a date like 2026-01-31")
		}
		return s, nil
	case DateTime:
		s, ok := in.(string)
		if !ok {
			if t, isTime := in.(time.Time); isTime {
				return t.UTC(), nil
			}
			return nil, problem("wrong_type", "must be a date and time")
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return nil, problem("invalid_time", "must be a date and time like 2026-01-31T14:00:00+07:00")
	case MultiSelect, List:
		var items []string
		switch x := in.(type) {
		case []any:
			for _, it := range x {
				s, ok := it.(string)
				if !ok {
					return nil, problem("wrong_type", "must be a list of text")
				}
				items = append(items, s)
			}
		case []string:
			items = x
		case string:
			items = strings.Split(x, ",")
		default:
			return nil, problem("wrong_type", "must be a list of text")
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			it = strings.TrimSpace(it)
			if it == "" || slices.Contains(out, it) {
				continue
			}
			if f.Kind == MultiSelect && !slices.Contains(f.Choices, it) {
				return nil, problem("invalid_choice", "must be among: %s", strings.Join(f.Choices, ", "))
			}
			if utf8.RuneCountInString(it) > 255 {
				return nil, problem("too_long", "must be at most %d characters", 255)
			}
			out = append(out, it)
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, fmt.Errorf("records: field %s has unknown kind %q", f.Name, f.Kind)
}

func toFloat(in any) (float64, bool) {
	switch x := in.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.ReplaceAll(x, ",", "."), 64)
		return f, err == nil
	}
	return 0, false
}

// parseAmount turns "1500000" or "1234.5" into minor units.
func parseAmount(s string, exp int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > exp || strings.ContainsFunc(whole+frac, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, fmt.Errorf("bad amount %q", s)
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		n = -n
	}
	return n, nil
}

// FormatAmount turns minor units back into the decimal the API shows.
func FormatAmount(minor int64, exp int) json.Number {
	if exp == 0 {
		return json.Number(strconv.FormatInt(minor, 10))
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	p := int64(math.Pow10(exp))
	whole, frac := minor/p, minor%p
	if frac == 0 {
		return json.Number(sign + strconv.FormatInt(whole, 10))
	}
	fs := strings.TrimRight(fmt.Sprintf("%0*d", exp, frac), "0")
	return json.Number(sign + strconv.FormatInt(whole, 10) + "." + fs)
}

// fieldProblem is a validation failure of one value, before it is known
// which field it belongs to.
type fieldProblem struct {
	code, msg string
	args      []any
}

func (p *fieldProblem) Error() string { return fmt.Sprintf(p.msg, p.args...) }

// AddProblem adds to fe, for the field name, the problem with a value that
// err from Accept explains, and reports whether err was such a problem;
// any other error is the caller's to return.
func AddProblem(fe *errs.Fields, name string, err error) bool {
	var p *fieldProblem
	if !errors.As(err, &p) {
		return false
	}
	fe.Add(name, p.code, p.msg, p.args...)
	return true
}

func problem(code, msg string, args ...any) error {
	return &fieldProblem{code: code, msg: msg, args: args}
}

// Problem reads a value's refusal by Field.Accept as its code, English
// format and arguments, for callers that word it later (an import's
// report); ok is false for any other error.
func Problem(err error) (code, msg string, args []any, ok bool) {
	var p *fieldProblem
	if !errors.As(err, &p) {
		return "", "", nil, false
	}
	return p.code, p.msg, p.args, true
}

// RefChoice is one record a Ref field may point at; Group, when set,
// names what it belongs to (a stage's pipeline).
type RefChoice struct {
	ID    int64
	Title string
	Group string
}
