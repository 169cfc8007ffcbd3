package records

import (
	"encoding/json"
	"strings"
	"time"
)

// Record is one record of an entity: standard values by field name and
// custom values by key, as Relasi's Go values (see Field.Accept).
type Record struct {
	ID        int64
	OwnerID   int64
	Values    map[string]any
	Custom    map[string]any
	Titles    map[string]string // display names of referenced records, by field name
	Title     string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
	Version   int64

	fields []Field // the fields it was read with, for JSON
	// orphans are stored custom values whose field was deleted. They are
	// not shown, but a save keeps them, so that re-creating the field
	// brings them back.
	orphans map[string]any
}

// Get returns a field's value by name ("city", "custom.budget", "owner_id").
func (r *Record) Get(name string) any {
	switch name {
	case "id":
		return r.ID
	case "owner_id":
		if r.OwnerID == 0 {
			return nil
		}
		return r.OwnerID
	case "created_at":
		return r.CreatedAt
	case "updated_at":
		return r.UpdatedAt
	}
	if key, ok := strings.CutPrefix(name, "custom."); ok {
		return r.Custom[key]
	}
	return r.Values[name]
}

// String returns a text value, or "".
func (r *Record) String(name string) string {
	s, _ := r.Get(name).(string)
	return s
}

// Int returns an integer value, or 0.
func (r *Record) Int(name string) int64 {
	n, _ := r.Get(name).(int64)
	return n
}

// Strings returns a list value.
func (r *Record) Strings(name string) []string {
	l, _ := r.Get(name).([]string)
	return l
}

// set stores a value by field name.
func (r *Record) set(f Field, v any) {
	switch {
	case f.Name == "owner_id":
		r.OwnerID, _ = v.(int64)
	case f.Custom:
		if v == nil {
			delete(r.Custom, f.Key)
		} else {
			r.Custom[f.Key] = v
		}
	default:
		r.Values[f.Name] = v
	}
}

// Set changes a value by field name, for hooks that derive values.
func (r *Record) Set(name string, v any) {
	for _, f := range r.fields {
		if f.Name == name {
			r.set(f, v)
			return
		}
	}
	if key, ok := strings.CutPrefix(name, "custom."); ok {
		r.Custom[key] = v
		return
	}
	r.Values[name] = v
}

func (r *Record) clone() *Record {
	c := *r
	c.Values = make(map[string]any, len(r.Values))
	for k, v := range r.Values {
		c.Values[k] = v
	}
	c.Custom = make(map[string]any, len(r.Custom))
	for k, v := range r.Custom {
		c.Custom[k] = v
	}
	c.Titles = make(map[string]string, len(r.Titles))
	for k, v := range r.Titles {
		c.Titles[k] = v
	}
	return &c
}

// storedCustom is what a save writes to the custom column: the values of
// the current custom fields and the orphans.
func (r *Record) storedCustom() map[string]any {
	if len(r.orphans) == 0 {
		return r.Custom
	}
	m := make(map[string]any, len(r.orphans)+len(r.Custom))
	for k, v := range r.orphans {
		m[k] = v
	}
	for k, v := range r.Custom {
		m[k] = v
	}
	return m
}

// jsonValue is how the API shows a value: money as a decimal number in
// major units, dates as strings, lists as arrays.
func jsonValue(f Field, r *Record, v any) any {
	if v == nil {
		if f.Kind == List || f.Kind == MultiSelect {
			return []string{}
		}
		return nil
	}
	if f.Kind == Money {
		cur, _ := r.Get(f.CurrencyField).(string)
		return FormatAmount(v.(int64), f.exponent(cur))
	}
	return v
}

// MarshalJSON writes the record as the API shows it: id, the standard
// fields, "custom" with the custom fields, "display" with the names of
// referenced records, timestamps and version.
func (r Record) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(r.fields)+8)
	custom := map[string]any{}
	for _, f := range r.fields {
		v := jsonValue(f, &r, r.Get(f.Name))
		if f.Custom {
			custom[f.Key] = v
		} else {
			out[f.Name] = v
		}
	}
	out["id"] = r.ID
	out["custom"] = custom
	out["title"] = r.Title
	out["display"] = r.Titles
	out["created_at"] = r.CreatedAt
	out["updated_at"] = r.UpdatedAt
	out["version"] = r.Version
	if r.DeletedAt != nil {
		out["deleted_at"] = r.DeletedAt
	}
	return json.Marshal(out)
}
