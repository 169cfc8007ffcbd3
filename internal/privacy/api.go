package privacy

import (
	"net/http"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// EraseInput is the body of an erasure request.
type EraseInput struct {
	// Confirm must be "ERASE" (or the record's name): an erasure cannot
	// be undone.
	Confirm string `json:"confirm"`
}

// RegisterAPI adds the endpoints (administrators only):
//
//	GET  /api/v1/privacy/{entity}/{id}/export   everything about the person, as JSON
//	POST /api/v1/privacy/{entity}/{id}/erase    {confirm: "ERASE"}: anonymise the person
//
// entity is contacts or leads.
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("GET /api/v1/privacy/{entity}/{id}/export", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		x, err := m.Export(r.Context(), p, r.PathValue("entity"), id)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+x.FileName()+`"`)
		w.Header().Set("Cache-Control", "no-store")
		return x.WriteJSON(w)
	})
	rt.Handle("POST /api/v1/privacy/{entity}/{id}/erase", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		var in EraseInput
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		out, err := m.Erase(r.Context(), p, r.PathValue("entity"), id, in.Confirm)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	})
}

// OpenAPI documents the privacy endpoints.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/privacy/{entity}/{id}/export": {
      "get": {"operationId": "exportPersonalData", "summary": "Everything Relasi holds about one person, for a data subject's access request (administrators)", "tags": ["privacy"],
        "description": "The contact or lead with every record of the same person (the lead it was converted from or to, records merged with it), their history, duplicate keys and search documents, the activities, opportunities and orders about them, the merge log, the rows of imported files that touched them and notifications about them. Relasi stores no attachments; attachments is always empty.",
        "parameters": [{"$ref": "#/components/parameters/PrivacyEntity"}, {"$ref": "#/components/parameters/PrivacyID"}],
        "responses": {"200": {"description": "The export, as a JSON download", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonalDataExport"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"}}}
    },
    "/api/v1/privacy/{entity}/{id}/erase": {
      "post": {"operationId": "erasePerson", "summary": "Erase a person: anonymise the contact or lead and every record of the same person, irreversibly (administrators)", "tags": ["privacy"],
        "description": "Names become \"Erased person\"; e-mails, phones, addresses, dates, free text and custom text fields are cleared; the person's names, e-mails and phones are replaced by \"[erased]\" in the text of their activities, opportunities and orders, in history values, merge logs, import records, notifications and search; their e-mails and phones anywhere else in free text too. Orders, amounts, stages and counts stay. Imported files that hold a row about the person are deleted once no import is using them. The audit log gets an \"erased\" entry per record, without the erased values.",
        "parameters": [{"$ref": "#/components/parameters/PrivacyEntity"}, {"$ref": "#/components/parameters/PrivacyID"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["confirm"],
          "properties": {"confirm": {"type": "string", "description": "ERASE, or the record's name"}}}}}},
        "responses": {"200": {"description": "Erased", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erasure"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    }
  },
  "components": {
    "parameters": {
      "PrivacyEntity": {"name": "entity", "in": "path", "required": true, "schema": {"type": "string", "enum": ["contacts", "leads"]}},
      "PrivacyID": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}
    },
    "schemas": {
      "PrivacyRef": {"type": "object", "additionalProperties": false, "required": ["entity", "id"],
        "properties": {"entity": {"type": "string"}, "id": {"type": "integer"}}},
      "Erasure": {"type": "object", "additionalProperties": false,
        "required": ["entity", "id", "records", "erased_at", "import_files_removed", "import_files_kept"],
        "properties": {
          "entity": {"type": "string"}, "id": {"type": "integer"},
          "records": {"type": "array", "description": "Every record of the person, now anonymised", "items": {"$ref": "#/components/schemas/PrivacyRef"}},
          "erased_at": {"type": "string", "format": "date-time"},
          "import_files_removed": {"type": "array", "description": "Imports whose stored file held a row about the person and was deleted", "items": {"type": "integer"}},
          "import_files_kept": {"type": "array", "description": "Imports still running, whose file was kept: erase again when they finish", "items": {"type": "integer"}}}},
      "PersonalDataExport": {"type": "object", "additionalProperties": false,
        "required": ["format", "exported_at", "exported_by", "subject", "records", "related", "merges", "imports", "notifications", "attachments"],
        "properties": {
          "format": {"type": "string", "const": "relasi.personal-data.v1"},
          "exported_at": {"type": "string", "format": "date-time"},
          "exported_by": {"type": "string"},
          "subject": {"$ref": "#/components/schemas/PrivacyRef"},
          "records": {"type": "array", "items": {"type": "object", "additionalProperties": false,
            "required": ["entity", "id", "state", "record", "history", "duplicate_keys", "search_document", "external_ids"],
            "properties": {
              "entity": {"type": "string"}, "id": {"type": "integer"}, "state": {"type": "string", "enum": ["active", "trash"]},
              "record": {"type": "object", "description": "The record as the entity's API shows it, custom fields included"},
              "history": {"type": "array", "items": {"type": "object"}},
              "duplicate_keys": {"type": "array", "items": {"type": "object", "required": ["kind", "value"], "properties": {"kind": {"type": "string"}, "value": {"type": "string"}}}},
              "search_document": {"type": ["object", "null"], "properties": {"title": {"type": "string"}, "body": {"type": "string"}}},
              "external_ids": {"type": "array", "description": "The record's IDs in the systems it was imported from (erasure removes them).",
                "items": {"type": "object", "required": ["system", "external_id", "created_at"], "properties": {"system": {"type": "string"}, "external_id": {"type": "string"},
                  "created_at": {"type": "string", "format": "date-time"}, "import_id": {"type": "integer"}}}}}}},
          "related": {"type": "object", "additionalProperties": false, "required": ["activities", "opportunities", "orders"],
            "properties": {
              "activities": {"type": "array", "items": {"type": "object"}},
              "opportunities": {"type": "array", "items": {"type": "object"}},
              "orders": {"type": "array", "items": {"type": "object", "required": ["order", "lines"], "properties": {"order": {"type": "object"}, "lines": {"type": "array", "items": {"type": "object"}}}}}}},
          "merges": {"type": "array", "items": {"type": "object"}},
          "imports": {"type": "array", "items": {"type": "object", "required": ["import_id", "file_name", "row_number", "action", "source"],
            "properties": {"import_id": {"type": "integer"}, "file_name": {"type": "string"}, "row_number": {"type": "integer"}, "action": {"type": "string"},
              "source": {"type": ["object", "null"], "description": "The row as the file has it, by column header; null when the file is no longer kept", "additionalProperties": {"type": "string"}}}}},
          "notifications": {"type": "array", "items": {"type": "object"}},
          "attachments": {"type": "array", "maxItems": 0, "description": "Relasi stores no attachments", "items": {"type": "string"}}}}
    }
  }
}`)
