package phone

import (
	"slices"
	"strings"
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

func TestPrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0812", "+62812"},
		{"+62812", "+62812"},
		{"62812", "+62812"},
		{"0812-34", "+6281234"},
		{"0812 3456 7890", "+6281234567890"},
		{" +62 (812) 34.56/78 ", "+62812345678"},
		{"812", "+62812"},
		{"021", "+6221"},
		{"0", "+62"},
		{"6", "+6"},
		{"62", "+62"},
		{"+", "+"},
		{"+65 61", "+6561"},
		{"+1 415", "+1415"},
	}
	for _, tt := range tests {
		got, err := Prefix(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Prefix(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", " ", "-", "abc", "0812x", "08%", "08_1", "+62;ext=1"} {
		if got, err := Prefix(bad); err == nil {
			t.Errorf("Prefix(%q) = %q, want an error", bad, got)
		}
	}
	// Every number Normalize stores starts with the prefix of how it was
	// typed, however much of it was typed.
	for _, typed := range []string{"0812-3456-7890", "+62 812 3456 7890", "62 812 3456 7890", "(021) 555-1234"} {
		full, err := Normalize(typed)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= len(typed); n++ {
			p, err := Prefix(typed[:n])
			if err != nil {
				continue // "(" alone has no digit
			}
			if !strings.HasPrefix(full, p) {
				t.Errorf("Prefix(%q) = %q, not a prefix of %q (Normalize(%q))", typed[:n], p, full, typed)
			}
		}
	}
}
