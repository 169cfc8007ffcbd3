package records

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/web"
)

type formPage struct {
	Entity  *Entity
	Base    string
	Heading string
	Action  string // where the form posts
	Cancel  string
	Editing bool
	Version int64
	Inputs  []formInput
	// Others are problems of fields the form has no input for (a hook's
	// rule about a read-only field), shown above the form.
	Others []string
}

// formInput is one input, its widget chosen by the field's kind.
type formInput struct {
	Name     string // the form field, as the API names it
	ID       string // the HTML id
	Label    string
	Widget   string // text, email, url, tel, textarea, integer, number, money, date, datetime, checkbox, select, checkboxes, list, refid
	Required bool
	Custom   bool
	Value    string
	Checked  bool
	Options  []option
	Currency string // money: the currency code
	Hint     string // money: "0.00"; refid: the current record's title
	// Lookup is where a reference field's picker finds records
	// (/contacts/lookup); Title the chosen record's name, which the
	// picker shows.
	Lookup string
	Title  string
	// LookupBy is the HTML id of the select naming the entity of an ID
	// that may be of several (an activity's related record); Lookups
	// are then each entity's lookup, Value its name and Label its URL.
	LookupBy string
	Lookups  []option
	// FirstCustom marks the first custom field, where the form starts
	// the custom fields' section.
	FirstCustom bool
}

func (h *pages) newForm(c *web.Ctx) error {
	if err := c.User.CanWriteAny(); err != nil {
		return err
	}
	fields, err := h.s.Fields(c.R.Context(), h.e)
	if err != nil {
		return err
	}
	d, err := h.formData(c, fields, nil, nil)
	if err != nil {
		return err
	}
	return c.Render("records_form", h.e.Singular, h.nav, d)
}

func (h *pages) create(c *web.Ctx) error {
	ctx := c.R.Context()
	fields, err := h.s.Fields(ctx, h.e)
	if err != nil {
		return err
	}
	rec, err := h.s.Create(ctx, *c.User, h.e, formValues(c, fields, nil))
	if err != nil {
		localAmountExamples(c, err, fields, nil)
		d, derr := h.formData(c, fields, nil, c.R.PostForm)
		if derr != nil {
			return derr
		}
		d.Others = otherProblems(c, err, d.Inputs)
		return c.RenderForm("records_form", h.e.Singular, h.nav, d, err)
	}
	return c.Redirect(fmt.Sprintf("%s/%d", h.base, rec.ID), "flash.record_created")
}

func (h *pages) editForm(c *web.Ctx) error {
	ctx := c.R.Context()
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	rec, err := h.s.Get(ctx, *c.User, h.e, id)
	if err != nil {
		return err
	}
	if !h.canWriteRecord(ctx, *c.User, &rec) {
		return errs.E(errs.Forbidden, "Your role may not change this record.").WithKey("error.forbidden_record")
	}
	d, err := h.formData(c, rec.fields, &rec, nil)
	if err != nil {
		return err
	}
	return c.Render("records_form", h.e.Singular, h.nav, d)
}

func (h *pages) update(c *web.Ctx) error {
	ctx := c.R.Context()
	id, err := webPathID(c)
	if err != nil {
		return err
	}
	old, err := h.s.Get(ctx, *c.User, h.e, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.Form("version"), 10, 64)
	if version < 1 {
		version = -1 // a form without its version is stale by definition
	}
	_, err = h.s.Update(ctx, *c.User, h.e, id, formValues(c, old.fields, &old), version)
	if err != nil {
		localAmountExamples(c, err, old.fields, &old)
		d, derr := h.formData(c, old.fields, &old, c.R.PostForm)
		if derr != nil {
			return derr
		}
		d.Version = version
		d.Others = otherProblems(c, err, d.Inputs)
		return c.RenderForm("records_form", h.e.Singular, h.nav, d, err)
	}
	return c.Redirect(fmt.Sprintf("%s/%d", h.base, id), "flash.record_saved")
}

// writable are the fields a form offers: every field but the read-only
// ones, standard fields first, then the owner, then custom fields.
func writable(fields []Field) []Field {
	var out []Field
	for _, f := range fields {
		if !f.ReadOnly {
			out = append(out, f)
		}
	}
	return out
}

// formData builds the form for rec (nil when creating), showing what was
// typed when form is not nil.
func (h *pages) formData(c *web.Ctx, fields []Field, rec *Record, form url.Values) (*formPage, error) {
	ctx := c.R.Context()
	d := &formPage{Entity: h.e, Base: h.base, Heading: c.T("records.new_of", c.T(h.e.Singular)), Action: h.base + "/new", Cancel: h.base}
	if rec != nil {
		d.Editing, d.Version = true, rec.Version
		d.Action = fmt.Sprintf("%s/%d/edit", h.base, rec.ID)
		d.Cancel = fmt.Sprintf("%s/%d", h.base, rec.ID)
		d.Heading = h.heading(c, rec)
	}
	fmtr := c.Fmt()
	for _, f := range writable(fields) {
		in := formInput{Name: f.Name, ID: "f-" + strings.ReplaceAll(f.Name, ".", "-"), Label: fieldLabel(c, f), Required: f.Required, Custom: f.Custom}
		var cur any
		if rec != nil {
			cur = rec.Get(f.Name)
		}
		typed := func() string { return form.Get(f.Name) }
		switch f.Kind {
		case LongText:
			in.Widget = "textarea"
		case Email:
			in.Widget = "email"
		case URL:
			in.Widget = "url"
		case Phone:
			in.Widget = "tel"
		case Integer:
			in.Widget = "integer"
		case Number:
			in.Widget = "number"
		case Money:
			in.Widget = "money"
		case Date:
			in.Widget = "date"
		case DateTime:
			in.Widget = "datetime"
		case Bool:
			in.Widget = "checkbox"
		case Select:
			in.Widget = "select"
		case MultiSelect:
			in.Widget = "checkboxes"
		case List:
			in.Widget = "list"
		case Ref, User:
			in.Widget = "select"
		default:
			in.Widget = "text"
		}

		// The value: what was typed, else the record's, as the input
		// expects it.
		switch {
		case f.Kind == Bool:
			if form != nil {
				in.Checked = form.Has(f.Name)
			} else {
				in.Checked, _ = cur.(bool)
			}
		case f.Kind == MultiSelect:
			var chosen []string
			if form != nil {
				chosen = form[f.Name]
			} else {
				chosen, _ = cur.([]string)
			}
			for _, ch := range f.Choices {
				in.Options = append(in.Options, option{Value: ch, Label: choiceLabel(c, f, ch), Selected: slices.Contains(chosen, ch)})
			}
		case form != nil:
			in.Value = typed()
		case rec == nil && c.R.URL.Query().Has(f.Name):
			// A new record prefilled by the link that opened the form:
			// "New deal" on a contact's page names the contact.
			in.Value = c.R.URL.Query().Get(f.Name)
		case cur == nil:
		case f.Kind == List:
			l, _ := cur.([]string)
			in.Value = strings.Join(l, "\n")
		case f.Kind == Money:
			cc := moneyCurrency(f, rec.String(f.CurrencyField))
			in.Value = strings.Replace(string(FormatAmount(cur.(int64), f.exponent(cc))), ".", decimalSeparator(fmtr), 1)
		case f.Kind == DateTime:
			in.Value = cur.(time.Time).In(fmtr.Location()).Format("2006-01-02T15:04")
		case f.Kind == Number:
			in.Value = strings.Replace(strconv.FormatFloat(cur.(float64), 'f', -1, 64), ".", decimalSeparator(fmtr), 1)
		default:
			in.Value = fmt.Sprint(cur)
		}

		switch f.Kind {
		case Money:
			var recCur string
			if rec != nil {
				recCur = rec.String(f.CurrencyField)
			}
			if form != nil && f.CurrencyField != "" && form.Get(f.CurrencyField) != "" {
				recCur = form.Get(f.CurrencyField)
			}
			in.Currency = moneyCurrency(f, recCur)
			in.Hint = "0"
			if exp := f.exponent(in.Currency); exp > 0 {
				in.Hint += decimalSeparator(fmtr) + strings.Repeat("0", exp)
			}
		case Select:
			for _, ch := range f.Choices {
				in.Options = append(in.Options, option{Value: ch, Label: choiceLabel(c, f, ch), Selected: ch == in.Value})
			}
		case User:
			var keep int64
			if id, ok := cur.(int64); ok {
				keep = id
			}
			if rec == nil && form == nil && h.e.Owned {
				in.Value = strconv.FormatInt(c.User.UserID, 10) // a new record is the creator's
			}
			users, err := h.activeUsers(ctx, keep)
			if err != nil {
				return nil, err
			}
			in.Options = markSelected(users, in.Value)
		case Ref:
			in.Lookup = h.s.LookupURL(f.Ref)
			if id, err := strconv.ParseInt(in.Value, 10, 64); err == nil {
				if rec != nil && form == nil {
					in.Title = shownTitle(c, f, rec.Titles[f.Name])
				} else {
					in.Title = shownTitle(c, f, h.s.Title(ctx, *c.User, f.Ref, id))
				}
			}
			opts, ok, err := h.refOptions(c, f)
			if err != nil {
				return nil, err
			}
			if ok {
				in.Options = markSelected(opts, in.Value)
				// A record the user may not read, or one in the trash,
				// stays selectable by its ID rather than being dropped.
				if in.Value != "" && !slices.ContainsFunc(in.Options, func(o option) bool { return o.Selected }) {
					in.Options = append(in.Options, option{Value: in.Value, Label: "#" + in.Value, Selected: true})
				}
			} else {
				in.Widget = "refid"
				in.Hint = in.Title
			}
		}
		if f.RefBy != "" {
			h.polymorphicRef(c, &in, f, fields, rec, form)
		}
		in.FirstCustom = f.Custom && !slices.ContainsFunc(d.Inputs, func(x formInput) bool { return x.Custom })
		d.Inputs = append(d.Inputs, in)
	}
	return d, nil
}

// polymorphicRef makes in, the input of an ID field whose entity another
// field names (Field.RefBy), a picker over that entity's records: the
// chosen record's name is the one of the entity named now.
func (h *pages) polymorphicRef(c *web.Ctx, in *formInput, f Field, fields []Field, rec *Record, form url.Values) {
	by, ok := fieldByName(fields, f.RefBy)
	if !ok {
		return
	}
	in.Widget = "refid"
	in.LookupBy = "f-" + strings.ReplaceAll(by.Name, ".", "-")
	for _, ch := range by.Choices {
		if u := h.s.LookupURL(ch); u != "" {
			in.Lookups = append(in.Lookups, option{Value: ch, Label: u})
		}
	}
	entity := ""
	switch {
	case form != nil:
		entity = form.Get(by.Name)
	case rec != nil:
		entity = rec.String(by.Name)
	}
	if id, err := strconv.ParseInt(in.Value, 10, 64); err == nil && entity != "" {
		in.Title = h.s.Title(c.R.Context(), *c.User, entity, id)
		in.Hint = in.Title
	}
}

func markSelected(opts []option, value string) []option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Selected = out[i].Value == value
	}
	return out
}

// decimalSeparator is the user's decimal mark: "." in English, "," in
// Indonesian.
func decimalSeparator(f i18n.Formatter) string {
	return f.Number(0.5, 1)[1:2]
}

// formValues maps a submitted form to the store's Input: text as typed
// (empty clears), lists one item per line or comma, multi-selects from the
// repeated checkboxes, booleans from the checkbox's presence, money and
// numbers in the user's notation, date-times in the user's zone. What
// stays text goes on as FormText, read by each field's kind.
func formValues(c *web.Ctx, fields []Field, old *Record) Input {
	form := c.R.PostForm
	fmtr := c.Fmt()
	in := Input{}
	for _, f := range writable(fields) {
		v := strings.TrimSpace(form.Get(f.Name))
		switch f.Kind {
		case Bool:
			switch {
			case form.Has(f.Name):
				in[f.Name] = true
			case old != nil && old.Get(f.Name) == nil:
				in[f.Name] = nil // left unticked and never set: stays unset
			default:
				in[f.Name] = false
			}
		case MultiSelect:
			in[f.Name] = slices.DeleteFunc(slices.Clone(form[f.Name]), func(s string) bool { return strings.TrimSpace(s) == "" })
			if len(in[f.Name].([]string)) == 0 {
				in[f.Name] = nil
			}
		case List:
			items := strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })
			if len(items) == 0 {
				in[f.Name] = nil
			} else {
				in[f.Name] = items
			}
		case Money:
			in[f.Name] = FormText(v)
			if v == "" {
				break
			}
			cur := formCurrency(f, form, old)
			if minor, err := i18n.ParseMoney(fmtr.Lang(), v, cur); err == nil {
				in[f.Name] = FormText(FormatAmount(minor, f.exponent(cur)))
			}
		case Integer, Number:
			in[f.Name] = FormText(plainNumber(v, decimalSeparator(fmtr)))
		case DateTime:
			in[f.Name] = FormText(v)
			for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
				if t, err := time.ParseInLocation(layout, v, fmtr.Location()); err == nil {
					in[f.Name] = FormText(t.Format(time.RFC3339))
					break
				}
			}
		default:
			in[f.Name] = FormText(v)
		}
	}
	return in
}

// FormValues maps a form a domain page submits to the store's Input, for
// the given fields, the way the record form does (see formValues).
func FormValues(c *web.Ctx, fields []Field) Input { return formValues(c, fields, nil) }

// formCurrency is the currency an amount typed in a form is in: the
// record's currency as the form sets it, else as it was, else the field's.
func formCurrency(f Field, form url.Values, old *Record) string {
	var recCur string
	if old != nil {
		recCur = old.String(f.CurrencyField)
	}
	if f.CurrencyField != "" && form.Get(f.CurrencyField) != "" {
		recCur = form.Get(f.CurrencyField)
	}
	return moneyCurrency(f, recCur)
}

// localAmountExamples rewrites the example of each amount err refuses in
// the user's notation: the store words it for the API ("150000000.00"),
// and the form shows it as the user writes money ("150.000.000,00").
func localAmountExamples(c *web.Ctx, err error, fields []Field, old *Record) {
	e, ok := errs.As(err)
	if !ok {
		return
	}
	for i, fe := range e.Fields {
		if f, ok := fieldByName(fields, fe.Field); ok && f.Kind == Money && fe.Code == "invalid_amount" {
			e.Fields[i].Args = []any{c.Fmt().AmountExample(formCurrency(f, c.R.PostForm, old))}
		}
	}
}

// plainNumber rewrites a number typed in the user's notation ("1.234,5"
// in Indonesian, "1,234.5" in English) as Go reads it ("1234.5").
func plainNumber(v, dec string) string {
	if dec == "," {
		return strings.Replace(strings.ReplaceAll(v, ".", ""), ",", ".", 1)
	}
	return strings.ReplaceAll(v, ",", "")
}

// otherProblems lists the field errors of err that no input shows.
func otherProblems(c *web.Ctx, err error, inputs []formInput) []string {
	e, ok := errs.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, fe := range e.Fields {
		if slices.ContainsFunc(inputs, func(in formInput) bool { return in.Name == fe.Field }) {
			continue
		}
		msg := fe.Message
		if key := "validation." + fe.Code; c.HasMessage(key) && !strings.Contains(c.T(key), "%") {
			msg = c.T(key)
		}
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		out = append(out, msg)
	}
	return out
}
