package records

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// Registry is the set of entities the app serves, by name.
type Registry struct {
	list   []*Entity
	byName map[string]*Entity
}

// NewRegistry returns a registry of entities.
func NewRegistry(entities ...*Entity) *Registry {
	r := &Registry{byName: map[string]*Entity{}}
	for _, e := range entities {
		r.list = append(r.list, e)
		r.byName[e.Name] = e
	}
	return r
}

// All lists the entities in registration order.
func (r *Registry) All() []*Entity { return r.list }

// Get returns an entity by name.
func (r *Registry) Get(name string) (*Entity, bool) { e, ok := r.byName[name]; return e, ok }

// RegisterCustomFieldAPI adds /api/v1/custom-fields.
func RegisterCustomFieldAPI(rt *api.Router, s *Store, reg *Registry) {
	entityOf := func(name string) (*Entity, error) {
		e, ok := reg.Get(name)
		if !ok {
			var fe errs.Fields
			fe.Add("entity", "invalid_choice", "is not an entity with custom fields")
			return nil, fe.Err()
		}
		return e, nil
	}
	rt.Handle("GET /api/v1/custom-fields", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		e, err := entityOf(r.URL.Query().Get("entity"))
		if err != nil {
			return err
		}
		list, err := s.CustomFields(r.Context(), e.Name)
		if err != nil {
			return err
		}
		if list == nil {
			list = []CustomField{}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
		return nil
	})
	rt.Handle("POST /api/v1/custom-fields", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var body struct {
			Entity string `json:"entity"`
			CustomFieldInput
		}
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			return err
		}
		e, err := entityOf(body.Entity)
		if err != nil {
			return err
		}
		cf, err := s.CreateCustomField(r.Context(), p, e, body.CustomFieldInput)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/custom-fields/"+strconv.FormatInt(cf.ID, 10))
		httpx.WriteJSON(w, http.StatusCreated, cf)
		return nil
	})
	rt.Handle("PATCH /api/v1/custom-fields/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		cur, err := s.getCustomField(r.Context(), s.db.Read(), id)
		if err != nil {
			return err
		}
		var body struct {
			Label    *string         `json:"label"`
			Choices  []string        `json:"choices"`
			Required *bool           `json:"required"`
			Position *int            `json:"position"`
			Currency json.RawMessage `json:"currency"`
		}
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			return err
		}
		in := CustomFieldInput{Label: cur.Label, Choices: cur.Choices, Required: cur.Required, Position: cur.Position, Currency: cur.Currency}
		if body.Label != nil {
			in.Label = *body.Label
		}
		if body.Choices != nil {
			in.Choices = body.Choices
		}
		if body.Required != nil {
			in.Required = *body.Required
		}
		if body.Position != nil {
			in.Position = *body.Position
		}
		if len(body.Currency) > 0 {
			json.Unmarshal(body.Currency, &in.Currency)
		}
		ifVersion, err := httpx.IfMatch(r)
		if err != nil {
			return err
		}
		if ifVersion == 0 {
			ifVersion = cur.Version
		}
		cf, err := s.UpdateCustomField(r.Context(), p, id, in, ifVersion)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, cf)
		return nil
	})
	rt.Handle("DELETE /api/v1/custom-fields/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		if err := s.DeleteCustomField(r.Context(), p, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// CustomFieldsOpenAPI documents /api/v1/custom-fields.
var CustomFieldsOpenAPI = []byte(`{
  "paths": {
    "/api/v1/custom-fields": {
      "get": {"operationId": "listCustomFields", "summary": "Custom fields of an entity", "tags": ["custom fields"],
        "parameters": [{"name": "entity", "in": "query", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The fields", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/CustomField"}}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}},
      "post": {"operationId": "createCustomField", "summary": "Add a custom field (admin)", "tags": ["custom fields"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewCustomField"}}}},
        "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomField"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/custom-fields/{id}": {
      "patch": {"operationId": "updateCustomField", "summary": "Change a custom field's label, choices, required flag or position (admin)", "tags": ["custom fields"],
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {
          "label": {"type": "string"}, "choices": {"type": "array", "items": {"type": "string"}}, "required": {"type": "boolean"}, "position": {"type": "integer"}, "currency": {"type": "string"}}}}}},
        "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomField"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}, "412": {"$ref": "#/components/responses/PreconditionFailed"}, "422": {"$ref": "#/components/responses/Invalid"}}},
      "delete": {"operationId": "deleteCustomField", "summary": "Remove a custom field (admin); stored values are kept", "tags": ["custom fields"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"204": {"description": "Removed"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    }
  },
  "components": {"schemas": {
    "CustomField": {"type": "object", "additionalProperties": false, "required": ["id", "entity", "key", "label", "kind", "choices", "required", "position", "created_at", "updated_at", "version"],
      "properties": {"id": {"type": "integer"}, "entity": {"type": "string"}, "key": {"type": "string"}, "label": {"type": "string"},
        "kind": {"type": "string", "enum": ["text", "number", "money", "date", "boolean", "select", "multi_select", "url", "email", "phone"]},
        "choices": {"type": "array", "items": {"type": "string"}}, "required": {"type": "boolean"}, "currency": {"type": "string"},
        "position": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}},
    "NewCustomField": {"type": "object", "additionalProperties": false, "required": ["entity", "key", "label", "kind"],
      "properties": {"entity": {"type": "string"}, "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}, "label": {"type": "string"},
        "kind": {"type": "string", "enum": ["text", "number", "money", "date", "boolean", "select", "multi_select", "url", "email", "phone"]},
        "choices": {"type": ["array", "null"], "items": {"type": "string"}}, "required": {"type": "boolean"}, "currency": {"type": "string"}, "position": {"type": "integer"}}}
  }}
}`)
