package i18n

import (
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		en, id   string
	}{
		{1234567.891, 2, "1,234,567.89", "1.234.567,89"},
		{-1234567.891, 2, "-1,234,567.89", "-1.234.567,89"},
		{0, 0, "0", "0"},
		{0, 2, "0.00", "0,00"},
		{-0.001, 2, "0.00", "0,00"}, // rounds to zero: no sign
		{999, 0, "999", "999"},
		{999.5, 1, "999.5", "999,5"},
		{1000, 0, "1,000", "1.000"},
		{-1000, 0, "-1,000", "-1.000"},
		{12.345, -1, "12", "12"},
		{1e15, 0, "1,000,000,000,000,000", "1.000.000.000.000.000"},
		{0.5, 3, "0.500", "0,500"},
		{math.NaN(), 2, "NaN", "NaN"},
		{math.Inf(-1), 2, "-∞", "-∞"},
	}
	en, id := NewFormatter("en", nil), NewFormatter("id", nil)
	for _, tt := range tests {
		if got := en.Number(tt.v, tt.decimals); got != tt.en {
			t.Errorf("en Number(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.en)
		}
		if got := id.Number(tt.v, tt.decimals); got != tt.id {
			t.Errorf("id Number(%v, %d) = %q, want %q", tt.v, tt.decimals, got, tt.id)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		v      int64
		en, id string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{-7, "-7", "-7"},
		{999, "999", "999"},
		{1000, "1,000", "1.000"},
		{-12345, "-12,345", "-12.345"},
		{123456, "123,456", "123.456"},
		{1234567, "1,234,567", "1.234.567"},
		{math.MaxInt64, "9,223,372,036,854,775,807", "9.223.372.036.854.775.807"},
		{math.MinInt64, "-9,223,372,036,854,775,808", "-9.223.372.036.854.775.808"},
	}
	en, id := NewFormatter("en", nil), NewFormatter("id", nil)
	for _, tt := range tests {
		if got := en.Int(tt.v); got != tt.en {
			t.Errorf("en Int(%d) = %q, want %q", tt.v, got, tt.en)
		}
		if got := id.Int(tt.v); got != tt.id {
			t.Errorf("id Int(%d) = %q, want %q", tt.v, got, tt.id)
		}
	}
}
