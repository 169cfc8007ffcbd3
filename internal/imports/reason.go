package imports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Reason is why a row was rejected or skipped, kept as facts — which
// field, which columns, which problem with which values — so that the
// import page and the rejected-rows CSV can say it in the reader's
// language. English is the API's wording, and what rows written before
// reasons were facts hold.
type Reason struct {
	// Key and Args word a reason about the whole row ("imports.reason.*").
	Key  string `json:"key,omitempty"`
	Args []any  `json:"args,omitempty"`
	// ArgKeys, beside Args, name the catalog message that words an
	// argument ("nav.contacts" for "contacts"); "" keeps it as it is.
	ArgKeys []string `json:"arg_keys,omitempty"`
	// Record is the record a skipped row repeats. It is named when the
	// reason is worded — "contact #123 (Budi Santoso)", the title only for
	// a reader who may see it, and as it is then, not as it was — and
	// that name is the last argument of Key's message.
	Record *RecordRef `json:"record,omitempty"`
	// Fields word a refused save: one problem per field. A reason may
	// have both: a row with an invalid value that also repeats a record.
	Fields  []FieldReason `json:"fields,omitempty"`
	English string        `json:"en"`
}

// RecordRef points at a record of an entity.
type RecordRef struct {
	Entity string `json:"entity"`
	ID     int64  `json:"id"`
}

// FieldReason is one field's problem: Code picks "validation.<code>"
// (or "imports.problem.<code>", which also shows the value), Args fill it.
type FieldReason struct {
	Field   string   `json:"field"`
	Columns []string `json:"columns,omitempty"`
	Code    string   `json:"code,omitempty"`
	Args    []any    `json:"args,omitempty"`
	Message string   `json:"message"` // English
}

// stored is the form import_items.error holds.
func (r Reason) stored() string {
	b, err := json.Marshal(r)
	if err != nil {
		return r.English
	}
	return string(b)
}

// ReadReason reads a stored reason; text that is not one (a row rejected
// before reasons were stored as facts) is its own English.
func ReadReason(stored string) Reason {
	var r Reason
	if strings.HasPrefix(stored, "{") && json.Unmarshal([]byte(stored), &r) == nil && r.English != "" {
		r.Args = wholeNumbers(r.Args)
		for i := range r.Fields {
			r.Fields[i].Args = wholeNumbers(r.Fields[i].Args)
		}
		return r
	}
	return Reason{English: stored}
}

// wholeNumbers turns JSON's float64 back into int64 where it is whole, so
// a %d of the message formats as it did.
func wholeNumbers(args []any) []any {
	for i, a := range args {
		if f, ok := a.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			args[i] = int64(f)
		}
	}
	return args
}

// rowReason is a reason about the whole row: key and args word it, English
// as the API says it.
func rowReason(key string, args []any, argKeys []string, english string) string {
	return Reason{Key: key, Args: args, ArgKeys: argKeys, English: english}.stored()
}

// Translator is what words a reason: the catalog for one language.
type Translator interface {
	T(key string, args ...any) string
	HasMessage(key string) bool
}

// Say words a reason with t; label names a field ("Surel", or a custom
// field's own label).
func (r Reason) Say(t Translator, label func(field string) string) string {
	return r.SayWith(t, Words{Label: label})
}

// Words is what wording a reason needs besides the catalog. Every part
// may be nil.
type Words struct {
	// Label names a field in the reader's language (a custom field by its
	// own label).
	Label func(field string) string
	// Field describes a field, for problems worded by its kind ("is not
	// a date") and for a select's choices by their labels.
	Field func(name string) (records.Field, bool)
	// Record names a record for the reader: "contact #123 (Budi
	// Santoso)", or "contact #123" when its title is not theirs to see.
	Record func(ref RecordRef) string
}

// SayWith words a reason with t and w: each field's problem, then what is
// said about the whole row, in the reader's language.
func (r Reason) SayWith(t Translator, w Words) string {
	var parts []string
	for _, f := range r.Fields {
		parts = append(parts, f.say(t, w))
	}
	switch {
	case r.Key != "" && t.HasMessage(r.Key):
		args := append([]any(nil), r.Args...)
		for i, key := range r.ArgKeys {
			if i < len(args) && key != "" && t.HasMessage(key) {
				args[i] = t.T(key)
			}
		}
		if r.Record != nil {
			args = append(args, w.record(t, *r.Record))
		}
		parts = append(parts, t.T(r.Key, args...))
	case len(parts) == 0:
		return r.English
	}
	return strings.Join(parts, "; ")
}

// record names a record, by w.Record when there is one.
func (w Words) record(t Translator, ref RecordRef) string {
	if w.Record != nil {
		return w.Record(ref)
	}
	return recordName(t, ref, "")
}

// recordName is "contact #123", or "contact #123 (Budi Santoso)" with a
// title, in t's language.
func recordName(t Translator, ref RecordRef, title string) string {
	what := ref.Entity
	if key := "entity." + strings.TrimSuffix(ref.Entity, "s"); t.HasMessage(key) {
		what = strings.ToLower(t.T(key))
	}
	if title == "" {
		return t.T("import_report.record", what, ref.ID)
	}
	return t.T("import_report.record_titled", what, ref.ID, title)
}

func (f FieldReason) say(t Translator, w Words) string {
	msg := f.Message
	label := f.Field
	if w.Label != nil {
		label = w.Label(f.Field)
	}
	var field records.Field
	known := false
	if w.Field != nil {
		field, known = w.Field(f.Field)
	}
	args := f.Args
	if f.Code == "invalid_choice" && known && len(field.Choices) > 0 && len(args) == 1 {
		// The choices by their labels in the reader's language, as the
		// form offers them, not by their stored values.
		args = []any{choiceLabels(t, field)}
	}
	var keys []string
	if known {
		// A problem worded by the kind of the field: "must be a whole
		// number" says little about a date.
		keys = append(keys, "import_report.problem."+f.Code+"."+string(field.Kind))
	}
	if len(args) > 0 {
		// The messages that show the value the file held: by field first
		// ("no user has the e-mail address or name %q"), then by problem.
		keys = append(keys, "import_report.problem."+f.Field+"."+f.Code, "import_report.problem."+f.Code, "imports.problem."+f.Code)
	}
	keys = append(keys, "validation."+f.Code)
	for _, key := range keys {
		if f.Code != "" && t.HasMessage(key) {
			// A translation that does not take the English message's
			// arguments gets none, so no "%!(EXTRA …)" reaches the page.
			if m := t.T(key); !strings.Contains(m, "%") {
				msg = m
			} else {
				msg = t.T(key, args...)
			}
			break
		}
	}
	if f.Field == "" {
		return msg
	}
	if len(f.Columns) == 0 {
		return t.T("imports.reason.field", label, msg)
	}
	return t.T("imports.reason.field_column", label, quoteAll(f.Columns), msg)
}

// choiceLabels lists a select field's choices as its form labels them.
func choiceLabels(t Translator, f records.Field) string {
	out := make([]string, len(f.Choices))
	for i, ch := range f.Choices {
		out[i] = ch
		if key := "choice." + f.Name + "." + ch; !f.Custom && t.HasMessage(key) {
			out[i] = t.T(key)
		}
	}
	return strings.Join(out, ", ")
}

func quoteAll(cols []string) string {
	quoted := make([]string, len(cols))
	for i, s := range cols {
		quoted[i] = strconv.Quote(s)
	}
	return strings.Join(quoted, ", ")
}

// reason turns a refused save into the reason a person reads in the
// report: each field's problem with the column it came from.
func (c *converter) reason(err error) string {
	e, ok := errs.As(err)
	if !ok {
		if store.IsUniqueViolation(err) {
			// Said in words, not as the database's message.
			return Reason{Key: "import_report.reason.unique",
				English: "another record already has a value of this row that must be unique (such as a product's SKU)"}.stored()
		}
		return Reason{English: err.Error()}.stored()
	}
	if len(e.Fields) == 0 {
		return Reason{Key: e.Key, Args: e.Args, English: e.Message}.stored()
	}
	r := Reason{}
	english := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		fr := FieldReason{Field: f.Field, Columns: c.sources[f.Field], Code: f.Code, Args: f.Args, Message: f.Message}
		r.Fields = append(r.Fields, fr)
		english = append(english, fr.english())
	}
	r.English = strings.Join(english, "; ")
	return r.stored()
}

// english is the field's problem as the API says it.
func (f FieldReason) english() string {
	if f.Field == "" {
		return f.Message
	}
	if len(f.Columns) == 0 {
		return fmt.Sprintf("field %s: %s", f.Field, f.Message)
	}
	return fmt.Sprintf("field %s (column %s): %s", f.Field, quoteAll(f.Columns), f.Message)
}
