package i18n

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		en, id   string
	}{
		{150000000, "IDR", "IDR 1,500,000", "Rp 1.500.000"},
		{150000050, "IDR", "IDR 1,500,000.50", "Rp 1.500.000,50"},
		{-150000000, "IDR", "-IDR 1,500,000", "-Rp 1.500.000"},
		{0, "IDR", "IDR 0", "Rp 0"},
		{1, "IDR", "IDR 0.01", "Rp 0,01"},
		{99900, "", "IDR 999", "Rp 999"}, // empty currency -> IDR
		{123450, "USD", "US$1,234.50", "USD 1.234,50"},
		{100, "USD", "US$1.00", "USD 1,00"},
		{-123450, "USD", "-US$1,234.50", "-USD 1.234,50"},
		{0, "usd", "US$0.00", "USD 0,00"},
		{1500, "JPY", "JPY 1,500", "JPY 1.500"},
		{-1500, "JPY", "-JPY 1,500", "-JPY 1.500"},
		{123450, "EUR", "EUR 1,234.50", "EUR 1.234,50"},
		{5, "SGD", "SGD 0.05", "SGD 0,05"},
		{1234567, "KWD", "KWD 1,234.567", "KWD 1.234,567"},
		{123450, "XYZ", "XYZ 1,234.50", "XYZ 1.234,50"}, // unknown: 2 decimals
		{math.MinInt64, "IDR", "-IDR 92,233,720,368,547,758.08", "-Rp 92.233.720.368.547.758,08"},
	}
	en, id := NewFormatter("en", nil), NewFormatter("id", nil)
	for _, tt := range tests {
		if got := en.Money(tt.minor, tt.currency); got != tt.en {
			t.Errorf("en Money(%d, %q) = %q, want %q", tt.minor, tt.currency, got, tt.en)
		}
		if got := id.Money(tt.minor, tt.currency); got != tt.id {
			t.Errorf("id Money(%d, %q) = %q, want %q", tt.minor, tt.currency, got, tt.id)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		lang, s, currency string
		want              int64
	}{
		{"id", "1.500.000", "IDR", 150000000},
		{"id", "1.500.000,50", "IDR", 150000050},
		{"id", "1.500.000,5", "IDR", 150000050},
		{"id", "Rp 1.500.000", "IDR", 150000000},
		{"id", "Rp1.500.000", "IDR", 150000000},
		{"id", "Rp. 1.500.000", "IDR", 150000000},
		{"id", "rp 1.500.000", "IDR", 150000000},
		{"id", "IDR 1.500.000", "IDR", 150000000},
		{"id", "1.500.000 IDR", "IDR", 150000000},
		{"id", "-Rp 1.500.000", "IDR", -150000000},
		{"id", "Rp -1.500.000", "IDR", -150000000},
		{"id", "  1500000  ", "IDR", 150000000},
		{"id", "1500000.5", "IDR", 150000050},
		{"id", "1.5", "IDR", 150},
		{"id", "1.500", "IDR", 150000}, // Indonesian grouping, not 1.5
		{"id", "0,01", "IDR", 1},
		{"id", "1.234,50", "USD", 123450},
		{"id", "EUR 1.234,50", "EUR", 123450},
		{"id", "1.500", "JPY", 1500},
		{"en", "1,500,000.50", "IDR", 150000050},
		{"en", "IDR 1,500,000", "IDR", 150000000},
		{"en", "1500000", "IDR", 150000000},
		{"en", "1500000.5", "IDR", 150000050},
		{"en", "US$1,234.50", "USD", 123450},
		{"en", "$1,234.50", "USD", 123450},
		{"en", "-US$1,234.50", "USD", -123450},
		{"en", "1,500", "JPY", 1500},
		{"en", "1.234", "KWD", 1234},
		{"en", "0", "USD", 0},
		{"en", "-0", "USD", 0},
		{"en", "92,233,720,368,547,758.07", "USD", math.MaxInt64},
		{"en", "-92,233,720,368,547,758.08", "USD", math.MinInt64},
		{"xx", "1,234.50", "USD", 123450}, // unknown language -> en conventions
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.lang, tt.s, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q, %q, %q) = %d, %v; want %d", tt.lang, tt.s, tt.currency, got, err, tt.want)
		}
	}
}

func TestParseMoneyRejects(t *testing.T) {
	tests := []struct {
		lang, s, currency, wantErr string
	}{
		{"id", "1.2.3,4,5", "IDR", "more than one decimal separator"},
		{"en", "1.2.3,4,5", "IDR", "more than one decimal separator"},
		{"id", "abc", "IDR", `unexpected character 'a'`},
		{"en", "abc", "USD", `unexpected character 'a'`},
		{"id", "", "IDR", "no digits"},
		{"id", "Rp", "IDR", "no digits"},
		{"id", "-", "IDR", "no digits"},
		{"id", "1.500,505", "IDR", "at most 2 decimal places"},
		{"en", "1.505", "USD", "at most 2 decimal places"},
		{"id", "1500000.505", "IDR", "at most 2 decimal places"},
		{"en", "1.5", "JPY", "JPY has no decimal places"},
		{"en", "1,5", "IDR", "misplaced"},
		{"en", "15,00,000", "IDR", "misplaced"},
		{"id", "1.50.000", "IDR", "misplaced"},
		{"id", "1,500.000", "IDR", "after the decimal separator"},
		{"id", ",5", "IDR", "missing digits before"},
		{"id", "5,", "IDR", "missing digits after"},
		{"id", "--5", "IDR", "unexpected character '-'"},
		{"id", "1 500 000", "IDR", "unexpected character ' '"},
		{"en", "€5", "USD", "unexpected character '€'"},
		{"en", "Rp 5", "USD", "unexpected character 'R'"},
		{"en", "1e5", "USD", "unexpected character 'e'"},
		{"en", "92,233,720,368,547,758.08", "USD", "too large"},
		{"en", "99999999999999999999999", "USD", "too large"},
	}
	for _, tt := range tests {
		_, err := ParseMoney(tt.lang, tt.s, tt.currency)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseMoney(%q, %q, %q) error = %v, want one containing %q", tt.lang, tt.s, tt.currency, err, tt.wantErr)
			continue
		}
		if !errors.Is(err, ErrInvalidMoney) {
			t.Errorf("ParseMoney(%q, %q, %q) error %v does not wrap ErrInvalidMoney", tt.lang, tt.s, tt.currency, err)
		}
	}
	if _, err := ParseMoney("en", "5", "XYZ"); err == nil || !strings.Contains(err.Error(), "unknown currency") {
		t.Errorf("ParseMoney with unknown currency: error = %v", err)
	}
}

// What Money prints, ParseMoney must read back in the same language.
func TestMoneyRoundTrip(t *testing.T) {
	amounts := []int64{0, 1, 5, 99, 100, 150, 99900, 100000, 123450, 150000000, 150000050, -1, -150000000, -123450, math.MaxInt64, math.MinInt64}
	for _, lang := range []string{"en", "id"} {
		f := NewFormatter(lang, nil)
		for _, currency := range []string{"IDR", "USD", "JPY", "EUR", "KWD"} {
			for _, minor := range amounts {
				s := f.Money(minor, currency)
				got, err := ParseMoney(lang, s, currency)
				if err != nil || got != minor {
					t.Errorf("%s %s: ParseMoney(Money(%d) = %q) = %d, %v", lang, currency, minor, s, got, err)
				}
			}
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	langs := []string{"en", "id", "xx"}
	currencyCodes := Currencies()
	seeds := []string{
		"", "0", "1500000", "1500000.5", "1.500.000", "1.500.000,50", "Rp 1.500.000",
		"-Rp 1.500.000", "1,500,000.50", "US$1,234.50", "1.2.3,4,5", "abc", "1.505",
		"92,233,720,368,547,758.08", "-92.233.720.368.547.758,08", "Rp. -0,01", "¥1.500",
	}
	for i, s := range seeds {
		f.Add(s, uint8(i), uint8(i*7))
	}
	f.Fuzz(func(t *testing.T, s string, langIdx, currencyIdx uint8) {
		lang := langs[int(langIdx)%len(langs)]
		currency := currencyCodes[int(currencyIdx)%len(currencyCodes)]
		v, err := ParseMoney(lang, s, currency)
		if err != nil {
			return
		}
		printed := NewFormatter(lang, nil).Money(v, currency)
		again, err := ParseMoney(lang, printed, currency)
		if err != nil || again != v {
			t.Fatalf("%s %s: %q -> %d -> %q -> %d, %v", lang, currency, s, v, printed, again, err)
		}
	})
}
