package i18n

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"id-ID,id;q=0.9", "id"},
		{"id", "id"},
		{"in", "id"}, // the withdrawn code for Indonesian, still sent by old Android
		{"en-US,en;q=0.9", "en"},
		{"en-GB", "en"},
		{"fr-FR,fr;q=0.9", "en"},
		{"de, id;q=0.5", "id"},
		{"fr, de;q=0.8, id;q=0.5, en;q=0.3", "id"},
		{"en;q=0.5, id", "id"},
		{"*", "en"},
		{"not a header;;;", "en"},
		{"zz-ZZ", "en"},
	}
	for _, tt := range tests {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestMatchAlwaysSupported(t *testing.T) {
	// Whatever the matcher decides for near languages, the result must be a
	// UI language.
	for _, h := range []string{"ms", "ms-MY", "jv", "su", "nl", "zh-Hant", "x-klingon"} {
		if got := Match(h); !IsSupported(got) {
			t.Errorf("Match(%q) = %q, not supported", h, got)
		}
	}
}
