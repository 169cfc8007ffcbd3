package imports

import (
	"github.com/relasi/relasi/internal/web"
)

// importRow is one import in the list.
type importRow struct {
	Import
	EntityLabel string
}

func (m *Module) pageList(c *web.Ctx) error {
	list, err := m.List(c.R.Context(), *c.User, 100, 0)
	if err != nil {
		return err
	}
	rows := make([]importRow, len(list))
	for i, imp := range list {
		rows[i] = importRow{Import: imp, EntityLabel: m.entityLabel(c, imp.Entity)}
	}
	return c.Render("imports_list", "imports.title", "imports", map[string]any{"Imports": rows, "CanImport": canImport(c.User) == nil})
}
