package records

import (
	"context"
	"encoding/json"
	"strings"
)

// OpenAPI returns the OpenAPI fragment (paths and schemas) of the entities
// as they are now, custom fields included, so the served document always
// describes what the API accepts.
func (s *Store) OpenAPI(ctx context.Context, entities []*Entity) ([]byte, error) {
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, e := range entities {
		fields, err := s.fields(ctx, s.db.Read(), e)
		if err != nil {
			return nil, err
		}
		name := schemaName(e)
		schemas[name] = recordSchema(e, fields)
		schemas[name+"Input"] = inputSchema(fields)
		schemas[name+"List"] = map[string]any{"type": "object", "additionalProperties": false, "required": []string{"items"},
			"properties": map[string]any{"items": map[string]any{"type": "array", "items": ref(name)}, "next_cursor": map[string]any{"type": "string"}, "prev_cursor": map[string]any{"type": "string"}}}
		addEntityPaths(paths, e, name, fields)
	}
	schemas["HistoryList"] = map[string]any{"type": "object", "required": []string{"items"}, "properties": map[string]any{
		"items": map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"id", "action", "at", "changes"},
			"properties": map[string]any{
				"id": map[string]any{"type": "integer"}, "entity": map[string]any{"type": "string"}, "record_id": map[string]any{"type": "integer"},
				"action": map[string]any{"type": "string"}, "actor_id": map[string]any{"type": []string{"integer", "null"}},
				"actor": map[string]any{"type": "string"}, "at": map[string]any{"type": "string", "format": "date-time"},
				"changes": map[string]any{"type": "object", "description": "field → [old value, new value]"},
			}}}}}
	return json.Marshal(map[string]any{"paths": paths, "components": map[string]any{"schemas": schemas}})
}

func schemaName(e *Entity) string {
	var b strings.Builder
	for _, part := range strings.Split(e.Name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	name := b.String()
	if strings.HasSuffix(name, "ies") {
		return strings.TrimSuffix(name, "ies") + "y"
	}
	return strings.TrimSuffix(name, "s")
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// valueSchema is the JSON schema of a field's value as the API shows it.
func valueSchema(f Field) map[string]any {
	nullable := func(t string) any { return []string{t, "null"} }
	m := map[string]any{}
	switch f.Kind {
	case Integer, Ref, User:
		m["type"] = nullable("integer")
	case Number, Money:
		m["type"] = nullable("number")
		if f.Kind == Money {
			m["description"] = "Amount in major units of the currency (e.g. 1500000 for Rp 1.500.000)."
		}
	case Bool:
		m["type"] = nullable("boolean")
	case Date:
		m["type"], m["format"] = nullable("string"), "date"
	case DateTime:
		m["type"], m["format"] = nullable("string"), "date-time"
	case Select:
		m["type"] = nullable("string")
		enum := make([]any, 0, len(f.Choices)+1)
		for _, c := range f.Choices {
			enum = append(enum, c)
		}
		m["enum"] = append(enum, nil)
	case MultiSelect, List:
		items := map[string]any{"type": "string"}
		if f.Kind == MultiSelect {
			items["enum"] = f.Choices
		}
		m["type"], m["items"] = "array", items
	case Email:
		m["type"], m["format"] = nullable("string"), "email"
	case URL:
		m["type"], m["format"] = nullable("string"), "uri"
	default:
		m["type"] = nullable("string")
	}
	if f.Min != nil {
		m["minimum"] = *f.Min
		if f.Kind == Money {
			m["minimum"] = FormatAmount(*f.Min, f.exponent(""))
		}
	}
	if f.Custom {
		m["title"] = f.Label
	}
	return m
}

func recordSchema(e *Entity, fields []Field) map[string]any {
	props := map[string]any{
		"id":         map[string]any{"type": "integer"},
		"title":      map[string]any{"type": "string", "description": "Display name."},
		"display":    map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}, "description": "Names of referenced records and users, by field."},
		"created_at": map[string]any{"type": "string", "format": "date-time"},
		"updated_at": map[string]any{"type": "string", "format": "date-time"},
		"deleted_at": map[string]any{"type": "string", "format": "date-time", "description": "Set while the record is in the trash."},
		"version":    map[string]any{"type": "integer", "description": "Increments on every change; the ETag is \"v<version>\"."},
	}
	required := []string{"id", "title", "display", "custom", "created_at", "updated_at", "version"}
	custom := map[string]any{}
	for _, f := range fields {
		if f.Custom {
			custom[f.Key] = valueSchema(f)
			continue
		}
		props[f.Name] = valueSchema(f)
		required = append(required, f.Name)
	}
	props["custom"] = map[string]any{"type": "object", "properties": custom, "additionalProperties": false}
	return map[string]any{"type": "object", "additionalProperties": false, "required": required, "properties": props}
}

func inputSchema(fields []Field) map[string]any {
	props := map[string]any{}
	custom := map[string]any{}
	for _, f := range fields {
		if f.ReadOnly {
			continue
		}
		v := valueSchema(f)
		if f.Kind == MultiSelect || f.Kind == List {
			v["type"] = []string{"array", "null"}
		}
		if f.Custom {
			custom[f.Key] = v
		} else {
			props[f.Name] = v
		}
	}
	props["custom"] = map[string]any{"type": "object", "properties": custom, "additionalProperties": false}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": props}
}

func addEntityPaths(paths map[string]any, e *Entity, name string, fields []Field) {
	base := "/api/v1/" + e.Name
	tag := []string{e.Name}
	problem := func(names ...string) map[string]any {
		codes := map[string]string{"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404", "Conflict": "409", "PreconditionFailed": "412", "Invalid": "422"}
		out := map[string]any{}
		for _, n := range names {
			out[codes[n]] = map[string]any{"$ref": "#/components/responses/" + n}
		}
		return out
	}
	merge := func(a, b map[string]any) map[string]any {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	jsonResp := func(desc, schema string, etag bool) map[string]any {
		r := map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref(schema)}}}
		if etag {
			r["headers"] = map[string]any{"ETag": map[string]any{"$ref": "#/components/headers/ETag"}}
		}
		return r
	}
	body := map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(name + "Input")}}}
	id := []any{map[string]any{"$ref": "#/components/parameters/Id"}}
	var sortable []string
	for _, f := range fields {
		if f.Sortable() {
			sortable = append(sortable, f.Name)
		}
	}
	listParams := []any{
		map[string]any{"$ref": "#/components/parameters/Limit"},
		map[string]any{"$ref": "#/components/parameters/Cursor"},
		map[string]any{"name": "sort", "in": "query", "schema": map[string]any{"type": "string"},
			"description": "Comma-separated fields, `-` for descending: id, created_at, updated_at, " + strings.Join(sortable, ", ") + "."},
		map[string]any{"name": "filter", "in": "query", "schema": map[string]any{"type": "string"},
			"description": "A filter expression, e.g. `city = \"Jakarta\" and created_at > -30d`. See docs/filter.md."},
		map[string]any{"name": "trash", "in": "query", "schema": map[string]any{"type": "boolean"}, "description": "List records in the trash instead."},
	}
	paths[base] = map[string]any{
		"get": map[string]any{"operationId": "list" + name + "s", "summary": "List " + strings.ReplaceAll(e.Name, "_", " "), "tags": tag,
			"parameters": listParams, "responses": merge(map[string]any{"200": jsonResp("One page", name+"List", false)}, problem("Unauthorized", "Invalid"))},
		"post": map[string]any{"operationId": "create" + name, "summary": "Create", "tags": tag, "requestBody": body,
			"responses": merge(map[string]any{"201": jsonResp("Created", name, true)}, problem("BadRequest", "Unauthorized", "Forbidden", "Invalid", "Conflict"))},
	}
	paths[base+"/{id}"] = map[string]any{
		"get": map[string]any{"operationId": "get" + name, "summary": "Get one", "tags": tag,
			"parameters": append(append([]any{}, id...), map[string]any{"$ref": "#/components/parameters/IfNoneMatch"}),
			"responses":  merge(map[string]any{"200": jsonResp("The record", name, true), "304": map[string]any{"$ref": "#/components/responses/NotModified"}}, problem("Unauthorized", "NotFound"))},
		"patch": map[string]any{"operationId": "update" + name, "summary": "Change the fields sent", "tags": tag, "requestBody": body,
			"parameters": append(append([]any{}, id...), map[string]any{"$ref": "#/components/parameters/IfMatch"}),
			"responses":  merge(map[string]any{"200": jsonResp("Changed", name, true)}, problem("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Invalid", "Conflict", "PreconditionFailed"))},
		"delete": map[string]any{"operationId": "delete" + name, "summary": "Move to the trash", "tags": tag, "parameters": id,
			"responses": merge(map[string]any{"204": map[string]any{"description": "Moved to the trash"}}, problem("Unauthorized", "Forbidden", "NotFound"))},
	}
	paths[base+"/{id}/restore"] = map[string]any{
		"post": map[string]any{"operationId": "restore" + name, "summary": "Restore from the trash", "tags": tag, "parameters": id,
			"responses": merge(map[string]any{"200": jsonResp("Restored", name, true)}, problem("Unauthorized", "Forbidden", "NotFound"))},
	}
	paths[base+"/{id}/history"] = map[string]any{
		"get": map[string]any{"operationId": "history" + name, "summary": "Changes of the record, newest first", "tags": tag, "parameters": id,
			"responses": merge(map[string]any{"200": jsonResp("History", "HistoryList", false)}, problem("Unauthorized", "NotFound"))},
	}
}
