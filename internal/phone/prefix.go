package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Prefix turns the start of a phone number, as a user types it into a
// filter or a type-ahead, into the start of the E.164 form Relasi stores,
// so that it can be matched as a prefix of stored numbers. Spaces, dashes,
// dots, slashes and parentheses are dropped. Read in DefaultRegion:
//
//	+62 812 → +62812   (with a plus: as written)
//	62812   → +62812   (the country code without the plus)
//	0812-3  → +628123  (nationally: the trunk prefix 0 stands for +62)
//	812     → +62812   (a national number without the 0, as Normalize reads it)
//	6       → +6       (the start of the country code: still being typed)
//
// Only the number's part is matched: a stored extension (";ext=12") after
// it does not change whether it starts with the prefix. Anything else than
// digits and those separators, or no digit at all, is ErrInvalid; "+"
// alone is the start of every number.
func Prefix(s string) (string, error) { return prefixIn(s, DefaultRegion) }

func prefixIn(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", ErrInvalid
		}
	}
	d := b.String()
	switch {
	case plus:
		return "+" + d, nil
	case d == "":
		return "", ErrInvalid
	}
	cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
	trunk := phonenumbers.GetNddPrefixForRegion(region, true)
	switch {
	case trunk != "" && strings.HasPrefix(d, trunk):
		return "+" + cc + d[len(trunk):], nil
	case strings.HasPrefix(d, cc) || strings.HasPrefix(cc, d):
		return "+" + d, nil
	}
	return "+" + cc + d, nil
}
