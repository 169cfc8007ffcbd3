package records

import (
	"errors"
	"strings"

	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/phone"
	"github.com/relasi/relasi/internal/store"
)

// prefix is how the filter's startswith reads a field holding e-mail
// addresses or phone numbers, one (an Email or Phone field) or a list
// (a List whose Items are of such a kind): the typed prefix is brought
// into the stored form — lower case, E.164 — and, where an index holds
// the values, matched as a range the index serves (filter.Prefix):
//
//   - a List with a Lookup: its side table's column (contact_emails.email);
//   - a standard Email field: the expression its sort index has
//     (records/sqlexpr.go, lower and COALESCE to the empty text), so that
//     ASCII case in stored data cannot hide a match;
//   - a standard Phone field: the column itself.
//
// Every such index must exist on both engines, in byte order: on
// PostgreSQL as (expr COLLATE "C"); see migration 00022, and the test
// that reads every entity's plans (internal/app, prefix_filter_test.go).
// Custom fields and lists without a Lookup have no index: startswith is a
// LIKE with the normalised prefix there. Other fields have no prefix.
//
// A list's records are found on SQLite as +c.id IN (SELECT contact_id …):
// the subquery is read once from the side table's covering index into a
// temporary set (with a Bloom filter), and the list walks the index of its
// order, as it does for any filter, testing each record against the set
// without reading its row, and stops after a page. Written c.id, SQLite
// (which has no statistics) would rather look up every match by ID and
// sort them all, so that a prefix most numbers share ("0812") read nearly
// every contact. At 100,000 contacts (BenchmarkListStartsWith) the walk
// takes 3.5 ms for "budi" (6,250 contacts), 10-12 ms when the matches are
// few or old or none (the whole index walked) and 24 ms for "0812" (all of
// them: the set is built whole); the look-ups took 25 ms for "budi" and
// over 100 ms for "0812". PostgreSQL plans from statistics and gets c.id.
func prefix(engine store.Engine, e *Entity, f Field, x string) *filter.Prefix {
	kind := f.Kind
	if kind == List {
		kind = f.Items
	}
	var p filter.Prefix
	switch kind {
	case Text:
		if !f.PrefixIndex || f.Custom {
			return nil
		}
		p.Normalize, p.Column = lowerAs(engine), "lower(COALESCE("+x+", ''))"
		return &p
	case Email:
		p.Normalize = emailPrefix
	case Phone:
		p.Normalize = phonePrefix
	default:
		return nil
	}
	switch {
	case f.Kind == List && f.Lookup != nil:
		p.Table, p.Key, p.Column, p.ID = f.Lookup.Table, f.Lookup.Key, f.Lookup.Column, e.Alias+".id"
		if engine == store.SQLite {
			p.ID = "+" + p.ID
		}
	case f.Kind == List || f.Custom:
	case kind == Email:
		p.Column = "lower(COALESCE(" + x + ", ''))"
	default:
		p.Column = x
	}
	return &p
}

// lowerAs lower-cases a typed prefix as the engine's lower() does the
// column: SQLite's only the ASCII letters (it has no ICU here), so that
// "Élo" still finds "Élodie" as LIKE did; PostgreSQL's every letter.
func lowerAs(engine store.Engine) func(string) (string, error) {
	if engine == store.Postgres {
		return func(s string) (string, error) { return strings.ToLower(s), nil }
	}
	return func(s string) (string, error) {
		return strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s), nil
	}
}

// emailPrefix is the start of an address as stored: lower-cased, as
// Accept stores e-mail addresses.
func emailPrefix(s string) (string, error) { return strings.ToLower(strings.TrimSpace(s)), nil }

var errPhonePrefix = errors.New(`is not the start of a phone number; write its digits, e.g. "0812" or "+62812"`)

// phonePrefix is the start of a number in E.164, however it was typed:
// "0812", "62812" and "+62 812" are all "+62812" (phone.Prefix).
func phonePrefix(s string) (string, error) {
	p, err := phone.Prefix(s)
	if err != nil {
		return "", errPhonePrefix
	}
	return p, nil
}
