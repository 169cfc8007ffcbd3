package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/errs"
)

func TestFieldAccept(t *testing.T) {
	num := func(s string) json.Number { return json.Number(s) }
	// JSON values must have their field's JSON type; text from a form or
	// an imported cell (FormText) is read as the field's kind reads text.
	for _, tc := range []struct {
		f    Field
		in   any
		want any    // the Go value, shown with %v
		code string // the problem, when refused
	}{
		{Field{Kind: Text}, "  Budi  ", "Budi", ""},
		{Field{Kind: Text}, "   ", nil, ""},
		{Field{Kind: Text}, num("12345"), nil, "wrong_type"},
		{Field{Kind: Text}, FormText("12345"), "12345", ""},
		{Field{Kind: Text}, true, nil, "wrong_type"},
		{Field{Kind: Text, MaxLen: 3}, "Budi", nil, "too_long"},
		{Field{Kind: Text, MaxLen: 4}, "Ēkō!", "Ēkō!", ""},
		{Field{Kind: Text}, strings.Repeat("a", 256), nil, "too_long"},
		{Field{Kind: LongText}, strings.Repeat("a", 5000), strings.Repeat("a", 5000), ""},
		{Field{Kind: Integer}, num("42"), int64(42), ""},
		{Field{Kind: Integer}, "42", nil, "wrong_type"},
		{Field{Kind: Integer}, "", nil, "wrong_type"},
		{Field{Kind: Integer}, FormText("42"), int64(42), ""},
		{Field{Kind: Integer}, FormText(" "), nil, ""},
		{Field{Kind: Integer, Min: new(int64(0))}, num("-1"), nil, "min"},
		{Field{Kind: Integer, Min: new(int64(0))}, num("0"), int64(0), ""},
		{Field{Kind: Ref}, "7", nil, "wrong_type"},
		{Field{Kind: User}, true, nil, "wrong_type"},
		{Field{Kind: Integer}, num("4.5"), nil, "wrong_type"},
		{Field{Kind: Integer}, num("1e300"), nil, "wrong_type"},
		{Field{Kind: Ref}, num("0"), nil, "not_found"},
		{Field{Kind: Ref}, num("-3"), nil, "not_found"},
		{Field{Kind: Number}, num("12.5"), 12.5, ""},
		{Field{Kind: Number}, "12.5", nil, "wrong_type"},
		{Field{Kind: Number}, FormText("12,5"), 12.5, ""},
		{Field{Kind: Number}, FormText("NaN"), nil, "wrong_type"},
		{Field{Kind: Number}, FormText("dua"), nil, "wrong_type"},
		{Field{Kind: Money, Currency: "IDR"}, "1500000.50", nil, "wrong_type"},
		{Field{Kind: Money, Currency: "IDR"}, FormText("1500000.50"), int64(150000050), ""},
		{Field{Kind: Money, Currency: "IDR"}, num("1500000.5"), int64(150000050), ""},
		{Field{Kind: Money, Currency: "IDR"}, num("-0.01"), int64(-1), ""},
		{Field{Kind: Money, Currency: "IDR", Min: new(int64(0))}, num("-0.01"), nil, "min"},
		{Field{Kind: Money, Currency: "IDR", Min: new(int64(0))}, FormText("-5"), nil, "min"},
		{Field{Kind: Money, Currency: "IDR", Min: new(int64(0))}, num("0"), int64(0), ""},
		{Field{Kind: Money, Currency: "IDR"}, FormText(".5"), nil, "invalid_amount"},
		{Field{Kind: Money, Currency: "IDR"}, num("1.005"), nil, "invalid_amount"},
		{Field{Kind: Money, Currency: "IDR"}, FormText("1,5"), nil, "invalid_amount"},
		{Field{Kind: Money, Currency: "IDR"}, num("1e3"), nil, "invalid_amount"},
		{Field{Kind: Money, Currency: "IDR"}, num("99999999999999999999"), nil, "invalid_amount"},
		{Field{Kind: Money, Currency: "JPY"}, num("1500"), int64(1500), ""},
		{Field{Kind: Money, Currency: "JPY"}, num("1500.5"), nil, "invalid_amount"},
		{Field{Kind: Money}, true, nil, "wrong_type"},
		{Field{Kind: Bool}, true, true, ""},
		{Field{Kind: Bool}, "true", nil, "wrong_type"},
		{Field{Kind: Bool}, FormText("ya"), true, ""},
		{Field{Kind: Bool}, FormText("Tidak"), false, ""},
		{Field{Kind: Bool}, num("1"), nil, "wrong_type"},
		{Field{Kind: Date}, "2026-02-28", "2026-02-28", ""},
		{Field{Kind: Date}, num("20260228"), nil, "wrong_type"},
		{Field{Kind: Date}, "2026-02-28T10:00:00Z", "2026-02-28", ""},
		{Field{Kind: Date}, "2026-02-30", nil, "invalid_date"},
		{Field{Kind: Date}, "28/02/2026", nil, "invalid_date"},
		{Field{Kind: DateTime}, "2026-01-31T14:00:00+07:00", "2026-01-31 07:00:00 +0000 UTC", ""},
		{Field{Kind: DateTime}, "2026-01-31T14:00", "2026-01-31 14:00:00 +0000 UTC", ""},
		{Field{Kind: DateTime}, "besok", nil, "invalid_time"},
		{Field{Kind: Select, Choices: []string{"a", "b"}}, "b", "b", ""},
		{Field{Kind: Select, Choices: []string{"a", "b"}}, "B", nil, "invalid_choice"},
		{Field{Kind: MultiSelect, Choices: []string{"a", "b"}}, []any{"b", "a", "b", " "}, "[b a]", ""},
		{Field{Kind: MultiSelect, Choices: []string{"a", "b"}}, "a, b", nil, "wrong_type"},
		{Field{Kind: MultiSelect, Choices: []string{"a", "b"}}, FormText("a, b"), "[a b]", ""},
		{Field{Kind: MultiSelect, Choices: []string{"a", "b"}}, []any{"c"}, nil, "invalid_choice"},
		{Field{Kind: MultiSelect, Choices: []string{"a"}}, []any{1}, nil, "wrong_type"},
		{Field{Kind: List}, []any{}, nil, ""},
		{Field{Kind: List}, []any{strings.Repeat("x", 256)}, nil, "too_long"},
		{Field{Kind: List}, map[string]any{}, nil, "wrong_type"},
		{Field{Kind: List}, "a@b.c", nil, "wrong_type"},
		{Field{Kind: List}, []any{"a", num("1")}, nil, "wrong_type"},
		{Field{Kind: URL}, "maju.co.id/produk", "https://maju.co.id/produk", ""},
		{Field{Kind: URL}, "http://maju.co.id", "http://maju.co.id", ""},
		{Field{Kind: URL}, "ftp://maju.co.id", nil, "invalid_url"},
		{Field{Kind: URL}, "localhost", nil, "invalid_url"},
		{Field{Kind: URL}, "javascript://maju.co.id/%0aalert(1)", nil, "invalid_url"},
		{Field{Kind: Email}, "Budi@Maju.co.id", "budi@maju.co.id", ""},
		{Field{Kind: Email}, "Budi <budi@maju.co.id>", nil, "invalid_email"},
		{Field{Kind: Email}, "budi@localhost", nil, "invalid_email"},
		{Field{Kind: Phone, Normalize: NormalizePhone}, "0812-3456-7890", "+6281234567890", ""},
		{Field{Kind: Phone, Normalize: NormalizePhone}, "+62 812 3456 7890", "+6281234567890", ""},
		{Field{Kind: Phone, Normalize: NormalizePhone}, "6281234567890", "+6281234567890", ""},
		{Field{Kind: Phone, Normalize: NormalizePhone}, num("81234567890"), nil, "wrong_type"},
		{Field{Kind: Phone, Normalize: NormalizePhone}, FormText("81234567890"), "+6281234567890", ""},
		{Field{Kind: Phone, Normalize: NormalizePhone}, "+1 415 555 2671", "+14155552671", ""},
		{Field{Kind: Phone, Normalize: NormalizePhone}, "12", nil, "invalid_phone"},
		{Field{Kind: List, Normalize: NormalizePhones}, []any{"0812-3456-7890", "+62 812 3456 7890"}, "[+6281234567890]", ""},
		{Field{Kind: List, Normalize: NormalizePhones}, FormText("0812-3456-7890, halo"), nil, "invalid_phone"},
		{Field{Kind: List, Normalize: NormalizeEmails}, FormText("A@b.co, a@B.co, c@d.id"), "[a@b.co c@d.id]", ""},
		{Field{Kind: List, Normalize: NormalizeEmails}, []any{"a@b.co", "nope"}, nil, "invalid_email"},
	} {
		name := fmt.Sprintf("%s %v", tc.f.Kind, tc.in)
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			got, err := tc.f.Accept(tc.in, "")
			var p *fieldProblem
			if tc.code != "" {
				if !errors.As(err, &p) || p.code != tc.code {
					t.Fatalf("Accept(%v) = %v, %v; want the problem %s", tc.in, got, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("Accept(%v): %v", tc.in, err)
			}
			if tm, ok := got.(time.Time); ok {
				got = tm.String()
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || (tc.want == nil) != (got == nil) {
				t.Errorf("Accept(%v) = %v (%T), want %v", tc.in, got, got, tc.want)
			}
		})
	}
}

func TestMoneyWithRecordCurrency(t *testing.T) {
	// A deal carries its currency: the amount's decimals follow it.
	f := Field{Kind: Money, CurrencyField: "currency"}
	if v, err := f.Accept(json.Number("1500"), "JPY"); err != nil || v != int64(1500) {
		t.Errorf("1500 JPY = %v, %v; want 1500 minor units", v, err)
	}
	if v, err := f.Accept(json.Number("15.25"), "USD"); err != nil || v != int64(1525) {
		t.Errorf("15.25 USD = %v, %v; want 1525 minor units", v, err)
	}
	r := &Record{Values: map[string]any{"currency": "JPY", "amount": int64(1500)}}
	if got := jsonValue(f, r, int64(1500)); got != json.Number("1500") {
		t.Errorf("1500 JPY shown as %v", got)
	}
	r.Values["currency"] = "USD"
	if got := jsonValue(f, r, int64(1525)); got != json.Number("15.25") {
		t.Errorf("1525 USD cents shown as %v", got)
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		exp   int
		want  string
	}{
		{150000050, 2, "1500000.5"},
		{150000000, 2, "1500000"},
		{1, 2, "0.01"},
		{-1, 2, "-0.01"},
		{-150, 2, "-1.5"},
		{0, 2, "0"},
		{1500, 0, "1500"},
		{1234567, 3, "1234.567"},
	} {
		if got := FormatAmount(tc.minor, tc.exp); string(got) != tc.want {
			t.Errorf("FormatAmount(%d, %d) = %s, want %s", tc.minor, tc.exp, got, tc.want)
		}
		back, err := parseAmount(tc.want, tc.exp)
		if err != nil || back != tc.minor {
			t.Errorf("parseAmount(%s, %d) = %d, %v; want %d", tc.want, tc.exp, back, err, tc.minor)
		}
	}
}

func TestValidCustomKey(t *testing.T) {
	for key, want := range map[string]bool{
		"budget": true, "npwp_2": true, "a": true, strings.Repeat("a", 40): true,
		"": false, "Budget": false, "2nd": false, "_x": false, "a-b": false, "a.b": false, "a b": false,
		"a'b": false, strings.Repeat("a", 41): false, "anggaran$": false,
	} {
		if got := ValidCustomKey(key); got != want {
			t.Errorf("ValidCustomKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestRenumber(t *testing.T) {
	for _, tc := range []struct {
		in     string
		offset int
		want   string
	}{
		{"c.city = $1 AND c.x IN ($2, $10)", 3, "c.city = $4 AND c.x IN ($5, $13)"},
		{"c.city = $1", 0, "c.city = $1"},
		{"price > 5$", 2, "price > 5$"},
	} {
		if got := renumber(tc.in, tc.offset); got != tc.want {
			t.Errorf("renumber(%q, %d) = %q, want %q", tc.in, tc.offset, got, tc.want)
		}
	}
}

func TestApplyReportsEveryProblem(t *testing.T) {
	fields := []Field{
		{Name: "first_name", Kind: Text, Required: true},
		{Name: "phones", Kind: List, Normalize: NormalizePhones},
		{Name: "last_activity_at", Kind: DateTime, ReadOnly: true},
		{Name: "custom.budget", Kind: Money, Custom: true, Key: "budget", Required: true},
	}
	r := &Record{Values: map[string]any{}, Custom: map[string]any{}}
	err := validate(fields, r, Input{"phones": []any{"halo"}, "id": 3, "last_activity_at": "2026-01-01T00:00:00Z", "custom": 5, "x": 1})
	var got []string
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			got = append(got, f.Field+":"+f.Code)
		}
	}
	want := "custom:wrong_type custom.budget:required first_name:required id:read_only last_activity_at:read_only phones:invalid_phone x:unknown_field"
	if strings.Join(got, " ") != want {
		t.Errorf("problems %v\nwant     %s", got, want)
	}
}
