package imports

import (
	"fmt"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// samplesShown is how many values of each column the mapping page shows.
const samplesShown = 3

// mappingColumn is one column on the mapping page.
type mappingColumn struct {
	Index    int
	Name     string // the form field: col_<index>
	Header   string
	Samples  []string
	Selected string
}

// targetChoice is a field in the mapping selects, labelled for the user.
type targetChoice struct {
	Name, Label string
}

func (m *Module) mappingData(c *web.Ctx, imp Import, selected []string) (map[string]any, error) {
	targets, err := m.TargetsOf(c.R.Context(), imp.Entity)
	if err != nil {
		return nil, err
	}
	choices := make([]targetChoice, 0, len(targets))
	for _, t := range targets {
		label := t.Label
		if !t.Custom {
			label = c.T(t.Label)
		}
		choices = append(choices, targetChoice{Name: t.Name, Label: label})
	}
	sample, err := m.Sample(imp, samplesShown)
	if err != nil {
		return nil, err
	}
	cols := make([]mappingColumn, len(imp.Headers))
	for i, h := range imp.Headers {
		cols[i] = mappingColumn{Index: i, Name: fmt.Sprintf("col_%d", i), Header: h, Selected: selected[i]}
		for _, row := range sample {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				cols[i].Samples = append(cols[i].Samples, row[i])
			}
		}
	}
	onDup := imp.Options.OnDuplicate
	if onDup == "" {
		onDup = Skip
	}
	data := map[string]any{"Import": imp, "EntityLabel": m.entityLabel(c, imp.Entity), "Columns": cols, "Targets": choices,
		"OnDuplicate": string(onDup), "Modes": []OnDuplicate{Skip, Update, Create}}
	return data, m.migrationData(c, imp, selected, data)
}

func (m *Module) pageMapping(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	if !imp.DryRun || imp.Active() {
		return c.Redirect(importURL(imp.ID), "")
	}
	data, err := m.mappingData(c, imp, imp.Mapping)
	if err != nil {
		return err
	}
	if err := m.valuesData(c, data, imp, imp.Mapping, imp.Options.Values); err != nil {
		return err
	}
	return c.Render("imports_mapping", "imports.mapping_title", "imports", data)
}

// pageMappingSave keeps the mapping (and, when asked, remembers it for the
// next file) and checks the file with a dry run.
func (m *Module) pageMappingSave(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	mapping := make([]string, len(imp.Headers))
	for i := range imp.Headers {
		mapping[i] = c.Form(fmt.Sprintf("col_%d", i))
	}
	values, err := m.valuesFromForm(c, imp, mapping)
	opts := Options{OnDuplicate: OnDuplicate(c.Form("on_duplicate")), Values: values}
	migrationForm(c, &opts)
	ctx := c.R.Context()
	opts.NewLeads = imp.Entity == "leads" && c.Form("new_leads") != ""
	imp.Options.NewLeads = opts.NewLeads // ticked again on a refused form
	var configured Import
	if err == nil {
		configured, err = m.Configure(ctx, *c.User, imp.ID, mapping, opts, true)
	}
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		data, derr := m.mappingData(c, imp, mapping)
		if derr != nil {
			return derr
		}
		if derr := m.valuesData(c, data, imp, mapping, values); derr != nil {
			return derr
		}
		data["OnDuplicate"] = c.Form("on_duplicate")
		return c.RenderForm("imports_mapping", "imports.mapping_title", "imports", data, err)
	}
	if err != nil {
		return err
	}
	if c.Form("save_mapping") != "" {
		if err := m.SaveMapping(ctx, c.User.UserID, imp.Entity, configured.MappingByHeader()); err != nil {
			return err
		}
		if err := m.SaveValues(ctx, c.User.UserID, configured); err != nil {
			return err
		}
	}
	if _, err := m.Launch(ctx, configured); err != nil {
		return err
	}
	return c.Redirect(importURL(imp.ID), "")
}
