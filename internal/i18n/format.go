package i18n

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Formatter formats values for one language and time zone. The zero value
// formats in DefaultLanguage and Asia/Jakarta.
type Formatter struct {
	lang string
	loc  *time.Location
}

// NewFormatter returns a Formatter for lang (unsupported -> DefaultLanguage)
// and loc (nil -> Asia/Jakarta, where Relasi's users mostly are).
func NewFormatter(lang string, loc *time.Location) Formatter {
	if loc == nil {
		loc = jakarta()
	}
	return Formatter{lang: normalize(lang), loc: loc}
}

// Lang returns the language code the Formatter formats for.
func (f Formatter) Lang() string { return normalize(f.lang) }

// Location returns the time zone dates are shown in.
func (f Formatter) Location() *time.Location {
	if f.loc == nil {
		return jakarta()
	}
	return f.loc
}

// jakarta loads Asia/Jakarta once. Without a tz database (a bare container)
// it falls back to a fixed UTC+7, which is exact: WIB has had no daylight
// saving since 1964.
var jakarta = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*60*60)
})

// separators returns the digit-group and decimal separators of lang.
func separators(lang string) (group, decimal byte) {
	if normalize(lang) == "id" {
		return '.', ','
	}
	return ',', '.'
}

// Number formats v with decimals fraction digits (rounded) and the
// language's separators: en "1,234,567.89", id "1.234.567,89".
func (f Formatter) Number(v float64, decimals int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	decimals = max(decimals, 0)
	digits := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(digits, ".")
	group, dec := separators(f.lang)
	var b strings.Builder
	// A value that rounds to zero prints without a sign: "0.00", not "-0.00".
	if v < 0 && strings.Trim(digits, "0.") != "" {
		b.WriteByte('-')
	}
	writeGrouped(&b, intPart, group)
	if frac != "" {
		b.WriteByte(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// Int formats v with the language's digit grouping.
func (f Formatter) Int(v int64) string {
	group, _ := separators(f.lang)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	writeGrouped(&b, strconv.FormatUint(absInt64(v), 10), group)
	return b.String()
}

// writeGrouped writes a string of digits with sep between groups of three.
func writeGrouped(b *strings.Builder, digits string, sep byte) {
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:min(first, len(digits))])
	for i := first; i < len(digits); i += 3 {
		b.WriteByte(sep)
		b.WriteString(digits[i : i+3])
	}
}

// absInt64 returns |v| as uint64, which also holds |math.MinInt64|.
func absInt64(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
