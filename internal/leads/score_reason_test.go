package leads

import (
	"testing"

	"github.com/relasi/relasi/internal/i18n"
)

// Stored reasons are facts in a fixed English form; each reads back to the
// reason that wrote it, and shows in the viewer's language.
func TestReasonsReadBackFromTheirStoredForm(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	id := func(key string, args ...any) string { return cat.T("id", key, args...) }
	for _, r := range []Reason{
		{Points: 30, Key: "leads.reason.rating", Arg: "hot"},
		{Points: -40, Key: "leads.reason.rating", Arg: "junk"},
		{Points: 15, Key: "leads.reason.source", Arg: "walk_in"},
		{Points: 10, Key: "leads.reason.email"},
		{Points: 10, Key: "leads.reason.phone"},
		{Points: 10, Key: "leads.reason.company"},
		{Points: 20, Key: "leads.reason.title", Arg: `Direktur "Utama"`},
	} {
		got, ok := ParseReason(r.Text())
		if !ok || got != r {
			t.Errorf("ParseReason(%q) = %+v, %v; want %+v", r.Text(), got, ok, r)
		}
	}
	tests := []struct{ stored, want string }{
		{"+30 rating hot", "+30 peringkat " + cat.T("id", "choice.rating.hot")},
		{"+10 has a phone number", "+10 punya nomor telepon"},
		{`+20 job title "CEO" names a decision maker`, "+20 jabatan “CEO” menunjukkan pengambil keputusan"},
		{"a note from an old version", "a note from an old version"},
	}
	for _, tt := range tests {
		if got := showReasons(id, []string{tt.stored}); got != tt.want {
			t.Errorf("showReasons(%q) = %q, want %q", tt.stored, got, tt.want)
		}
	}
}
