package imports

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// itemJSON is one row's outcome as the items API shows it.
type itemJSON struct {
	Row    int64       `json:"row"`
	Entity string      `json:"entity"`
	Action string      `json:"action"`
	Record *recordJSON `json:"record"`
	Reason string      `json:"reason"`
	Fields []fieldJSON `json:"fields,omitempty"`
}

// recordJSON is the record a row created or updated, or the one a skipped
// row repeats; its title is null when it is not the caller's to see.
type recordJSON struct {
	Entity string  `json:"entity"`
	ID     int64   `json:"id"`
	Title  *string `json:"title"`
}

// fieldJSON is one field's problem in a failed row.
type fieldJSON struct {
	Field   string   `json:"field"`
	Columns []string `json:"columns"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

var itemActions = []string{"created", "updated", "skipped", "failed"}

// apiItems lists what became of each row of an import, in file order:
// GET /api/v1/imports/{id}/items?action=skipped,failed&limit=100&cursor=…
func (m *Module) apiItems(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	imp, err := m.pathImport(r, p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	iq := ItemsQuery{Limit: 100}
	var fe errs.Fields
	if s := q.Get("action"); s != "" {
		for _, a := range strings.Split(s, ",") {
			a = strings.TrimSpace(a)
			if !slices.Contains(itemActions, a) {
				fe.Add("action", "invalid_choice", "must be one or more of: %s, separated by commas", strings.Join(itemActions, ", "))
				break
			}
			iq.Actions = append(iq.Actions, a)
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			fe.Add("limit", "out_of_range", "must be a whole number from 1 to 500")
		}
		iq.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		row, id, ok := parseItemCursor(s)
		if !ok {
			fe.Add("cursor", "invalid", "is not a cursor from this list; start again without it")
		}
		iq.AfterRow, iq.AfterID = row, id
	}
	if err := fe.Err(); err != nil {
		return err
	}
	limit := iq.Limit
	iq.Limit++
	items, err := m.Items(r.Context(), imp, iq)
	if err != nil {
		return err
	}
	out := struct {
		Items      []itemJSON `json:"items"`
		NextCursor string     `json:"next_cursor,omitempty"`
	}{Items: []itemJSON{}}
	if len(items) > limit {
		items = items[:limit]
		out.NextCursor = itemCursor(items[limit-1])
	}
	words, err := m.wording(r.Context(), imp.Entity, p, nil)
	if err != nil {
		return err
	}
	refs := make([]RecordRef, len(items))
	for i, it := range items {
		refs[i] = itemRecord(it)
	}
	if err := words.lookUpRecords(r.Context(), refs); err != nil {
		return err
	}
	for i, it := range items {
		j := itemJSON{Row: it.Row, Entity: it.Entity, Action: it.Action, Reason: it.Facts.English}
		if ref := refs[i]; ref.ID != 0 {
			j.Record = &recordJSON{Entity: ref.Entity, ID: ref.ID}
			if t := words.titles[ref]; t != "" {
				j.Record.Title = &t
			}
		}
		for _, f := range it.Facts.Fields {
			cols := f.Columns
			if cols == nil {
				cols = []string{}
			}
			j.Fields = append(j.Fields, fieldJSON{Field: f.Field, Columns: cols, Code: f.Code, Message: f.Message})
		}
		out.Items = append(out.Items, j)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// itemRecord is the record an item is about: the one a skipped row
// repeats, else the one the row made.
func itemRecord(it Item) RecordRef {
	if it.Facts.Record != nil {
		return *it.Facts.Record
	}
	if it.RecordID != 0 {
		return RecordRef{Entity: it.Entity, ID: it.RecordID}
	}
	return RecordRef{}
}

// ItemsOpenAPI documents the items endpoint.
var ItemsOpenAPI = []byte(`{
  "paths": {
    "/api/v1/imports/{id}/items": {
      "get": {"operationId": "listImportItems", "summary": "What became of each row of an import, in file order: created, updated, skipped (a duplicate, with the record it repeats) or failed, with the reason", "tags": ["imports"],
        "parameters": [{"$ref": "#/components/parameters/Id"},
          {"name": "action", "in": "query", "description": "Only rows with these outcomes, separated by commas, e.g. skipped,failed for every row not imported.", "schema": {"type": "string"}},
          {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "One page of rows", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ImportItem"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    }
  },
  "components": {"schemas": {
    "ImportItem": {"type": "object", "additionalProperties": false, "required": ["row", "entity", "action", "record", "reason"],
      "properties": {
        "row": {"type": "integer", "description": "The row as a spreadsheet numbers it: the header is row 1, the first data row row 2, whatever line breaks the cells hold."},
        "entity": {"type": "string", "description": "What the row went into; a contact's new account is an item of its own."},
        "action": {"type": "string", "enum": ["created", "updated", "skipped", "failed"]},
        "record": {"type": ["object", "null"], "description": "The record the row created or updated, or the one a skipped row repeats (null when none, and for what a dry run would create).",
          "additionalProperties": false, "required": ["entity", "id", "title"],
          "properties": {"entity": {"type": "string"}, "id": {"type": "integer"}, "title": {"type": ["string", "null"], "description": "Null when the record is not yours to see."}}},
        "reason": {"type": "string", "description": "Why the row was skipped or failed, in English; empty for created and updated rows. A failed row that also repeats a record says both."},
        "fields": {"type": "array", "description": "A failed row's problems, one per field (the same codes as the entity's own API).", "items": {"type": "object", "additionalProperties": false, "required": ["field", "columns", "code", "message"],
          "properties": {"field": {"type": "string"}, "columns": {"type": "array", "items": {"type": "string"}, "description": "The file's columns the value came from."}, "code": {"type": "string"}, "message": {"type": "string"}}}}}}
  }}
}`)
