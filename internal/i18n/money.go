package i18n

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// ErrInvalidMoney is wrapped by every error ParseMoney returns for input it
// cannot read, so handlers can tell bad input (errors.Is) from other errors.
var ErrInvalidMoney = errors.New("invalid amount")

// Money formats an amount given in the currency's minor unit (cents, sen):
//
//	id IDR  "Rp 1.500.000", "Rp 1.500.000,50"
//	en IDR  "IDR 1,500,000", "IDR 1,500,000.50"
//	en USD  "US$1,234.50"
//	other   "EUR 1.234,50" (code, space, the language's separators)
//
// Rupiah drops a zero fraction because sen are not used in practice; every
// other currency always shows all its minor digits. Negative amounts lead with
// '-': "-Rp 1.500.000". An unknown code is shown as given with 2 decimals.
func (f Formatter) Money(minor int64, currency string) string {
	code := canonicalCurrency(currency)
	exp := 2
	if c, ok := currencies[code]; ok {
		exp = c.exponent
	}
	lang := f.Lang()
	group, dec := separators(lang)

	var b strings.Builder
	if minor < 0 {
		b.WriteByte('-')
	}
	switch {
	case code == "IDR" && lang == "id":
		b.WriteString("Rp ")
	case code == "USD" && lang == "en":
		b.WriteString("US$") // "US$", not "$": SGD, AUD and HKD are dollars too
	default:
		b.WriteString(code)
		b.WriteByte(' ')
	}
	mag := absInt64(minor)
	p := pow10(exp)
	writeGrouped(&b, fmt.Sprint(mag/p), group)
	if frac := mag % p; exp > 0 && (frac != 0 || code != "IDR") {
		b.WriteByte(dec)
		fmt.Fprintf(&b, "%0*d", exp, frac)
	}
	return b.String()
}

// ParseMoney reads an amount typed in lang's conventions and returns it in
// currency's minor unit. It accepts what Money prints and what people type:
//
//	id  "1.500.000", "1.500.000,50", "Rp 1.500.000", "Rp1.500.000", "-Rp 5.000"
//	en  "1,500,000.50", "IDR 1,500,000", "US$1,234.50"
//	any "1500000", "1500000.5"
//
// In Indonesian a '.' is a thousands separator, so "1.500" is fifteen hundred;
// a single '.' that cannot be grouping ("1500000.5", "1.5") is read as a
// decimal point. The other language's way is read too where it cannot be
// mistaken: "150.000.000" and "1.500,50" in English, "150,000,000" and
// "1,500.50" in Indonesian; "1.500" in English stays one and a half. More fraction digits than the currency has are rejected, not
// rounded. The currency code or its symbol may lead or trail the number.
func ParseMoney(lang, s, currency string) (int64, error) {
	code := canonicalCurrency(currency)
	info, ok := currencies[code]
	if !ok {
		return 0, fmt.Errorf("i18n: unknown currency %q", currency)
	}
	invalid := func(reason string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidMoney, s, fmt.Sprintf(reason, args...))
	}

	str := strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(str, "-"); ok {
		neg, str = true, strings.TrimSpace(rest)
	}
	str = stripCurrency(str, append([]string{code}, info.symbols...))
	if rest, ok := strings.CutPrefix(str, "-"); ok && !neg { // "Rp -5.000"
		neg, str = true, strings.TrimSpace(rest)
	}
	if str == "" {
		return 0, invalid("no digits")
	}

	group, dec := separators(lang)
	mag, err := parseMagnitude(str, group, dec, info.exponent, code)
	if err != nil && otherStyle(str, dec, group) {
		// Written the other language's way where that cannot be misread:
		// "150.000.000" or "150.000.000,50" on an English page.
		if m, err2 := parseMagnitude(str, dec, group, info.exponent, code); err2 == nil {
			mag, err = m, nil
		}
	}
	if err != nil {
		return 0, invalid("%s", err)
	}
	if neg {
		if mag == 1<<63 {
			return math.MinInt64, nil
		}
		return -int64(mag), nil
	}
	if mag > math.MaxInt64 {
		return 0, invalid("too large")
	}
	return int64(mag), nil
}

// otherStyle reports whether s is unmistakably written with group as the
// thousands separator and dec as the decimal one: two or more groups
// ("150.000.000"), or a group before a decimal ("1.500,50"), each group of
// three digits. A lone "1.500" is not: in English it is one and a half.
func otherStyle(s string, group, dec byte) bool {
	intPart, _, _ := strings.Cut(s, string(dec))
	if strings.Count(s, string(dec)) > 1 || !validGrouping(intPart, group) {
		return false
	}
	groups := strings.Count(intPart, string(group))
	return groups >= 2 || groups == 1 && strings.Contains(s, string(dec))
}

// stripCurrency removes one of the given codes or symbols (case-insensitive)
// from the front or, failing that, the end of s.
func stripCurrency(s string, marks []string) string {
	for _, m := range marks {
		if len(s) >= len(m) && strings.EqualFold(s[:len(m)], m) {
			return strings.TrimSpace(s[len(m):])
		}
	}
	for _, m := range marks {
		if len(s) >= len(m) && strings.EqualFold(s[len(s)-len(m):], m) {
			return strings.TrimSpace(s[:len(s)-len(m)])
		}
	}
	return s
}

// parseMagnitude reads digits with group and decimal separators and returns
// the value scaled to exp minor digits, at most 1<<63 (|math.MinInt64|).
func parseMagnitude(s string, group, dec byte, exp int, code string) (uint64, error) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !('0' <= r && r <= '9' || r == '.' || r == ',') {
			return 0, fmt.Errorf("unexpected character %q", r)
		}
		i += size
	}

	intPart, frac := s, ""
	hasFrac := false
	switch strings.Count(s, string(dec)) {
	case 0:
		// "1500000.5" in Indonesian: a lone '.' that is not valid grouping is
		// taken as the decimal point that plain numbers use everywhere.
		if group == '.' && strings.Count(s, ".") == 1 && !validGrouping(s, group) {
			intPart, frac, hasFrac = splitAt(s, '.')
		}
	case 1:
		intPart, frac, hasFrac = splitAt(s, dec)
	default:
		return 0, fmt.Errorf("more than one decimal separator %q", dec)
	}

	if intPart == "" {
		return 0, errors.New("missing digits before the decimal separator")
	}
	if hasFrac && frac == "" {
		return 0, errors.New("missing digits after the decimal separator")
	}
	if strings.IndexByte(frac, group) >= 0 {
		return 0, fmt.Errorf("thousands separator %q after the decimal separator", group)
	}
	if strings.IndexByte(intPart, group) >= 0 && !validGrouping(intPart, group) {
		return 0, fmt.Errorf("thousands separator %q misplaced", group)
	}
	if len(frac) > exp {
		if exp == 0 {
			return 0, fmt.Errorf("%s has no decimal places", code)
		}
		return 0, fmt.Errorf("%s has at most %d decimal places", code, exp)
	}

	const limit = 1 << 63
	var mag uint64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c == group {
			continue
		}
		d := uint64(c - '0')
		if mag > (limit-d)/10 {
			return 0, errors.New("too large")
		}
		mag = mag*10 + d
	}
	p := pow10(exp)
	if mag > limit/p {
		return 0, errors.New("too large")
	}
	mag *= p
	var minor uint64
	for i := 0; i < len(frac); i++ {
		minor = minor*10 + uint64(frac[i]-'0')
	}
	minor *= pow10(exp - len(frac))
	if mag > limit-minor {
		return 0, errors.New("too large")
	}
	return mag + minor, nil
}

// splitAt splits s at the only occurrence of sep.
func splitAt(s string, sep byte) (before, after string, found bool) {
	return strings.Cut(s, string(sep))
}

// validGrouping reports whether s is digits in groups of three separated by
// sep, with a first group of one to three digits: "1.500.000" but not "15.00".
func validGrouping(s string, sep byte) bool {
	parts := strings.Split(s, string(sep))
	for i, p := range parts {
		if strings.IndexAny(p, ".,") >= 0 {
			return false
		}
		if i == 0 && (len(p) < 1 || len(p) > 3) || i > 0 && len(p) != 3 {
			return false
		}
	}
	return true
}

// pow10 returns 10^n for the small exponents of ISO 4217.
func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
