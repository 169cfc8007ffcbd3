package imports

import (
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// checked is a row's values held to the fields' rules — the same
// Field.Accept the save applies — before anything is written: a row refused
// here costs no database work and needs no rollback. The save still checks
// everything (and more) itself.
type checked struct {
	values  map[string]any // accepted values, as the fields store them
	invalid errs.Fields    // values the fields refuse
	missing errs.Fields    // required fields left empty (a problem when creating)
}

// err is the row's problem when it creates (or updates) a record.
func (c checked) err(creating bool) error {
	fe := append(errs.Fields{}, c.invalid...)
	if creating {
		fe = append(fe, c.missing...)
	}
	return fe.Err()
}

func precheck(fields map[string]records.Field, all []records.Field, in records.Input) checked {
	c := checked{values: make(map[string]any, len(in))}
	fe := &c.invalid
	for name, v := range in {
		f, ok := fields[name]
		if !ok || f.ReadOnly {
			continue // the save names it
		}
		currency := ""
		if f.CurrencyField != "" {
			if cf, ok := fields[f.CurrencyField]; ok {
				if c, err := cf.Accept(in[f.CurrencyField], ""); err == nil {
					currency, _ = c.(string)
				}
			}
		}
		accepted, err := f.Accept(v, currency)
		if err != nil {
			if code, msg, args, ok := records.Problem(err); ok {
				fe.Add(name, code, msg, args...)
			} else {
				fe.Add(name, "invalid", "%s", err.Error())
			}
			continue
		}
		c.values[name] = accepted
	}
	for _, f := range all {
		if f.Required && !f.ReadOnly && !fe.Has(f.Name) && isEmptyValue(c.values[f.Name]) {
			c.missing.Add(f.Name, "required", "is required")
		}
	}
	return c
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	return false
}
