package trash

// OpenAPI documents the trash and its settings.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/trash": {
      "get": {"operationId": "listTrash", "summary": "Deleted records of every entity, most recently deleted first", "tags": ["trash"],
        "description": "The records the caller may read that are in the trash, with who deleted them and how many days are left before they are deleted forever.",
        "parameters": [
          {"name": "entity", "in": "query", "description": "Only this entity's records (contacts, accounts, leads, opportunities, activities, products, orders).", "schema": {"type": "string"}},
          {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrashPage"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/trash/{entity}/{id}/restore": {
      "post": {"operationId": "restoreFromTrash", "summary": "Bring a record back from the trash, with every link it had", "tags": ["trash"],
        "description": "The same as POST /api/v1/{entity}/{id}/restore. The answer is the record as its entity's GET shows it.",
        "parameters": [{"$ref": "#/components/parameters/TrashEntity"}, {"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "Restored", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
            "content": {"application/json": {"schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}
    },
    "/api/v1/trash/{entity}/{id}": {
      "delete": {"operationId": "purgeFromTrash", "summary": "Delete a record in the trash forever (administrators)", "tags": ["trash"],
        "description": "Links to it from other records are cleared (and recorded as \"unlinked\"); its history is kept, with a last \"purged\" entry. A record that is not in the trash is not found.",
        "parameters": [{"$ref": "#/components/parameters/TrashEntity"}, {"$ref": "#/components/parameters/Id"}],
        "responses": {"204": {"description": "Deleted forever"},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/settings/trash": {
      "get": {"operationId": "getTrashSettings", "summary": "How long deleted records stay restorable", "tags": ["trash"],
        "responses": {"200": {"description": "The settings", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrashSettings"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}}},
      "put": {"operationId": "setTrashSettings", "summary": "Set how long deleted records stay restorable (administrators)", "tags": ["trash"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["retention_days"],
          "properties": {"retention_days": {"type": "integer", "minimum": 1, "maximum": 3650}}}}}},
        "responses": {"200": {"description": "Saved", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrashSettings"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    }
  },
  "components": {
    "parameters": {
      "TrashEntity": {"name": "entity", "in": "path", "required": true, "description": "The record's entity, as in its API path (contacts, opportunities, …).", "schema": {"type": "string"}}
    },
    "schemas": {
      "TrashItem": {"type": "object", "additionalProperties": false,
        "required": ["entity", "id", "title", "deleted_at", "deleted_by_id", "deleted_by", "purge_at", "days_left", "can_restore"],
        "properties": {
          "entity": {"type": "string"}, "id": {"type": "integer"}, "title": {"type": "string"},
          "deleted_at": {"type": "string", "format": "date-time"},
          "deleted_by_id": {"type": ["integer", "null"]}, "deleted_by": {"type": "string"},
          "purge_at": {"type": "string", "format": "date-time", "description": "When the retention period ends; the daily purge deletes the record at its first run after that."},
          "days_left": {"type": "integer", "minimum": 0},
          "can_restore": {"type": "boolean", "description": "Whether the caller may restore it."}}},
      "TrashPage": {"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/TrashItem"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}},
      "TrashSettings": {"type": "object", "additionalProperties": false, "required": ["retention_days", "updated_at"],
        "properties": {"retention_days": {"type": "integer", "minimum": 1, "maximum": 3650},
          "updated_at": {"type": ["string", "null"], "format": "date-time", "description": "When an administrator last set it; null while it is the default (30)."}}}
    }
  }
}`)
