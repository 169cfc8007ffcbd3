package filter

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// prefixSchema describes filter_test_people p: an e-mail on the row, a
// list of e-mails kept in a JSON column and, one a row, in a side table
// (as contacts keep theirs in contact_emails), and a list of codes with a
// prefix but no side table.
func prefixSchema() Schema {
	lower := func(s string) (string, error) { return strings.ToLower(s), nil }
	code := func(s string) (string, error) {
		if strings.ContainsAny(s, "!") {
			return "", errors.New("is not the start of a code")
		}
		return strings.ToUpper(s), nil
	}
	return NewSchema(
		Field{Name: "id", Type: ID, SQL: "p.id"},
		Field{Name: "name", Type: Text, SQL: "p.name"},
		Field{Name: "email", Type: Text, SQL: "p.email", Prefix: &Prefix{Normalize: lower, Column: "lower(COALESCE(p.email, ''))"}},
		Field{Name: "emails", Type: MultiEnum, SQL: "p.emails", Prefix: &Prefix{Normalize: lower,
			Table: "filter_test_people_emails", Key: "person_id", Column: "email", ID: "p.id"}},
		Field{Name: "codes", Type: MultiEnum, SQL: "p.codes", Prefix: &Prefix{Normalize: code}},
		Field{Name: "tags", Type: MultiEnum, SQL: "p.codes"},
	)
}

var prefixDDL = map[store.Engine][]string{
	store.SQLite: {
		`CREATE TABLE filter_test_people (id INTEGER PRIMARY KEY, name TEXT, email TEXT, emails TEXT, codes TEXT)`,
		`CREATE INDEX filter_test_people_email ON filter_test_people (lower(COALESCE(email, '')))`,
		`CREATE TABLE filter_test_people_emails (person_id INTEGER NOT NULL, email TEXT NOT NULL, PRIMARY KEY (person_id, email))`,
		`CREATE INDEX filter_test_people_emails_email ON filter_test_people_emails (email, person_id)`,
	},
	store.Postgres: {
		`CREATE TABLE filter_test_people (id BIGINT PRIMARY KEY, name TEXT, email TEXT, emails JSONB, codes JSONB)`,
		`CREATE INDEX filter_test_people_email ON filter_test_people (lower(COALESCE(email, '')) COLLATE "C")`,
		`CREATE TABLE filter_test_people_emails (person_id BIGINT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (person_id, email))`,
		`CREATE INDEX filter_test_people_emails_email ON filter_test_people_emails (email COLLATE "C", person_id)`,
	},
}

func TestCompilePrefix(t *testing.T) {
	tests := []struct {
		src, sqlite, pg string
		args            []any
	}{
		{`email startswith "Budi"`,
			`((lower(COALESCE(p.email, ''))) >= $1 AND (lower(COALESCE(p.email, ''))) < $2)`,
			`((lower(COALESCE(p.email, ''))) COLLATE "C" >= $1::text AND (lower(COALESCE(p.email, ''))) COLLATE "C" < $2::text)`,
			[]any{"budi", "budj"}},
		{`emails startswith "BUDI"`,
			`p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email >= $1 AND email < $2)`,
			`p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email COLLATE "C" >= $1::text AND email COLLATE "C" < $2::text)`,
			[]any{"budi", "budj"}},
		// % and _ are plain characters in a range.
		{`emails startswith "50%_"`,
			`p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email >= $1 AND email < $2)`,
			`p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email COLLATE "C" >= $1::text AND email COLLATE "C" < $2::text)`,
			[]any{"50%_", "50%`"}},
		{`not emails startswith "a"`,
			`NOT COALESCE(p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email >= $1 AND email < $2), 0)`,
			`NOT COALESCE(p.id IN (SELECT person_id FROM filter_test_people_emails WHERE email COLLATE "C" >= $1::text AND email COLLATE "C" < $2::text), FALSE)`,
			[]any{"a", "b"}},
		// Without a column, a LIKE with the normalised prefix.
		{`codes startswith "ab%"`,
			`EXISTS (SELECT 1 FROM json_each(p.codes) WHERE lower(value) LIKE lower($1) ESCAPE '\')`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements_text(p.codes) AS e(v) WHERE lower(e.v) LIKE lower($1::text) ESCAPE '\')`,
			[]any{`AB\%%`}},
		// Nothing typed: any value.
		{`emails startswith ""`, `NOT (COALESCE(json_array_length(p.emails), 0) = 0)`,
			`NOT (COALESCE(p.emails, '[]'::jsonb) IN ('[]'::jsonb, 'null'::jsonb))`, nil},
		{`email startswith ""`, `p.email <> ''`, "", nil},
		// A number stands for its text.
		{`email startswith 0812`, `((lower(COALESCE(p.email, ''))) >= $1 AND (lower(COALESCE(p.email, ''))) < $2)`,
			`((lower(COALESCE(p.email, ''))) COLLATE "C" >= $1::text AND (lower(COALESCE(p.email, ''))) COLLATE "C" < $2::text)`, []any{"0812", "0813"}},
		// Other operators are as they were.
		{`emails contains "Besar"`, `EXISTS (SELECT 1 FROM json_each(p.emails) WHERE lower(value) LIKE lower($1) ESCAPE '\')`,
			`EXISTS (SELECT 1 FROM jsonb_array_elements_text(p.emails) AS e(v) WHERE lower(e.v) LIKE lower($1::text) ESCAPE '\')`, []any{"%Besar%"}},
		{`emails = "a@b.id"`, `EXISTS (SELECT 1 FROM json_each(p.emails) WHERE value = $1)`, `p.emails @> jsonb_build_array($1::text)`, []any{"a@b.id"}},
		{`email = "A@b.id"`, `lower(p.email) = lower($1)`, `lower(p.email) = lower($1::text)`, []any{"A@b.id"}},
	}
	s := prefixSchema()
	for _, tt := range tests {
		for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
			want := tt.sqlite
			if engine == store.Postgres && tt.pg != "" {
				want = tt.pg
			}
			w, err := Compile(tt.src, s, Options{Engine: engine, Now: fixedNow})
			if err != nil {
				t.Errorf("%s: Compile(%q): %v", engine, tt.src, err)
				continue
			}
			if w.SQL != want || !reflect.DeepEqual(w.Args, tt.args) {
				t.Errorf("%s: Compile(%q)\n got %s %#v\nwant %s %#v", engine, tt.src, w.SQL, w.Args, want, tt.args)
			}
		}
	}
}

func TestCompilePrefixErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		// A list without a prefix still refuses startswith, naming the field.
		{`tags startswith "v"`, `position 6: startswith does not work on tags, a multiple choice field; use contains (or =), !=, in, not in or is null`},
		{`codes startswith "a!"`, `position 18: "a!" is not the start of a code`},
		{`emails startswith true`, `position 19: emails is a multiple choice field; expected text in quotes, found true`},
		{`email startswith 2026-01-01`, `position 18: email is a text field; expected text in quotes, found 2026-01-01`},
		{`emails > "a"`, `position 8: > does not work on emails, a multiple choice field; use contains (or =), startswith, !=, in, not in or is null`},
		{`id startswith "1"`, `position 4: startswith does not work on id, an ID field; use =, !=, <, <=, >, >=, in, not in or is null`},
	}
	s := prefixSchema()
	for _, tt := range tests {
		_, err := Compile(tt.src, s, Options{Engine: store.SQLite, Now: fixedNow})
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "filter" || e.Fields[0].Code != "type_mismatch" || e.Fields[0].Message != tt.msg {
			t.Errorf("Compile(%q) = %#v\nwant a type_mismatch on filter: %s", tt.src, e.Fields, tt.msg)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{
		"budi":                 "budj",
		"a":                    "b",
		"+62812":               "+62813",
		"50%_":                 "50%`",
		"ab\u007f":             "ab\u0080",
		"jos\u00e9":            "jos\u00ea",
		"x\u00ff":              "x\u0100",
		"x\ud7ff":              "x\ue000",
		"x\U0010ffff":          "y",
		"\U0010ffff":           "",
		"\U0010ffff\U0010ffff": "",
	} {
		got, ok := prefixEnd(in)
		if got != want || ok != (want != "") {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestStoragePrefix runs startswith against real tables on both engines,
// and checks that the range is answered from the index.
func TestStoragePrefix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := []struct {
			id     int64
			email  any
			emails []string
			codes  string
		}{
			{1, "budi@besar.co.id", []string{"budi@besar.co.id", "b.santoso@gmail.com"}, `["AB1","XY"]`},
			{2, "ani@contoh.id", []string{"ani@contoh.id", "budi.ani@kecil.id", "budiman@kecil.id"}, `["ab%2"]`},
			{3, "50%_off@promo.id", []string{"50%_off@promo.id"}, `["AB%2"]`},
			{4, "500ff@promo.id", []string{"500ff@promo.id", "50x_off@promo.id"}, `[]`},
			{5, nil, nil, ""},
			{6, "José@contoh.id", []string{"josé@contoh.id"}, `["ABC"]`},
			{7, "budj@z.id", []string{"budj@z.id", "bud@z.id"}, `["B"]`},
		}
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			for _, ddl := range prefixDDL[db.Engine] {
				if _, err := tx.ExecContext(ctx, ddl); err != nil {
					return err
				}
			}
			for _, p := range people {
				var emails any
				if p.emails != nil {
					emails = `["` + strings.Join(p.emails, `","`) + `"]`
				}
				var codes any
				if p.codes != "" {
					codes = p.codes
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_people (id, email, emails, codes) VALUES ($1, $2, $3, $4)`, p.id, p.email, emails, codes); err != nil {
					return err
				}
				for _, e := range p.emails {
					if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_people_emails (person_id, email) VALUES ($1, $2)`, p.id, e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := prefixSchema()
		for _, tt := range []struct {
			filter string
			want   []int64
		}{
			{`email startswith "budi"`, []int64{1}},
			{`email startswith "BUDI@"`, []int64{1}},
			{`email startswith "budi@besar.co.id"`, []int64{1}},
			{`email startswith "bud"`, []int64{1, 7}},
			{`email startswith "50%"`, []int64{3}},
			{`email startswith "50%_"`, []int64{3}},
			{`email startswith "50_"`, nil},
			{`email startswith ""`, []int64{1, 2, 3, 4, 6, 7}},
			{`not email startswith "budi"`, []int64{2, 3, 4, 5, 6, 7}},
			// Any item of the list; a record once however many match.
			{`emails startswith "budi"`, []int64{1, 2}},
			{`emails startswith "b.san"`, []int64{1}},
			{`emails startswith "Budiman"`, []int64{2}},
			{`emails startswith "50%"`, []int64{3}},
			{`emails startswith "50_"`, nil},
			{`emails startswith "50x_"`, []int64{4}},
			{`emails startswith "JOSÉ"`, []int64{6}},
			{`emails startswith "bud"`, []int64{1, 2, 7}},
			{`emails startswith "budj"`, []int64{7}},
			{`emails startswith "zz"`, nil},
			{`not emails startswith "budi"`, []int64{3, 4, 5, 6, 7}},
			{`emails startswith "budi" or emails startswith "ani"`, []int64{1, 2}},
			{`emails startswith "budi" and name is null and id > 1`, []int64{2}},
			{`emails startswith ""`, []int64{1, 2, 3, 4, 6, 7}},
			// A list without a side table: LIKE on its elements.
			{`codes startswith "ab"`, []int64{1, 2, 3, 6}},
			{`codes startswith "ab%"`, []int64{2, 3}},
			{`codes startswith "b"`, []int64{7}},
		} {
			w, err := Compile(tt.filter, s, Options{Engine: db.Engine, Now: fixedNow})
			if err != nil {
				t.Errorf("Compile(%q): %v", tt.filter, err)
				continue
			}
			got, err := queryIDs(ctx, db, `SELECT id FROM filter_test_people p WHERE `+w.SQL+` ORDER BY id`, w.Args)
			if err != nil {
				t.Errorf("%q: %s: %v", tt.filter, w.SQL, err)
				continue
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%q matched %v, want %v\nSQL: %s\nargs: %v", tt.filter, got, tt.want, w.SQL, w.Args)
			}
		}

		// The ranges are read from the indexes, not by scanning.
		for filter, index := range map[string]string{
			`email startswith "budi"`:  "filter_test_people_email",
			`emails startswith "budi"`: "filter_test_people_emails_email",
		} {
			w, err := Compile(filter, s, Options{Engine: db.Engine, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := storetest.Explain(ctx, db, `SELECT id FROM filter_test_people p WHERE `+w.SQL, w.Args...)
			if err != nil {
				t.Fatalf("explain %q: %v", filter, err)
			}
			if !strings.Contains(plan, index) {
				t.Errorf("%q is not read from %s:\n%s", filter, index, plan)
			}
		}
	})
}

func queryIDs(ctx context.Context, db *store.DB, q string, args []any) ([]int64, error) {
	rows, err := db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// FuzzPrefixRange checks the range startswith is compiled to against the
// plain meaning of "starts with", on both engines: for any prefix, the
// records found are those with an item that starts with it, byte for byte
// after lower-casing (as strings.HasPrefix says), however the prefix ends.
func FuzzPrefixRange(f *testing.F) {
	items := map[int64][]string{
		1: {"budi@besar.co.id", "b"},
		2: {"budj", "bud\u007f", "bud\u0080x"},
		3: {"josé@x.id", "jos\u00ea", "jos\u00e9\u00ff"},
		4: {"x\ud7ff1", "x\ue000", "x\U0010ffff", "y"},
		5: {"50%_off", "50x_", "5\\0"},
		6: {"日本@例え.jp", "日本", "日"},
	}
	for _, seed := range []string{"", "b", "bud", "budj", "bud\u007f", "jos\u00e9", "x\ud7ff", "x\U0010ffff", "\U0010ffff", "50%", "50_", "5\\", "日本", "日", "Z", "BUDI"} {
		f.Add(seed)
	}
	ctx := context.Background()
	s := prefixSchema()
	dbs := map[store.Engine]*store.DB{}
	for _, e := range storetest.Engines() {
		db := storetest.Open(f, e)
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			for _, ddl := range prefixDDL[e] {
				if _, err := tx.ExecContext(ctx, ddl); err != nil {
					return err
				}
			}
			for id, list := range items {
				if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_people (id) VALUES ($1)`, id); err != nil {
					return err
				}
				for _, it := range list {
					if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_people_emails (person_id, email) VALUES ($1, $2)`, id, it); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
		dbs[e] = db
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		if !utf8.ValidString(prefix) || strings.ContainsRune(prefix, 0) || len(prefix) > 50 {
			return
		}
		lower := strings.ToLower(prefix)
		var want []int64
		for id := int64(1); id <= int64(len(items)); id++ {
			for _, it := range items[id] {
				if strings.HasPrefix(it, lower) {
					want = append(want, id)
					break
				}
			}
		}
		if lower == "" {
			want = nil // "has a value": the JSON column, which these rows leave empty
		}
		for _, e := range storetest.Engines() {
			w, err := Compile(`emails startswith `+quote(prefix), s, Options{Engine: e, Now: fixedNow})
			if err != nil {
				t.Fatalf("Compile(%q): %v", prefix, err)
			}
			got, err := queryIDs(ctx, dbs[e], `SELECT id FROM filter_test_people p WHERE `+w.SQL+` ORDER BY id`, w.Args)
			if err != nil {
				t.Fatalf("%s: %q: %s %v: %v", e, prefix, w.SQL, w.Args, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: startswith %q matched %v, want %v (%s %q)", e, prefix, got, want, w.SQL, w.Args)
			}
		}
	})
}
