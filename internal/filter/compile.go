package filter

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// Options says how to compile a filter.
type Options struct {
	Engine   store.Engine
	FirstArg int            // first $n to use (default 1)
	Now      time.Time      // for relative dates; zero → time.Now()
	Location *time.Location // the user's zone, for "today" and date-only values; nil → Asia/Jakarta
	// UserID and TeamID are the viewer's, what me and my stand for (see
	// Field.Self); 0 where there is none, which no record's owner is.
	UserID, TeamID int64
}

// Where is a compiled filter: a WHERE fragment with its bound arguments.
// SQL is "" for a blank filter. It may be joined with other conditions by
// AND or OR as it is; put it in parentheses before applying NOT.
type Where struct {
	SQL  string
	Args []any
}

// jakarta is Asia/Jakarta (WIB), which has kept UTC+7 without daylight
// saving since 1964; a fixed zone avoids depending on the system's tzdata.
var jakarta = time.FixedZone("WIB", 7*60*60)

// Compile parses src, checks it against the schema and returns SQL for
// o.Engine in which every value is a bound argument. A filter the caller
// got wrong is an *errs.Error with Code errs.Invalid and one FieldError for
// the field "filter" whose Code is "syntax", "too_long", "too_deep",
// "too_complex", "unknown_field" or "type_mismatch" and whose Message starts
// with "position N: ".
func Compile(src string, s Schema, o Options) (Where, error) {
	if o.Engine != store.SQLite && o.Engine != store.Postgres {
		return Where{}, fmt.Errorf("filter: unknown engine %q", o.Engine)
	}
	n, err := Parse(src)
	if err != nil {
		return Where{}, invalid(err)
	}
	if n.Op == OpEmpty {
		return Where{}, nil
	}
	c := &compiler{schema: s, engine: o.Engine, now: o.Now, loc: o.Location, next: o.FirstArg, userID: o.UserID, teamID: o.TeamID}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	if c.loc == nil {
		c.loc = jakarta
	}
	if c.next < 1 {
		c.next = 1
	}
	sql, err := c.node(n)
	if err != nil {
		return Where{}, invalid(err)
	}
	return Where{SQL: sql, Args: c.args}, nil
}

// checkError is a filter that parses but does not fit the schema.
type checkError struct {
	pos  int
	code string // "unknown_field" or "type_mismatch"
	msg  string
}

func (e *checkError) Error() string { return fmt.Sprintf("position %d: %s", e.pos, e.msg) }

func mismatch(pos int, format string, args ...any) error {
	return &checkError{pos: pos, code: "type_mismatch", msg: fmt.Sprintf(format, args...)}
}

// invalid turns a syntax or check error into the error the API shows as a
// 422 on the field "filter".
func invalid(err error) error {
	var code string
	var se *SyntaxError
	var ce *checkError
	switch {
	case errors.As(err, &se):
		code = se.Code()
	case errors.As(err, &ce):
		code = ce.code
	default:
		return err // a bug, not the caller's input
	}
	return &errs.Error{
		Code:    errs.Invalid,
		Message: "The filter is not valid.",
		Fields:  []errs.FieldError{{Field: "filter", Code: code, Message: err.Error()}},
	}
}

type compiler struct {
	schema Schema
	engine store.Engine
	now    time.Time
	loc    *time.Location
	next   int // the next placeholder number
	args   []any

	userID, teamID int64 // what me and my bind
}

// arg binds v and returns its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	c.next++
	return "$" + strconv.Itoa(c.next-1)
}

func (c *compiler) node(n Node) (string, error) {
	switch n.Op {
	case OpAnd, OpOr:
		parts := make([]string, len(n.Children))
		for i, ch := range n.Children {
			s, err := c.node(ch)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		if n.Op == OpAnd {
			return strings.Join(parts, " AND "), nil
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case OpNot:
		if len(n.Children) != 1 {
			return "", fmt.Errorf("filter: not with %d operands", len(n.Children))
		}
		s, err := c.node(n.Children[0])
		if err != nil {
			return "", err
		}
		return c.not(s), nil
	}
	if !n.Op.IsComparison() {
		return "", fmt.Errorf("filter: unknown node %d", n.Op)
	}
	return c.comparison(n)
}

// not negates a condition as two-valued logic: a comparison with a field
// that has no value is false, never unknown, so "not x" and "!=" include the
// records where x is NULL — exactly the records the positive form leaves out.
func (c *compiler) not(cond string) string {
	f := "FALSE"
	if c.engine == store.SQLite {
		f = "0" // FALSE would name a column called "false" if there were one
	}
	return "NOT COALESCE(" + cond + ", " + f + ")"
}

// allowedOps lists the operators each type accepts (besides is null and is
// not null, which every type accepts) and the hint shown when another is used.
var allowedOps = map[Type]struct {
	ops  []Op
	hint string
}{
	Text:      {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpContains, OpStartsWith, OpIn, OpNotIn}, ""},
	Number:    {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}, "=, !=, <, <=, >, >=, in, not in or is null"},
	Money:     {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}, "=, !=, <, <=, >, >=, in, not in or is null"},
	ID:        {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}, "=, !=, <, <=, >, >=, in, not in or is null"},
	Date:      {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}, "=, !=, <, <=, >, >=, in, not in or is null"},
	DateTime:  {[]Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}, "=, !=, <, <=, >, >=, in, not in or is null"},
	Bool:      {[]Op{OpEq, OpNe}, "= true, = false, != or is null"},
	Enum:      {[]Op{OpEq, OpNe, OpIn, OpNotIn}, "=, !=, in, not in or is null"},
	MultiEnum: {[]Op{OpEq, OpNe, OpContains, OpIn, OpNotIn}, "contains (or =), !=, in, not in or is null"},
}

func (c *compiler) comparison(n Node) (string, error) {
	f, ok := c.schema.Lookup(n.Field)
	if !ok {
		return "", c.unknownField(n)
	}
	for _, v := range n.Values {
		if err := c.word(f, v); err != nil {
			return "", err
		}
	}
	return c.compare(f, n)
}

// word checks a bare word: the field's own word for the viewer (me on
// owner), or nothing a filter means, to be quoted as text.
func (c *compiler) word(f Field, v Value) error {
	if v.Kind != WordValue {
		return nil
	}
	w := f.Self.word()
	switch {
	case w != "" && strings.EqualFold(v.Text, w):
		return nil
	case f.Self == SelfUser:
		return mismatch(v.Pos, "%s takes me (you, the signed-in user) or a user's ID, found %s; to match the owner's name, write owner.name = %s", f.Name, v.Text, quote(v.Text))
	case f.Self == SelfTeam:
		return mismatch(v.Pos, "%s takes my (your team) or a team's ID, found %s", f.Name, v.Text)
	}
	return &checkError{pos: v.Pos, code: "syntax", msg: fmt.Sprintf("expected a value, found %s; put text in quotes: %s", v.Text, quote(v.Text))}
}

// compare is comparison once the field is known.
func (c *compiler) compare(f Field, n Node) (string, error) {
	switch n.Op {
	case OpNe:
		n.Op = OpEq
		s, err := c.compare(f, n)
		return c.not(s), err
	case OpNotIn:
		n.Op = OpIn
		s, err := c.compare(f, n)
		return c.not(s), err
	}
	if v := f.Via; v != nil {
		inner := f
		inner.Via = nil
		s, err := c.compare(inner, n)
		return v.ID + " IN (SELECT " + v.Key + " FROM " + v.Table + " WHERE " + s + ")", err
	}
	if n.Op == OpStartsWith && f.Prefix != nil {
		return c.startsWith(f, n)
	}
	expr := c.fieldSQL(f)
	if n.Op == OpIsNull || n.Op == OpIsNotNull {
		return c.null(f, expr, n.Op == OpIsNull), nil
	}
	a := allowedOps[f.Type]
	allowed := false
	for _, op := range a.ops {
		allowed = allowed || op == n.Op
	}
	if !allowed {
		hint := a.hint
		if f.Type == MultiEnum && f.Prefix != nil {
			hint = "contains (or =), startswith, !=, in, not in or is null"
		}
		return "", mismatch(n.OpPos, "%s does not work on %s, %s %s field; use %s", n.Op, n.Field, article(f.Type), f.Type, hint)
	}
	switch f.Type {
	case Text:
		return c.text(f, expr, n)
	case MultiEnum:
		return c.multiEnum(f, expr, n)
	case DateTime:
		return c.dateTime(f, expr, n)
	}
	// The rest compare expr with bound values directly.
	vals := make([]string, len(n.Values))
	for i, v := range n.Values {
		bound, err := c.scalar(f, v)
		if err != nil {
			return "", err
		}
		vals[i] = c.arg(bound)
		if _, isFloat := bound.(float64); isFloat && c.engine == store.Postgres {
			// PostgreSQL takes the parameter's type from the column, and pgx
			// would round 3.5 to fit an integer column; numeric keeps it.
			vals[i] += "::numeric"
		}
	}
	if n.Op == OpIn {
		return expr + " IN (" + strings.Join(vals, ", ") + ")", nil
	}
	return expr + " " + sqlOps[n.Op] + " " + vals[0], nil
}

var sqlOps = map[Op]string{OpEq: "=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// null is "is null" (or, with isNull false, "is not null"). For text and
// single choices an empty string counts as no value; for multiple choices an
// empty array does.
func (c *compiler) null(f Field, expr string, isNull bool) string {
	switch f.Type {
	case Text, Enum:
		if isNull {
			return "(" + expr + " IS NULL OR " + expr + " = '')"
		}
		return expr + " <> ''"
	case MultiEnum:
		var empty string
		if c.engine == store.Postgres {
			empty = "COALESCE(" + expr + ", '[]'::jsonb) IN ('[]'::jsonb, 'null'::jsonb)"
		} else {
			empty = "COALESCE(json_array_length(" + expr + "), 0) = 0"
		}
		if isNull {
			return empty
		}
		return "NOT (" + empty + ")"
	}
	if isNull {
		return expr + " IS NULL"
	}
	return expr + " IS NOT NULL"
}

// text compiles a comparison on a Text field. Equality, in, contains and
// startswith ignore case by lower-casing both sides in SQL, so that the
// engine's own lower() treats the column and the value alike; <, >, … compare
// the text as given.
func (c *compiler) text(f Field, expr string, n Node) (string, error) {
	vals := make([]string, len(n.Values))
	for i, v := range n.Values {
		s, err := c.textValue(f, v)
		if err != nil {
			return "", err
		}
		vals[i] = s
	}
	switch n.Op {
	case OpEq:
		if vals[0] == "" {
			return c.null(f, expr, true), nil
		}
		return "lower(" + expr + ") = lower(" + c.textArg(vals[0]) + ")", nil
	case OpContains:
		return "lower(" + expr + ") LIKE lower(" + c.textArg("%"+escapeLike(vals[0])+"%") + `) ESCAPE '\'`, nil
	case OpStartsWith:
		return "lower(" + expr + ") LIKE lower(" + c.textArg(escapeLike(vals[0])+"%") + `) ESCAPE '\'`, nil
	case OpIn:
		ph := make([]string, len(vals))
		hasEmpty := false
		for i, v := range vals {
			ph[i] = "lower(" + c.textArg(v) + ")"
			hasEmpty = hasEmpty || v == ""
		}
		in := "lower(" + expr + ") IN (" + strings.Join(ph, ", ") + ")"
		if hasEmpty {
			return "(" + expr + " IS NULL OR " + in + ")", nil
		}
		return in, nil
	}
	return expr + " " + sqlOps[n.Op] + " " + c.textArg(vals[0]), nil
}

// textArg binds a text value. PostgreSQL cannot infer the type of a bare
// parameter inside lower(), so it is cast there.
func (c *compiler) textArg(s string) string {
	if c.engine == store.Postgres {
		return c.arg(s) + "::text"
	}
	return c.arg(s)
}

// escapeLike makes s match literally in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// multiEnum compiles a comparison on a JSON array: = means "has this
// element" and in "has any of them". On a free list (e-mails, phones, tags:
// no choices) contains means "an element contains this text", ignoring
// case, so emails contains "gmail.com" finds every Gmail address; on a
// multi-select, whose elements are choices, it is "has this choice".
func (c *compiler) multiEnum(f Field, expr string, n Node) (string, error) {
	if n.Op == OpContains && len(f.Choices) == 0 {
		return c.elementContains(expr, n)
	}
	ph := make([]string, len(n.Values))
	for i, v := range n.Values {
		s, err := c.choice(f, v)
		if err != nil {
			return "", err
		}
		if c.engine == store.Postgres {
			ph[i] = "jsonb_build_array(" + c.arg(s) + "::text)"
		} else {
			ph[i] = c.arg(s)
		}
	}
	if c.engine == store.Postgres {
		if len(ph) == 1 {
			return expr + " @> " + ph[0], nil
		}
		return expr + " @> ANY (ARRAY[" + strings.Join(ph, ", ") + "])", nil
	}
	if len(ph) == 1 {
		return "EXISTS (SELECT 1 FROM json_each(" + expr + ") WHERE value = " + ph[0] + ")", nil
	}
	return "EXISTS (SELECT 1 FROM json_each(" + expr + ") WHERE value IN (" + strings.Join(ph, ", ") + "))", nil
}

// elementContains is "some element of the JSON array expr contains the
// text", ignoring case.
func (c *compiler) elementContains(expr string, n Node) (string, error) {
	if len(n.Values) != 1 || n.Values[0].Kind != StringValue {
		return "", mismatch(n.Pos, "contains on a list takes one text")
	}
	return c.elementLike(expr, "%"+escapeLike(n.Values[0].Text)+"%"), nil
}

// elementLike is "some element of the JSON array expr is LIKE the
// pattern", ignoring case.
func (c *compiler) elementLike(expr, like string) string {
	pattern := c.textArg(like)
	if c.engine == store.Postgres {
		return "EXISTS (SELECT 1 FROM jsonb_array_elements_text(" + expr + ") AS e(v) WHERE lower(e.v) LIKE lower(" + pattern + `) ESCAPE '\')`
	}
	return "EXISTS (SELECT 1 FROM json_each(" + expr + ") WHERE lower(value) LIKE lower(" + pattern + `) ESCAPE '\')`
}

// startsWith compiles startswith on a field with a Prefix: the typed
// prefix is brought into the stored form, then matched as a range on the
// indexed column (see Prefix), or without one as a LIKE.
func (c *compiler) startsWith(f Field, n Node) (string, error) {
	v := n.Values[0]
	if v.Kind != StringValue && v.Kind != NumberValue {
		return "", wrongType(f, v)
	}
	pf, prefix := f.Prefix, v.Text
	if pf.Normalize != nil {
		var err error
		if prefix, err = pf.Normalize(prefix); err != nil {
			return "", mismatch(v.Pos, "%s %v", v, err)
		}
	}
	if prefix == "" {
		// Every value starts with nothing: "has a value".
		return c.null(f, c.fieldSQL(f), false), nil
	}
	if pf.Column == "" {
		like := escapeLike(prefix) + "%"
		if f.Type == MultiEnum {
			return c.elementLike(c.fieldSQL(f), like), nil
		}
		return "lower(" + c.fieldSQL(f) + ") LIKE lower(" + c.textArg(like) + `) ESCAPE '\'`, nil
	}
	col := sqlExpr(pf.Column)
	if c.engine == store.Postgres {
		col += ` COLLATE "C"`
	}
	cond := col + " >= " + c.textArg(prefix)
	if end, ok := prefixEnd(prefix); ok {
		cond += " AND " + col + " < " + c.textArg(end)
	}
	if pf.Table == "" {
		return "(" + cond + ")", nil
	}
	return pf.ID + " IN (SELECT " + pf.Key + " FROM " + pf.Table + " WHERE " + cond + ")", nil
}

// prefixEnd is the least string above every string that starts with
// prefix in byte order: prefix with its last character incremented (its
// last byte, for ASCII), which stays valid UTF-8 because UTF-8 orders by
// code point. A last character that cannot be incremented is dropped and
// the one before incremented; ok is false when none can be, and the range
// has no upper end.
func prefixEnd(prefix string) (end string, ok bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		switch {
		case r == utf8.RuneError && size <= 1, r >= utf8.MaxRune:
			continue
		case r == 0xD7FF: // the surrogates are no characters
			r = 0xE000
		default:
			r++
		}
		return prefix + string(r), true
	}
	return "", false
}

// dateTime compiles a comparison on an instant. A value naming a whole day
// (2026-01-31, today, yesterday, tomorrow) stands for that day in the user's
// zone: = is within the day, < before it, >= from its start, <= up to its
// end and > after it.
func (c *compiler) dateTime(f Field, expr string, n Node) (string, error) {
	spans := make([]span, len(n.Values))
	anyDay := false
	for i, v := range n.Values {
		s, err := c.dateTimeValue(f, v)
		if err != nil {
			return "", err
		}
		spans[i] = s
		anyDay = anyDay || s.day
	}
	if n.Op == OpIn {
		if !anyDay {
			ph := make([]string, len(spans))
			for i, s := range spans {
				ph[i] = c.arg(s.start)
			}
			return expr + " IN (" + strings.Join(ph, ", ") + ")", nil
		}
		parts := make([]string, len(spans))
		for i, s := range spans {
			parts[i] = c.spanCompare(expr, OpEq, s)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	}
	if f.OrderedSQL != "" && n.Op != OpEq {
		// The ordered expression turns NULL into a value below every
		// date, which "<" must not match.
		ordered := c.spanCompare(sqlExpr(f.OrderedSQL), n.Op, spans[0])
		if n.Op == OpLt || n.Op == OpLe {
			ordered = "(" + ordered + " AND " + expr + " IS NOT NULL)"
		}
		return ordered, nil
	}
	return c.spanCompare(expr, n.Op, spans[0]), nil
}

func (c *compiler) spanCompare(expr string, op Op, s span) string {
	if !s.day {
		return expr + " " + sqlOps[op] + " " + c.arg(s.start)
	}
	switch op {
	case OpEq:
		return "(" + expr + " >= " + c.arg(s.start) + " AND " + expr + " < " + c.arg(s.end) + ")"
	case OpLt:
		return expr + " < " + c.arg(s.start)
	case OpGe:
		return expr + " >= " + c.arg(s.start)
	case OpLe:
		return expr + " < " + c.arg(s.end)
	default: // OpGt
		return expr + " >= " + c.arg(s.end)
	}
}

func (c *compiler) unknownField(n Node) error {
	names := c.schema.Names()
	msg := fmt.Sprintf("unknown field %s", n.Field)
	if best := closest(n.Field, names); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	if len(names) == 0 {
		msg += "; no fields can be filtered here"
	} else {
		msg += "; known fields: " + strings.Join(names, ", ")
	}
	return &checkError{pos: n.Pos, code: "unknown_field", msg: msg}
}

// closest returns the name nearest to name by edit distance, if one is
// near enough to be a likely typo: within 2 edits, fewer for short names.
func closest(name string, names []string) string {
	best, bestD := "", min(3, len(name)/2+1)
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// fieldSQL is a field's expression with its own arguments bound: $k of
// Field.SQL becomes the k-th of them, after the arguments already taken.
func (c *compiler) fieldSQL(f Field) string {
	if len(f.Args) == 0 {
		return sqlExpr(f.SQL)
	}
	offset := c.next - 1
	sql := placeholder.ReplaceAllStringFunc(f.SQL, func(ph string) string {
		k, _ := strconv.Atoi(ph[1:])
		return "$" + strconv.Itoa(k+offset)
	})
	c.args = append(c.args, f.Args...)
	c.next += len(f.Args)
	return sqlExpr(sql)
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// sqlExpr parenthesises a field's SQL unless it is a plain column name or
// already enclosed in parentheses, so that operators around it bind as meant.
func sqlExpr(s string) string {
	s = strings.TrimSpace(s)
	plain := true
	for _, r := range s {
		if r != '_' && r != '.' && !isASCIILetter(r) && !isDigit(r) {
			plain = false
			break
		}
	}
	if plain || enclosed(s) {
		return s
	}
	return "(" + s + ")"
}

// enclosed reports whether s is one parenthesised group, skipping quoted
// strings and identifiers.
func enclosed(s string) bool {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return false
	}
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}
