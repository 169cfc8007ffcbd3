package filter

import (
	"strings"
)

// Op says what a Node is: an empty filter, a boolean combination, or a
// comparison of a field with values.
type Op int

const (
	OpEmpty      Op = iota // the blank filter, matching everything
	OpAnd                  // Children: two or more
	OpOr                   // Children: two or more
	OpNot                  // Children: one
	OpEq                   // field = value
	OpNe                   // field != value
	OpLt                   // field < value
	OpLe                   // field <= value
	OpGt                   // field > value
	OpGe                   // field >= value
	OpContains             // field contains value
	OpStartsWith           // field startswith value
	OpIn                   // field in (values…)
	OpNotIn                // field not in (values…)
	OpIsNull               // field is null
	OpIsNotNull            // field is not null
)

var opText = [...]string{
	OpEq:         "=",
	OpNe:         "!=",
	OpLt:         "<",
	OpLe:         "<=",
	OpGt:         ">",
	OpGe:         ">=",
	OpContains:   "contains",
	OpStartsWith: "startswith",
	OpIn:         "in",
	OpNotIn:      "not in",
	OpIsNull:     "is null",
	OpIsNotNull:  "is not null",
}

// String returns the operator as written in a filter ("", "and", "or" and
// "not" for the other kinds).
func (op Op) String() string {
	switch op {
	case OpAnd:
		return "and"
	case OpOr:
		return "or"
	case OpNot:
		return "not"
	}
	if op > OpNot && int(op) < len(opText) {
		return opText[op]
	}
	return ""
}

// IsComparison reports whether op compares a field with values.
func (op Op) IsComparison() bool { return op >= OpEq && op <= OpIsNotNull }

// Node is one node of a parsed filter. Parse flattens nested and/or groups of
// the same kind, so a child of an OpAnd is never an OpAnd (nor an OpOr's an
// OpOr). Positions are 1-based character positions in the source; they are
// for error messages and are 0 in hand-built trees.
type Node struct {
	Op       Op
	Pos      int     // the node's first character (the field name of a comparison)
	OpPos    int     // comparisons: where the operator starts
	Children []Node  // OpAnd, OpOr: two or more; OpNot: one
	Field    string  // comparisons: the field name as written
	Values   []Value // comparisons: one value; OpIn, OpNotIn: one or more; OpIsNull, OpIsNotNull: none
}

// ValueKind is the lexical kind of a value; the field's Type decides what it
// means.
type ValueKind int

const (
	StringValue   ValueKind = iota // "text" or 'text'
	NumberValue                    // 123, -4.5
	BoolValue                      // true, false
	DateValue                      // 2026-01-31
	DateTimeValue                  // 2026-01-31T10:00:00Z, 2026-01-31T10:00+07:00, 2026-01-31T10:00 (user's zone)
	RelativeValue                  // -90d, +7d, -2w, -3m, -1y, -12h, now, today, yesterday, tomorrow
	// WordValue is a bare word that is no keyword. Only me (the viewer)
	// and my (the viewer's team) mean something, on the fields that take
	// them (Field.Self); anywhere else Compile asks for quotes.
	WordValue
)

// Value is a literal in a filter. Text is a string's content (escapes
// resolved) and, for every other kind, the literal in canonical spelling:
// lower-case keywords and units, upper-case T and Z in date-times, numbers
// exactly as written.
type Value struct {
	Kind ValueKind
	Text string
	Pos  int
}

// String returns the value as written in canonical filter text.
func (v Value) String() string {
	if v.Kind == StringValue {
		return quote(v.Text)
	}
	return v.Text
}

// String returns canonical filter text that parses back to the same tree:
// lower-case keywords, single spaces, double-quoted strings and only the
// parentheses the precedence needs (not binds tighter than and, and than or).
func (n Node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n Node) write(b *strings.Builder) {
	switch n.Op {
	case OpEmpty:
	case OpAnd, OpOr:
		sep := " and "
		if n.Op == OpOr {
			sep = " or "
		}
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(sep)
			}
			// An or inside an and needs parentheses; so does an and or an
			// or inside its own kind, which Parse never builds but a hand-made
			// tree might.
			c.writeParen(b, c.Op == OpOr || c.Op == n.Op)
		}
	case OpNot:
		b.WriteString("not ")
		if len(n.Children) > 0 {
			c := n.Children[0]
			c.writeParen(b, c.Op == OpAnd || c.Op == OpOr)
		}
	case OpIn, OpNotIn:
		b.WriteString(n.Field)
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteString(" (")
		for i, v := range n.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	case OpIsNull, OpIsNotNull:
		b.WriteString(n.Field)
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
	default:
		b.WriteString(n.Field)
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteByte(' ')
		if len(n.Values) > 0 {
			b.WriteString(n.Values[0].String())
		}
	}
}

func (n Node) writeParen(b *strings.Builder, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	n.write(b)
	if paren {
		b.WriteByte(')')
	}
}

// quote writes s as a double-quoted filter string.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
