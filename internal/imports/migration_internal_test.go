package imports

import (
	"testing"
	"time"
)

// GuessMigration is guessMigration, for the external tests.
var GuessMigration = guessMigration

func TestParseCreated(t *testing.T) {
	jkt := time.FixedZone("WIB", 7*3600)
	for in, want := range map[string]time.Time{
		"2024-03-05T09:12:00Z":      time.Date(2024, 3, 5, 9, 12, 0, 0, time.UTC),
		"2024-03-05T09:12:00+07:00": time.Date(2024, 3, 5, 2, 12, 0, 0, time.UTC),
		"2024-03-05T09:12:00.250Z":  time.Date(2024, 3, 5, 9, 12, 0, 250e6, time.UTC),
		"2024-03-05 09:12":          time.Date(2024, 3, 5, 9, 12, 0, 0, jkt),
		"2024-03-05 09:12:33":       time.Date(2024, 3, 5, 9, 12, 33, 0, jkt),
		"2024-03-05 09:12 +0000":    time.Date(2024, 3, 5, 9, 12, 0, 0, time.UTC),
		"2024-03-05 09:12 UTC":      time.Date(2024, 3, 5, 9, 12, 0, 0, time.UTC),
		"03/05/2024 09:12 AM":       time.Date(2024, 3, 5, 9, 12, 0, 0, jkt),
		"3/5/2024 9:12 PM":          time.Date(2024, 3, 5, 21, 12, 0, 0, jkt),
		"03/05/2024 12:05 AM":       time.Date(2024, 3, 5, 0, 5, 0, 0, jkt),
		"05/03/2024 09:12":          time.Date(2024, 3, 5, 9, 12, 0, 0, jkt),
		"03/25/2024 09:12":          time.Date(2024, 3, 25, 9, 12, 0, 0, jkt),
		"05/03/2024":                time.Date(2024, 3, 5, 0, 0, 0, 0, jkt),
		"5 Maret 2024 09.12":        time.Date(2024, 3, 5, 9, 12, 0, 0, jkt),
		"Mar 5, 2024 9:12 AM":       time.Date(2024, 3, 5, 9, 12, 0, 0, jkt),
		"2024-03-05":                time.Date(2024, 3, 5, 0, 0, 0, 0, jkt),
		"45356":                     time.Date(2024, 3, 5, 0, 0, 0, 0, jkt),
		"45356.25":                  time.Date(2024, 3, 5, 6, 0, 0, 0, jkt),
	} {
		got, ok := parseCreated(in, jkt)
		if !ok || !got.Equal(want) {
			t.Errorf("%q: %s %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"kemarin", "2024-13-05 09:12", "03/05/2024 13:12 PM", "2024-03-05 25:00", "31/02/2024", "0", ""} {
		if got, ok := parseCreated(bad, jkt); ok {
			t.Errorf("%q read as %s", bad, got)
		}
	}
}

func TestSalesforce18(t *testing.T) {
	if got := salesforce18("001A0000006Vm9r"); got != "001A0000006Vm9rIAC" {
		t.Errorf("got %s", got)
	}
	if got := salesforce18("001A0000006Vm9rIAC"); got != "001A0000006Vm9rIAC" {
		t.Errorf("an 18-character ID changed: %s", got)
	}
}
