// Package phone normalises telephone numbers to E.164 (+6281234567890),
// the one form Relasi stores, compares and searches. Numbers without a
// country code are read as Indonesian, the way people there write them:
// 0812-3456-7890, (021) 555-1234, 62812…, +62 812 ….
//
// An extension is kept, in the suffix form of RFC 3966:
// "(021) 555-1234 ext. 12", "021-5551234 x12", "+62 21 5551234 #12",
// "ekst. 12" and "pes. 12" (Indonesian "pesawat") are all stored as
// "+62215551234;ext=12", shown as "+62 21 5551234 ext. 12" and dialled
// from a tel:+62215551234;ext=12 link. A number with an extension is
// another number than the same one without: the switchboard of an office
// is not the desk of one of its people, so neither matches the other as a
// duplicate.
package phone

import (
	"errors"
	"regexp"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the country assumed for numbers written without one.
const DefaultRegion = "ID"

// ErrInvalid is returned for input that is not a possible phone number.
var ErrInvalid = errors.New("not a phone number")

// extSuffix is how a stored number carries its extension (RFC 3966).
const extSuffix = ";ext="

// maxExt is the most digits an extension may have.
const maxExt = 10

// extension finds an extension written after a number: a marker — "ext",
// "ext.", "extension", "x", "#", Indonesian "ekst.", "eks.", "ekstensi",
// "pes.", "pesawat" or "psw." (pesawat, the desk telephone), RFC 3966's
// ";ext=" — then its digits, at the end of the text, in parentheses or
// not. A marker must start a word: the x of "fax" is none.
var extension = regexp.MustCompile(`(?i)(?:^|[^\p{L}])\(?\s*(?:;\s*ext\s*=|` + extMarker + `)\s*(\d{1,10})\s*\)?\s*$`)

// extMarker is the word or sign that starts an extension, with what may
// follow it before the digits.
const extMarker = `(?:ext(?:ension)?|ekst(?:ensi)?|eks|pes(?:awat)?|psw|x)\.?\s*[:=\-]?|#`

// onlyExtension is a piece of a split list that holds nothing but an
// extension: "ext. 12" after "(021) 555-1234," or "ext=12" after
// "+62215551234;" once a cell was split at its commas and semicolons.
var onlyExtension = regexp.MustCompile(`(?i)^\s*\(?\s*(?:ext\s*=|` + extMarker + `)\s*\d{1,10}\s*\)?\s*$`)

// Normalize returns the stored form of a number: E.164, and ";ext=" with
// the extension when it has one.
//
// Words in the number are refused rather than read as the letters of a
// keypad (which is what the phone number library does with three letters
// or more: "0812 3456 7890 kantor" would become a longer number that
// belongs to no one). A label before the number ("HP: 0812…", "Telp.
// 021…") is passed over, as is a short note after it ("(WA)").
func Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrInvalid
	}
	ext := ""
	if m := extension.FindStringSubmatchIndex(s); m != nil {
		ext = s[m[2]:m[3]]
		s = strings.TrimSpace(s[:m[0]+markerStart(s[m[0]:m[1]])])
	}
	if lettersAfterStart(s) >= 3 {
		return "", ErrInvalid
	}
	// "62812…" without the plus is common in exports from WhatsApp tools.
	digits := Digits(s)
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
	if ext == "" {
		// The library reads a few ways of writing one itself
		// ("021 5551234, 12").
		ext = n.GetExtension()
	}
	if len(ext) > maxExt || Digits(ext) != ext {
		return "", ErrInvalid
	}
	out := phonenumbers.Format(n, phonenumbers.E164)
	if ext != "" {
		out += extSuffix + ext
	}
	return out, nil
}

// markerStart is where the extension begins within the matched text m,
// which may start with the character before the marker.
func markerStart(m string) int {
	for i, r := range m {
		if unicode.IsLetter(r) || r == '(' || r == '#' || r == ';' {
			return i
		}
	}
	return 0
}

// lettersAfterStart counts the letters from the number's first digit or
// plus sign on.
func lettersAfterStart(s string) int {
	i := strings.IndexFunc(s, func(r rune) bool { return r == '+' || r >= '0' && r <= '9' })
	if i < 0 {
		return 0
	}
	n := 0
	for _, r := range s[i:] {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// JoinExtensions puts an extension that a list was split away from its
// number back onto it: ["(021) 555-1234", "ext. 12"] is one number. A
// list of phones is split at commas and semicolons, which also stand
// between a number and its extension ("+62215551234;ext=12").
func JoinExtensions(items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if len(out) > 0 && onlyExtension.MatchString(it) && !HasExtension(out[len(out)-1]) {
			out[len(out)-1] = strings.TrimSpace(out[len(out)-1]) + " " + strings.TrimSpace(it)
			continue
		}
		out = append(out, it)
	}
	return out
}

// HasExtension reports whether a number, as typed or stored, ends with an
// extension.
func HasExtension(s string) bool {
	return extension.MatchString(s)
}

// Split returns a stored number's E.164 part and its extension ("" for
// none).
func Split(stored string) (number, ext string) {
	number, ext, _ = strings.Cut(stored, extSuffix)
	return number, ext
}

// DisplayIn is a stored number as people in region (ISO 3166 "ID") read
// it: a number of that country in its national form, "0831-5783-0432",
// "(021) 5551234 ext. 12"; any other grouped the way its country writes
// numbers, in the international form, "+65 6123 4567", since it is
// dialled from abroad ("" for region shows every number so). A value that
// is not a stored number is returned as it is.
func DisplayIn(stored, region string) string {
	if stored == "" {
		return ""
	}
	n, err := phonenumbers.Parse(stored, DefaultRegion)
	if err != nil {
		return stored
	}
	if region != "" && phonenumbers.GetRegionCodeForNumber(n) == strings.ToUpper(region) {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// TelURI is the tel: link that dials a stored number, its extension
// included (RFC 3966: tel:+62215551234;ext=12), or "" for a value that is
// not a stored number.
func TelURI(stored string) string {
	number, ext := Split(stored)
	if !strings.HasPrefix(number, "+") || len(number) < 4 || Digits(number) != number[1:] || Digits(ext) != ext {
		return ""
	}
	if ext != "" {
		return "tel:" + number + extSuffix + ext
	}
	return "tel:" + number
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
// country code (6281234567890) and nationally (081234567890). A number's
// extension is not part of them: the office's number finds the people
// reached through it.
func SearchForms(e164 string) []string {
	e164, _ = Split(e164)
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

// WithoutExtension cuts an extension off what a user typed, so that a
// search for "021 555 1234 ext 12" looks for the number.
func WithoutExtension(s string) string {
	if m := extension.FindStringIndex(s); m != nil {
		return strings.TrimSpace(s[:m[0]+markerStart(s[m[0]:m[1]])])
	}
	return s
}
