package bulk

import (
	"encoding/json"
	"strings"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/records"
)

// components are the bulk change's schemas.
const components = `{
  "BulkRequest": {"type": "object", "additionalProperties": false, "required": ["action"],
    "properties": {
      "action": {"type": "string", "enum": ["assign", "set", "tag_add", "tag_remove", "delete"],
        "description": "assign: a new owner (value: the user's ID). set: field becomes value (a choice, yes/no or link field; \"\" empties it). tag_add, tag_remove: the tag in value. delete: to the trash."},
      "field": {"type": "string", "description": "With set: the field to change, e.g. status, lifecycle_stage, stage_id."},
      "value": {"type": "string"},
      "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 10000, "description": "The records to change; or leave out and send all_matching."},
      "all_matching": {"type": "boolean", "description": "Change every record matching filter that the caller may read, at the moment the change starts."},
      "filter": {"type": "string", "description": "With all_matching: a filter expression as the list takes it; empty for every record."}}},
  "BulkOperation": {"type": "object", "additionalProperties": false,
    "required": ["id", "entity", "action", "all_matching", "status", "total", "done", "changed", "failed", "undone", "kept", "created_by", "created_at", "updated_at", "failures"],
    "properties": {
      "id": {"type": "integer"}, "entity": {"type": "string"},
      "action": {"type": "string", "enum": ["assign", "set", "tag_add", "tag_remove", "delete"]},
      "field": {"type": "string"}, "value": {"type": "string"}, "all_matching": {"type": "boolean"}, "filter": {"type": "string"},
      "status": {"type": "string", "enum": ["queued", "running", "done", "failed", "undoing", "undone"]},
      "total": {"type": "integer", "description": "Records chosen."},
      "done": {"type": "integer", "description": "Records worked through so far."},
      "changed": {"type": "integer", "description": "Records changed: each has one more history entry."},
      "failed": {"type": "integer", "description": "Records refused (not found for the caller, not theirs to change, a value the record does not take); see failures."},
      "undone": {"type": "integer", "description": "Records undo gave back what they had."},
      "kept": {"type": "integer", "description": "Records undo left alone because they changed again since."},
      "error": {"type": "string", "description": "Why a failed operation stopped."},
      "created_by": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "failures": {"type": "array", "description": "Up to 100 refused records, with why.", "items": {"type": "object", "additionalProperties": false, "required": ["record_id", "title", "error"],
        "properties": {"record_id": {"type": "integer"}, "title": {"type": "string"}, "error": {"type": "string"}}}}}}
}`

// OpenAPI documents the bulk endpoints of entities.
func OpenAPI(entities []*records.Entity) []byte {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/" + name} }
	op := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref("schemas/BulkOperation")}}}
	}
	running := op("Still running in the background; follow Location.")
	running["headers"] = map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string"}, "description": "/api/v1/bulk/{id}"}}
	paths := map[string]any{}
	for _, e := range entities {
		paths[api.Prefix+"/"+e.Name+"/bulk"] = map[string]any{"post": map[string]any{
			"operationId": "bulk" + camel(e.Name), "summary": "Change many records at once, undoably", "tags": []string{e.Name},
			"description": "Each record goes through the same checks as a single edit — scope, write rights, validation — and gets one history entry. Up to 2,000 records are changed before the answer (200); more are changed in the background (202). Undo with POST /api/v1/bulk/{id}/undo.",
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref("schemas/BulkRequest")}}},
			"responses": map[string]any{"200": op("Done"), "202": running,
				"400": ref("responses/BadRequest"), "401": ref("responses/Unauthorized"), "403": ref("responses/Forbidden"),
				"404": ref("responses/NotFound"), "422": ref("responses/Invalid")},
		}}
	}
	idParam := []any{ref("parameters/Id")}
	paths[api.Prefix+"/bulk/{id}"] = map[string]any{"get": map[string]any{
		"operationId": "getBulkOperation", "summary": "How far a bulk change is, and what it refused", "tags": []string{"bulk"},
		"description": "The caller's own bulk changes; an administrator's, anyone's.",
		"parameters":  idParam,
		"responses":   map[string]any{"200": op("Finished (done, failed or undone)"), "202": running, "401": ref("responses/Unauthorized"), "404": ref("responses/NotFound")},
	}}
	paths[api.Prefix+"/bulk/{id}/undo"] = map[string]any{"post": map[string]any{
		"operationId": "undoBulkOperation", "summary": "Undo a bulk change", "tags": []string{"bulk"},
		"description": "Every record the change changed gets back what it had, as one more edit, unless it changed again since (kept). Undoing an undone change does nothing.",
		"parameters":  idParam,
		"responses": map[string]any{"200": op("Undone"), "202": running, "401": ref("responses/Unauthorized"), "403": ref("responses/Forbidden"),
			"404": ref("responses/NotFound"), "409": ref("responses/Conflict")},
	}}
	var schemas map[string]any
	_ = json.Unmarshal([]byte(components), &schemas)
	b, _ := json.Marshal(map[string]any{"paths": paths, "components": map[string]any{"schemas": schemas}})
	return b
}

// camel is "Opportunities" for "opportunities".
func camel(name string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
