package privacy

import "testing"

func TestScrubber(t *testing.T) {
	ids := identifiers{}
	ids.addName("Budi Santoso")
	ids.addName("Budi")
	ids.addName("Santoso")
	ids.addEmail("An@Maju.co.id")
	ids.addPhone("+6281234567890")
	ids.addPhrase("Jl. Melati 5")
	all, contact := newScrubber(ids, true), newScrubber(ids, false)
	for _, tc := range []struct {
		in, all, contact string
	}{
		{"Call Budi Santoso today", "Call [erased] today", "Call Budi Santoso today"},
		{"budi, BUDI and Budi.", "[erased], [erased] and [erased].", "budi, BUDI and Budi."},
		// Other words and other addresses stay.
		{"Budiman and Santosoputra", "Budiman and Santosoputra", "Budiman and Santosoputra"},
		{"write to an@maju.co.id or dan@maju.co.id", "write to [erased] or dan@maju.co.id", "write to [erased] or dan@maju.co.id"},
		// A phone number however it is written; longer numbers stay.
		{"0812-3456-7890, +62 812 3456 7890, 6281234567890", "[erased], [erased], [erased]", "[erased], [erased], [erased]"},
		{"ref 908123456789012", "ref 908123456789012", "ref 908123456789012"},
		{"ship to Jl. Melati 5, Bandung", "ship to [erased], Bandung", "ship to Jl. Melati 5, Bandung"},
	} {
		if got := all.text(tc.in); got != tc.all {
			t.Errorf("all(%q) = %q, want %q", tc.in, got, tc.all)
		}
		if got := contact.text(tc.in); got != tc.contact {
			t.Errorf("contact(%q) = %q, want %q", tc.in, got, tc.contact)
		}
	}
	if out, changed := all.json(`{"subject":["Call Budi",null],"n":[1,2]}`); !changed || out != `{"n":[1,2],"subject":["Call [erased]",null]}` {
		t.Errorf("json: %s %v", out, changed)
	}
	if _, changed := all.json(`{"n": [1, 2]}`); changed {
		t.Errorf("json without identifiers reported as changed")
	}
}

func TestConfirmed(t *testing.T) {
	for _, tc := range []struct {
		typed, title string
		want         bool
	}{
		{"ERASE", "Budi", true},
		{" ERASE ", "Budi", true},
		{"erase", "Budi", false},
		{"budi  santoso", "Budi Santoso", true},
		{"Budi", "Budi Santoso", false},
		{"", "", false},
	} {
		if got := Confirmed(tc.typed, tc.title); got != tc.want {
			t.Errorf("Confirmed(%q, %q) = %v", tc.typed, tc.title, got)
		}
	}
}
