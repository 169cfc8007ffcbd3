package i18n

import (
	"strconv"
	"time"
)

// Month names by language, indexed by time.Month-1. English comes from the
// time package; Indonesian differs in Mei, Agu/Agustus, Okt and Des.
var (
	monthsShortID = [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
	monthsLongID  = [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

// Date formats t's calendar day in f's time zone: "24 Nov 2026"; in
// Indonesian with Indonesian month abbreviations ("24 Agu 2026").
func (f Formatter) Date(t time.Time) string {
	t = t.In(f.Location())
	month := t.Month().String()[:3]
	if f.Lang() == "id" {
		month = monthsShortID[t.Month()-1]
	}
	return dayMonthYear(t, month)
}

// DateLong formats t's calendar day with the full month name:
// "24 November 2026", "24 Agustus 2026".
func (f Formatter) DateLong(t time.Time) string {
	t = t.In(f.Location())
	month := t.Month().String()
	if f.Lang() == "id" {
		month = monthsLongID[t.Month()-1]
	}
	return dayMonthYear(t, month)
}

// DateTime formats t as Date followed by a 24-hour time, which both languages
// use in business writing: "24 Nov 2026 14:05".
func (f Formatter) DateTime(t time.Time) string {
	t = t.In(f.Location())
	return f.Date(t) + " " + t.Format("15:04")
}

func dayMonthYear(t time.Time, month string) string {
	return strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
}
