package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"Budi Santoso", []string{"budi", "santoso"}},
		{"budi@maju.co.id", []string{"budi", "maju"}},
		{"0812-3456-7890", []string{"081234567890"}},
		{"+62 812 3456 7890", []string{"6281234567890"}},
		{"(021) 555.1234", []string{"0215551234"}},
		{"(021) 555-1234 ext. 12", []string{"0215551234"}},
		{"+62215551234;ext=12", []string{"62215551234"}},
		{"12", nil},
		{"ab cd", nil},
		{"PT. ABC 123", []string{"abc", "123"}},
		{"Ēka Ōtsuka", []string{"ēka", "ōtsuka"}},
		{`"; DROP TABLE x --`, []string{"drop", "table"}},
		{"   ", nil},
	} {
		if got := terms(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("terms(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	if got := WordsAndParts([]string{"budi@maju.co.id"}); got != "budi@maju.co.id budi maju co id" {
		t.Errorf("WordsAndParts = %q", got)
	}
	got := strings.Fields(PhoneWords([]string{"+6281234567890", "+14155552671"}))
	for _, want := range []string{"6281234567890", "081234567890", "14155552671"} {
		if !slices.Contains(got, want) {
			t.Errorf("PhoneWords = %q, lacks %s", got, want)
		}
	}
}
