package i18n

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	// 17:30 UTC on 31 Dec is 00:30 on 1 Jan in Jakarta (UTC+7).
	crossing := time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC)
	aug := time.Date(2026, 8, 5, 14, 5, 0, 0, jakarta())
	utc := time.UTC
	tests := []struct {
		lang                 string
		loc                  *time.Location
		t                    time.Time
		date, long, dateTime string
	}{
		{"en", nil, time.Date(2026, 11, 24, 14, 5, 0, 0, jakarta()), "24 Nov 2026", "24 November 2026", "24 Nov 2026 14:05"},
		{"id", nil, time.Date(2026, 11, 24, 14, 5, 0, 0, jakarta()), "24 Nov 2026", "24 November 2026", "24 Nov 2026 14:05"},
		{"en", nil, aug, "5 Aug 2026", "5 August 2026", "5 Aug 2026 14:05"},
		{"id", nil, aug, "5 Agu 2026", "5 Agustus 2026", "5 Agu 2026 14:05"},
		{"id", nil, time.Date(2026, 5, 1, 9, 0, 0, 0, jakarta()), "1 Mei 2026", "1 Mei 2026", "1 Mei 2026 09:00"},
		{"id", nil, time.Date(2026, 10, 1, 9, 0, 0, 0, jakarta()), "1 Okt 2026", "1 Oktober 2026", "1 Okt 2026 09:00"},
		{"id", nil, time.Date(2026, 2, 1, 9, 0, 0, 0, jakarta()), "1 Feb 2026", "1 Februari 2026", "1 Feb 2026 09:00"},
		{"id", nil, time.Date(2026, 3, 1, 9, 0, 0, 0, jakarta()), "1 Mar 2026", "1 Maret 2026", "1 Mar 2026 09:00"},
		// The same instant on different days depending on the zone.
		{"en", nil, crossing, "1 Jan 2027", "1 January 2027", "1 Jan 2027 00:30"},
		{"id", nil, crossing, "1 Jan 2027", "1 Januari 2027", "1 Jan 2027 00:30"},
		{"en", utc, crossing, "31 Dec 2026", "31 December 2026", "31 Dec 2026 17:30"},
		{"id", utc, crossing, "31 Des 2026", "31 Desember 2026", "31 Des 2026 17:30"},
		{"xx", nil, aug, "5 Aug 2026", "5 August 2026", "5 Aug 2026 14:05"}, // unsupported -> en
	}
	for _, tt := range tests {
		f := NewFormatter(tt.lang, tt.loc)
		if got := f.Date(tt.t); got != tt.date {
			t.Errorf("%s Date(%v) = %q, want %q", tt.lang, tt.t, got, tt.date)
		}
		if got := f.DateLong(tt.t); got != tt.long {
			t.Errorf("%s DateLong(%v) = %q, want %q", tt.lang, tt.t, got, tt.long)
		}
		if got := f.DateTime(tt.t); got != tt.dateTime {
			t.Errorf("%s DateTime(%v) = %q, want %q", tt.lang, tt.t, got, tt.dateTime)
		}
	}
}

func TestMonthNamesID(t *testing.T) {
	f := NewFormatter("id", time.UTC)
	short := []string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
	for m := time.January; m <= time.December; m++ {
		day := time.Date(2026, m, 10, 0, 0, 0, 0, time.UTC)
		if got, want := f.Date(day), "10 "+short[m-1]+" 2026"; got != want {
			t.Errorf("Date(%v) = %q, want %q", day, got, want)
		}
	}
}

func TestFormatterDefaults(t *testing.T) {
	var zero Formatter
	if zero.Lang() != DefaultLanguage || zero.Location().String() != jakarta().String() {
		t.Errorf("zero Formatter = %q, %v", zero.Lang(), zero.Location())
	}
	if got := NewFormatter("id", nil).Location(); got.String() != "Asia/Jakarta" && got.String() != "WIB" {
		t.Errorf("default location = %v", got)
	}
}
