package imports

import (
	"time"

	"github.com/relasi/relasi/internal/web"
)

// showData is what the import page and its progress bar show.
type showData struct {
	Import      Import
	EntityLabel string
	Failures    []Failure
	More        bool // more rejected rows than shown: see the report
	Skipped     []Failure
	RowsPerSec  float64
	Percent     int
	// Values are the choice columns whose values reject rows (a check's).
	Values    []valueSection
	Migration *migrationView // a dry run's unknown owners (web_migration.go)
	Next      nextStep       // what a finished dry run offers
}

func (m *Module) showData(c *web.Ctx, imp Import) (showData, error) {
	d := showData{Import: imp, EntityLabel: m.entityLabel(c, imp.Entity), Percent: int(imp.Progress() * 100), Next: nextStepOf(imp)}
	if imp.StartedAt != nil {
		end := time.Now()
		if imp.FinishedAt != nil {
			end = *imp.FinishedAt
		}
		if secs := end.Sub(*imp.StartedAt).Seconds(); secs > 0 {
			d.RowsPerSec = float64(imp.Counts.Rows()) / secs
		}
	}
	if imp.Active() || imp.Status == Pending {
		return d, nil
	}
	var err error
	d.Failures, d.Skipped, d.More, err = m.rowsNotImported(c, imp)
	if err != nil {
		return d, err
	}
	d.Values = m.valueWarnings(c, imp)
	d.Migration, err = m.migrationReport(c, imp)
	return d, err
}

func (m *Module) pageShow(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	if imp.Status == Pending {
		return c.Redirect(importURL(imp.ID)+"/mapping", "")
	}
	d, err := m.showData(c, imp)
	if err != nil {
		return err
	}
	return c.Render("imports_show", "imports.show_title", "imports", d)
}

// pageProgress is the progress bar alone, which the page polls every
// second while the import runs. Once it has ended, htmx reloads the page
// to show the summary.
func (m *Module) pageProgress(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	noStore(c.W)
	if !imp.Active() {
		c.W.Header().Set("HX-Refresh", "true")
	}
	d, err := m.showData(c, imp)
	if err != nil {
		return err
	}
	return c.RenderPartial("imports_show", "imports_progress", d)
}

func (m *Module) pageErrors(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	return m.serveErrors(c.W, c.R, imp, *c.User, c)
}
