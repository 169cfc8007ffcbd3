package imports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// valueSection is a mapped choice column on the mapping page: each
// distinct value of the file with its count and a select of what it
// becomes.
type valueSection struct {
	Field, FieldLabel, Header string
	ErrKey                    string // the field error of the whole column
	Capped                    bool
	Listed                    int
	Others                    int64
	Rows                      []valueRow
	Options                   []targetChoice
	Rejected                  int   // values whose rows are rejected
	RejectedRows              int64 // and those rows
}

type valueRow struct {
	Index     int
	Name      string // the select: v_<index>
	Value     string
	Count     int64
	Selected  string
	ErrKey    string
	Unmatched bool // nothing matched the value: its rows are rejected unless changed
}

// valuesData adds the sections of the mapped choice columns to the
// mapping page's data: what given decides (the form as submitted, or the
// import's last check), else what would be suggested.
func (m *Module) valuesData(c *web.Ctx, data map[string]any, imp Import, mapping []string, given map[string]map[string]string) error {
	cols, err := m.valueColumns(c.R.Context(), imp, mapping, given, true)
	if err != nil {
		return err
	}
	admin := c.User != nil && c.User.CanManage() == nil
	var sections []valueSection
	var shown []string
	k := 0
	for _, col := range cols {
		f := col.field
		label := f.Label
		if !f.Custom {
			label = c.T(f.Label)
		}
		s := valueSection{Field: f.Name, FieldLabel: label, Header: col.Header, ErrKey: "values[" + f.Name + "]",
			Capped: col.Capped, Listed: len(col.Values), Others: col.Others}
		s.Rejected, s.RejectedRows = col.Rejected()
		for _, ch := range f.Choices {
			l := ch
			if key := "choice." + f.Name + "." + ch; !f.Custom && c.HasMessage(key) {
				l = c.T(key)
			}
			s.Options = append(s.Options, targetChoice{Name: ch, Label: l})
		}
		s.Options = append(s.Options, targetChoice{Name: ValueEmpty, Label: c.T("imports.values_leave_empty")})
		addable := false
		for _, v := range col.Values {
			addable = addable || v.Decision == ValueAdd
		}
		if f.Custom && (admin || addable) {
			s.Options = append(s.Options, targetChoice{Name: ValueAdd, Label: c.T("imports.values_add")})
		}
		s.Options = append(s.Options, targetChoice{Name: ValueReject, Label: c.T("imports.values_reject")})
		for _, v := range col.Values {
			s.Rows = append(s.Rows, valueRow{Index: k, Name: fmt.Sprintf("v_%d", k), Value: v.Value, Count: v.Count,
				Selected: v.Decision, ErrKey: ValueErrorField(f.Name, v.Value), Unmatched: v.Unmatched})
			k++
		}
		sections = append(sections, s)
		shown = append(shown, f.Name)
	}
	data["ValueSections"] = sections
	data["ValuesShown"] = strings.Join(shown, ",")
	data["ValueCount"] = k
	return nil
}

// valuesFromForm reads the decisions the mapping page posted (field →
// value → decision). A column the form did not show values for — mapped
// to a choice field just now — is sent back to be looked at first.
func (m *Module) valuesFromForm(c *web.Ctx, imp Import, mapping []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	n, _ := strconv.Atoi(c.Form("value_count"))
	for k := 0; k < n && k < 100_000; k++ {
		field, value := c.Form(fmt.Sprintf("vf_%d", k)), c.R.PostForm.Get(fmt.Sprintf("vv_%d", k))
		if field == "" {
			continue
		}
		if out[field] == nil {
			out[field] = map[string]string{}
		}
		out[field][value] = c.Form(fmt.Sprintf("v_%d", k))
	}
	shown := map[string]bool{}
	for _, f := range strings.Split(c.Form("values_shown"), ",") {
		shown[f] = true
	}
	targets, err := m.TargetsOf(c.R.Context(), imp.Entity)
	if err != nil {
		return nil, err
	}
	var fe errs.Fields
	mapped := map[string]bool{}
	for _, col := range choiceColumns(imp.Headers, mapping, targets) {
		mapped[col.Field] = true
		if !shown[col.Field] {
			fe.Add("values["+col.Field+"]", "values_review", "column %q now goes into a choice field: choose what its values become", col.Header)
		}
	}
	for field := range out {
		if !mapped[field] {
			delete(out, field) // its column went elsewhere
		}
	}
	return out, fe.Err()
}

// valueWarnings are the choice columns of a finished check whose
// decisions reject rows, for its report.
func (m *Module) valueWarnings(c *web.Ctx, imp Import) []valueSection {
	if !imp.DryRun || imp.Active() {
		return nil
	}
	cols, err := m.ValueColumns(c.R.Context(), imp)
	if err != nil {
		return nil
	}
	var out []valueSection
	for _, col := range cols {
		s := valueSection{Field: col.Field, Header: col.Header, FieldLabel: col.field.Label}
		if !col.field.Custom {
			s.FieldLabel = c.T(col.field.Label)
		}
		s.Rejected, s.RejectedRows = col.Rejected()
		if s.Rejected == 0 {
			continue
		}
		for _, v := range col.Values {
			if v.Decision == ValueReject {
				s.Rows = append(s.Rows, valueRow{Value: v.Value, Count: v.Count, Unmatched: v.Unmatched})
			}
		}
		out = append(out, s)
	}
	return out
}
