package imports

import (
	"mime/multipart"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

func (m *Module) pageNew(c *web.Ctx) error {
	if err := canImport(c.User); err != nil {
		return err
	}
	return c.Render("imports_new", "imports.new_title", "imports", map[string]any{
		"Entities": m.entityChoices(c), "Entity": c.R.URL.Query().Get("entity")})
}

// pageUpload stores the uploaded file and goes on to map its columns.
func (m *Module) pageUpload(c *web.Ctx) error {
	if err := canImport(c.User); err != nil {
		return err
	}
	data := map[string]any{"Entities": m.entityChoices(c), "Entity": c.Form("entity")}
	if c.R.MultipartForm == nil {
		if err := c.R.ParseMultipartForm(8 << 20); err != nil {
			var fe errs.Fields
			fe.Add("file", "required", "choose a CSV or XLSX file")
			return c.RenderForm("imports_new", "imports.new_title", "imports", data, fe.Err())
		}
	}
	defer c.R.MultipartForm.RemoveAll()
	data["Entity"] = formValue(c.R.MultipartForm, "entity")
	files := c.R.MultipartForm.File["file"]
	if len(files) == 0 || files[0].Size == 0 {
		var fe errs.Fields
		fe.Add("file", "required", "choose a CSV or XLSX file")
		return c.RenderForm("imports_new", "imports.new_title", "imports", data, fe.Err())
	}
	f, err := files[0].Open()
	if err != nil {
		return err
	}
	defer f.Close()
	imp, err := m.Upload(c.R.Context(), *c.User, formValue(c.R.MultipartForm, "entity"), files[0].Filename, f, formValue(c.R.MultipartForm, "sheet"))
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid && len(e.Fields) == 0 {
			// A problem with the file itself: shown beside the file input.
			msg := e.Message
			if e.Key != "" && c.HasMessage(e.Key) {
				msg = c.T(e.Key, e.Args...)
			}
			var fe errs.Fields
			fe.Add("file", "bad_file", "%s", msg)
			fe[0].Args = nil
			err = fe.Err()
		}
		return c.RenderForm("imports_new", "imports.new_title", "imports", data, err)
	}
	return c.Redirect(importURL(imp.ID)+"/mapping", "")
}

func formValue(f *multipart.Form, name string) string {
	if v := f.Value[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}
