package imports

import (
	"github.com/relasi/relasi/internal/web"
)

// pageStart imports a checked file for real, as a new import.
func (m *Module) pageStart(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	started, err := m.Start(c.R.Context(), *c.User, imp.ID)
	if err != nil {
		return err
	}
	if _, err := m.Launch(c.R.Context(), started); err != nil {
		return err
	}
	return c.Redirect(importURL(started.ID), "")
}

// pageResume continues an import that stopped, from its checkpoint.
func (m *Module) pageResume(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	if imp.Status == Undoing {
		if _, err := m.RequestUndo(c.R.Context(), *c.User, imp.ID); err != nil {
			return err
		}
		return c.Redirect(importURL(imp.ID), "")
	}
	if _, err := m.Launch(c.R.Context(), imp); err != nil {
		return err
	}
	return c.Redirect(importURL(imp.ID), "")
}

func (m *Module) pageUndo(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	done, err := m.RequestUndo(c.R.Context(), *c.User, imp.ID)
	if err != nil {
		return err
	}
	flash := "flash.import_undone"
	if done.Status == Undoing {
		flash = "flash.import_undoing"
	}
	return c.Redirect(importURL(imp.ID), flash)
}

func (m *Module) pageDelete(c *web.Ctx) error {
	imp, err := m.pageImport(c)
	if err != nil {
		return err
	}
	if err := m.Remove(c.R.Context(), *c.User, imp.ID); err != nil {
		return err
	}
	return c.Redirect("/imports", "flash.import_removed")
}
