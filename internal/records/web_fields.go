package records

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/web"
)

// RegisterCustomFieldsWeb adds the administration of custom fields:
//
//	GET  /settings/fields?entity=contacts  the entity's custom fields and a form to add one
//	POST /settings/fields                  add one
//	GET  /settings/fields/{id}             edit form; POST saves
//	POST /settings/fields/{id}/delete      remove (stored values are kept)
func RegisterCustomFieldsWeb(rt *web.Router, s *Store, reg *Registry) {
	h := &fieldPages{s: s, reg: reg}
	rt.Page("GET /settings/fields", h.list)
	rt.Page("POST /settings/fields", h.create)
	rt.Page("GET /settings/fields/{id}", h.edit)
	rt.Page("POST /settings/fields/{id}", h.save)
	rt.Page("POST /settings/fields/{id}/delete", h.delete)
}

type fieldPages struct {
	s   *Store
	reg *Registry
}

type fieldsPage struct {
	Entity     *Entity
	Tabs       []fieldsTab
	Fields     []customFieldRow
	Field      *CustomField // being edited
	Kinds      []option
	Currencies []string
}

type fieldsTab struct {
	Name, Label, URL string
	Active           bool
}

type customFieldRow struct {
	CustomField
	KindLabel string
}

// fieldsURL is the list of an entity's custom fields.
func fieldsURL(entity string) string {
	return "/settings/fields?" + url.Values{"entity": {entity}}.Encode()
}

func (h *fieldPages) entity(name string) (*Entity, error) {
	if name == "" && len(h.reg.All()) > 0 {
		return h.reg.All()[0], nil
	}
	e, ok := h.reg.Get(name)
	if !ok {
		return nil, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	}
	return e, nil
}

func (h *fieldPages) data(c *web.Ctx, e *Entity, editing *CustomField) (*fieldsPage, error) {
	list, err := h.s.CustomFields(c.R.Context(), e.Name)
	if err != nil {
		return nil, err
	}
	d := &fieldsPage{Entity: e, Field: editing, Currencies: i18n.Currencies()}
	for _, other := range h.reg.All() {
		d.Tabs = append(d.Tabs, fieldsTab{Name: other.Name, Label: c.T(other.Label), URL: fieldsURL(other.Name), Active: other == e})
	}
	for _, cf := range list {
		d.Fields = append(d.Fields, customFieldRow{CustomField: cf, KindLabel: c.T("records.kind." + string(cf.Kind))})
	}
	for _, k := range CustomKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: c.T("records.kind." + string(k))})
	}
	return d, nil
}

func (h *fieldPages) list(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	e, err := h.entity(c.R.URL.Query().Get("entity"))
	if err != nil {
		return err
	}
	d, err := h.data(c, e, nil)
	if err != nil {
		return err
	}
	return c.Render("records_fields", "records.custom_fields", "settings", d)
}

// fieldInput reads the add and edit forms; choices come one per line.
func fieldInput(c *web.Ctx) CustomFieldInput {
	in := CustomFieldInput{Key: c.Form("key"), Label: c.Form("label"), Kind: Kind(c.Form("kind")),
		Required: c.Form("required") != "", Currency: c.Form("currency")}
	for _, line := range strings.Split(c.R.PostForm.Get("choices"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Choices = append(in.Choices, line)
		}
	}
	in.Position, _ = strconv.Atoi(c.Form("position"))
	return in
}

func (h *fieldPages) create(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	e, err := h.entity(c.Form("entity"))
	if err != nil {
		return err
	}
	if _, err := h.s.CreateCustomField(c.R.Context(), *c.User, e, fieldInput(c)); err != nil {
		d, derr := h.data(c, e, nil)
		if derr != nil {
			return derr
		}
		return c.RenderForm("records_fields", "records.custom_fields", "settings", d, err)
	}
	return c.Redirect(fieldsURL(e.Name), "flash.field_created")
}

// customField reads the {id} field and its entity.
func (h *fieldPages) customField(c *web.Ctx) (CustomField, *Entity, error) {
	id, err := webPathID(c)
	if err != nil {
		return CustomField{}, nil, err
	}
	cf, err := h.s.getCustomField(c.R.Context(), h.s.db.Read(), id)
	if err != nil {
		return CustomField{}, nil, err
	}
	e, err := h.entity(cf.Entity)
	if err != nil {
		return CustomField{}, nil, err
	}
	return cf, e, nil
}

func (h *fieldPages) edit(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	cf, e, err := h.customField(c)
	if err != nil {
		return err
	}
	d, err := h.data(c, e, &cf)
	if err != nil {
		return err
	}
	return c.Render("records_field_form", "records.custom_fields", "settings", d)
}

func (h *fieldPages) save(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	cf, e, err := h.customField(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.Form("version"), 10, 64)
	if version < 1 {
		version = -1
	}
	in := fieldInput(c)
	if cf.Kind != Money {
		in.Currency = ""
	}
	if _, err := h.s.UpdateCustomField(c.R.Context(), *c.User, cf.ID, in, version); err != nil {
		d, derr := h.data(c, e, &cf)
		if derr != nil {
			return derr
		}
		return c.RenderForm("records_field_form", "records.custom_fields", "settings", d, err)
	}
	return c.Redirect(fieldsURL(e.Name), "flash.field_saved")
}

func (h *fieldPages) delete(c *web.Ctx) error {
	if err := c.User.CanManage(); err != nil {
		return err
	}
	cf, e, err := h.customField(c)
	if err != nil {
		return err
	}
	if err := h.s.DeleteCustomField(c.R.Context(), *c.User, cf.ID); err != nil {
		return err
	}
	return c.Redirect(fieldsURL(e.Name), "flash.field_deleted")
}
