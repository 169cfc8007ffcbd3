package records

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// Inline edit: one field of a record changed where it is shown — on the
// record's page or in a list's cell — through the same store update as
// the whole form, with the record's version, so a change someone else
// made meanwhile is refused (412) rather than overwritten. With htmx the
// form and then the new value replace the value in place; without
// JavaScript the pencil leads to a page with the one field.

// inlineField is the one-field form, or the value it saved.
type inlineField struct {
	Entity  *Entity
	URL     string // the form's address: /contacts/12/fields/city
	Back    string // the record's page
	InputID string // unique among a list's cells: "inline-12-city"
	InCell  bool   // shown in a list's cell rather than on the record's page
	Version int64
	Input   formInput
	Value   cell // after saving
	Label   string
	Stale   bool // refused because the record changed meanwhile
}

// inlineInputID is the id of an inline form's input, unique on a list
// whose rows may each have the form open.
func inlineInputID(id int64, field string) string {
	return fmt.Sprintf("inline-%d-%s", id, strings.ReplaceAll(field, ".", "-"))
}

// editableField returns the record's field name when the viewer may
// change it inline, else not found.
func (h *pages) editableField(c *web.Ctx, rec *Record) (Field, error) {
	if !h.canWriteRecord(c.R.Context(), *c.User, rec) {
		return Field{}, errs.E(errs.Forbidden, "Your role may not change this record.").WithKey("error.forbidden_record")
	}
	name := c.R.PathValue("field")
	for _, f := range writable(rec.fields) {
		if f.Name == name && inlineEditable(f) {
			return f, nil
		}
	}
	return Field{}, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
}

// inlineEditable reports whether a field is changed in place: every
// field a form offers, but for a set of boxes, which needs the form.
func inlineEditable(f Field) bool { return !f.ReadOnly && f.Kind != MultiSelect }

func (h *pages) inlineRecord(c *web.Ctx) (Record, Field, error) {
	id, err := webPathID(c)
	if err != nil {
		return Record{}, Field{}, err
	}
	rec, err := h.s.Get(c.R.Context(), *c.User, h.e, id)
	if err != nil {
		return Record{}, Field{}, err
	}
	f, err := h.editableField(c, &rec)
	return rec, f, err
}

func (h *pages) inlineData(c *web.Ctx, rec *Record, f Field, typed bool) (*inlineField, error) {
	inCell := c.R.URL.Query().Get("in") == "cell" || c.R.PostForm.Get("in") == "cell"
	d := &inlineField{Entity: h.e, Back: fmt.Sprintf("%s/%d", h.base, rec.ID), InCell: inCell,
		URL: fmt.Sprintf("%s/%d/fields/%s/edit", h.base, rec.ID, f.Name), InputID: inlineInputID(rec.ID, f.Name),
		Version: rec.Version, Label: fieldLabel(c, f)}
	var form = c.R.PostForm
	if !typed {
		form = nil
	}
	fp, err := h.formData(c, []Field{f}, rec, form)
	if err != nil {
		return nil, err
	}
	if len(fp.Inputs) == 1 {
		d.Input = fp.Inputs[0]
		d.Input.ID = d.InputID
		d.Input.FirstCustom = false
	}
	return d, nil
}

func (h *pages) fieldForm(c *web.Ctx) error {
	rec, f, err := h.inlineRecord(c)
	if err != nil {
		return err
	}
	d, err := h.inlineData(c, &rec, f, false)
	if err != nil {
		return err
	}
	if c.R.URL.Query().Get("show") == "value" {
		fm, err := h.formatter(c)
		if err != nil {
			return err
		}
		d.Value = fm.cell(f, &rec)
		return c.RenderPartial("records_inline", "records_inline_value", d)
	}
	if c.R.Header.Get("HX-Request") == "true" {
		return c.RenderPartial("records_inline", "records_inline_form", d)
	}
	return c.Render("records_inline", h.e.Singular, h.nav, d)
}

func (h *pages) saveField(c *web.Ctx) error {
	rec, f, err := h.inlineRecord(c)
	if err != nil {
		return err
	}
	partial := c.R.Header.Get("HX-Request") == "true"
	version, _ := strconv.ParseInt(c.Form("version"), 10, 64)
	if version < 1 {
		version = -1
	}
	saved, err := h.s.Update(c.R.Context(), *c.User, h.e, rec.ID, formValues(c, []Field{f}, &rec), version)
	if err != nil {
		localAmountExamples(c, err, []Field{f}, &rec)
		d, derr := h.inlineData(c, &rec, f, true)
		if derr != nil {
			return derr
		}
		d.Version = version
		d.Stale = errs.CodeOf(err) == errs.PreconditionFailed
		if partial {
			return c.RenderPartialForm("records_inline", "records_inline_form", d, err)
		}
		return c.RenderForm("records_inline", h.e.Singular, h.nav, d, err)
	}
	if !partial {
		return c.Redirect(fmt.Sprintf("%s/%d", h.base, rec.ID), "flash.record_saved")
	}
	fm, err := h.formatter(c)
	if err != nil {
		return err
	}
	d, err := h.inlineData(c, &saved, f, false)
	if err != nil {
		return err
	}
	d.Value = fm.cell(f, &saved)
	c.W.Header().Set("HX-Trigger", "record-saved")
	return c.RenderPartial("records_inline", "records_inline_value", d)
}
