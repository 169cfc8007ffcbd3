package imports

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// timeOfDay is the time at the end of a date and time cell: "09:12",
// "9:12:30", "09.12" (Indonesian), "9:12 AM", with an optional zone
// ("Z", "+07:00", "+0700", "UTC", "WIB").
var timeOfDay = regexp.MustCompile(`^(.*?)[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d+))?)?\s*([AaPp]\.?[Mm]\.?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT|WIB|WITA|WIT)?$`)

// zones are the zone names exports write, Indonesia's included.
var zones = map[string]*time.Location{
	"Z": time.UTC, "UTC": time.UTC, "GMT": time.UTC,
	"WIB": time.FixedZone("WIB", 7*3600), "WITA": time.FixedZone("WITA", 8*3600), "WIT": time.FixedZone("WIT", 9*3600),
}

// parseCreated reads when a record was created, as exports write it:
// ISO 8601 with or without a zone ("2024-03-05T09:12:00Z",
// "2024-03-05 09:12"), the US order with AM/PM that Salesforce writes
// ("03/05/2024 09:12 AM" is 5 March), the day-first order without
// ("05/03/2024 09:12" is 5 March too), any date the date fields read, and
// Excel serial numbers with the time as their fraction. A time without a
// zone is in loc; a date alone is its midnight.
func parseCreated(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	if serial.MatchString(v) {
		t, ok := excelSerial(v)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), ok
	}
	datePart := v
	hour, minute, sec, nsec := 0, 0, 0, 0
	ampm := ""
	if m := timeOfDay.FindStringSubmatch(v); m != nil {
		datePart = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[1]), ","))
		hour, _ = strconv.Atoi(m[2])
		minute, _ = strconv.Atoi(m[3])
		sec, _ = strconv.Atoi(m[4])
		if m[5] != "" {
			frac := (m[5] + "000000000")[:9]
			nsec, _ = strconv.Atoi(frac)
		}
		ampm = strings.ToUpper(strings.ReplaceAll(m[6], ".", ""))
		switch z := strings.ToUpper(m[7]); {
		case z == "":
		case zones[z] != nil:
			loc = zones[z]
		default:
			off, err := time.Parse("-0700", strings.ReplaceAll(z, ":", ""))
			if err != nil {
				return time.Time{}, false
			}
			_, secs := off.Zone()
			loc = time.FixedZone(z, secs)
		}
		switch {
		case ampm != "" && (hour < 1 || hour > 12):
			return time.Time{}, false
		case ampm == "PM" && hour < 12:
			hour += 12
		case ampm == "AM" && hour == 12:
			hour = 0
		}
		if hour > 23 || minute > 59 || sec > 59 {
			return time.Time{}, false
		}
	}
	day, ok := createdDate(datePart, ampm != "")
	if !ok {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, sec, nsec, loc), true
}

// createdDate reads the date of a creation time. monthFirst reads
// 03/05/2024 as 5 March (the US order, which comes with AM/PM); either way
// a first number over 12 can only be a day and a second one only a day.
func createdDate(v string, monthFirst bool) (time.Time, bool) {
	if m := dayFirst.FindStringSubmatch(v); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if (monthFirst && a <= 12) || b > 12 {
			v = m[2] + "/" + m[1] + "/" + m[3]
		}
	}
	if serial.MatchString(v) {
		return time.Time{}, false // a number is not a date here: the whole cell was not a serial
	}
	s := date(v)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}
