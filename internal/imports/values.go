package imports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
)

// What a value of a choice column (a select field, standard or custom)
// becomes is decided per distinct value: one of the field's choices, or
// one of these. Options.Values keeps the decisions of an import (field →
// value as the file writes it → decision); values are compared without
// case and extra spaces.
const (
	// ValueEmpty leaves the field empty for the rows with the value.
	ValueEmpty = "!empty"
	// ValueReject fails the rows with the value, naming it and the column.
	// It is what a value no choice matches gets unless the user decides.
	ValueReject = "!reject"
	// ValueAdd adds the value as a new choice of a custom select field
	// (administrators only), through the custom field's own update.
	ValueAdd = "!add"
)

// maxDistinct bounds the distinct values kept per column: a column with
// more is not a choice column, or is listed in part (and said so).
const maxDistinct = 200

// maxRemembered bounds the decisions remembered per field and user.
const maxRemembered = 1000

// valueKey is how values are compared: "  Lead  " is "lead".
func valueKey(v string) string {
	return strings.ToLower(strings.Join(strings.Fields(v), " "))
}

// cellValue is a cell as the converter reads it.
func cellValue(cells []string, i int) string {
	if i >= len(cells) {
		return ""
	}
	return unescapeFormula(strings.TrimSpace(cells[i]))
}

// tally is what one pass over a file found in each column: its distinct
// values with their counts, up to maxDistinct.
type tally struct {
	Version int           `json:"version"`
	Columns []columnTally `json:"columns"`
}

const tallyVersion = 1

type columnTally struct {
	Values []valueCount `json:"values,omitempty"` // in the order first found
	// Capped is set when the column has more distinct values than kept;
	// Others counts the non-empty cells holding one of those.
	Capped bool  `json:"capped,omitempty"`
	Others int64 `json:"others,omitempty"`
}

type valueCount struct {
	Value string `json:"v"`
	Count int64  `json:"n"`
}

// tallyFile streams a file once and counts each column's values.
func tallyFile(path string, format Format, sheet string) (tally, error) {
	rd, err := Open(path, format, sheet)
	if err != nil {
		return tally{}, err
	}
	defer rd.Close()
	n := len(rd.Header())
	t := tally{Version: tallyVersion, Columns: make([]columnTally, n)}
	index := make([]map[string]int, n)
	for i := range index {
		index[i] = map[string]int{}
	}
	for {
		_, cells, err := rd.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return tally{}, err
		}
		if isBlank(cells) {
			continue
		}
		for i := 0; i < n && i < len(cells); i++ {
			v := cellValue(cells, i)
			if v == "" {
				continue
			}
			col := &t.Columns[i]
			if at, ok := index[i][v]; ok {
				col.Values[at].Count++
				continue
			}
			if len(col.Values) >= maxDistinct {
				col.Capped = true
				col.Others++
				continue
			}
			// The cell is only valid until the next row.
			v = strings.Clone(v)
			index[i][v] = len(col.Values)
			col.Values = append(col.Values, valueCount{Value: v, Count: 1})
		}
	}
}

const tallyName = "values.json"

// tallyOf returns what an import's file holds per column, counted once and
// kept beside the file.
func (m *Module) tallyOf(imp Import) (tally, error) {
	dir := m.fileDir(imp.ID)
	if b, err := os.ReadFile(filepath.Join(dir, tallyName)); err == nil {
		var t tally
		if json.Unmarshal(b, &t) == nil && t.Version == tallyVersion && len(t.Columns) == len(imp.Headers) {
			return t, nil
		}
	}
	t, err := tallyFile(filepath.Join(dir, "source"), imp.Format, imp.Options.Sheet)
	if err != nil {
		return tally{}, err
	}
	for len(t.Columns) < len(imp.Headers) {
		t.Columns = append(t.Columns, columnTally{})
	}
	if b, err := json.Marshal(t); err == nil {
		// Written aside and renamed: two requests counting at once each
		// leave a whole file.
		if f, err := os.CreateTemp(dir, "values-*.tmp"); err == nil {
			_, werr := f.Write(b)
			if cerr := f.Close(); werr == nil && cerr == nil {
				os.Rename(f.Name(), filepath.Join(dir, tallyName))
			} else {
				os.Remove(f.Name())
			}
		}
	}
	return t, nil
}

// copyTally gives an import started from a dry run the counts of its file.
func copyTally(fromDir, toDir string) {
	if b, err := os.ReadFile(filepath.Join(fromDir, tallyName)); err == nil {
		os.WriteFile(filepath.Join(toDir, tallyName), b, 0o640)
	}
}

// SourceValue is one distinct value of a choice column with the number of
// rows holding it (spellings differing in case or spaces counted as one).
type SourceValue struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
	// Decision is what the value becomes: a choice, ValueEmpty, ValueAdd
	// or ValueReject.
	Decision string `json:"decision"`
	// Guessed is set when the decision is the choice the value's name,
	// label or synonym matches; Unmatched when nothing matches the value
	// and its rows are rejected.
	Guessed   bool `json:"guessed"`
	Unmatched bool `json:"unmatched"`
}

// ValueColumn is a mapped choice column of an import and its values.
type ValueColumn struct {
	Column int           `json:"-"`
	Header string        `json:"column"`
	Field  string        `json:"field"`
	Values []SourceValue `json:"values"`
	Capped bool          `json:"capped"`
	Others int64         `json:"other_rows"`
	field  records.Field // the field, with its choices
}

// grouped folds a column's values that differ in case or spaces, most
// rows first.
func (c columnTally) grouped() []SourceValue {
	at := map[string]int{}
	var out []SourceValue
	for _, v := range c.Values {
		k := valueKey(v.Value)
		if i, ok := at[k]; ok {
			out[i].Count += v.Count
			continue
		}
		at[k] = len(out)
		out = append(out, SourceValue{Value: v.Value, Count: v.Count})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// choiceColumns lists the columns a mapping sends into select fields.
func choiceColumns(header, mapping []string, targets []Target) []ValueColumn {
	byName := make(map[string]Target, len(targets))
	for _, t := range targets {
		byName[t.Name] = t
	}
	var out []ValueColumn
	for i, name := range mapping {
		t, ok := byName[name]
		if !ok || i >= len(header) || t.field.Kind != records.Select || t.field.Name != name {
			continue
		}
		out = append(out, ValueColumn{Column: i, Header: header[i], Field: name, field: t.field})
	}
	return out
}

// matchChoice finds the choice of a select field a value means: the
// choice itself in any case or spacing ("Web form" → web_form), its label
// in any language, or what ChoiceSynonyms says; "" when none.
func matchChoice(catalog *i18n.Catalog, entity string, f records.Field, v string) string {
	n := normalize(v)
	if n == "" {
		return ""
	}
	for _, ch := range f.Choices {
		if normalize(ch) == n {
			return ch
		}
	}
	if f.Custom {
		return ""
	}
	if catalog != nil {
		for _, ch := range f.Choices {
			key := "choice." + f.Name + "." + ch
			if !catalog.Has(key) {
				continue
			}
			for _, lang := range i18n.Languages() {
				if normalize(catalog.T(lang.Code, key)) == n {
					return ch
				}
			}
		}
	}
	if ch, ok := synonymChoice(entity, f.Name, v); ok && slices.Contains(f.Choices, ch) {
		return ch
	}
	return ""
}

// decisions are the decisions of one field, by valueKey.
type decisions map[string]string

func keyed(byValue map[string]string) decisions {
	out := make(decisions, len(byValue))
	for v, d := range byValue {
		out[valueKey(v)] = d
	}
	return out
}

// canonical checks one decision for a value of f, returning it as stored
// or a problem for the field error: a choice (its name, or any spelling
// matchChoice reads), "" or ValueEmpty, ValueReject, or ValueAdd for a
// custom select field when p is an administrator.
func canonical(catalog *i18n.Catalog, entity string, f records.Field, p auth.Principal, d string) (string, *errs.FieldError) {
	switch strings.TrimSpace(d) {
	case "", ValueEmpty:
		return ValueEmpty, nil
	case ValueReject:
		return ValueReject, nil
	case ValueAdd:
		if !f.Custom {
			return "", &errs.FieldError{Code: "value_add_standard", Message: "only a custom field can take new choices; choose one of its choices"}
		}
		if p.CanManage() != nil {
			return "", &errs.FieldError{Code: "value_add_admin", Message: "only an administrator may add choices to a field"}
		}
		return ValueAdd, nil
	}
	if slices.Contains(f.Choices, d) {
		return d, nil
	}
	if ch := matchChoice(catalog, entity, f, d); ch != "" {
		return ch, nil
	}
	opts := append(slices.Clone(f.Choices), ValueEmpty, ValueReject)
	if f.Custom {
		opts = append(opts, ValueAdd)
	}
	return "", &errs.FieldError{Code: "value_decision", Message: fmt.Sprintf("must be one of: %s", strings.Join(opts, ", "))}
}

// ValueErrorField names the field error of one value's decision, as the
// API returns it and the mapping page shows it beside the value.
func ValueErrorField(field, value string) string {
	return "values[" + field + "][" + value + "]"
}

// prepareValues checks the decisions an import is configured with and
// completes them: every distinct value of each mapped choice column gets a
// decision — the one given, else the user's remembered one, else the
// guess, else ValueReject — so that the stored options say what happens
// to each value. Problems with the import itself are left to Configure.
func (m *Module) prepareValues(ctx context.Context, p auth.Principal, id int64, mapping []string, opts *Options) error {
	imp, err := m.load(ctx, m.db.Read(), id)
	if err != nil || !imp.mine(p) || len(mapping) != len(imp.Headers) {
		return nil
	}
	targets, err := m.TargetsOf(ctx, imp.Entity)
	if err != nil {
		return nil
	}
	cols := choiceColumns(imp.Headers, mapping, targets)
	var fe errs.Fields
	mapped := map[string]bool{}
	for _, c := range cols {
		mapped[c.Field] = true
	}
	for field := range opts.Values {
		if !mapped[field] {
			fe.Add("values", "value_field", "name the field %q, into which no column goes as a choice", field)
		}
	}
	if len(cols) == 0 {
		opts.Values = nil
		return fe.Err()
	}
	t, err := m.tallyOf(imp)
	if err != nil {
		return err
	}
	remembered, err := m.savedValues(ctx, imp.CreatedBy, imp.Entity)
	if err != nil {
		return err
	}
	out := map[string]map[string]string{}
	for _, c := range cols {
		given := opts.Values[c.Field]
		decided := map[string]string{}
		for v, d := range given {
			canon, problem := canonical(m.catalog, imp.Entity, c.field, p, d)
			if problem != nil {
				problem.Field, problem.Args = ValueErrorField(c.Field, v), []any{v}
				fe = append(fe, *problem)
				continue
			}
			decided[v] = canon
		}
		givenKeys, memory := keyed(given), keyed(remembered[c.Field])
		for _, sv := range t.Columns[c.Column].grouped() {
			if _, ok := givenKeys[valueKey(sv.Value)]; ok {
				continue
			}
			decided[sv.Value] = m.suggest(imp.Entity, c.field, p, sv.Value, memory)
		}
		out[c.Field] = decided
	}
	if err := fe.Err(); err != nil {
		return err
	}
	opts.Values = out
	return nil
}

// suggest is the decision offered for a value nobody has decided on for
// this import: the remembered one where it still holds, else the guess,
// else ValueReject.
func (m *Module) suggest(entity string, f records.Field, p auth.Principal, v string, memory decisions) string {
	guess := matchChoice(m.catalog, entity, f, v)
	if d, ok := memory[valueKey(v)]; ok {
		switch {
		case d == ValueAdd && (guess != "" || !f.Custom || p.CanManage() != nil):
			// Added since, or no longer allowed.
		case d == ValueEmpty || d == ValueReject || d == ValueAdd || slices.Contains(f.Choices, d):
			return d
		}
	}
	if guess != "" {
		return guess
	}
	return ValueReject
}

// ValueColumns lists the mapped choice columns of an import with their
// distinct values, counts and decisions: those the import is configured
// with, and for values it has none for (a pending import's, or past the
// cap), the guess.
func (m *Module) ValueColumns(ctx context.Context, imp Import) ([]ValueColumn, error) {
	return m.valueColumns(ctx, imp, imp.Mapping, imp.Options.Values, false)
}

// valueColumns is ValueColumns for a mapping and decisions being edited;
// with suggest, values without a decision get what prepareValues would
// give them (the user's remembered decisions count).
func (m *Module) valueColumns(ctx context.Context, imp Import, mapping []string, given map[string]map[string]string, withMemory bool) ([]ValueColumn, error) {
	targets, err := m.TargetsOf(ctx, imp.Entity)
	if err != nil {
		return nil, err
	}
	cols := choiceColumns(imp.Headers, mapping, targets)
	if len(cols) == 0 {
		return nil, nil
	}
	t, err := m.tallyOf(imp)
	if err != nil {
		return nil, err
	}
	var remembered map[string]map[string]string
	if withMemory {
		if remembered, err = m.savedValues(ctx, imp.CreatedBy, imp.Entity); err != nil {
			return nil, err
		}
	}
	p := auth.Principal{UserID: imp.CreatedBy}
	if u, err := m.auth.GetUser(ctx, imp.CreatedBy); err == nil {
		p = u.Principal()
	}
	for i := range cols {
		c := &cols[i]
		ct := t.Columns[c.Column]
		c.Capped, c.Others = ct.Capped, ct.Others
		decided, memory := keyed(given[c.Field]), keyed(remembered[c.Field])
		c.Values = ct.grouped()
		for j := range c.Values {
			sv := &c.Values[j]
			guess := matchChoice(m.catalog, imp.Entity, c.field, sv.Value)
			d, ok := decided[valueKey(sv.Value)]
			if !ok {
				d = m.suggest(imp.Entity, c.field, p, sv.Value, memory)
			}
			sv.Decision, sv.Guessed, sv.Unmatched = d, guess != "" && d == guess, guess == "" && d == ValueReject
		}
	}
	return cols, nil
}

// Rejected counts the values and rows a column's decisions reject.
func (c ValueColumn) Rejected() (values int, rows int64) {
	for _, v := range c.Values {
		if v.Decision == ValueReject {
			values++
			rows += v.Count
		}
	}
	return values, rows
}

// fieldValues decides the values of one select field while rows are read.
type fieldValues struct {
	entity  string
	field   records.Field
	catalog *i18n.Catalog
	decided decisions
	seen    map[string]string // a cell as written → its decision, bounded
	added   map[string]string // valueKey → the choice a ValueAdd adds, as spelt in Options.Values
}

func (fv *fieldValues) decide(v string) string {
	if d, ok := fv.seen[v]; ok {
		return d
	}
	d, ok := fv.decided[valueKey(v)]
	if !ok {
		d = matchChoice(fv.catalog, fv.entity, fv.field, v)
	}
	if len(fv.seen) < 10_000 {
		fv.seen[v] = d
	}
	return d
}

// selectValue puts a select cell into the row as its decision says; a
// rejected value fails the row (rv.rejected) with the value named.
func (c *converter) selectValue(f records.Field, v string, rv *rowValues) {
	fv := c.values[f.Name]
	if fv == nil {
		rv.in[f.Name] = c.choice(f, v)
		return
	}
	switch d := fv.decide(v); d {
	case ValueEmpty:
	case ValueReject:
		rv.rejected.Add(f.Name, "value_rejected", "holds %q, a value the import was told to reject", v)
	case "":
		rv.rejected.Add(f.Name, "value_unmatched", "holds %q, which matches none of the field's choices", v)
	case ValueAdd:
		if ch, ok := fv.added[valueKey(v)]; ok {
			rv.in[f.Name] = ch
		} else {
			rv.in[f.Name] = strings.Join(strings.Fields(v), " ")
		}
	default:
		rv.in[f.Name] = d
	}
}

// reject adds the row's rejected values to its problems; a required field
// whose value was rejected is not also reported missing.
func (c *checked) reject(fe errs.Fields) {
	if len(fe) == 0 {
		return
	}
	c.invalid = append(c.invalid, fe...)
	missing := c.missing[:0]
	for _, f := range c.missing {
		if !fe.Has(f.Field) {
			missing = append(missing, f)
		}
	}
	c.missing = missing
}

// setupValues gives the converter the import's decisions for each mapped
// select field, and notes the choices to add to custom fields: the rows'
// checks take them as choices already, and each batch adds them first
// (addChoices).
func (r *runner) setupValues() {
	r.conv.values = map[string]*fieldValues{}
	r.newChoices = map[string][]string{}
	for i, col := range r.conv.columns {
		f := col.target.field
		if f.Kind != records.Select || f.Name != col.target.Name {
			continue
		}
		fv := &fieldValues{entity: r.entity.Name, field: f, catalog: r.m.catalog, decided: keyed(r.imp.Options.Values[f.Name]),
			seen: map[string]string{}, added: map[string]string{}}
		var added []string
		for v, d := range r.imp.Options.Values[f.Name] {
			v = strings.Join(strings.Fields(v), " ")
			if d != ValueAdd || !f.Custom || v == "" {
				continue
			}
			if _, dup := fv.added[valueKey(v)]; dup {
				continue
			}
			fv.added[valueKey(v)] = v
			if !slices.Contains(f.Choices, v) {
				added = append(added, v)
			}
		}
		if len(added) > 0 {
			slices.Sort(added)
			r.newChoices[f.Key] = added
			f.Choices = append(slices.Clone(f.Choices), added...)
			fv.field = f
			r.conv.columns[i].target.field = f
			r.fields[f.Name] = f
			for j := range r.allFields {
				if r.allFields[j].Name == f.Name {
					r.allFields[j] = f
				}
			}
		}
		r.conv.values[f.Name] = fv
	}
}

// addChoices adds, within a batch's transaction, the choices the import
// adds to custom select fields that do not have them yet, through the
// custom field's own update (which only an administrator may make). A real
// import's first batch commits them; a dry run's batches roll them back.
func (r *runner) addChoices(ctx context.Context, tx *sql.Tx) error {
	if len(r.newChoices) == 0 {
		return nil
	}
	custom, err := r.m.records.CustomFields(ctx, r.entity.Name)
	if err != nil {
		return err
	}
	for _, cf := range custom {
		add := r.newChoices[cf.Key]
		choices := slices.Clone(cf.Choices)
		for _, v := range add {
			if !slices.Contains(choices, v) {
				choices = append(choices, v)
			}
		}
		if len(choices) == len(cf.Choices) {
			continue
		}
		in := records.CustomFieldInput{Label: cf.Label, Choices: choices, Required: cf.Required, Currency: cf.Currency, Position: cf.Position}
		if _, err := r.m.records.UpdateCustomFieldTx(ctx, tx, r.p, cf.ID, in, cf.Version); err != nil {
			if e, ok := errs.As(err); ok && e.Code == errs.Forbidden {
				return errs.E(errs.Forbidden, "Only an administrator may add choices to the field %q; choose what its values become again.", cf.Label)
			}
			return err
		}
	}
	return nil
}

// savedValues returns the user's remembered decisions for an entity
// (field → value → decision), or nil.
func (m *Module) savedValues(ctx context.Context, userID int64, entity string) (map[string]map[string]string, error) {
	var raw string
	err := m.db.Read().QueryRowContext(ctx, "SELECT "+jsonText(m.db.Engine, "choice_values")+" FROM import_mappings WHERE user_id = $1 AND entity = $2",
		userID, entity).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("saved value mapping: %w", err)
	}
	var out map[string]map[string]string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("saved value mapping: %w", err)
	}
	return out, nil
}

// SaveValues remembers the decisions of an import's choice columns as the
// user's for the entity, beside the column mapping: those that differ
// from what would be guessed are offered for the next file; one that now
// agrees with the guess forgets the earlier choice.
func (m *Module) SaveValues(ctx context.Context, userID int64, imp Import) error {
	if len(imp.Options.Values) == 0 {
		return nil
	}
	targets, err := m.TargetsOf(ctx, imp.Entity)
	if err != nil {
		return err
	}
	old, err := m.savedValues(ctx, userID, imp.Entity)
	if err != nil {
		return err
	}
	if old == nil {
		old = map[string]map[string]string{}
	}
	for _, c := range choiceColumns(imp.Headers, imp.Mapping, targets) {
		mem := old[c.Field]
		if mem == nil {
			mem = map[string]string{}
		}
		for v, d := range imp.Options.Values[c.Field] {
			for prev := range mem {
				if valueKey(prev) == valueKey(v) {
					delete(mem, prev)
				}
			}
			guess := matchChoice(m.catalog, imp.Entity, c.field, v)
			if guess == "" {
				guess = ValueReject
			}
			if d != guess && len(mem) < maxRemembered {
				mem[v] = d
			}
		}
		old[c.Field] = mem
	}
	b, _ := json.Marshal(old)
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO import_mappings (user_id, entity, choice_values, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, entity) DO UPDATE SET choice_values = EXCLUDED.choice_values, updated_at = EXCLUDED.updated_at`,
			userID, imp.Entity, string(b), m.now())
		if err != nil {
			return fmt.Errorf("save value mapping: %w", err)
		}
		return nil
	})
}

// MappingFile is a mapping as a mapping file (relasi import --mapping) and
// the API's mapping part write it: a JSON object of column header → field
// name (the original form), where a header may instead name an object
// with the field and what the column's values become:
//
//	{"Surel": "emails",
//	 "Lifecycle Stage": {"field": "lifecycle_stage",
//	                     "values": {"Evangelist": "loyalty", "Other": "!empty"}},
//	 "Lead Status": {"values": {"Bad Timing": "!reject"}}}
//
// An object without "field" keeps the column's guessed field.
type MappingFile struct {
	Fields map[string]string            // header → field, for the headers that name one
	Values map[string]map[string]string // header → value in the file → decision
}

// ParseMappingFile reads a mapping file.
func ParseMappingFile(b []byte) (MappingFile, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return MappingFile{}, errors.New("must be a JSON object of column header → field name")
	}
	mf := MappingFile{Fields: map[string]string{}, Values: map[string]map[string]string{}}
	for h, v := range raw {
		var field string
		if json.Unmarshal(v, &field) == nil {
			mf.Fields[h] = field
			continue
		}
		var col struct {
			Field  *string           `json:"field"`
			Values map[string]string `json:"values"`
		}
		dec := json.NewDecoder(strings.NewReader(string(v)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&col); err != nil {
			return MappingFile{}, fmt.Errorf("column %q: must be a field name or an object of \"field\" and \"values\" (value → decision)", h)
		}
		if col.Field != nil {
			mf.Fields[h] = *col.Field
		}
		if len(col.Values) > 0 {
			mf.Values[h] = col.Values
		}
	}
	return mf, nil
}

// ValuesByField turns decisions given by column header into decisions by
// field, for Options.Values, with the mapping the import will have; a
// header whose column goes into no select field is refused.
func ValuesByField(header, mapping []string, byHeader map[string]map[string]string, targets []Target) (map[string]map[string]string, error) {
	if len(byHeader) == 0 {
		return nil, nil
	}
	choice := map[int]string{}
	for _, c := range choiceColumns(header, mapping, targets) {
		choice[c.Column] = c.Field
	}
	out := map[string]map[string]string{}
	var fe errs.Fields
	for h, vals := range byHeader {
		field := ""
		for i, col := range header {
			if strings.EqualFold(strings.TrimSpace(col), strings.TrimSpace(h)) && choice[i] != "" {
				field = choice[i]
				break
			}
		}
		if field == "" {
			fe.Add("mapping", "values_not_choice", "gives values for the column %q, which goes into no choice field", h)
			continue
		}
		if out[field] == nil {
			out[field] = map[string]string{}
		}
		for v, d := range vals {
			out[field][v] = d
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// valuesJSON is what the API shows of an import's choice columns: nil
// when it has none, or when its file can no longer be read.
func (m *Module) valuesJSON(ctx context.Context, imp Import) *[]ValueColumn {
	cols, err := m.ValueColumns(ctx, imp)
	if err != nil || len(cols) == 0 {
		return nil
	}
	return &cols
}
