package phone

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0812-3456-7890", "+6281234567890"},
		{"+62 812 3456 7890", "+6281234567890"},
		{"62 812 3456 7890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"(021) 555-1234", "+62215551234"},
		{"021 5551234", "+62215551234"},
		{"+65 6123 4567", "+6561234567"},
		{"+1 (415) 555-2671", "+14155552671"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "12", "0812", "+62"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}

func TestSearchForms(t *testing.T) {
	got := SearchForms("+6281234567890")
	if !slices.Contains(got, "6281234567890") || !slices.Contains(got, "081234567890") {
		t.Fatalf("SearchForms = %v, want the international and the national digits", got)
	}
}
