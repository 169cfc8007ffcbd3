package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sexpr prints a tree with its structure and value kinds visible, so that
// tests can state precedence and lexing exactly.
func sexpr(n Node) string {
	var b strings.Builder
	var walk func(Node)
	walk = func(n Node) {
		switch n.Op {
		case OpEmpty:
			b.WriteString("()")
		case OpAnd, OpOr, OpNot:
			b.WriteString("(" + n.Op.String())
			for _, c := range n.Children {
				b.WriteByte(' ')
				walk(c)
			}
			b.WriteByte(')')
		default:
			b.WriteString("(" + n.Op.String() + " " + n.Field)
			for _, v := range n.Values {
				b.WriteString(" " + [...]string{"s", "n", "b", "d", "dt", "r"}[v.Kind] + ":" + v.String())
			}
			b.WriteByte(')')
		}
	}
	walk(n)
	return b.String()
}

// stripPos zeroes positions, which differ between a source and its String().
func stripPos(n Node) Node {
	n.Pos, n.OpPos = 0, 0
	if n.Children != nil {
		ch := make([]Node, len(n.Children))
		for i, c := range n.Children {
			ch[i] = stripPos(c)
		}
		n.Children = ch
	}
	if n.Values != nil {
		vs := make([]Value, len(n.Values))
		for i, v := range n.Values {
			v.Pos = 0
			vs[i] = v
		}
		n.Values = vs
	}
	return n
}

var parseTests = []struct {
	src, tree, canonical string
}{
	{"", "()", ""},
	{"   \n\t ", "()", ""},
	// every operator
	{`city = "Jakarta"`, `(= city s:"Jakarta")`, `city = "Jakarta"`},
	{`city != 'Bandung'`, `(!= city s:"Bandung")`, `city != "Bandung"`},
	{`employees < 20`, `(< employees n:20)`, `employees < 20`},
	{`employees <= -4.5`, `(<= employees n:-4.5)`, `employees <= -4.5`},
	{`employees > +3`, `(> employees n:+3)`, `employees > +3`},
	{`employees>=0`, `(>= employees n:0)`, `employees >= 0`},
	{`name CONTAINS "an"`, `(contains name s:"an")`, `name contains "an"`},
	{`name startsWith "An"`, `(startswith name s:"An")`, `name startswith "An"`},
	{`city in ("a", "b", 3)`, `(in city s:"a" s:"b" n:3)`, `city in ("a", "b", 3)`},
	{`city NOT IN ('a')`, `(not in city s:"a")`, `city not in ("a")`},
	{`email is null`, `(is null email)`, `email is null`},
	{`email IS NOT NULL`, `(is not null email)`, `email is not null`},
	{`active = TRUE`, `(= active b:true)`, `active = true`},
	{`active != false`, `(!= active b:false)`, `active != false`},
	{`account.employees < 20`, `(< account.employees n:20)`, `account.employees < 20`},
	{`_x.y_2.z = 1`, `(= _x.y_2.z n:1)`, `_x.y_2.z = 1`},
	// dates and relative times
	{`closes_on = 2026-01-31`, `(= closes_on d:2026-01-31)`, `closes_on = 2026-01-31`},
	{`at > 2026-01-31T10:00:00Z`, `(> at dt:2026-01-31T10:00:00Z)`, `at > 2026-01-31T10:00:00Z`},
	{`at > 2026-01-31t10:00+07:00`, `(> at dt:2026-01-31T10:00+07:00)`, `at > 2026-01-31T10:00+07:00`},
	{`at > 2026-01-31T10:00:00.250-05:30`, `(> at dt:2026-01-31T10:00:00.250-05:30)`, `at > 2026-01-31T10:00:00.250-05:30`},
	{`at > 2026-01-31T10:00`, `(> at dt:2026-01-31T10:00)`, `at > 2026-01-31T10:00`},
	{`last_activity_at < -90d`, `(< last_activity_at r:-90d)`, `last_activity_at < -90d`},
	{`at < +7D and at > -2w`, `(and (< at r:+7d) (> at r:-2w))`, `at < +7d and at > -2w`},
	{`at in (-3m, -1y, -12h)`, `(in at r:-3m r:-1y r:-12h)`, `at in (-3m, -1y, -12h)`},
	{`at < NOW or at >= Today or at = yesterday or at = tomorrow`,
		`(or (< at r:now) (>= at r:today) (= at r:yesterday) (= at r:tomorrow))`,
		`at < now or at >= today or at = yesterday or at = tomorrow`},
	// quoting and escapes
	{`name = "say \"hi\""`, `(= name s:"say \"hi\"")`, `name = "say \"hi\""`},
	{`name = 'it\'s'`, `(= name s:"it's")`, `name = "it's"`},
	{`name = 'a "b"'`, `(= name s:"a \"b\"")`, `name = "a \"b\""`},
	{`name = "back\\slash"`, `(= name s:"back\\slash")`, `name = "back\\slash"`},
	{`name = "tab\there\nnew\rline"`, `(= name s:"tab\there\nnew\rline")`, `name = "tab\there\nnew\rline"`},
	{`name = "50% off_now"`, `(= name s:"50% off_now")`, `name = "50% off_now"`},
	{`name = ""`, `(= name s:"")`, `name = ""`},
	{`name = "Ünïcødé 🙂"`, `(= name s:"Ünïcødé 🙂")`, `name = "Ünïcødé 🙂"`},
	// precedence: not > and > or
	{`a = 1 or b = 2 and c = 3`, `(or (= a n:1) (and (= b n:2) (= c n:3)))`, `a = 1 or b = 2 and c = 3`},
	{`a = 1 and b = 2 or c = 3`, `(or (and (= a n:1) (= b n:2)) (= c n:3))`, `a = 1 and b = 2 or c = 3`},
	{`(a = 1 or b = 2) and c = 3`, `(and (or (= a n:1) (= b n:2)) (= c n:3))`, `(a = 1 or b = 2) and c = 3`},
	{`not a = 1 and b = 2`, `(and (not (= a n:1)) (= b n:2))`, `not a = 1 and b = 2`},
	{`not (a = 1 and b = 2)`, `(not (and (= a n:1) (= b n:2)))`, `not (a = 1 and b = 2)`},
	{`not not a = 1`, `(not (not (= a n:1)))`, `not not a = 1`},
	{`not a = 1 or not b = 2`, `(or (not (= a n:1)) (not (= b n:2)))`, `not a = 1 or not b = 2`},
	{`a = 1 AND (b = 2 Or (c = 3 or d = 4))`, `(and (= a n:1) (or (= b n:2) (= c n:3) (= d n:4)))`, `a = 1 and (b = 2 or c = 3 or d = 4)`},
	{`((a = 1))`, `(= a n:1)`, `a = 1`},
	{`a = 1 and (b = 2 and c = 3)`, `(and (= a n:1) (= b n:2) (= c n:3))`, `a = 1 and b = 2 and c = 3`},
	{`not (a = 1) and b is null`, `(and (not (= a n:1)) (is null b))`, `not a = 1 and b is null`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		n, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := sexpr(n); got != tt.tree {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.tree)
		}
		if got := n.String(); got != tt.canonical {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tt.src, got, tt.canonical)
		}
	}
}

func TestParsePositions(t *testing.T) {
	n, err := Parse(`a = "ü" and (b = "x" or c in (1, -2d))`)
	if err != nil {
		t.Fatal(err)
	}
	or := n.Children[1]
	if n.Pos != 1 || or.Pos != 14 || or.Children[0].Pos != 14 || or.Children[0].OpPos != 16 {
		t.Errorf("positions: and %d, or %d, b %d op %d", n.Pos, or.Pos, or.Children[0].Pos, or.Children[0].OpPos)
	}
	in := or.Children[1]
	if in.Pos != 25 || in.Values[0].Pos != 31 || in.Values[1].Pos != 34 {
		t.Errorf("positions: in %d, values %d %d", in.Pos, in.Values[0].Pos, in.Values[1].Pos)
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		n, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		again, err := Parse(n.String())
		if err != nil {
			t.Errorf("Parse(%q) of the String() of %q: %v", n.String(), tt.src, err)
			continue
		}
		if !reflect.DeepEqual(stripPos(again), stripPos(n)) {
			t.Errorf("round trip of %q:\n got %s\nwant %s", tt.src, sexpr(again), sexpr(n))
		}
	}
}

// Hand-built trees print with the parentheses their shape needs.
func TestStringHandBuilt(t *testing.T) {
	cmp := func(f string) Node { return Node{Op: OpEq, Field: f, Values: []Value{{Kind: NumberValue, Text: "1"}}} }
	n := Node{Op: OpAnd, Children: []Node{
		{Op: OpAnd, Children: []Node{cmp("a"), cmp("b")}},
		{Op: OpOr, Children: []Node{cmp("c"), {Op: OpNot, Children: []Node{{Op: OpOr, Children: []Node{cmp("d"), cmp("e")}}}}}},
	}}
	want := `(a = 1 and b = 1) and (c = 1 or not (d = 1 or e = 1))`
	if got := n.String(); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`employees >`, `position 12: expected a value after >, found the end of the filter`},
		{`city = `, `position 8: expected a value after =, found the end of the filter`},
		{`city`, `position 5: expected an operator after city (=, !=, <, <=, >, >=, contains, startswith, in, not in, is null), found the end of the filter`},
		{`city == "x"`, `position 7: expected a value after =, found =`},
		{`city <> "x"`, `position 6: unexpected <>; write != for not equal`},
		{`(city = "x"`, `position 12: expected ) to close the ( at position 1, found the end of the filter`},
		{`city = "x")`, `position 11: unexpected ) without a matching (`},
		{`city = "Jakarta`, `position 8: the text starting here is not closed; add a closing "`},
		{`city = 'x\q'`, `position 10: unknown escape \q; write \\ for a backslash`},
		{`city = "x" and`, `position 15: expected a condition after and`},
		{`city = "x" or or`, `position 15: expected a field name, found the keyword or`},
		{`= "x"`, `position 1: expected a field name, found =`},
		{`city = "x" city = "y"`, `position 12: expected and, or, or the end of the filter, found city`},
		{`city = null`, `position 8: write city is null to find records without a value`},
		{`city != NULL`, `position 9: write city is not null to find records with a value`},
		{`city is empty`, `position 9: expected null after is, found empty`},
		{`city is not 3`, `position 13: expected null after not, found 3`},
		{`city not contains "x"`, `position 10: expected in after not; to negate a condition, write not before it: not city …`},
		{`city in "a"`, `position 9: expected ( after in, as in city in ("a", "b")`},
		{`city in ()`, `position 10: expected a value in the list after (`},
		{`city in ("a" "b")`, `position 14: expected , or ) in the list opened at position 9, found "b"`},
		{`city in ("a",)`, `position 14: expected a value after the comma, found )`},
		{`city # 1`, `position 6: unexpected character #`},
		{`city ! "x"`, `position 6: unexpected character !; write != for not equal, or not before a condition`},
		{`d = 2026-13-01`, `position 5: 2026-13-01 is not a valid date; write it like 2026-01-31`},
		{`d = 2026-02-30`, `position 5: 2026-02-30 is not a valid date; write it like 2026-01-31`},
		{`d = 0000-01-01`, `position 5: 0000-01-01 is not a valid date; write it like 2026-01-31`},
		{`d = 2026-01-31T25:00Z`, `position 5: 2026-01-31T25:00Z is not a valid date-time; write it like 2026-01-31T10:00:00Z or 2026-01-31T10:00+07:00`},
		{`d = 2026-01-31T10:00+7`, `position 5: 2026-01-31T10:00+7 is not a valid date-time; write it like 2026-01-31T10:00:00Z or 2026-01-31T10:00+07:00`},
		{`d < 90d`, `position 5: a relative time needs a sign: -90d for ago, +90d for ahead`},
		{`d < -1.5d`, `position 5: a relative time takes a whole number, like -90d`},
		{`d < -999999d`, `position 5: -999999d is too far; the most is 100000`},
		{`d < -3mo`, `position 7: unexpected character m after -3`},
		{`n = 1.2.3`, `position 8: unexpected character . after 1.2`},
		{`account..x = 1`, `position 8: expected a letter after the . in a field name`},
		{`account. = 1`, `position 8: expected a letter after the . in a field name`},
		{`not`, `position 4: expected a condition after not`},
		{`()`, `position 2: expected a condition after (`},
		{`city = "a" and ()`, `position 17: expected a condition after (`},
		{"city = \"a\xffb\"", `position 10: the filter is not valid UTF-8 text`},
		{"city = \"a\x00\"", `position 10: the filter contains a NUL character`},
		{`city = - 3`, `position 8: unexpected character -`},
		{`a=1and b=2`, `position 4: unexpected character a after 1`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.src, err)
			continue
		}
		if got := se.Error(); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
		if se.Code() != "syntax" {
			t.Errorf("Parse(%q) code %q, want syntax", tt.src, se.Code())
		}
	}
}

func TestParseLimits(t *testing.T) {
	cond := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "a = 1"
		}
		return strings.Join(parts, " or ")
	}
	tests := []struct {
		name, src, code, msg string
	}{
		{"long", `a = "` + strings.Repeat("x", MaxLength) + `"`, "too_long", "position 4001: the filter is 4006 characters long; the most is 4000"},
		{"deep parens", strings.Repeat("(", 33) + "a = 1" + strings.Repeat(")", 33), "too_deep", "position 33: the filter nests deeper than 32 levels of parentheses and not"},
		{"deep nots", strings.Repeat("not ", 33) + "a = 1", "too_deep", "position 129: the filter nests deeper than 32 levels of parentheses and not"},
		{"many", cond(101), "too_complex", "position 901: the filter has more than 100 conditions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse = %v, want a *SyntaxError", err)
			}
			if se.Code() != tt.code || se.Error() != tt.msg {
				t.Errorf("got %s %q, want %s %q", se.Code(), se.Error(), tt.code, tt.msg)
			}
		})
	}
	// Right at the limits is fine.
	for _, src := range []string{
		`a = "` + strings.Repeat("x", MaxLength-6) + `"`,
		strings.Repeat("(", 32) + "a = 1" + strings.Repeat(")", 32),
		strings.Repeat("not ", 32) + "a = 1",
		cond(100),
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%.40q…): %v", src, err)
		}
	}
}
