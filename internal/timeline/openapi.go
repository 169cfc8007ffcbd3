package timeline

// OpenAPI documents the timeline and summary endpoints.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/contacts/{id}/timeline": {
      "get": {"operationId": "contactTimeline", "summary": "Every touchpoint of a contact, newest first", "tags": ["contacts"],
        "description": "Activities, the contact's own changes and conversions, its orders and its deals' stage changes, in one keyset-paged list.",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/TimelineLimit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TimelinePage"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/accounts/{id}/timeline": {
      "get": {"operationId": "accountTimeline", "summary": "Every touchpoint of an account and its contacts, newest first", "tags": ["accounts"],
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/TimelineLimit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TimelinePage"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/contacts/{id}/summary": {
      "get": {"operationId": "contactSummary", "summary": "Where a contact stands: owner, lifecycle stage, open deals, last activity, lifetime order value", "tags": ["contacts"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerSummary"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/accounts/{id}/summary": {
      "get": {"operationId": "accountSummary", "summary": "Where an account stands: owner, open deals, last activity, lifetime order value", "tags": ["accounts"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerSummary"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    }
  },
  "components": {
    "parameters": {
      "TimelineLimit": {"name": "limit", "in": "query", "description": "Page size (1–100, default 20).", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}
    },
    "schemas": {
      "TimelineAmount": {"type": "object", "additionalProperties": false, "required": ["currency", "amount"],
        "properties": {"currency": {"type": "string"}, "amount": {"type": "number", "description": "In major units of the currency."}}},
      "TimelineItem": {"type": "object", "additionalProperties": false, "required": ["at", "kind", "id", "title", "detail", "link", "actor"],
        "properties": {
          "at": {"type": "string", "format": "date-time", "description": "When it happened: an activity's done, due or logged time; an order's or a change's time."},
          "kind": {"type": "string", "enum": ["activity", "change", "conversion", "deal", "order", "stage"]},
          "id": {"type": "integer", "description": "The activity's or order's ID, or the history row's for changes, conversions and stage changes."},
          "title": {"type": "string", "description": "An activity's subject, an order's number, a deal's name, or a change's action (created, updated, converted…)."},
          "detail": {"type": "string", "description": "An activity's kind, an order's status, a deal's current stage, or the changed fields as \"field: old → new\"."},
          "link": {"type": "string", "description": "The web page of the item, or empty."},
          "actor": {"type": "string", "description": "Who did it: the activity's or order's owner, or who made the change."},
          "amount": {"$ref": "#/components/schemas/TimelineAmount"}}},
      "TimelinePage": {"type": "object", "additionalProperties": false, "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineItem"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}},
      "CustomerSummary": {"type": "object", "additionalProperties": false,
        "required": ["owner_id", "owner", "lifecycle_stage", "last_activity_at", "open_deals", "lifetime_value"],
        "properties": {
          "owner_id": {"type": ["integer", "null"]}, "owner": {"type": "string"},
          "lifecycle_stage": {"type": ["string", "null"], "description": "A contact's stage; null for accounts."},
          "last_activity_at": {"type": ["string", "null"], "format": "date-time"},
          "open_deals": {"type": ["object", "null"], "description": "Open deals the caller may see, with their amounts per currency; null while deals are not tracked.",
            "additionalProperties": false, "required": ["count", "amounts"],
            "properties": {"count": {"type": "integer"}, "amounts": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineAmount"}}}},
          "lifetime_value": {"type": "array", "description": "The totals of the customer's orders per currency, cancelled orders excepted.",
            "items": {"$ref": "#/components/schemas/TimelineAmount"}}}}
    }
  }
}`)
