package exports

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// RegisterAPI adds the export endpoints:
//
//	GET /api/v1/{entity}/export   a list (filter, sort, columns, view) as CSV or XLSX
//	GET /api/v1/search/export     a search result
//
// One route per entity: a {entity} wildcard would clash with the entities'
// own /api/v1/{entity}/{id}.
func (x *Exporter) RegisterAPI(rt *api.Router) {
	for _, e := range x.reg.All() {
		rt.Handle("GET "+api.Prefix+"/"+e.Name+"/export", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			req, err := parseList(r.URL.Query(), e)
			if err != nil {
				return err
			}
			req.Location = requestLocation(r)
			ex, err := x.List(r.Context(), p, req)
			if err != nil {
				return err
			}
			return x.send(w, r, ex)
		})
	}
	rt.Handle("GET "+api.Prefix+"/search/export", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		req, err := parseSearch(r.URL.Query())
		if err != nil {
			return err
		}
		req.Location = requestLocation(r)
		ex, err := x.Search(r.Context(), p, req)
		if err != nil {
			return err
		}
		return x.send(w, r, ex)
	})
}

// OpenAPI documents the export endpoints of the entities.
func OpenAPI(entities []*records.Entity) []byte {
	formatParams := []any{
		map[string]any{"name": "format", "in": "query", "schema": map[string]any{"type": "string", "enum": []string{"csv", "xlsx"}, "default": "csv"},
			"description": "csv: UTF-8 with a byte order mark, comma-separated. xlsx: an Excel workbook."},
		map[string]any{"name": "headers", "in": "query", "schema": map[string]any{"type": "string", "enum": []string{"names", "labels"}, "default": "names"},
			"description": "names: field names (first_name, custom.budget), which the import maps without help. labels: field labels in the caller's language, for people."},
		map[string]any{"name": "X-Time-Zone", "in": "header", "schema": map[string]any{"type": "string"},
			"description": "The zone date-times are written in and relative dates in the filter are read in, e.g. Asia/Makassar; default: the caller's."},
	}
	file := map[string]any{
		"description": "The file, as an attachment. Header row of field names; columns by default: id, every field, created_at, updated_at, with a reference as what it points at (account_name, contact_name and contact_email, owner_email) instead of its ID. Lists are one cell, values separated by \", \"; money in major units; in CSV, text starting with = + - @ is preceded by an apostrophe. An XLSX cell holds at most 32,767 characters: longer text is cut there, so export long notes as CSV.",
		"headers":     map[string]any{"Content-Disposition": map[string]any{"schema": map[string]any{"type": "string"}, "description": "attachment; filename=\"contacts-2026-01-31.csv\""}},
		"content": map[string]any{
			"text/csv": map[string]any{"schema": map[string]any{"type": "string"}},
			XLSXType:   map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}},
		},
	}
	problems := func(codes ...string) map[string]any {
		out := map[string]any{"200": file}
		for _, c := range codes {
			name := map[string]string{"401": "Unauthorized", "404": "NotFound", "422": "Invalid"}[c]
			out[c] = map[string]any{"$ref": "#/components/responses/" + name}
		}
		return out
	}
	paths := map[string]any{}
	for _, e := range entities {
		params := []any{
			map[string]any{"name": "filter", "in": "query", "schema": map[string]any{"type": "string"}, "description": "A filter expression, as the list takes it."},
			map[string]any{"name": "sort", "in": "query", "schema": map[string]any{"type": "string"}, "description": "Comma-separated fields, `-` for descending, as the list takes it."},
			map[string]any{"name": "columns", "in": "query", "schema": map[string]any{"type": "string"}, "description": "Comma-separated field names; default: every field, references by name (account_name, owner_email). A reference field named here (account_id) gives its ID, then its name columns."},
			map[string]any{"name": "view", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1}, "description": "A saved view whose filter, sort and columns apply where filter, sort and columns are not given."},
		}
		paths[api.Prefix+"/"+e.Name+"/export"] = map[string]any{"get": map[string]any{
			"operationId": operationID(e.Name), "summary": "Export the list as CSV or XLSX", "tags": []string{e.Name},
			"parameters": append(params, formatParams...), "responses": problems("401", "404", "422"),
		}}
	}
	paths[api.Prefix+"/search/export"] = map[string]any{"get": map[string]any{
		"operationId": "exportSearch", "summary": "Export a search result as CSV or XLSX", "tags": []string{"search"},
		"description": "Without entity, a CSV lists the hits (entity, id, title, detail) and an XLSX adds a sheet of full records per entity found. With entity, the file holds that entity's hits as full records, which the import reads. At most 10,000 hits.",
		"parameters": append([]any{
			map[string]any{"name": "q", "in": "query", "required": true, "schema": map[string]any{"type": "string"}, "description": "What to search for, as GET /api/v1/search takes it."},
			map[string]any{"name": "entity", "in": "query", "schema": map[string]any{"type": "string"}, "description": "Only this entity's hits, as full records."},
			map[string]any{"name": "columns", "in": "query", "schema": map[string]any{"type": "string"}, "description": "With entity: comma-separated field names."},
		}, formatParams...),
		"responses": problems("401", "422"),
	}}
	b, _ := json.Marshal(map[string]any{"paths": paths})
	return b
}

// operationID is "exportContacts" for "contacts".
func operationID(entity string) string {
	var b strings.Builder
	b.WriteString("export")
	for _, w := range strings.Split(entity, "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
