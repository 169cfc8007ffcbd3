package filter

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// fuzzSeeds are the inputs every fuzzer starts from: the table tests, and
// attempts to smuggle SQL through values.
func fuzzSeeds() []string {
	var seeds []string
	for _, tt := range parseTests {
		seeds = append(seeds, tt.src)
	}
	for _, tt := range storageTests {
		seeds = append(seeds, tt.filter)
	}
	return append(seeds,
		`name = "'; DROP TABLE t; --"`,
		`name contains "x' OR '1'='1"`,
		`city in ("a\\", ") OR 1=1 --", "$1")`,
		`tags contains "vip\") OR (1=1"`,
		`rating = "hot' --"`,
		`name startswith "%_\\"`,
		`(((((a = 1)))))`,
		`not not not (a = 1 or b in (1, 2) and c is not null)`,
		`employees = 99999999999999999999999999 or amount = 0.001`,
		`closes_on > -100000d or created_at < +100000h`,
	)
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", src, err, err)
			}
			if se.Pos < 1 || se.Pos > utf8.RuneCountInString(src)+1 {
				t.Fatalf("Parse(%q): position %d outside the source", src, se.Pos)
			}
			if !strings.HasPrefix(se.Error(), "position "+strconv.Itoa(se.Pos)+": ") {
				t.Fatalf("Parse(%q): message %q", src, se.Error())
			}
			return
		}
		canon := n.String()
		if utf8.RuneCountInString(canon) > MaxLength {
			// Canonical spacing and escapes can make the text longer than
			// its source; past the limit it rightly no longer parses.
			t.Skip()
		}
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String() %q: %v", src, canon, err)
		}
		if s := again.String(); s != canon {
			t.Fatalf("String() not stable for %q:\n%s\n%s", src, canon, s)
		}
		if !reflect.DeepEqual(stripPos(again), stripPos(n)) {
			t.Fatalf("round trip of %q changed the tree:\n%s\n%s", src, sexpr(n), sexpr(again))
		}
	})
}

// The words, literals and symbols the compiler itself writes. Once the
// schema's own SQL is taken out, compiled SQL must consist of these and
// placeholders only: nothing from the filter's text can get in.
var (
	sqlWords = map[string]bool{
		"NOT": true, "COALESCE": true, "FALSE": true, "AND": true, "OR": true, "IS": true,
		"NULL": true, "IN": true, "LIKE": true, "ESCAPE": true, "lower": true, "EXISTS": true,
		"SELECT": true, "FROM": true, "json_each": true, "WHERE": true, "value": true,
		"json_array_length": true, "jsonb": true, "jsonb_build_array": true, "text": true,
		"ANY": true, "ARRAY": true, "numeric": true,
	}
	sqlLiterals = map[string]bool{`''`: true, `'\'`: true, `'[]'`: true, `'null'`: true}
	sqlToken    = regexp.MustCompile(`^(?:\s+|[A-Za-z_]+|\$[1-9][0-9]*|'[^']*'|[01]\b|<>|<=|>=|::|@>|[()=<>,§\[\]])`)
)

// checkBound fails when sql holds anything the compiler did not write itself.
func checkBound(t *testing.T, src string, s Schema, w Where) {
	t.Helper()
	rest := w.SQL
	for _, name := range s.Names() {
		f, _ := s.Lookup(name)
		rest = strings.ReplaceAll(rest, f.SQL, "§")
	}
	seen := map[int]bool{}
	for rest != "" {
		tok := sqlToken.FindString(rest)
		if tok == "" {
			t.Fatalf("Compile(%q): unexpected SQL at %.30q in %s", src, rest, w.SQL)
		}
		switch {
		case tok[0] == '\'':
			if !sqlLiterals[tok] {
				t.Fatalf("Compile(%q): literal %s in %s", src, tok, w.SQL)
			}
		case tok[0] == '$':
			n, _ := strconv.Atoi(tok[1:])
			seen[n] = true
		case tok[0] == '_' || isASCIILetter(rune(tok[0])):
			if !sqlWords[tok] {
				t.Fatalf("Compile(%q): word %s in %s", src, tok, w.SQL)
			}
		}
		rest = rest[len(tok):]
	}
	if len(seen) != len(w.Args) {
		t.Fatalf("Compile(%q): %d placeholders for %d args in %s", src, len(seen), len(w.Args), w.SQL)
	}
	for i := 1; i <= len(w.Args); i++ {
		if !seen[i] {
			t.Fatalf("Compile(%q): $%d missing in %s", src, i, w.SQL)
		}
		if w.Args[i-1] == nil {
			t.Fatalf("Compile(%q): nil argument $%d", src, i)
		}
	}
}

// stringValues lists the quoted strings of a tree.
func stringValues(n Node) []string {
	var out []string
	for _, v := range n.Values {
		if v.Kind == StringValue {
			out = append(out, v.Text)
		}
	}
	for _, c := range n.Children {
		out = append(out, stringValues(c)...)
	}
	return out
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	s := testSchema()
	f.Fuzz(func(t *testing.T, src string) {
		tree, perr := Parse(src)
		for _, e := range []store.Engine{store.SQLite, store.Postgres} {
			w, err := Compile(src, s, Options{Engine: e, Now: fixedNow})
			if err != nil {
				ee, ok := errs.As(err)
				if !ok || ee.Code != errs.Invalid || len(ee.Fields) != 1 || ee.Fields[0].Field != "filter" ||
					!strings.HasPrefix(ee.Fields[0].Message, "position ") || ee.Fields[0].Code == "" {
					t.Fatalf("Compile(%q): error %#v", src, err)
				}
				continue
			}
			if perr != nil {
				t.Fatalf("Compile(%q) succeeded where Parse failed: %v", src, perr)
			}
			checkBound(t, src, s, w)
			// Values are bound, so no quoted string from the filter shows up
			// in the SQL — unless it is made only of characters the compiler
			// writes itself, as in "lower" or " = ".
			rest := w.SQL
			for _, name := range s.Names() {
				fl, _ := s.Lookup(name)
				rest = strings.ReplaceAll(rest, fl.SQL, "§")
			}
			for _, v := range stringValues(tree) {
				if v != "" && strings.Contains(rest, v) && strings.ContainsFunc(v, notSQLAlphabet) {
					t.Fatalf("Compile(%q): value %q appears in %s", src, v, w.SQL)
				}
			}
		}
	})
}

func notSQLAlphabet(r rune) bool {
	return !(r == ' ' || r == '_' || r == '$' || isASCIILetter(r) || isDigit(r) || strings.ContainsRune(`()=<>,'[]:@\§`, r))
}

// FuzzQuery runs what compiles on both engines: the SQL must be valid and
// its arguments acceptable for the column types, whatever the filter.
func FuzzQuery(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	ctx := context.Background()
	s := testSchema()
	dbs := map[store.Engine]*store.DB{}
	for _, e := range storetest.Engines() {
		db := storetest.Open(f, e)
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			for _, ddl := range storageDDL[e] {
				if _, err := tx.ExecContext(ctx, ddl); err != nil {
					return err
				}
			}
			for _, r := range storageRows() {
				if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_rows (id, name, city, employees, amount, active, rating, tags, created_at, closes_on, account_id)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, r...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
		dbs[e] = db
	}
	f.Fuzz(func(t *testing.T, src string) {
		var results []string
		for _, e := range storetest.Engines() {
			w, err := Compile(src, s, Options{Engine: e, Now: fixedNow})
			if err != nil {
				return
			}
			q := `SELECT id FROM filter_test_rows t`
			if w.SQL != "" {
				q += ` WHERE ` + w.SQL
			}
			var ids []string
			rows, err := dbs[e].Read().QueryContext(ctx, q+` ORDER BY id`, w.Args...)
			if err != nil {
				t.Fatalf("%s: %q: %s %v: %v", e, src, w.SQL, w.Args, err)
			}
			for rows.Next() {
				var id string
				rows.Scan(&id)
				ids = append(ids, id)
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %q: %s %v: %v", e, src, w.SQL, w.Args, err)
			}
			rows.Close()
			results = append(results, strings.Join(ids, ","))
		}
		// Both engines agree on what the filter means, except where they
		// legitimately differ: text order (collation) and case folding of
		// non-ASCII letters.
		if len(results) == 2 && results[0] != results[1] && !engineDependent(src) {
			t.Fatalf("%q: sqlite matched [%s], postgres [%s]", src, results[0], results[1])
		}
	})
}

func engineDependent(src string) bool {
	if strings.ContainsFunc(src, func(r rune) bool { return r > 127 }) {
		return true
	}
	n, err := Parse(src)
	if err != nil {
		return true
	}
	var textOrder func(Node) bool
	textOrder = func(n Node) bool {
		switch n.Op {
		case OpLt, OpLe, OpGt, OpGe:
			f, _ := testSchema().Lookup(n.Field)
			return f.Type == Text
		}
		for _, c := range n.Children {
			if textOrder(c) {
				return true
			}
		}
		return false
	}
	return textOrder(n)
}
