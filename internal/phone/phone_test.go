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

// Extensions are kept in RFC 3966's suffix form, however they are written,
// and a stored number reads back as itself.
func TestExtensions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0812 3456 789 ext 2", "+628123456789;ext=2"},
		{"(021) 555-1234 ext. 12", "+62215551234;ext=12"},
		{"021-5551234 x12", "+62215551234;ext=12"},
		{"021 5551234 X 12", "+62215551234;ext=12"},
		{"+62 21 5551234 #12", "+62215551234;ext=12"},
		{"021 5551234 ekst. 12", "+62215551234;ext=12"},
		{"021 5551234 eks 12", "+62215551234;ext=12"},
		{"021 5551234 pes. 12", "+62215551234;ext=12"},
		{"021 5551234 pesawat 12", "+62215551234;ext=12"},
		{"021-5551234 psw. 305", "+62215551234;ext=305"},
		{"021 5551234 (ext 12)", "+62215551234;ext=12"},
		{"021 5551234 ext: 12", "+62215551234;ext=12"},
		{"021-5551234 extension 12", "+62215551234;ext=12"},
		{"+62215551234;ext=12", "+62215551234;ext=12"},
		{"tel:+62-21-5551234;ext=12", "+62215551234;ext=12"},
		{"HP: 0812-3456-7890", "+6281234567890"},
		{"0812-3456-7890 (WA)", "+6281234567890"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := Normalize(got); again != got || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; a stored number must read back as itself", got, again, err)
		}
	}
	// Words after a number were read as the letters of a keypad and made
	// a longer number that belongs to no one; they are refused instead.
	for _, bad := range []string{"0812 3456 7890 kantor", "0812 3456 7890 Budi", "021 5551234 ext 12a", "021 5551234 ext 12345678901"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}

func TestDisplayAndTel(t *testing.T) {
	// In Indonesia, from abroad (another region), and the link either way.
	for stored, want := range map[string][3]string{
		"+62215551234;ext=12": {"(021) 5551234 ext. 12", "+62 21 5551234 ext. 12", "tel:+62215551234;ext=12"},
		"+6281234567890":      {"0812-3456-7890", "+62 812-3456-7890", "tel:+6281234567890"},
		"+6561234567":         {"+65 6123 4567", "6123 4567", "tel:+6561234567"},
		"not a number":        {"not a number", "not a number", ""},
	} {
		if got := DisplayIn(stored, "ID"); got != want[0] {
			t.Errorf("DisplayIn(%q, ID) = %q, want %q", stored, got, want[0])
		}
		if got := DisplayIn(stored, "SG"); got != want[1] {
			t.Errorf("DisplayIn(%q, SG) = %q, want %q", stored, got, want[1])
		}
		if got := TelURI(stored); got != want[2] {
			t.Errorf("TelURI(%q) = %q, want %q", stored, got, want[2])
		}
	}
}

func TestSearchFormsLeaveTheExtensionOut(t *testing.T) {
	got := SearchForms("+62215551234;ext=12")
	if !slices.Equal(got, []string{"62215551234", "0215551234"}) {
		t.Errorf("SearchForms = %v, want the number's forms without its extension", got)
	}
	if got := WithoutExtension("021 555 1234 ext 12"); got != "021 555 1234" {
		t.Errorf("WithoutExtension = %q", got)
	}
}

func TestJoinExtensions(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"(021) 555-1234", " ext. 12"}, []string{"(021) 555-1234 ext. 12"}},
		{[]string{"+62215551234", "ext=12", "0812 3456 7890"}, []string{"+62215551234 ext=12", "0812 3456 7890"}},
		{[]string{"0812 3456 7890", "0813 1111 2222"}, []string{"0812 3456 7890", "0813 1111 2222"}},
		{[]string{"ext 12"}, []string{"ext 12"}},
	} {
		got := JoinExtensions(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("JoinExtensions(%q) = %q, want %q", tc.in, got, tc.want)
		}
		for _, s := range got[:1] {
			if len(tc.want) > 0 && tc.want[0] != "ext 12" {
				if _, err := Normalize(s); err != nil {
					t.Errorf("Normalize(%q): %v", s, err)
				}
			}
		}
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
