package records_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// schemaOf returns components.schemas[name] of an OpenAPI fragment.
func schemaOf(t *testing.T, doc []byte, name string) map[string]any {
	t.Helper()
	var d struct {
		Paths      map[string]any
		Components struct{ Schemas map[string]map[string]any }
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("OpenAPI fragment is not JSON: %v", err)
	}
	s, ok := d.Components.Schemas[name]
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	return s
}

// customProps returns properties.custom.properties of a schema.
func customProps(t *testing.T, s map[string]any) map[string]any {
	t.Helper()
	custom := s["properties"].(map[string]any)["custom"].(map[string]any)
	if custom["additionalProperties"] != false {
		t.Errorf("custom accepts fields it does not know: %v", custom)
	}
	return custom["properties"].(map[string]any)
}

func TestOpenAPIHasCustomFields(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		entities := []*records.Entity{c.Accounts, c.Contacts}
		doc, err := c.Store.OpenAPI(t.Context(), entities)
		if err != nil {
			t.Fatal(err)
		}
		if got := customProps(t, schemaOf(t, doc, "Contact")); len(got) != 0 {
			t.Errorf("custom properties before any custom field: %v", got)
		}
		contact := schemaOf(t, doc, "Contact")
		props := contact["properties"].(map[string]any)
		for _, f := range []string{"id", "first_name", "emails", "phones", "account_id", "owner_id", "last_activity_at", "display", "version"} {
			if _, ok := props[f]; !ok {
				t.Errorf("Contact has no property %s", f)
			}
		}
		input := schemaOf(t, doc, "ContactInput")["properties"].(map[string]any)
		for _, f := range []string{"id", "last_activity_at", "version", "created_at"} {
			if _, ok := input[f]; ok {
				t.Errorf("ContactInput accepts the read-only %s", f)
			}
		}
		if _, ok := input["first_name"]; !ok {
			t.Error("ContactInput has no first_name")
		}
		if schemaOf(t, doc, "AccountList") == nil || schemaOf(t, doc, "HistoryList") == nil {
			t.Error("list schemas missing")
		}

		for _, k := range customKinds {
			c.customField(t, "contacts", k.key, k.kind, k.extra)
		}
		doc, err = c.Store.OpenAPI(t.Context(), entities)
		if err != nil {
			t.Fatal(err)
		}
		wantTypes := map[string]string{
			"tier": "[string null]", "score": "[number null]", "budget": "[number null]", "renewal": "[string null]",
			"active": "[boolean null]", "segment": "[string null]", "channels": "array", "shop": "[string null]",
			"billing": "[string null]", "hotline": "[string null]",
		}
		for _, schema := range []string{"Contact", "ContactInput"} {
			got := customProps(t, schemaOf(t, doc, schema))
			if len(got) != len(customKinds) {
				t.Errorf("%s has %d custom properties, want %d: %v", schema, len(got), len(customKinds), got)
			}
			for key, typ := range wantTypes {
				p, ok := got[key].(map[string]any)
				if !ok {
					t.Errorf("%s has no custom.%s", schema, key)
					continue
				}
				if schema == "ContactInput" && key == "channels" {
					typ = "[array null]"
				}
				if show(p["type"]) != typ {
					t.Errorf("%s custom.%s type %v, want %s", schema, key, p["type"], typ)
				}
			}
			if seg := got["segment"].(map[string]any); !slices.Equal(asStrings(seg["enum"]), []string{"b2b", "b2c", "gov", ""}) {
				t.Errorf("%s custom.segment enum %v", schema, seg["enum"])
			}
			if d := got["renewal"].(map[string]any); d["format"] != "date" || d["title"] != "Renewal" {
				t.Errorf("%s custom.renewal %v, want format date and the label as title", schema, d)
			}
		}
		// Accounts are not concerned.
		if got := customProps(t, schemaOf(t, doc, "Account")); len(got) != 0 {
			t.Errorf("Account custom properties %v", got)
		}
		// The sort parameter names the custom fields that sort.
		var d struct {
			Paths map[string]map[string]struct {
				Parameters []struct{ Name, Description string }
			}
		}
		json.Unmarshal(doc, &d)
		found := false
		for _, p := range d.Paths["/api/v1/contacts"]["get"].Parameters {
			if p.Name == "sort" {
				found = true
				for _, want := range []string{"custom.budget", "first_name"} {
					if !containsWord(p.Description, want) {
						t.Errorf("sort description %q lacks %s", p.Description, want)
					}
				}
				if containsWord(p.Description, "custom.channels") {
					t.Errorf("sort description %q names a multiple-choice field", p.Description)
				}
			}
		}
		if !found {
			t.Error("no sort parameter on GET /api/v1/contacts")
		}
	})
}

func asStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = show(x)
	}
	return out
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w && (i+len(w) == len(s) || s[i+len(w)] == ',' || s[i+len(w)] == '.') {
			return true
		}
	}
	return false
}
