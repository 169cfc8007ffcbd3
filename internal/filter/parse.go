package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile filter from costing much to parse or run.
const (
	MaxLength      = 4000 // characters of source
	MaxDepth       = 32   // nested parentheses and nots
	MaxComparisons = 100  // comparisons in one filter
)

// SyntaxError is a filter that does not follow the grammar or exceeds a limit.
type SyntaxError struct {
	Pos int    // 1-based character position
	Msg string // what was expected, or which limit was exceeded

	code string // FieldError code: "syntax", "too_long", "too_deep", "too_complex"
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("position %d: %s", e.Pos, e.Msg) }

// Code is the stable reason for the API's FieldError: "syntax", or
// "too_long", "too_deep" or "too_complex" when a limit was exceeded.
func (e *SyntaxError) Code() string {
	if e.code == "" {
		return "syntax"
	}
	return e.code
}

// Parse parses a filter without looking at any schema. A blank filter gives
// the OpEmpty node. Errors are *SyntaxError.
func Parse(src string) (Node, error) {
	if !utf8.ValidString(src) {
		bad := 0
		for bad < len(src) {
			r, size := utf8.DecodeRuneInString(src[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		return Node{}, &SyntaxError{Pos: utf8.RuneCountInString(src[:bad]) + 1, Msg: "the filter is not valid UTF-8 text"}
	}
	if i := strings.IndexByte(src, 0); i >= 0 {
		// PostgreSQL text cannot hold NUL; reject it here rather than fail
		// in the database.
		return Node{}, &SyntaxError{Pos: utf8.RuneCountInString(src[:i]) + 1, Msg: "the filter contains a NUL character"}
	}
	if n := utf8.RuneCountInString(src); n > MaxLength {
		return Node{}, &SyntaxError{Pos: MaxLength + 1, Msg: fmt.Sprintf("the filter is %d characters long; the most is %d", n, MaxLength), code: "too_long"}
	}
	p := &parser{lx: lexer{src: []rune(src)}}
	if err := p.advance(); err != nil {
		return Node{}, err
	}
	if p.tok.kind == tokEOF {
		return Node{}, nil
	}
	n, err := p.parseOr()
	if err != nil {
		return Node{}, err
	}
	if p.tok.kind != tokEOF {
		if p.tok.kind == tokRParen {
			return Node{}, p.errorf("unexpected ) without a matching (")
		}
		return Node{}, p.errorf("expected and, or, or the end of the filter, found %s", p.tok.describe())
	}
	return n, nil
}

// parser is a recursive-descent parser with one token of lookahead:
//
//	filter     = [ or ] EOF
//	or         = and { "or" and }
//	and        = unary { "and" unary }
//	unary      = "not" unary | "(" or ")" | comparison
//	comparison = field ( cmp value | ("contains"|"startswith") value
//	           | ["not"] "in" "(" value { "," value } ")" | "is" ["not"] "null" )
type parser struct {
	lx          lexer
	tok         token // the current token
	prev        token // the token before it, for "after …" in messages
	depth       int
	comparisons int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.prev, p.tok = p.tok, t
	return nil
}

func (p *parser) errorf(format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.tok.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parseOr() (Node, error) {
	return p.parseJoined(OpOr, "or", p.parseAnd)
}

func (p *parser) parseAnd() (Node, error) {
	return p.parseJoined(OpAnd, "and", p.parseUnary)
}

// parseJoined parses operands separated by the keyword kw into one flat node.
func (p *parser) parseJoined(op Op, kw string, operand func() (Node, error)) (Node, error) {
	first, err := operand()
	if err != nil {
		return Node{}, err
	}
	if !p.tok.is(kw) {
		return first, nil
	}
	n := Node{Op: op, Pos: first.Pos}
	n.Children = appendFlat(n.Children, op, first)
	for p.tok.is(kw) {
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		next, err := operand()
		if err != nil {
			return Node{}, err
		}
		n.Children = appendFlat(n.Children, op, next)
	}
	return n, nil
}

// appendFlat appends c, or c's children when c is of the same kind as the
// parent: "a and (b and c)" is the same filter as "a and b and c".
func appendFlat(children []Node, op Op, c Node) []Node {
	if c.Op == op {
		return append(children, c.Children...)
	}
	return append(children, c)
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return &SyntaxError{Pos: p.tok.pos, Msg: fmt.Sprintf("the filter nests deeper than %d levels of parentheses and not", MaxDepth), code: "too_deep"}
	}
	return nil
}

func (p *parser) parseUnary() (Node, error) {
	switch {
	case p.tok.is("not"):
		pos := p.tok.pos
		if err := p.enter(); err != nil {
			return Node{}, err
		}
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		if p.tok.kind == tokEOF {
			return Node{}, p.errorf("expected a condition after not")
		}
		child, err := p.parseUnary()
		if err != nil {
			return Node{}, err
		}
		p.depth--
		return Node{Op: OpNot, Pos: pos, Children: []Node{child}}, nil
	case p.tok.kind == tokLParen:
		open := p.tok.pos
		if err := p.enter(); err != nil {
			return Node{}, err
		}
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		if p.tok.kind == tokRParen || p.tok.kind == tokEOF {
			return Node{}, p.errorf("expected a condition after (")
		}
		n, err := p.parseOr()
		if err != nil {
			return Node{}, err
		}
		if p.tok.kind != tokRParen {
			return Node{}, p.errorf("expected ) to close the ( at position %d, found %s", open, p.tok.describe())
		}
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		p.depth--
		return n, nil
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() (Node, error) {
	f := p.tok
	switch {
	case f.kind == tokEOF && p.prev.kind != tokEOF:
		return Node{}, p.errorf("expected a condition after %s", p.prev.describe())
	case f.kind != tokIdent:
		return Node{}, p.errorf("expected a field name, found %s", f.describe())
	case isKeyword(f.text):
		return Node{}, p.errorf("expected a field name, found the keyword %s", strings.ToLower(f.text))
	}
	p.comparisons++
	if p.comparisons > MaxComparisons {
		return Node{}, &SyntaxError{Pos: f.pos, Msg: fmt.Sprintf("the filter has more than %d conditions", MaxComparisons), code: "too_complex"}
	}
	if err := p.advance(); err != nil {
		return Node{}, err
	}
	n := Node{Pos: f.pos, OpPos: p.tok.pos, Field: f.text}
	op := p.tok
	switch {
	case op.kind == tokOp:
		n.Op = comparisonOps[op.text]
	case op.is("contains"):
		n.Op = OpContains
	case op.is("startswith"):
		n.Op = OpStartsWith
	case op.is("in"):
		n.Op = OpIn
	case op.is("not"):
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		if !p.tok.is("in") {
			return Node{}, p.errorf("expected in after not; to negate a condition, write not before it: not %s …", f.text)
		}
		n.Op = OpNotIn
	case op.is("is"):
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		n.Op = OpIsNull
		if p.tok.is("not") {
			n.Op = OpIsNotNull
			if err := p.advance(); err != nil {
				return Node{}, err
			}
		}
		if !p.tok.is("null") {
			return Node{}, p.errorf("expected null after %s, found %s", strings.ToLower(p.prev.text), p.tok.describe())
		}
		return n, p.advance()
	default:
		return Node{}, p.errorf("expected an operator after %s (=, !=, <, <=, >, >=, contains, startswith, in, not in, is null), found %s", f.text, op.describe())
	}
	if err := p.advance(); err != nil {
		return Node{}, err
	}
	if n.Op != OpIn && n.Op != OpNotIn {
		v, err := p.parseValue(n.Field, n.Op)
		if err != nil {
			return Node{}, err
		}
		n.Values = []Value{v}
		return n, nil
	}
	if p.tok.kind != tokLParen {
		return Node{}, p.errorf("expected ( after %s, as in %s %s (\"a\", \"b\")", n.Op, f.text, n.Op)
	}
	open := p.tok.pos
	for {
		if err := p.advance(); err != nil {
			return Node{}, err
		}
		if p.tok.kind == tokRParen && len(n.Values) == 0 {
			return Node{}, p.errorf("expected a value in the list after (")
		}
		v, err := p.parseValue(n.Field, n.Op)
		if err != nil {
			return Node{}, err
		}
		n.Values = append(n.Values, v)
		switch p.tok.kind {
		case tokComma:
			continue
		case tokRParen:
			return n, p.advance()
		}
		return Node{}, p.errorf("expected , or ) in the list opened at position %d, found %s", open, p.tok.describe())
	}
}

var comparisonOps = map[string]Op{"=": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe}

// parseValue parses the value after op; field and op are for messages.
func (p *parser) parseValue(field string, op Op) (Value, error) {
	t := p.tok
	v := Value{Text: t.text, Pos: t.pos}
	switch t.kind {
	case tokString:
		v.Kind = StringValue
	case tokNumber:
		v.Kind = NumberValue
	case tokDate:
		v.Kind = DateValue
	case tokDateTime:
		v.Kind = DateTimeValue
	case tokRelative:
		v.Kind = RelativeValue
	case tokIdent:
		switch w := strings.ToLower(t.text); w {
		case "true", "false":
			v.Kind, v.Text = BoolValue, w
		case "now", "today", "yesterday", "tomorrow":
			v.Kind, v.Text = RelativeValue, w
		case "null":
			if op == OpEq {
				return Value{}, p.errorf("write %s is null to find records without a value", field)
			}
			if op == OpNe {
				return Value{}, p.errorf("write %s is not null to find records with a value", field)
			}
			return Value{}, p.errorf("null is not a value here; use %s is null", field)
		default:
			if isKeyword(w) {
				return Value{}, p.errorf("expected a value after %s, found the keyword %s", p.prev.describe(), w)
			}
			// Whether the word means something depends on the field
			// (me on owner), which only Compile knows.
			v.Kind = WordValue
		}
	default:
		return Value{}, p.errorf("expected a value after %s, found %s", p.prev.describe(), t.describe())
	}
	return v, p.advance()
}
