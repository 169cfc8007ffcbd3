package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokDate
	tokDateTime
	tokRelative // -90d, +7d; the words now, today, … arrive as tokIdent
	tokLParen
	tokRParen
	tokComma
	tokOp // = != < <= > >=
)

type token struct {
	kind tokenKind
	text string // identifier as written, string content, canonical literal or operator
	pos  int    // 1-based character position
}

// describe names the token for "found …" in error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the filter"
	case tokString:
		return quote(t.text)
	case tokComma:
		return "the comma"
	}
	return t.text
}

var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "null": true,
	"contains": true, "startswith": true, "true": true, "false": true,
	"now": true, "today": true, "yesterday": true, "tomorrow": true,
}

func isKeyword(s string) bool { return keywords[strings.ToLower(s)] }

// is reports whether t is the keyword kw (given in lower case).
func (t token) is(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

// maxRelative bounds the amount of a relative time, so that arithmetic on it
// cannot overflow; 100000 days is already beyond any sensible filter.
const maxRelative = 100000

// lexer splits the source into tokens on demand, so that the first error by
// position is the one reported.
type lexer struct {
	src []rune
	i   int // index into src of the next character
}

func (l *lexer) peekAt(k int) rune {
	if l.i+k < len(l.src) {
		return l.src[l.i+k]
	}
	return 0
}

func (l *lexer) errorf(i int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: i + 1, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) next() (token, error) {
	for l.i < len(l.src) && unicode.IsSpace(l.src[l.i]) {
		l.i++
	}
	start := l.i
	if l.i >= len(l.src) {
		return token{kind: tokEOF, pos: start + 1}, nil
	}
	c := l.src[l.i]
	tok := func(kind tokenKind, text string) (token, error) {
		return token{kind: kind, text: text, pos: start + 1}, nil
	}
	switch {
	case c == '(':
		l.i++
		return tok(tokLParen, "(")
	case c == ')':
		l.i++
		return tok(tokRParen, ")")
	case c == ',':
		l.i++
		return tok(tokComma, ",")
	case c == '=':
		l.i++
		return tok(tokOp, "=")
	case c == '!':
		if l.peekAt(1) == '=' {
			l.i += 2
			return tok(tokOp, "!=")
		}
		return token{}, l.errorf(start, "unexpected character !; write != for not equal, or not before a condition")
	case c == '<' || c == '>':
		l.i++
		if l.peekAt(0) == '=' {
			l.i++
			return tok(tokOp, string(c)+"=")
		}
		if c == '<' && l.peekAt(0) == '>' {
			return token{}, l.errorf(start, "unexpected <>; write != for not equal")
		}
		return tok(tokOp, string(c))
	case c == '"' || c == '\'':
		return l.lexString()
	case c == '_' || isASCIILetter(c):
		return l.lexIdent()
	case isDigit(c):
		return l.lexNumber()
	case (c == '-' || c == '+') && isDigit(l.peekAt(1)):
		return l.lexNumber()
	}
	if unicode.IsPrint(c) {
		return token{}, l.errorf(start, "unexpected character %c", c)
	}
	return token{}, l.errorf(start, "unexpected character %q", c)
}

func (l *lexer) lexString() (token, error) {
	start := l.i
	q := l.src[l.i]
	l.i++
	var b strings.Builder
	for {
		if l.i >= len(l.src) {
			return token{}, l.errorf(start, "the text starting here is not closed; add a closing %c", q)
		}
		c := l.src[l.i]
		switch c {
		case q:
			l.i++
			return token{kind: tokString, text: b.String(), pos: start + 1}, nil
		case '\\':
			e := l.peekAt(1)
			switch e {
			case '\\', '"', '\'':
				b.WriteRune(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 0:
				if l.i+1 >= len(l.src) {
					return token{}, l.errorf(start, "the text starting here is not closed; add a closing %c", q)
				}
				fallthrough
			default:
				return token{}, l.errorf(l.i, `unknown escape \%c; write \\ for a backslash`, e)
			}
			l.i += 2
		default:
			b.WriteRune(c)
			l.i++
		}
	}
}

func (l *lexer) lexIdent() (token, error) {
	start := l.i
	for l.i < len(l.src) {
		c := l.src[l.i]
		if c == '.' {
			n := l.peekAt(1)
			if n != '_' && !isASCIILetter(n) {
				return token{}, l.errorf(l.i, "expected a letter after the . in a field name")
			}
			l.i++
			continue
		}
		if c != '_' && !isASCIILetter(c) && !isDigit(c) {
			break
		}
		l.i++
	}
	return token{kind: tokIdent, text: string(l.src[start:l.i]), pos: start + 1}, nil
}

// lexNumber reads what starts with a digit or a sign: a number, a date, a
// date-time or a relative time.
func (l *lexer) lexNumber() (token, error) {
	start := l.i
	sign := l.src[l.i] == '-' || l.src[l.i] == '+'
	if sign {
		l.i++
	}
	digits := l.digits()
	if !sign && digits == 4 && l.peekAt(0) == '-' && isDigit(l.peekAt(1)) {
		return l.lexDate(start)
	}
	kind := tokNumber
	if l.peekAt(0) == '.' && isDigit(l.peekAt(1)) {
		l.i++
		l.digits()
	}
	text := string(l.src[start:l.i])
	if u := unicode.ToLower(l.peekAt(0)); strings.ContainsRune("hdwmy", u) && !isIdentRune(l.peekAt(1)) {
		if !sign {
			return token{}, l.errorf(start, "a relative time needs a sign: -%s%c for ago, +%s%c for ahead", text, u, text, u)
		}
		if strings.Contains(text, ".") {
			return token{}, l.errorf(start, "a relative time takes a whole number, like -90d")
		}
		if n, err := strconv.Atoi(text[1:]); err != nil || n > maxRelative {
			return token{}, l.errorf(start, "%s%c is too far; the most is %d", text, u, maxRelative)
		}
		l.i++
		kind, text = tokRelative, text+string(u)
	}
	if isIdentRune(l.peekAt(0)) {
		return token{}, l.errorf(l.i, "unexpected character %c after %s", l.peekAt(0), text)
	}
	return token{kind: kind, text: text, pos: start + 1}, nil
}

func (l *lexer) digits() int {
	n := 0
	for l.i < len(l.src) && isDigit(l.src[l.i]) {
		l.i++
		n++
	}
	return n
}

// lexDate reads a date (YYYY-MM-DD, the year already read) and an optional
// time (THH:MM[:SS[.frac]][Z|±HH:MM]).
func (l *lexer) lexDate(start int) (token, error) {
	for _, want := range []int{2, 2} {
		if l.peekAt(0) != '-' {
			break
		}
		l.i++
		if l.digits() != want {
			break
		}
	}
	text := string(l.src[start:l.i])
	d, err := time.Parse(time.DateOnly, text)
	if err != nil || d.Year() < 1 || isIdentRune(l.peekAt(0)) && !isTimeStart(l.peekAt(0), l.peekAt(1)) {
		return token{}, l.errorf(start, "%s is not a valid date; write it like 2026-01-31", l.word(start))
	}
	if !isTimeStart(l.peekAt(0), l.peekAt(1)) {
		return token{kind: tokDate, text: text, pos: start + 1}, nil
	}
	l.i++ // T
	for isDigit(l.peekAt(0)) || l.peekAt(0) == ':' || l.peekAt(0) == '.' {
		l.i++
	}
	switch c := l.peekAt(0); {
	case c == 'Z' || c == 'z':
		l.i++
	case (c == '+' || c == '-') && isDigit(l.peekAt(1)):
		l.i++
		for isDigit(l.peekAt(0)) || l.peekAt(0) == ':' {
			l.i++
		}
	}
	text = strings.ToUpper(string(l.src[start:l.i]))
	if _, _, err := parseDateTime(text); err != nil || isIdentRune(l.peekAt(0)) {
		return token{}, l.errorf(start, "%s is not a valid date-time; write it like 2026-01-31T10:00:00Z or 2026-01-31T10:00+07:00", l.word(start))
	}
	return token{kind: tokDateTime, text: text, pos: start + 1}, nil
}

// word returns the source from start up to the next space or bracket, for
// quoting a malformed literal in a message.
func (l *lexer) word(start int) string {
	end := start
	for end < len(l.src) && !unicode.IsSpace(l.src[end]) && !strings.ContainsRune("(),\"'", l.src[end]) && end-start < 40 {
		end++
	}
	return string(l.src[start:end])
}

var dateTimeLayouts = []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"}
var localDateTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// parseDateTime parses a date-time literal. A literal without a zone is
// returned as wall-clock time in UTC with zoned false; the compiler places it
// in the user's zone.
func parseDateTime(s string) (t time.Time, zoned bool, err error) {
	for _, layout := range dateTimeLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	for _, layout := range localDateTimeLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, err
}

func isTimeStart(c, next rune) bool { return (c == 'T' || c == 't') && isDigit(next) }
func isDigit(c rune) bool           { return c >= '0' && c <= '9' }
func isASCIILetter(c rune) bool     { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentRune(c rune) bool       { return c == '_' || c == '.' || isASCIILetter(c) || isDigit(c) }
