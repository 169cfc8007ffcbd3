package imports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
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
	// Fields word a refused save: one problem per field.
	Fields  []FieldReason `json:"fields,omitempty"`
	English string        `json:"en"`
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
	switch {
	case r.Key != "" && t.HasMessage(r.Key):
		args := append([]any(nil), r.Args...)
		for i, key := range r.ArgKeys {
			if i < len(args) && key != "" && t.HasMessage(key) {
				args[i] = t.T(key)
			}
		}
		return t.T(r.Key, args...)
	case len(r.Fields) > 0:
		parts := make([]string, 0, len(r.Fields))
		for _, f := range r.Fields {
			parts = append(parts, f.say(t, label))
		}
		return strings.Join(parts, "; ")
	}
	return r.English
}

func (f FieldReason) say(t Translator, label func(string) string) string {
	msg := f.Message
	keys := []string{"validation." + f.Code}
	if len(f.Args) > 0 {
		// The messages that show the value the file held.
		keys = append([]string{"imports.problem." + f.Code}, keys...)
	}
	for _, key := range keys {
		if f.Code != "" && t.HasMessage(key) {
			// A translation that does not take the English message's
			// arguments gets none, so no "%!(EXTRA …)" reaches the page.
			if m := t.T(key); !strings.Contains(m, "%") {
				msg = m
			} else {
				msg = t.T(key, f.Args...)
			}
			break
		}
	}
	if f.Field == "" {
		return msg
	}
	if len(f.Columns) == 0 {
		return t.T("imports.reason.field", label(f.Field), msg)
	}
	return t.T("imports.reason.field_column", label(f.Field), quoteAll(f.Columns), msg)
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
