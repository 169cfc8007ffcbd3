package i18n

import (
	"slices"
	"testing"
)

func TestCurrencyExponent(t *testing.T) {
	tests := []struct {
		code string
		exp  int
		ok   bool
	}{
		{"IDR", 2, true}, {"USD", 2, true}, {"EUR", 2, true}, {"SGD", 2, true},
		{"MYR", 2, true}, {"JPY", 0, true}, {"KRW", 0, true}, {"CNY", 2, true},
		{"AUD", 2, true}, {"GBP", 2, true}, {"THB", 2, true}, {"PHP", 2, true},
		{"VND", 0, true}, {"INR", 2, true}, {"HKD", 2, true}, {"SAR", 2, true},
		{"AED", 2, true}, {"KWD", 3, true},
		{"idr", 0, false}, {"XYZ", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		exp, ok := CurrencyExponent(tt.code)
		if exp != tt.exp || ok != tt.ok {
			t.Errorf("CurrencyExponent(%q) = %d, %v; want %d, %v", tt.code, exp, ok, tt.exp, tt.ok)
		}
		if IsCurrency(tt.code) != tt.ok {
			t.Errorf("IsCurrency(%q) = %v, want %v", tt.code, !tt.ok, tt.ok)
		}
	}
	if !IsCurrency(DefaultCurrency) {
		t.Errorf("DefaultCurrency %q is not a currency", DefaultCurrency)
	}
}

func TestCurrencies(t *testing.T) {
	codes := Currencies()
	if !slices.IsSorted(codes) || !slices.Contains(codes, "IDR") || len(codes) != len(currencies) {
		t.Errorf("Currencies() = %v", codes)
	}
}
