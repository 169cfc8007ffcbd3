package i18n

import (
	"testing"
	"time"
)

func TestPhone(t *testing.T) {
	tests := []struct{ stored, want string }{
		{"+6283157830432", "0831-5783-0432"},             // an Indonesian mobile, as Indonesians write it
		{"+6281234567890", "0812-3456-7890"},             //
		{"+62215551234;ext=12", "(021) 5551234 ext. 12"}, // Jakarta landline with its extension
		{"+6562345678", "+65 6234 5678"},                 // Singapore: dialled from abroad
		{"+14155552671", "+1 415-555-2671"},              //
		{"", ""},
		{"not a number", "not a number"},
	}
	for _, lang := range []string{"en", "id"} {
		f := NewFormatter(lang, nil)
		for _, tt := range tests {
			if got := f.Phone(tt.stored); got != tt.want {
				t.Errorf("%s Phone(%q) = %q, want %q", lang, tt.stored, got, tt.want)
			}
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d      time.Duration
		en, id string
	}{
		{0, "0 s", "0 dtk"},
		{-time.Minute, "0 s", "0 dtk"},
		{45 * time.Second, "45 s", "45 dtk"},
		{95 * time.Second, "1 min 35 s", "1 mnt 35 dtk"},
		{5 * time.Minute, "5 min", "5 mnt"},
		{12*time.Minute + 29*time.Second, "12 min", "12 mnt"},
		{59*time.Minute + 45*time.Second, "1 h", "1 j"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min", "2 j 5 mnt"},
		{2*time.Hour + 5*time.Minute + 31*time.Second, "2 h 6 min", "2 j 6 mnt"},
		{23*time.Hour + 59*time.Minute + 50*time.Second, "1 d", "1 hr"},
		{3*24*time.Hour + 4*time.Hour + 10*time.Minute, "3 d 4 h", "3 hr 4 j"},
	}
	en, id := NewFormatter("en", nil), NewFormatter("id", nil)
	for _, tt := range tests {
		if got := en.Duration(tt.d); got != tt.en {
			t.Errorf("en Duration(%s) = %q, want %q", tt.d, got, tt.en)
		}
		if got := id.Duration(tt.d); got != tt.id {
			t.Errorf("id Duration(%s) = %q, want %q", tt.d, got, tt.id)
		}
	}
}

func TestPercent(t *testing.T) {
	en, id := NewFormatter("en", nil), NewFormatter("id", nil)
	for _, tt := range []struct {
		v        float64
		decimals int
		en, id   string
	}{{40, 0, "40%", "40 %"}, {0, 0, "0%", "0 %"}, {100, 0, "100%", "100 %"}, {12.5, 1, "12.5%", "12,5 %"}} {
		if got := en.Percent(tt.v, tt.decimals); got != tt.en {
			t.Errorf("en Percent(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.en)
		}
		if got := id.Percent(tt.v, tt.decimals); got != tt.id {
			t.Errorf("id Percent(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.id)
		}
	}
}

// A calendar date is the same day for a reader in any zone, in the style
// of Date.
func TestDay(t *testing.T) {
	for _, zone := range []string{"Asia/Jakarta", "America/Los_Angeles", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		en, id := NewFormatter("en", loc), NewFormatter("id", loc)
		if got := en.Day("2026-08-31"); got != "31 Aug 2026" {
			t.Errorf("en Day in %s = %q, want 31 Aug 2026", zone, got)
		}
		if got := id.Day("2026-08-31"); got != "31 Agu 2026" {
			t.Errorf("id Day in %s = %q, want 31 Agu 2026", zone, got)
		}
		if got, want := en.Day("2026-08-31"), en.Date(time.Date(2026, 8, 31, 12, 0, 0, 0, loc)); got != want {
			t.Errorf("Day %q and Date %q differ in style", got, want)
		}
	}
	if got := NewFormatter("en", nil).Day("soon"); got != "soon" {
		t.Errorf("Day(soon) = %q, want the text as it is", got)
	}
}

// Amounts typed the way each language writes money, and the other
// language's way where that cannot be misread.
func TestParseMoneyEitherStyle(t *testing.T) {
	tests := []struct {
		lang, s string
		want    int64
	}{
		{"en", "150,000,000", 15_000_000_000},
		{"en", "150000000.50", 15_000_000_050},
		{"en", "150.000.000", 15_000_000_000},    // Indonesian grouping, unmistakable
		{"en", "150.000.000,50", 15_000_000_050}, //
		{"en", "1.500,50", 150_050},              // a group before a decimal comma
		{"id", "150.000.000", 15_000_000_000},
		{"id", "150.000.000,50", 15_000_000_050},
		{"id", "150,000,000", 15_000_000_000}, // English grouping, unmistakable
		{"id", "150,000,000.50", 15_000_000_050},
		{"id", "1,500.50", 150_050},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.lang, tt.s, "IDR")
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q, %q, IDR) = %d, %v; want %d", tt.lang, tt.s, got, err, tt.want)
		}
	}
	// Still refused: what either reading could get wrong ("1.500" in
	// English is one and a half with a digit too many, not fifteen hundred).
	for _, tt := range []struct{ lang, s string }{{"en", "1.500"}, {"id", "1,500"}, {"en", "1,50"}, {"en", "1.50.000"}, {"id", "1,500.505"}} {
		if got, err := ParseMoney(tt.lang, tt.s, "IDR"); err == nil {
			t.Errorf("ParseMoney(%q, %q, IDR) = %d, want it refused", tt.lang, tt.s, got)
		}
	}
}

func TestAmountExample(t *testing.T) {
	for _, tt := range []struct{ lang, currency, want string }{
		{"en", "IDR", "150,000,000.00"},
		{"id", "IDR", "150.000.000,00"},
		{"en", "JPY", "150,000,000"},
		{"id", "", "150.000.000,00"},
	} {
		got := NewFormatter(tt.lang, nil).AmountExample(tt.currency)
		if got != tt.want {
			t.Errorf("%s AmountExample(%q) = %q, want %q", tt.lang, tt.currency, got, tt.want)
		}
		// The example is an amount ParseMoney reads.
		if _, err := ParseMoney(tt.lang, got, tt.currency); err != nil {
			t.Errorf("%s: the example %q is refused: %v", tt.lang, got, err)
		}
	}
}
