package filter

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// testSchema describes filter_test_rows t, the table the storage tests create
// (named so as not to meet any table of the migrations).
func testSchema() Schema {
	return NewSchema(
		Field{Name: "id", Type: ID, SQL: "t.id"},
		Field{Name: "name", Type: Text, SQL: "t.name"},
		Field{Name: "city", Type: Text, SQL: "t.city"},
		Field{Name: "employees", Type: Number, SQL: "t.employees"},
		Field{Name: "amount", Type: Money, SQL: "t.amount", Scale: 2},
		Field{Name: "active", Type: Bool, SQL: "t.active"},
		Field{Name: "rating", Type: Enum, SQL: "t.rating", Choices: []string{"hot", "warm", "cold", "junk"}},
		Field{Name: "tags", Type: MultiEnum, SQL: "t.tags", Choices: []string{"vip", "partner", "new customer", "lead"}},
		Field{Name: "created_at", Type: DateTime, SQL: "t.created_at"},
		Field{Name: "closes_on", Type: Date, SQL: "t.closes_on"},
		Field{Name: "account.employees", Type: Number, SQL: "(SELECT a.employees FROM filter_test_accounts a WHERE a.id = t.account_id)"},
		Field{Name: "score", Type: Number, SQL: "t.employees * 2"},
	)
}

// fixedNow is 31 March 2026, 17:00 in Jakarta.
var fixedNow = time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCompileSQL(t *testing.T) {
	tests := []struct {
		src    string
		sqlite string
		pg     string // "" when the same as sqlite
		args   []any
	}{
		{"", "", "", nil},
		{`city = "Jakarta"`, `lower(t.city) = lower($1)`, `lower(t.city) = lower($1::text)`, []any{"Jakarta"}},
		{`city != "Jakarta"`, `NOT COALESCE(lower(t.city) = lower($1), 0)`, `NOT COALESCE(lower(t.city) = lower($1::text), FALSE)`, []any{"Jakarta"}},
		{`city < "M"`, `t.city < $1`, `t.city < $1::text`, []any{"M"}},
		{`city = ""`, `(t.city IS NULL OR t.city = '')`, "", nil},
		{`city is null`, `(t.city IS NULL OR t.city = '')`, "", nil},
		{`city is not null`, `t.city <> ''`, "", nil},
		{`name contains "50%_\\"`, `lower(t.name) LIKE lower($1) ESCAPE '\'`, `lower(t.name) LIKE lower($1::text) ESCAPE '\'`, []any{`%50\%\_\\%`}},
		{`name startswith "An"`, `lower(t.name) LIKE lower($1) ESCAPE '\'`, `lower(t.name) LIKE lower($1::text) ESCAPE '\'`, []any{`An%`}},
		{`city in ("a", "")`, `(t.city IS NULL OR lower(t.city) IN (lower($1), lower($2)))`, `(t.city IS NULL OR lower(t.city) IN (lower($1::text), lower($2::text)))`, []any{"a", ""}},
		{`city = 12345`, `lower(t.city) = lower($1)`, `lower(t.city) = lower($1::text)`, []any{"12345"}},
		{`employees >= 20 and employees < 4.5`, `t.employees >= $1 AND t.employees < $2`, `t.employees >= $1 AND t.employees < $2::numeric`, []any{int64(20), 4.5}},
		{`employees = 3.0`, `t.employees = $1`, "", []any{int64(3)}},
		{`employees not in (1, 2)`, `NOT COALESCE(t.employees IN ($1, $2), 0)`, `NOT COALESCE(t.employees IN ($1, $2), FALSE)`, []any{int64(1), int64(2)}},
		{`amount > 1500.5`, `t.amount > $1`, "", []any{int64(150050)}},
		{`amount = -0.10`, `t.amount = $1`, "", []any{int64(-10)}},
		{`amount = 7.500`, `t.amount = $1`, "", []any{int64(750)}},
		{`active = true or active is null`, `(t.active = $1 OR t.active IS NULL)`, "", []any{true}},
		{`rating in ("HOT", "warm")`, `t.rating IN ($1, $2)`, "", []any{"hot", "warm"}},
		{`rating is null`, `(t.rating IS NULL OR t.rating = '')`, "", nil},
		{`tags contains "VIP"`, `EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = $1)`, `t.tags @> jsonb_build_array($1::text)`, []any{"vip"}},
		{`tags = "lead"`, `EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = $1)`, `t.tags @> jsonb_build_array($1::text)`, []any{"lead"}},
		{`tags in ("vip", "partner")`, `EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value IN ($1, $2))`, `t.tags @> ANY (ARRAY[jsonb_build_array($1::text), jsonb_build_array($2::text)])`, []any{"vip", "partner"}},
		{`tags is null`, `COALESCE(json_array_length(t.tags), 0) = 0`, `COALESCE(t.tags, '[]'::jsonb) IN ('[]'::jsonb, 'null'::jsonb)`, nil},
		{`tags is not null`, `NOT (COALESCE(json_array_length(t.tags), 0) = 0)`, `NOT (COALESCE(t.tags, '[]'::jsonb) IN ('[]'::jsonb, 'null'::jsonb))`, nil},
		{`created_at < -90d`, `t.created_at < $1`, "", []any{utc("2025-12-31T10:00:00Z")}},
		{`created_at > -1m`, `t.created_at > $1`, "", []any{utc("2026-02-28T10:00:00Z")}},
		{`created_at > -12h`, `t.created_at > $1`, "", []any{utc("2026-03-30T22:00:00Z")}},
		{`created_at >= today`, `t.created_at >= $1`, "", []any{utc("2026-03-30T17:00:00Z")}},
		{`created_at < now`, `t.created_at < $1`, "", []any{fixedNow}},
		{`created_at = yesterday`, `(t.created_at >= $1 AND t.created_at < $2)`, "", []any{utc("2026-03-29T17:00:00Z"), utc("2026-03-30T17:00:00Z")}},
		{`created_at <= 2026-01-31`, `t.created_at < $1`, "", []any{utc("2026-01-31T17:00:00Z")}},
		{`created_at > 2026-01-31`, `t.created_at >= $1`, "", []any{utc("2026-01-31T17:00:00Z")}},
		{`created_at > 2026-01-31T10:00`, `t.created_at > $1`, "", []any{utc("2026-01-31T03:00:00Z")}},
		{`created_at > 2026-01-31T10:00:00+02:00`, `t.created_at > $1`, "", []any{utc("2026-01-31T08:00:00Z")}},
		{`created_at in (2026-01-31T10:00Z, now)`, `t.created_at IN ($1, $2)`, "", []any{utc("2026-01-31T10:00:00Z"), fixedNow}},
		{`created_at in (today, now)`, `((t.created_at >= $1 AND t.created_at < $2) OR t.created_at = $3)`, "", []any{utc("2026-03-30T17:00:00Z"), utc("2026-03-31T17:00:00Z"), fixedNow}},
		{`closes_on = 2026-01-31`, `t.closes_on = $1`, "", []any{"2026-01-31"}},
		{`closes_on < -1m`, `t.closes_on < $1`, "", []any{"2026-02-28"}},
		{`closes_on > -1y and closes_on < +2w`, `t.closes_on > $1 AND t.closes_on < $2`, "", []any{"2025-03-31", "2026-04-14"}},
		{`closes_on >= -20h and closes_on <= today`, `t.closes_on >= $1 AND t.closes_on <= $2`, "", []any{"2026-03-30", "2026-03-31"}},
		{`closes_on in (yesterday, tomorrow, now)`, `t.closes_on IN ($1, $2, $3)`, "", []any{"2026-03-30", "2026-04-01", "2026-03-31"}},
		{`account.employees < 20`, `(SELECT a.employees FROM filter_test_accounts a WHERE a.id = t.account_id) < $1`, "", []any{int64(20)}},
		{`score > 10`, `(t.employees * 2) > $1`, "", []any{int64(10)}},
		{`id in (1, 2) or not (city = "a" and employees > 1)`,
			`(t.id IN ($1, $2) OR NOT COALESCE(lower(t.city) = lower($3) AND t.employees > $4, 0))`,
			`(t.id IN ($1, $2) OR NOT COALESCE(lower(t.city) = lower($3::text) AND t.employees > $4, FALSE))`,
			[]any{int64(1), int64(2), "a", int64(1)}},
		{`CITY = "x"`, `lower(t.city) = lower($1)`, `lower(t.city) = lower($1::text)`, []any{"x"}},
	}
	s := testSchema()
	for _, tt := range tests {
		for _, e := range []store.Engine{store.SQLite, store.Postgres} {
			want := tt.sqlite
			if e == store.Postgres && tt.pg != "" {
				want = tt.pg
			}
			w, err := Compile(tt.src, s, Options{Engine: e, Now: fixedNow})
			if err != nil {
				t.Errorf("%s: Compile(%q): %v", e, tt.src, err)
				continue
			}
			if w.SQL != want {
				t.Errorf("%s: Compile(%q)\n got %s\nwant %s", e, tt.src, w.SQL, want)
			}
			if !reflect.DeepEqual(w.Args, tt.args) {
				t.Errorf("%s: Compile(%q) args\n got %#v\nwant %#v", e, tt.src, w.Args, tt.args)
			}
		}
	}
}

func TestCompileOptions(t *testing.T) {
	s := testSchema()
	w, err := Compile(`employees = 1 and employees = 2`, s, Options{Engine: store.Postgres, FirstArg: 3})
	if err != nil || w.SQL != `t.employees = $3 AND t.employees = $4` {
		t.Errorf("FirstArg 3: %q, %v", w.SQL, err)
	}
	// The user's zone decides which day "today" is: 20:00 UTC on 31 March
	// is already 1 April in Jakarta (the default) but not in London.
	late := time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC)
	w, _ = Compile(`closes_on = today`, s, Options{Engine: store.SQLite, Now: late})
	if w.Args[0] != "2026-04-01" {
		t.Errorf("today in Jakarta = %v, want 2026-04-01", w.Args[0])
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	w, _ = Compile(`closes_on = today`, s, Options{Engine: store.SQLite, Now: late, Location: london})
	if w.Args[0] != "2026-03-31" {
		t.Errorf("today in London = %v, want 2026-03-31", w.Args[0])
	}
	// London moved to summer time on 29 March 2026: "today" starts at 23:00
	// UTC the day before, and -7d keeps the wall-clock time across the change.
	w, _ = Compile(`created_at >= today and created_at > -7d`, s, Options{Engine: store.SQLite, Now: late, Location: london})
	if want := []any{utc("2026-03-30T23:00:00Z"), utc("2026-03-24T21:00:00Z")}; !reflect.DeepEqual(w.Args, want) {
		t.Errorf("London args %v, want %v", w.Args, want)
	}
	// Without Now, the clock is read.
	w, _ = Compile(`created_at < now`, s, Options{Engine: store.SQLite})
	if d := time.Since(w.Args[0].(time.Time)); d < 0 || d > time.Minute {
		t.Errorf("now = %v", w.Args[0])
	}
	if _, err := Compile(`id = 1`, s, Options{}); err == nil || errs.Is(err, errs.Invalid) {
		t.Errorf("no engine: %v, want a plain error", err)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ src, code, msg string }{
		{`cty = "x"`, "unknown_field", `position 1: unknown field cty (did you mean city?); known fields: account.employees, active, amount, city, closes_on, created_at, employees, id, name, rating, score, tags`},
		{`a = 1`, "unknown_field", `position 1: unknown field a; known fields: account.employees, active, amount, city, closes_on, created_at, employees, id, name, rating, score, tags`},
		{`EMPLYEES = 1`, "unknown_field", `position 1: unknown field EMPLYEES (did you mean employees?); known fields: account.employees, active, amount, city, closes_on, created_at, employees, id, name, rating, score, tags`},
		{`id = 1 and zzzzzz = 1`, "unknown_field", `position 12: unknown field zzzzzz; known fields: account.employees, active, amount, city, closes_on, created_at, employees, id, name, rating, score, tags`},
		{`created_at > "abc"`, "type_mismatch", `position 14: created_at is a date-time field; expected a date-time like 2026-01-31T10:00:00Z, a date like 2026-01-31 or a relative time like -90d, found "abc"`},
		{`employees = "many"`, "type_mismatch", `position 13: employees is a number field; expected a number, found "many"`},
		{`active < 3`, "type_mismatch", `position 8: < does not work on active, a true/false field; use = true, = false, != or is null`},
		{`active = 1`, "type_mismatch", `position 10: active is a true/false field; expected true or false, found 1`},
		{`employees contains "5"`, "type_mismatch", `position 11: contains does not work on employees, a number field; use =, !=, <, <=, >, >=, in, not in or is null`},
		{`rating = "lukewarm"`, "type_mismatch", `position 10: "lukewarm" is not a choice of rating; choices: "hot", "warm", "cold", "junk"`},
		{`rating > "hot"`, "type_mismatch", `position 8: > does not work on rating, a choice field; use =, !=, in, not in or is null`},
		{`tags in ("vip", "gold")`, "type_mismatch", `position 17: "gold" is not a choice of tags; choices: "vip", "partner", "new customer", "lead"`},
		{`tags startswith "v"`, "type_mismatch", `position 6: startswith does not work on tags, a multiple choice field; use contains (or =), !=, in, not in or is null`},
		{`amount = 1.005`, "type_mismatch", `position 10: 1.005 has more than 2 decimal places`},
		{`amount = 99999999999999999999`, "type_mismatch", `position 10: 99999999999999999999 is too large an amount`},
		{`id = 1.5`, "type_mismatch", `position 6: 1.5 is not an ID; IDs are whole numbers`},
		{`id = "7"`, "type_mismatch", `position 6: id is an ID field; expected a whole number, found "7"`},
		{`closes_on = 2026-01-31T10:00Z`, "type_mismatch", `position 13: closes_on is a date field; expected a date like 2026-01-31 or a relative date like -7d or today, found 2026-01-31T10:00Z`},
		{`closes_on < -100000y`, "type_mismatch", `position 13: -100000y is outside the years 1 to 9999`},
		{`created_at > +100000y`, "type_mismatch", `position 14: +100000y is outside the years 1 to 9999`},
		{`name = true`, "type_mismatch", `position 8: name is a text field; expected text in quotes, found true`},
		{`name contains 2026-01-01`, "type_mismatch", `position 15: name is a text field; expected text in quotes, found 2026-01-01`},
		{`city = Jakarta`, "syntax", `position 8: expected a value, found Jakarta; put text in quotes: "Jakarta"`},
		{`id in (1, me)`, "syntax", `position 11: expected a value, found me; put text in quotes: "me"`},
		{`city = "a" or employees >`, "syntax", `position 26: expected a value after >, found the end of the filter`},
		{strings.Repeat("(", 40) + "id = 1" + strings.Repeat(")", 40), "too_deep", `position 33: the filter nests deeper than 32 levels of parentheses and not`},
	}
	s := testSchema()
	for _, tt := range tests {
		_, err := Compile(tt.src, s, Options{Engine: store.SQLite, Now: fixedNow})
		e, ok := errs.As(err)
		if !ok {
			t.Errorf("Compile(%q) = %v, want an *errs.Error", tt.src, err)
			continue
		}
		if e.Code != errs.Invalid || e.Message != "The filter is not valid." || len(e.Fields) != 1 || e.Fields[0].Field != "filter" {
			t.Errorf("Compile(%q) = %#v", tt.src, e)
			continue
		}
		if f := e.Fields[0]; f.Code != tt.code || f.Message != tt.msg {
			t.Errorf("Compile(%q)\n got %s: %s\nwant %s: %s", tt.src, f.Code, f.Message, tt.code, tt.msg)
		}
	}
}

func TestNewSchemaPanics(t *testing.T) {
	for _, f := range []Field{
		{Name: "", SQL: "x"},
		{Name: "and", SQL: "x"},
		{Name: "Today", SQL: "x"},
		{Name: "1x", SQL: "x"},
		{Name: "a.", SQL: "x"},
		{Name: "a..b", SQL: "x"},
		{Name: "a.1", SQL: "x"},
		{Name: "a-b", SQL: "x"},
		{Name: "a", SQL: " "},
		{Name: "a", SQL: "x", Type: Type(99)},
		{Name: "a", SQL: "x", Type: Money, Scale: -1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSchema(%+v) did not panic", f)
				}
			}()
			NewSchema(f)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("duplicate names did not panic")
			}
		}()
		NewSchema(Field{Name: "a", SQL: "x"}, Field{Name: "A", SQL: "y"})
	}()
	s := NewSchema(Field{Name: "b_2", SQL: "x"}, Field{Name: "a.c", SQL: "y"})
	if got := s.Names(); !reflect.DeepEqual(got, []string{"a.c", "b_2"}) {
		t.Errorf("Names() = %v", got)
	}
	if f, ok := s.Lookup("A.C"); !ok || f.SQL != "y" {
		t.Errorf("Lookup(A.C) = %v, %v", f, ok)
	}
	if _, ok := (Schema{}).Lookup("a"); ok {
		t.Error("zero Schema found a field")
	}
}

func TestSQLExpr(t *testing.T) {
	for in, want := range map[string]string{
		"c.city":                        "c.city",
		" c.city ":                      "c.city",
		"(SELECT 1)":                    "(SELECT 1)",
		"(a) + (b)":                     "((a) + (b))",
		"json_extract(c.custom, '$.x')": "(json_extract(c.custom, '$.x'))",
		"(')')":                         "(')')",
		`("a)b")`:                       `("a)b")`,
		"a OR b":                        "(a OR b)",
	} {
		if got := sqlExpr(in); got != want {
			t.Errorf("sqlExpr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddCalendar(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, tt := range []struct {
		from string
		n    int
		unit byte
		want string
	}{
		{"2026-03-31", -1, 'm', "2026-02-28"},
		{"2024-03-31", -1, 'm', "2024-02-29"},
		{"2026-01-31", 1, 'm', "2026-02-28"},
		{"2026-01-15", -13, 'm', "2024-12-15"},
		{"2026-12-15", 1, 'm', "2027-01-15"},
		{"2024-02-29", 1, 'y', "2025-02-28"},
		{"2026-03-31", -90, 'd', "2025-12-31"},
		{"2026-03-31", -2, 'w', "2026-03-17"},
	} {
		if got := addCalendar(d(tt.from), tt.n, tt.unit).Format(time.DateOnly); got != tt.want {
			t.Errorf("addCalendar(%s, %d%c) = %s, want %s", tt.from, tt.n, tt.unit, got, tt.want)
		}
	}
}

// errors.As finds the syntax error in what Parse returns.
func TestSyntaxErrorType(t *testing.T) {
	_, err := Parse(`a >`)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != 4 || se.Msg != "expected a value after >, found the end of the filter" {
		t.Errorf("%#v", err)
	}
}

func BenchmarkCompile(b *testing.B) {
	s := testSchema()
	src := `city in ("Jakarta", "Bandung") and employees >= 20 and created_at > -90d and (rating = "hot" or tags contains "vip")`
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			o := Options{Engine: e, Now: fixedNow}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(src, s, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ExampleCompile() {
	s := NewSchema(
		Field{Name: "city", Type: Text, SQL: "c.city"},
		Field{Name: "last_activity_at", Type: DateTime, SQL: "c.last_activity_at"},
		Field{Name: "account.employees", Type: Number, SQL: "(SELECT a.employees FROM accounts a WHERE a.id = c.account_id)"},
	)
	w, err := Compile(`account.employees < 20 and (city = "Jakarta" or last_activity_at < -90d)`, s,
		Options{Engine: store.Postgres, Now: time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.SQL)
	fmt.Println(w.Args)
	// Output:
	// (SELECT a.employees FROM accounts a WHERE a.id = c.account_id) < $1 AND (lower(c.city) = lower($2::text) OR c.last_activity_at < $3)
	// [20 Jakarta 2025-12-31 10:00:00 +0000 UTC]
}

// A range on a field with an ordered expression is written on it, and "<"
// still leaves out records without a value.
func TestOrderedSQL(t *testing.T) {
	s := NewSchema(Field{Name: "seen", Type: DateTime, SQL: "c.seen", OrderedSQL: "COALESCE(c.seen, '')"})
	o := Options{Engine: store.SQLite, Now: fixedNow}
	for src, want := range map[string]string{
		`seen < 2026-01-01T00:00:00Z`:  "((COALESCE(c.seen, '')) < $1 AND c.seen IS NOT NULL)",
		`seen >= 2026-01-01T00:00:00Z`: "(COALESCE(c.seen, '')) >= $1",
		`seen is null`:                 "c.seen IS NULL",
	} {
		w, err := Compile(src, s, o)
		if err != nil || w.SQL != want {
			t.Errorf("%s: %q, %v; want %q", src, w.SQL, err, want)
		}
	}
}
