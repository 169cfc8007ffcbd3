package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mustLoad(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return c
}

func TestCatalogsAgree(t *testing.T) {
	c := mustLoad(t)
	keys := c.Keys()
	if len(keys) == 0 {
		t.Fatal("catalog has no keys")
	}
	if !slices.IsSorted(keys) {
		t.Errorf("Keys() not sorted: %v", keys)
	}
	for _, l := range Languages() {
		msgs := c.messages[l.Code]
		if len(msgs) != len(keys) {
			t.Errorf("%s has %d keys, want %d", l.Code, len(msgs), len(keys))
		}
		for _, key := range keys {
			msg, ok := msgs[key]
			if !ok {
				t.Errorf("%s lacks %q", l.Code, key)
				continue
			}
			if _, err := countVerbs(msg); err != nil {
				t.Errorf("%s %q: %v", l.Code, key, err)
			}
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s %q is empty", l.Code, key)
			}
		}
	}
}

func TestT(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "nav.contacts", nil, "Contacts"},
		{"id", "nav.contacts", nil, "Kontak"},
		{"id", "nav.deals", nil, "Peluang"},
		{"en", "greeting.welcome", []any{"Sari"}, "Welcome, Sari"},
		{"id", "greeting.welcome", []any{"Sari"}, "Selamat datang, Sari"},
		{"fr", "nav.home", nil, "Home"}, // unsupported language -> default
		{"", "nav.home", nil, "Home"},
		{"en", "no.such.key", nil, "!no.such.key!"},
		{"id", "no.such.key", []any{1}, "!no.such.key!"},
	}
	for _, tt := range tests {
		if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestHas(t *testing.T) {
	c := mustLoad(t)
	if !c.Has("app.name") {
		t.Error(`Has("app.name") = false`)
	}
	if c.Has("no.such.key") {
		t.Error(`Has("no.such.key") = true`)
	}
}

func TestKeysIsACopy(t *testing.T) {
	c := mustLoad(t)
	c.Keys()[0] = "changed"
	if c.Keys()[0] == "changed" {
		t.Error("Keys() exposes the catalog's slice")
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name, en, id, wantErr string
	}{
		{"missing key in id", `{"a": "A", "b": "B"}`, `{"a": "A"}`, `"b" is in "en" but missing from "id"`},
		{"missing key in en", `{"a": "A"}`, `{"a": "A", "b": "B"}`, `"b" is in "id" but missing from "en"`},
		{"verb count differs", `{"a": "Hi %s"}`, `{"a": "Halo"}`, `1 fmt verbs in "en" but 0 in "id"`},
		{"dangling percent", `{"a": "50%"}`, `{"a": "50%"}`, "ends inside a fmt verb"},
		{"duplicate key", `{"a": "A", "a": "B"}`, `{"a": "A"}`, `"a" appears twice`},
		{"not a string", `{"a": 1}`, `{"a": "A"}`, "must be a string"},
		{"not an object", `["a"]`, `{"a": "A"}`, "must be a JSON object"},
		{"trailing data", `{"a": "A"} {}`, `{"a": "A"}`, "after the catalog"},
		{"bad json", `{"a": `, `{"a": "A"}`, "en.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"locales/en.json": {Data: []byte(tt.en)},
				"locales/id.json": {Data: []byte(tt.id)},
			}
			_, err := loadFS(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("loadFS error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := loadFS(fstest.MapFS{"locales/en.json": {Data: []byte(`{}`)}})
	if err == nil {
		t.Fatal("loadFS without id.json succeeded")
	}
}

func TestCountVerbs(t *testing.T) {
	tests := []struct {
		msg     string
		want    int
		wantErr bool
	}{
		{"plain", 0, false},
		{"100%% sure", 0, false},
		{"%s and %d", 2, false},
		{"%-10s|%5.2f", 2, false},
		{"%[2]s %[1]s", 2, false},
		{"%*d", 2, false},
		{"50%", 0, true},
		{"%!", 0, true},
	}
	for _, tt := range tests {
		got, err := countVerbs(tt.msg)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("countVerbs(%q) = %d, %v; want %d, error %v", tt.msg, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLanguages(t *testing.T) {
	langs := Languages()
	if len(langs) != 2 || langs[0].Code != "en" || langs[1].Code != "id" || langs[1].Name != "Bahasa Indonesia" {
		t.Errorf("Languages() = %v", langs)
	}
	langs[0].Code = "xx"
	if Languages()[0].Code != "en" {
		t.Error("Languages() exposes package state")
	}
	for lang, want := range map[string]bool{"en": true, "id": true, "": false, "fr": false, "ID": false} {
		if got := IsSupported(lang); got != want {
			t.Errorf("IsSupported(%q) = %v, want %v", lang, got, want)
		}
	}
}
