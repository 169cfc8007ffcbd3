package i18n

import "golang.org/x/text/language"

// matcher is built once from supported; a Matcher is read-only after
// construction, so sharing it is safe.
var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(supported))
	for i, l := range supported {
		tags[i] = language.MustParse(l.Code)
	}
	return language.NewMatcher(tags)
}()

// Match picks the best supported language code for an Accept-Language header
// value. An empty, malformed or unmatched header gives DefaultLanguage.
func Match(acceptLanguage string) string {
	desired, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(desired) == 0 {
		return DefaultLanguage
	}
	// The index, not the returned tag, identifies the supported language: the
	// tag may carry extensions copied from the request (e.g. "id-u-rg-idzzzz").
	_, i, conf := matcher.Match(desired...)
	if conf == language.No || i < 0 || i >= len(supported) {
		return DefaultLanguage
	}
	return supported[i].Code
}
