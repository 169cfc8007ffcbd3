// Package filter is Relasi's one filter language. List views, the API's
// ?filter=, saved views, segments, workflow conditions and reports all take
// the same text, which Compile checks against a Schema of fields and turns
// into a WHERE fragment for SQLite or PostgreSQL with every value bound as a
// parameter ($1, $2, …), never pasted into the SQL.
//
// The package knows no domain: a domain package describes its fields (name,
// type, SQL expression) and passes them in.
//
// # Examples
//
//	city = "Jakarta"
//	last_activity_at < -90d
//	account.employees < 20 and city in ("Jakarta", "Bandung")
//	rating in ("hot", "warm") and not status = "converted"
//	tags contains "vip" or amount >= 1500.50
//	email is null or email contains "@example.com"
//	emails startswith "budi" or phones startswith "+62812"
//	created_at >= 2026-01-01 and created_at < 2026-02-01T00:00:00+07:00
//	(source = "referral" or source = "event") and owner_id = 12
//
// # Grammar
//
// Keywords are case-insensitive; field names are matched without regard to
// case. Blank text is the empty filter, which matches everything.
//
//	filter     = [ or ]
//	or         = and { "or" and }
//	and        = unary { "and" unary }
//	unary      = "not" unary | "(" or ")" | comparison
//	comparison = field "=" value | field "!=" value
//	           | field ( "<" | "<=" | ">" | ">=" ) value
//	           | field "contains" value | field "startswith" value
//	           | field [ "not" ] "in" "(" value { "," value } ")"
//	           | field "is" [ "not" ] "null"
//	field      = name { "." name }          name = ( letter | "_" ) { letter | digit | "_" }
//	value      = string | number | "true" | "false" | date | datetime | relative
//	string     = '"' … '"' | "'" … "'"      escapes: \" \' \\ \n \t \r
//	number     = [ "-" | "+" ] digits [ "." digits ]          123, -4.5
//	date       = YYYY-MM-DD                                     2026-01-31
//	datetime   = date "T" hh:mm[:ss[.frac]] [ "Z" | ±hh:mm ]    2026-01-31T10:00:00Z, 2026-01-31T10:00+07:00
//	relative   = ( "-" | "+" ) digits unit | "now" | "today" | "yesterday" | "tomorrow"
//	unit       = "h" hours | "d" days | "w" weeks | "m" months | "y" years
//
// Precedence is not, then and, then or: "not a = 1 and b = 2 or c = 3" means
// "((not a = 1) and b = 2) or c = 3". The words and, or, not, in, is, null,
// contains, startswith, true, false, now, today, yesterday and tomorrow are
// reserved and cannot be field names. A date-time without a zone is in the
// user's zone (Options.Location).
//
// # Meaning
//
//   - Text: =, !=, in, not in, contains and startswith ignore case
//     (lower() on both sides, in SQL; SQLite's lower() folds ASCII letters
//     only). contains and startswith match the value literally: % and _ are
//     not wildcards. <, <=, >, >= compare text as stored. An empty string
//     counts as no value: "x is null" also finds "", and x = "" means x is
//     null. A number may stand for text: zip = 12345.
//   - Number, ID: numbers (IDs whole). Money: an amount in major units,
//     converted exactly to the field's minor units (1500.5 with Scale 2 is
//     150050); more decimals than Scale is an error.
//   - Bool: = true, = false, != and is null.
//   - Enum: =, !=, in, not in with values from the field's choices (case is
//     ignored and the schema's spelling bound).
//   - MultiEnum (a JSON array): contains "x" and = "x" mean "has x", in (…)
//     means "has any of them", != and not in their opposites; is null means
//     no array or an empty one. A list without choices (e-mails, phones,
//     tags): contains "x" is "an element contains x", ignoring case.
//   - Prefix: a Text or MultiEnum field with a Field.Prefix (e-mails and
//     phones) reads startswith as "the value, or some element, starts
//     with it" after bringing the typed prefix into the stored form
//     (lower case, E.164), as a range on an indexed column in byte order:
//     col >= 'budi' AND col < 'budj' (col COLLATE "C" on PostgreSQL), for
//     a list through its side table, listing each record once. % and _ are
//     plain characters there. A MultiEnum field takes startswith only with
//     a Prefix.
//   - Date: a date, or a relative value resolved to a calendar date in the
//     user's zone: today, -7d (seven days ago), +1m (a month ahead, the
//     month's last day if the day does not exist), -12h (the date twelve
//     hours ago).
//   - DateTime: an instant — a date-time, now, or a relative time counted
//     from now in the user's zone (-90d is ninety days ago at this time of
//     day). A value that names a whole day (2026-01-31, today, yesterday,
//     tomorrow) stands for that day in the user's zone: = is any time within
//     it, < before its start (so "< today" is "before midnight today"), >= from
//     its start, <= until its end and > after it.
//
// Values are bound as: text as string; Number and ID as int64 when whole,
// else float64 (cast to numeric on PostgreSQL, whose driver would otherwise
// round it to fit an integer column); Money as int64 minor units; Bool as
// bool; Date as a "2006-01-02" string; DateTime as a time.Time in UTC. On
// SQLite a DateTime column must therefore hold UTC timestamps as the driver
// writes them (store.SQLiteDSN sets _time_format=sqlite), which compare
// correctly as text.
//
// A comparison with a field that has no value (NULL) is false. The opposite
// forms — !=, not in, is not null and not — are exact complements, so
// "city != 'Jakarta'" includes contacts without a city.
//
// # Limits and errors
//
// A filter may be at most MaxLength (4000) characters, nest parentheses and
// nots at most MaxDepth (32) deep and hold at most MaxComparisons (100)
// comparisons. Parse returns a *SyntaxError. Compile returns an *errs.Error
// with Code errs.Invalid, Message "The filter is not valid." and one
// FieldError for the field "filter" whose Code is "syntax", "too_long",
// "too_deep", "too_complex", "unknown_field" or "type_mismatch" and whose
// Message names the 1-based character position: "position 12: expected a
// value after >".
package filter
