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
	Values []valueSection
	Migration   *migrationView // a dry run's unknown owners (web_migration.go)
}

func (m *Module) showData(c *web.Ctx, imp Import) (showData, error) {
	d := showData{Import: imp, EntityLabel: m.entityLabel(c, imp.Entity), Percent: int(imp.Progress() * 100)}
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
	rejected, err := m.Failures(c.R.Context(), imp.ID, failuresShown+1, true)
	if err != nil {
		return d, err
	}
	say, err := m.reasonWords(c.R.Context(), imp.Entity, c)
	if err != nil {
		return d, err
	}
	for _, f := range rejected {
		f.Reason = say(f.Facts)
		if f.Action == "failed" {
			d.Failures = append(d.Failures, f)
		} else if len(d.Skipped) < 20 {
			d.Skipped = append(d.Skipped, f)
		}
	}
	if len(rejected) > failuresShown {
		d.More = true
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
	return m.serveErrors(c.W, c.R, imp, c)
}
