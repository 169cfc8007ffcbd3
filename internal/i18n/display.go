package i18n

import (
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/phone"
)

// Phone formats a stored number (E.164, ";ext=" for an extension) as people
// in Relasi's country (phone.DefaultRegion, the country it reads numbers
// typed without a country code in) read it: "0831-5783-0432", "(021)
// 5551234 ext. 12" for an Indonesian number, "+65 6234 5678" for a foreign
// one. It does not follow the language: an English reader in Jakarta dials
// Indonesian numbers the Indonesian way. The tel: link and the API keep the
// stored form.
func (f Formatter) Phone(stored string) string {
	return phone.DisplayIn(stored, phone.DefaultRegion)
}

// durationUnits are the unit abbreviations of Duration by language, from
// days down to seconds.
var durationUnits = map[string][4]string{
	"en": {"d", "h", "min", "s"},
	"id": {"hr", "j", "mnt", "dtk"},
}

// Duration formats an elapsed time the way a report reads it, in its two
// largest units with the smaller rounded: "45 s", "1 min 35 s", "12 min",
// "2 h 5 min", "3 d 4 h" ("2 j 5 mnt", "3 hr 4 j" in Indonesian). Seconds
// are kept under ten minutes only, where they still matter to a lead's
// answer; a negative time is shown as zero, as a clock cannot run back.
func (f Formatter) Duration(d time.Duration) string {
	u := durationUnits[f.Lang()]
	s := int64(max(d.Round(time.Second), 0) / time.Second)
	two := func(big int64, bigUnit string, small int64, smallUnit string) string {
		out := strconv.FormatInt(big, 10) + " " + bigUnit
		if small > 0 {
			out += " " + strconv.FormatInt(small, 10) + " " + smallUnit
		}
		return out
	}
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " " + u[3]
	case s < 10*60:
		return two(s/60, u[2], s%60, u[3])
	}
	if mins := (s + 30) / 60; mins < 60 {
		return strconv.FormatInt(mins, 10) + " " + u[2]
	} else if mins < 24*60 {
		return two(mins/60, u[1], mins%60, u[2])
	}
	hours := (s + 1800) / 3600
	return two(hours/24, u[0], hours%24, u[1])
}

// Percent formats a percentage with decimals fraction digits as the
// language writes it: "40%", "12.5%" in English, "40 %", "12,5 %" in
// Indonesian (a space before the sign, as Indonesian style guides write it).
func (f Formatter) Percent(v float64, decimals int) string {
	if f.Lang() == "id" {
		return f.Number(v, decimals) + " %"
	}
	return f.Number(v, decimals) + "%"
}

// Day formats a calendar date held as "YYYY-MM-DD" (a close date, a birth
// date, an order date) in the style of Date, without moving it through a
// time zone: the 31st is the 31st for a reader in any zone. Text that is
// not such a date is returned as it is.
func (f Formatter) Day(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return f.inZone(time.UTC).Date(t)
}

// inZone returns a copy of f that shows times in loc.
func (f Formatter) inZone(loc *time.Location) Formatter {
	f.loc = loc
	return f
}

// AmountExample is an amount written as f's language writes money in
// currency, to show in a message that refuses an amount: "150,000,000.00"
// in English, "150.000.000,00" in Indonesian, "150,000,000" for yen.
func (f Formatter) AmountExample(currency string) string {
	exp, ok := CurrencyExponent(canonicalCurrency(currency))
	if !ok {
		exp = 2
	}
	return f.Number(150_000_000, exp)
}
