package records

import (
	"github.com/relasi/relasi/internal/phone"
)

// NormalizePhone is the Normalize of phone fields: E.164, Indonesian
// numbers understood without a country code.
func NormalizePhone(v any) (any, error) {
	n, err := phone.Normalize(v.(string))
	if err != nil {
		return nil, problem("invalid_phone", "is not a phone number")
	}
	return n, nil
}

// NormalizePhones normalises every number of a list. An extension split
// off its number — a list is split at commas, and a form's "(021)
// 555-1234, ext. 12" or an export's "+62215551234;ext=12" split again at
// the semicolon — goes back onto it.
func NormalizePhones(v any) (any, error) {
	in := phone.JoinExtensions(v.([]string))
	out := make([]string, 0, len(in))
	for _, s := range in {
		n, err := phone.Normalize(s)
		if err != nil {
			return nil, problem("invalid_phone", "holds %q, which is not a phone number", s)
		}
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out, nil
}

// NormalizeEmails checks and lower-cases every address of a list.
func NormalizeEmails(v any) (any, error) {
	in := v.([]string)
	out := make([]string, 0, len(in))
	email := Field{Kind: Email}
	for _, s := range in {
		e, err := email.accept(s, "")
		if err != nil {
			return nil, problem("invalid_email", "holds %q, which is not an e-mail address", s)
		}
		dup := false
		for _, o := range out {
			dup = dup || o == e
		}
		if !dup {
			out = append(out, e.(string))
		}
	}
	return out, nil
}
