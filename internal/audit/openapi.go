package audit

// OpenAPI documents GET /api/v1/audit.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/audit": {
      "get": {"operationId": "listAudit", "summary": "Every recorded change to every record, newest first (administrators)", "tags": ["audit"],
        "description": "One entry per history row: creations, changes, deletions, restores, merges, imports, conversions, stage moves, purges. Filters combine with AND. With format=csv every matching entry is streamed as CSV (one row per changed field), ignoring limit.",
        "parameters": [
          {"name": "entity", "in": "query", "description": "Only records of this entity (contacts, accounts, leads, opportunities, …), or settings.", "schema": {"type": "string"}},
          {"name": "record_id", "in": "query", "description": "Only this record (with entity).", "schema": {"type": "integer", "minimum": 1}},
          {"name": "actor_id", "in": "query", "description": "Only changes made by this user.", "schema": {"type": "integer", "minimum": 1}},
          {"name": "action", "in": "query", "description": "Only this action: created, updated, deleted, restored, purged, unlinked, converted, stage_changed, merged, imported, …", "schema": {"type": "string"}},
          {"name": "field", "in": "query", "description": "Only entries that changed this field (custom fields as custom.<key>).", "schema": {"type": "string"}},
          {"name": "from", "in": "query", "description": "First day (YYYY-MM-DD), in the X-Time-Zone header's zone or Asia/Jakarta.", "schema": {"type": "string", "format": "date"}},
          {"name": "to", "in": "query", "description": "Last day (YYYY-MM-DD), included.", "schema": {"type": "string", "format": "date"}},
          {"name": "format", "in": "query", "description": "json (default) or csv.", "schema": {"type": "string", "enum": ["json", "csv"]}},
          {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"},
          {"name": "X-Time-Zone", "in": "header", "description": "IANA zone the from and to days are read in.", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "One page of entries, or with format=csv the whole filtered audit",
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}},
              "text/csv": {"schema": {"type": "string"}}
            }},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "422": {"$ref": "#/components/responses/Invalid"}}}
    }
  },
  "components": {"schemas": {
    "AuditEntry": {"type": "object", "additionalProperties": false,
      "required": ["id", "entity", "record_id", "record", "record_state", "action", "actor_id", "actor", "at", "changes"],
      "properties": {
        "id": {"type": "integer"},
        "entity": {"type": "string"},
        "record_id": {"type": "integer"},
        "record": {"type": "string", "description": "The record's name now, or the name it had when it was purged."},
        "record_state": {"type": "string", "enum": ["active", "trash", "purged", "none"], "description": "Whether the record is live, in the trash or deleted forever; none for entries that are not about a record (entity settings)."},
        "action": {"type": "string"},
        "actor_id": {"type": ["integer", "null"], "description": "Who did it; null for Relasi itself (the purge job) or a user since removed."},
        "actor": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
        "changes": {"type": "object", "description": "Each changed field as [old, new].",
          "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}}}},
    "AuditPage": {"type": "object", "additionalProperties": false, "required": ["items"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}}
  }}
}`)
