package search

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/store"
)

// RegisterAPI adds GET /api/v1/search?q=.
func RegisterAPI(rt *api.Router, db *store.DB) {
	rt.Handle("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		limit := 20
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 100 {
				var fe errs.Fields
				fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, 100)
				return fe.Err()
			}
			limit = n
		}
		hits, err := Search(r.Context(), db, p, q.Get("q"), limit)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": hits})
		return nil
	})
}

// OpenAPI documents the search endpoint.
var OpenAPI = []byte(`{
  "paths": {"/api/v1/search": {"get": {"operationId": "search", "summary": "Search names, e-mails, phones, companies, deal names, order numbers and products", "tags": ["search"],
    "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string"}, "description": "Words of at least 3 characters, or a phone number in any form."},
      {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
    "responses": {"200": {"description": "Best matches first", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}}}}}}},
      "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}}},
  "components": {"schemas": {"SearchHit": {"type": "object", "additionalProperties": false, "required": ["entity", "id", "title", "detail", "url", "fields"],
    "properties": {"entity": {"type": "string"}, "id": {"type": "integer"}, "title": {"type": "string"},
      "detail": {"type": "string", "description": "The readable line under the title, the values of fields joined by ' · ': 'PT Maju Jaya · budi@gmail.com · 0812-3456-7890'."},
      "url": {"type": "string"},
      "fields": {"type": "array", "description": "The readable line's values, labelled: company, status (a choice value), sku, category, email, phone (written as the record's page shows it), domain. The value the query matched is left out; it is in match.", "items": {"$ref": "#/components/schemas/SearchField"}},
      "match": {"allOf": [{"$ref": "#/components/schemas/SearchField"}], "description": "The field the query matched, when not the title: one of those of fields, or website, job_title, city, external_id (system:id of an import)."}}},
    "SearchField": {"type": "object", "additionalProperties": false, "required": ["name", "value"],
      "properties": {"name": {"type": "string", "enum": ["company", "status", "sku", "category", "email", "phone", "domain", "website", "job_title", "city", "external_id"]}, "value": {"type": "string"}}}}}
}`)
