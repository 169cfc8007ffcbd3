package duplicates

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// Result is what a merge and an undo answer: the merge's log entry and
// the survivor as it is now.
type Result struct {
	Merge  Merge          `json:"merge"`
	Record records.Record `json:"record"`
}

// RegisterAPI adds the endpoints:
//
//	GET  /api/v1/duplicates?entity=contacts   likely duplicates, in groups
//	POST /api/v1/duplicates/dismiss           {entity, ids}: not duplicates
//	POST /api/v1/duplicates/merge             {entity, survivor_id, merged_ids, values}
//	GET  /api/v1/merges?entity=contacts       the merge log (record_id: into one record)
//	GET  /api/v1/merges/{id}                  one merge
//	POST /api/v1/merges/{id}/undo             undo a merge
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("GET /api/v1/duplicates", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		page, err := m.Find(r.Context(), p, q.Get("entity"), q)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, page)
		return nil
	})
	rt.Handle("POST /api/v1/duplicates/dismiss", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var body struct {
			Entity string  `json:"entity"`
			IDs    []int64 `json:"ids"`
		}
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			return err
		}
		if err := m.Dismiss(r.Context(), p, body.Entity, body.IDs); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	rt.Handle("POST /api/v1/duplicates/merge", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var in MergeInput
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		mg, rec, err := m.Merge(r.Context(), p, in)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/merges/"+strconv.FormatInt(mg.ID, 10))
		httpx.WriteJSON(w, http.StatusCreated, Result{Merge: mg, Record: rec})
		return nil
	})
	rt.Handle("GET /api/v1/merges", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		var recordID int64
		if s := q.Get("record_id"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				var fe errs.Fields
				fe.Add("record_id", "wrong_type", "must be a record ID")
				return fe.Err()
			}
			recordID = n
		}
		page, err := m.ListMerges(r.Context(), p, q.Get("entity"), recordID, q)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, page)
		return nil
	})
	rt.Handle("GET /api/v1/merges/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		mg, err := m.GetMerge(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, mg)
		return nil
	})
	rt.Handle("POST /api/v1/merges/{id}/undo", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		mg, rec, err := m.Undo(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, Result{Merge: mg, Record: rec})
		return nil
	})
}

// OpenAPI documents the duplicates and merge endpoints.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/duplicates": {
      "get": {"operationId": "listDuplicates", "summary": "Likely duplicates: groups of records sharing an e-mail, a phone, a domain or a near-identical name at the same company, each with its score", "tags": ["duplicates"],
        "parameters": [{"name": "entity", "in": "query", "required": true, "schema": {"type": "string", "enum": ["contacts", "accounts", "leads"]}},
          {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "Groups, highest score first, then newest", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DuplicateGroups"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/duplicates/dismiss": {
      "post": {"operationId": "dismissDuplicates", "summary": "Say that records are not duplicates: no pair of them is offered again", "tags": ["duplicates"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["entity", "ids"],
          "properties": {"entity": {"type": "string"}, "ids": {"type": "array", "minItems": 2, "items": {"type": "integer"}}}}}}},
        "responses": {"204": {"description": "Dismissed"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/duplicates/merge": {
      "post": {"operationId": "mergeDuplicates", "summary": "Merge records into a survivor, which keeps every related record and the history; the others go to the trash", "tags": ["duplicates"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MergeInput"}}}},
        "responses": {"201": {"description": "Merged", "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MergeResult"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}, "412": {"$ref": "#/components/responses/PreconditionFailed"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/merges": {
      "get": {"operationId": "listMerges", "summary": "The merge log of an entity, newest first", "tags": ["duplicates"],
        "parameters": [{"name": "entity", "in": "query", "required": true, "schema": {"type": "string", "enum": ["contacts", "accounts", "leads"]}},
          {"name": "record_id", "in": "query", "description": "Only merges into this record", "schema": {"type": "integer"}},
          {"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {"200": {"description": "Merges", "content": {"application/json": {"schema": {"type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Merge"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/merges/{id}": {
      "get": {"operationId": "getMerge", "summary": "One merge", "tags": ["duplicates"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The merge", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Merge"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/merges/{id}/undo": {
      "post": {"operationId": "undoMerge", "summary": "Undo a merge: the merged records come back from the trash, the moved links and the survivor's values are restored", "tags": ["duplicates"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "Undone", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MergeResult"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"}, "412": {"$ref": "#/components/responses/PreconditionFailed"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    }
  },
  "components": {"schemas": {
    "DuplicateGroups": {"type": "object", "additionalProperties": false, "required": ["items", "total"], "properties": {
      "items": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["ids", "reasons", "score", "evidence", "records"], "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}},
        "score": {"type": "integer", "minimum": 0, "maximum": 100, "description": "How sure the group is one customer, in percent: the score of the weakest pair needed to join it. Groups are listed from 70."},
        "evidence": {"type": "array", "description": "What the group's records have in common, strongest first", "items": {"type": "string", "enum": ["email", "phone", "domain", "same_name", "similar_name", "same_company"]}},
        "reasons": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["kind", "value"], "properties": {
          "kind": {"type": "string", "enum": ["email", "phone", "domain", "name", "company_name"]}, "value": {"type": "string"}}}},
        "records": {"type": "array", "items": {"type": "object", "description": "The record as GET /api/v1/{entity}/{id} shows it"}}}}},
      "total": {"type": "integer"}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}},
    "MergeInput": {"type": "object", "additionalProperties": false, "required": ["entity", "survivor_id", "merged_ids"], "properties": {
      "entity": {"type": "string", "enum": ["contacts", "accounts", "leads"]},
      "survivor_id": {"type": "integer"},
      "merged_ids": {"type": "array", "minItems": 1, "maxItems": 9, "items": {"type": "integer"}},
      "values": {"type": "object", "description": "Field name → the ID of the record whose value survives. Fields left out take the newest non-empty value; list fields (e-mails, phones, tags) the union of all records' items.",
        "additionalProperties": {"type": ["integer", "string"]}},
      "versions": {"type": "object", "description": "Record ID → the version the caller chose from; a record changed since refuses the merge (412)", "additionalProperties": {"type": "integer"}}}},
    "MovedCount": {"type": "object", "additionalProperties": false, "required": ["table", "column", "count"], "properties": {
      "table": {"type": "string"}, "column": {"type": "string"}, "count": {"type": "integer"}}},
    "Merge": {"type": "object", "additionalProperties": false, "required": ["id", "entity", "survivor_id", "merged_ids", "titles", "actor_id", "actor", "merged_at", "undone_at", "undone_by", "moved"], "properties": {
      "id": {"type": "integer"}, "entity": {"type": "string"}, "survivor_id": {"type": "integer"},
      "merged_ids": {"type": "array", "items": {"type": "integer"}},
      "titles": {"type": "object", "description": "Record ID → the record's name at the merge", "additionalProperties": {"type": "string"}},
      "actor_id": {"type": ["integer", "null"]}, "actor": {"type": "string"},
      "merged_at": {"type": "string", "format": "date-time"},
      "undone_at": {"type": ["string", "null"], "format": "date-time"}, "undone_by": {"type": ["integer", "null"]},
      "moved": {"type": "array", "items": {"$ref": "#/components/schemas/MovedCount"}}}},
    "MergeResult": {"type": "object", "additionalProperties": false, "required": ["merge", "record"], "properties": {
      "merge": {"$ref": "#/components/schemas/Merge"}, "record": {"type": "object", "description": "The survivor as GET /api/v1/{entity}/{id} shows it"}}}
  }}
}`)
