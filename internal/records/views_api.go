package records

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// RegisterViewsAPI adds the saved list views:
//
//	GET    /api/v1/views?entity=contacts  the caller's and shared views
//	POST   /api/v1/views                  save one
//	DELETE /api/v1/views/{id}             delete one of the caller's
func RegisterViewsAPI(rt *api.Router, s *Store, reg *Registry) {
	entityOf := func(name string) (*Entity, error) {
		e, ok := reg.Get(name)
		if !ok {
			var fe errs.Fields
			fe.Add("entity", "invalid_choice", "is not an entity with list views")
			return nil, fe.Err()
		}
		return e, nil
	}
	rt.Handle("GET /api/v1/views", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		e, err := entityOf(r.URL.Query().Get("entity"))
		if err != nil {
			return err
		}
		views, err := s.Views(r.Context(), p, e.Name)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": views})
		return nil
	})
	rt.Handle("POST /api/v1/views", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var body struct {
			Entity string `json:"entity"`
			ViewInput
		}
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			return err
		}
		e, err := entityOf(body.Entity)
		if err != nil {
			return err
		}
		v, err := s.CreateView(r.Context(), p, e, body.ViewInput)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/views/"+strconv.FormatInt(v.ID, 10))
		httpx.WriteJSON(w, http.StatusCreated, v)
		return nil
	})
	rt.Handle("DELETE /api/v1/views/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		if err := s.DeleteView(r.Context(), p, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// ViewsOpenAPI documents /api/v1/views.
var ViewsOpenAPI = []byte(`{
  "paths": {
    "/api/v1/views": {
      "get": {"operationId": "listSavedViews", "summary": "Your saved list views of an entity and those others shared", "tags": ["saved views"],
        "parameters": [{"name": "entity", "in": "query", "required": true, "schema": {"type": "string"}, "description": "The entity's API name, e.g. contacts."}],
        "responses": {"200": {"description": "The views, by name", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SavedView"}}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}},
      "post": {"operationId": "createSavedView", "summary": "Save a list view: a filter, a sort and columns", "tags": ["saved views"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewSavedView"}}}},
        "responses": {"201": {"description": "Saved", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SavedView"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/views/{id}": {
      "delete": {"operationId": "deleteSavedView", "summary": "Delete a saved view (only its owner or an administrator)", "tags": ["saved views"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"204": {"description": "Deleted"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    }
  },
  "components": {"schemas": {
    "SavedView": {"type": "object", "additionalProperties": false,
      "required": ["id", "entity", "name", "filter", "sort", "columns", "shared", "user_id", "owner", "created_at", "updated_at"],
      "properties": {"id": {"type": "integer"}, "entity": {"type": "string"}, "name": {"type": "string"},
        "filter": {"type": "string", "description": "In the filter language, as ?filter= takes it."},
        "sort": {"type": "string", "description": "As ?sort= takes it, e.g. -created_at,name."},
        "columns": {"type": "array", "items": {"type": "string"}, "description": "Field names shown as columns; empty means the default columns."},
        "shared": {"type": "boolean"}, "user_id": {"type": "integer"}, "owner": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
    "NewSavedView": {"type": "object", "additionalProperties": false, "required": ["entity", "name"],
      "properties": {"entity": {"type": "string"}, "name": {"type": "string", "maxLength": 100}, "filter": {"type": "string"}, "sort": {"type": "string"},
        "columns": {"type": ["array", "null"], "items": {"type": "string"}}, "shared": {"type": "boolean"}}}
  }}
}`)
