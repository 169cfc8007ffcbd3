// Package phone normalises telephone numbers to E.164 (+6281234567890),
// the one form Relasi stores, compares and searches. Numbers without a
// country code are read as Indonesian, the way people there write them:
// 0812-3456-7890, (021) 555-1234, 62812…, +62 812 ….
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the country assumed for numbers written without one.
const DefaultRegion = "ID"

// ErrInvalid is returned for input that is not a possible phone number.
var ErrInvalid = errors.New("not a phone number")

// Normalize returns the E.164 form of a number.
func Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrInvalid
	}
	// "62812…" without the plus is common in exports from WhatsApp tools.
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if strings.HasPrefix(digits, "62") && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "0") && len(digits) >= 10 {
		s = "+" + digits
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil {
		return "", ErrInvalid
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", ErrInvalid
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Digits returns only the digits of s, for matching what a user types in a
// search box against stored numbers.
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// SearchForms returns the ways a stored E.164 number may be typed: with the
// country code (6281234567890) and nationally (081234567890).
func SearchForms(e164 string) []string {
	d := Digits(e164)
	forms := []string{d}
	if n, err := phonenumbers.Parse(e164, ""); err == nil {
		national := Digits(phonenumbers.Format(n, phonenumbers.NATIONAL))
		if national != "" && national != d {
			forms = append(forms, national)
		}
	}
	return forms
}
