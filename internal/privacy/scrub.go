package privacy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/relasi/relasi/internal/phone"
)

// identifiers are what identifies a person in free text: names, e-mail
// addresses and phone numbers.
type identifiers struct {
	Names  []string
	Emails []string
	Phones []string // as stored (E.164)
	// Phrases are other values replaced whole, such as a street address.
	Phrases []string
}

func (ids *identifiers) addPhrase(s string) {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) >= 5 && !slices.Contains(ids.Phrases, s) {
		ids.Phrases = append(ids.Phrases, s)
	}
}

func (ids *identifiers) addName(s string) {
	s = strings.Join(strings.Fields(s), " ")
	// Shorter words ("Ng", "Li") would erase parts of other words.
	if len([]rune(s)) >= 3 && s != Placeholder && !slices.Contains(ids.Names, s) {
		ids.Names = append(ids.Names, s)
	}
}

func (ids *identifiers) addEmail(s string) {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "@") && !slices.Contains(ids.Emails, s) {
		ids.Emails = append(ids.Emails, s)
	}
}

func (ids *identifiers) addPhone(s string) {
	s = strings.TrimSpace(s)
	if len(phone.Digits(s)) >= 6 && !slices.Contains(ids.Phones, s) {
		ids.Phones = append(ids.Phones, s)
	}
}

// scrubber replaces a person's identifiers in text with Erased.
type scrubber struct {
	patterns []*regexp.Regexp
	// likes are lower-case substrings a text must contain to be worth
	// scrubbing, for narrowing scans in SQL.
	likes []string
}

// newScrubber builds the patterns; withNames also replaces names, which
// is only done in records about the person (a name is not unique, an
// e-mail address or a phone number nearly is).
func newScrubber(ids identifiers, withNames bool) *scrubber {
	s := &scrubber{}
	// Longest first, so a full name goes before its parts.
	var names []string
	if withNames {
		names = append(slices.Clone(ids.Names), ids.Phrases...)
		for _, n := range ids.Names {
			for _, w := range strings.Fields(n) {
				if len([]rune(w)) >= 3 && !slices.Contains(names, w) {
					names = append(names, w)
				}
			}
		}
		slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	}
	for _, n := range names {
		s.add(`(?i)(^|[^\p{L}\p{N}])(` + regexp.QuoteMeta(n) + `)($|[^\p{L}\p{N}])`)
		s.likes = append(s.likes, strings.ToLower(n))
	}
	for _, e := range ids.Emails {
		s.add(`(?i)(^|[^\p{L}\p{N}._%+\-])(` + regexp.QuoteMeta(e) + `)($|[^\p{L}\p{N}\-])`)
		s.likes = append(s.likes, e)
	}
	for _, p := range ids.Phones {
		// Every way the number is written: +62 812…, 62812…, 0812-3456-…
		for _, form := range append([]string{phone.Digits(p)}, phone.SearchForms(p)...) {
			digits := strings.Split(form, "")
			s.add(`(^|[^\p{N}])(\+?` + strings.Join(digits, `[\s.\-()]?`) + `)($|[^\p{N}])`)
			// The last digits, which every written form ends with.
			if len(form) >= 4 && !slices.Contains(s.likes, form[len(form)-4:]) {
				s.likes = append(s.likes, form[len(form)-4:])
			}
		}
	}
	return s
}

func (s *scrubber) add(expr string) { s.patterns = append(s.patterns, regexp.MustCompile(expr)) }

// text returns t with every identifier replaced.
func (s *scrubber) text(t string) string {
	for _, re := range s.patterns {
		// Twice: a match takes the character after it, which may begin
		// the next occurrence ("Budi, Budi").
		for range 2 {
			t = re.ReplaceAllString(t, "${1}"+Erased+"${3}")
		}
	}
	return t
}

// value scrubs every string inside a decoded JSON value.
func (s *scrubber) value(v any) any {
	switch x := v.(type) {
	case string:
		return s.text(x)
	case []any:
		for i := range x {
			x[i] = s.value(x[i])
		}
		return x
	case map[string]any:
		for k, y := range x {
			x[k] = s.value(y)
		}
		return x
	}
	return v
}

// json scrubs the strings of a JSON document; changed is false when
// nothing was replaced (or the text is not JSON).
func (s *scrubber) json(doc string) (out string, changed bool) {
	var v any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return doc, false
	}
	b, err := json.Marshal(s.value(v))
	if err != nil || string(b) == doc {
		return doc, false
	}
	// Re-encoding may reorder keys or respace: compare the values.
	var before any
	json.Unmarshal([]byte(doc), &before)
	after, _ := json.Marshal(before)
	if string(after) == string(b) {
		return doc, false
	}
	return string(b), true
}
