package i18n

import (
	"slices"
	"strings"
)

// DefaultCurrency is the currency of amounts that name none.
const DefaultCurrency = "IDR"

// currencyInfo describes one ISO 4217 currency.
type currencyInfo struct {
	exponent int      // digits of the minor unit: amounts are stored as value * 10^exponent
	symbols  []string // extra prefixes ParseMoney accepts besides the code, longest first
}

// currencies is the table of currencies Relasi accepts. Exponents are those of
// ISO 4217 (IDR keeps its official 2 even though sen are not used in practice).
var currencies = map[string]currencyInfo{
	"AED": {exponent: 2},
	"AUD": {exponent: 2, symbols: []string{"A$"}},
	"BHD": {exponent: 3},
	"BND": {exponent: 2, symbols: []string{"B$"}},
	"CAD": {exponent: 2, symbols: []string{"CA$"}},
	"CHF": {exponent: 2},
	"CNY": {exponent: 2, symbols: []string{"CN¥"}},
	"EUR": {exponent: 2, symbols: []string{"€"}},
	"GBP": {exponent: 2, symbols: []string{"£"}},
	"HKD": {exponent: 2, symbols: []string{"HK$"}},
	"IDR": {exponent: 2, symbols: []string{"Rp.", "Rp"}},
	"INR": {exponent: 2, symbols: []string{"₹"}},
	"JPY": {exponent: 0, symbols: []string{"JP¥", "¥"}},
	"KRW": {exponent: 0, symbols: []string{"₩"}},
	"KWD": {exponent: 3},
	"MYR": {exponent: 2, symbols: []string{"RM"}},
	"NZD": {exponent: 2, symbols: []string{"NZ$"}},
	"OMR": {exponent: 3},
	"PHP": {exponent: 2, symbols: []string{"₱"}},
	"SAR": {exponent: 2},
	"SGD": {exponent: 2, symbols: []string{"S$"}},
	"THB": {exponent: 2, symbols: []string{"฿"}},
	"TWD": {exponent: 2, symbols: []string{"NT$"}},
	"USD": {exponent: 2, symbols: []string{"US$", "$"}},
	"VND": {exponent: 0, symbols: []string{"₫"}},
}

// CurrencyExponent returns the number of minor-unit digits of an ISO 4217
// code in canonical upper case ("IDR" -> 2, "JPY" -> 0); false when the code
// is not in Relasi's table.
func CurrencyExponent(code string) (int, bool) {
	c, ok := currencies[code]
	return c.exponent, ok
}

// IsCurrency reports whether code is an upper-case ISO 4217 code Relasi
// accepts. Use it to validate stored currency fields.
func IsCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// Currencies returns every accepted currency code, sorted.
func Currencies() []string {
	codes := make([]string, 0, len(currencies))
	for code := range currencies {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// canonicalCurrency trims and upper-cases code; empty means DefaultCurrency.
func canonicalCurrency(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return DefaultCurrency
	}
	return code
}
