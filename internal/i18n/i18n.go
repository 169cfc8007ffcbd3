// Package i18n gives Relasi its two languages from the first string: message
// catalogs for English and Bahasa Indonesia, the choice of language from an
// Accept-Language header, and formatting of dates, numbers and money per
// language (Rupiah by default, other ISO 4217 currencies allowed).
//
// Everything here is immutable once built, so a Catalog or Formatter can be
// shared between goroutines without locking.
package i18n

// DefaultLanguage is used when a request names no supported language.
const DefaultLanguage = "en"

// Language is one language the UI is available in.
type Language struct {
	Code string // BCP 47 code, also the catalog file name: locales/<Code>.json
	Name string // the language's name in itself, for a language picker
}

// supported lists the UI languages in display order; DefaultLanguage first,
// because the matcher falls back to the first entry.
var supported = [...]Language{
	{Code: "en", Name: "English"},
	{Code: "id", Name: "Bahasa Indonesia"},
}

// Languages returns the languages the UI is available in, in display order.
// The slice is a copy; callers may change it.
func Languages() []Language {
	return append([]Language(nil), supported[:]...)
}

// IsSupported reports whether lang is the code of a UI language.
func IsSupported(lang string) bool {
	for _, l := range supported {
		if l.Code == lang {
			return true
		}
	}
	return false
}

// normalize returns lang if supported, otherwise DefaultLanguage.
func normalize(lang string) string {
	if IsSupported(lang) {
		return lang
	}
	return DefaultLanguage
}
