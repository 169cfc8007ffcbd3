package filter

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// This file turns literal values into the Go values bound for each field
// type, checking that the value fits the type.

func article(t Type) string {
	if t == ID {
		return "an"
	}
	return "a"
}

// expected describes the values a field accepts, for type_mismatch messages.
func expected(f Field) string {
	switch f.Type {
	case Number:
		return "a number"
	case Money:
		return "an amount like 1500.50"
	case ID:
		switch f.Self {
		case SelfUser:
			return "me or a user's ID"
		case SelfTeam:
			return "my or a team's ID"
		}
		return "a whole number"
	case Date:
		return "a date like 2026-01-31 or a relative date like -7d or today"
	case DateTime:
		return "a date-time like 2026-01-31T10:00:00Z, a date like 2026-01-31 or a relative time like -90d"
	case Bool:
		return "true or false"
	case Enum, MultiEnum:
		if len(f.Choices) > 0 {
			return "one of " + choiceList(f.Choices)
		}
	}
	return "text in quotes"
}

func choiceList(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = quote(c)
	}
	return strings.Join(q, ", ")
}

func wrongType(f Field, v Value) error {
	return mismatch(v.Pos, "%s is %s %s field; expected %s, found %s", f.Name, article(f.Type), f.Type, expected(f), v)
}

// scalar returns the bound value for the types compared directly: Number,
// Money, ID, Bool, Enum and Date.
func (c *compiler) scalar(f Field, v Value) (any, error) {
	switch f.Type {
	case Number, ID:
		if v.Kind == WordValue {
			// word has let only the field's own word through.
			if f.Self == SelfTeam {
				return c.teamID, nil
			}
			return c.userID, nil
		}
		if v.Kind != NumberValue {
			break
		}
		i, isInt, fl := parseNumber(v.Text)
		if isInt {
			return i, nil
		}
		if f.Type == ID {
			return nil, mismatch(v.Pos, "%s is not an ID; IDs are whole numbers", v.Text)
		}
		return fl, nil
	case Money:
		if v.Kind != NumberValue {
			break
		}
		return minorUnits(v, f.Scale)
	case Bool:
		if v.Kind == BoolValue {
			return v.Text == "true", nil
		}
	case Enum:
		return c.choice(f, v)
	case Date:
		d, err := c.dateValue(f, v)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, wrongType(f, v)
}

// parseNumber reads a number literal: as an int64 when it is a whole number
// that fits, otherwise as a float64.
func parseNumber(s string) (i int64, isInt bool, f float64) {
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Trim(frac, "0") == "" {
		if i, err := strconv.ParseInt(whole, 10, 64); err == nil {
			return i, true, float64(i)
		}
	}
	f, _ = strconv.ParseFloat(s, 64) // the lexer admits only valid literals
	if math.IsInf(f, 0) {            // hundreds of digits: clamp rather than bind an infinity
		f = math.Copysign(math.MaxFloat64, f)
	}
	return 0, false, f
}

// minorUnits converts an amount to integer minor units exactly, without
// floating point: 1500.5 with scale 2 is 150050.
func minorUnits(v Value, scale int) (int64, error) {
	s := v.Text
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			if scale == 0 {
				return 0, mismatch(v.Pos, "%s has decimals; this amount is in whole units", v.Text)
			}
			return 0, mismatch(v.Pos, "%s has more than %d decimal places", v.Text, scale)
		}
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseInt(sign+whole+frac, 10, 64)
	if err != nil {
		return 0, mismatch(v.Pos, "%s is too large an amount", v.Text)
	}
	return n, nil
}

// textValue returns the text of a value for a Text field; a number is taken
// as the text it is written as, so that zip = 12345 works.
func (c *compiler) textValue(f Field, v Value) (string, error) {
	if v.Kind == StringValue || v.Kind == NumberValue {
		return v.Text, nil
	}
	return "", wrongType(f, v)
}

// choice checks a value against an Enum or MultiEnum field's choices and
// returns the choice as spelled in the schema (matching ignores case).
func (c *compiler) choice(f Field, v Value) (string, error) {
	if v.Kind != StringValue && v.Kind != NumberValue {
		return "", wrongType(f, v)
	}
	if len(f.Choices) == 0 {
		return v.Text, nil
	}
	for _, ch := range f.Choices {
		if ch == v.Text {
			return ch, nil
		}
	}
	for _, ch := range f.Choices {
		if strings.EqualFold(ch, v.Text) {
			return ch, nil
		}
	}
	return "", mismatch(v.Pos, "%s is not a choice of %s; choices: %s", quote(v.Text), f.Name, choiceList(f.Choices))
}

// dateValue resolves a value for a Date field to a "2006-01-02" string.
// Relative values count calendar days in the user's zone.
func (c *compiler) dateValue(f Field, v Value) (string, error) {
	var d time.Time
	switch v.Kind {
	case DateValue:
		d, _ = time.Parse(time.DateOnly, v.Text)
	case RelativeValue:
		y, m, day := c.now.In(c.loc).Date()
		today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
		switch v.Text {
		case "now", "today":
			d = today
		case "yesterday":
			d = today.AddDate(0, 0, -1)
		case "tomorrow":
			d = today.AddDate(0, 0, 1)
		default:
			n, unit := relative(v.Text)
			if unit == 'h' {
				y, m, day := c.now.Add(time.Duration(n) * time.Hour).In(c.loc).Date()
				d = time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
			} else {
				d = addCalendar(today, n, unit)
			}
		}
	default:
		return "", wrongType(f, v)
	}
	if d.Year() < 1 || d.Year() > 9999 {
		return "", mismatch(v.Pos, "%s is outside the years 1 to 9999", v.Text)
	}
	return d.Format(time.DateOnly), nil
}

// span is a DateTime value: an instant, or a whole day from start to end.
type span struct {
	start, end time.Time // UTC
	day        bool
}

// dateTimeValue resolves a value for a DateTime field. Dates and today,
// yesterday, tomorrow are days in the user's zone; now and relative times
// are instants, counted in calendar units in the user's zone (so -1m from
// 31 March is the end of February, and days keep their wall-clock time).
func (c *compiler) dateTimeValue(f Field, v Value) (span, error) {
	var s span
	local := c.now.In(c.loc)
	day := func(y int, m time.Month, d int) span {
		return span{start: time.Date(y, m, d, 0, 0, 0, 0, c.loc), end: time.Date(y, m, d+1, 0, 0, 0, 0, c.loc), day: true}
	}
	switch v.Kind {
	case DateValue:
		d, _ := time.Parse(time.DateOnly, v.Text)
		s = day(d.Date())
	case DateTimeValue:
		t, zoned, err := parseDateTime(v.Text)
		if err != nil {
			return span{}, mismatch(v.Pos, "%s is not a valid date-time", v.Text)
		}
		if !zoned {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), c.loc)
		}
		s.start = t
	case RelativeValue:
		y, m, d := local.Date()
		switch v.Text {
		case "now":
			s.start = c.now
		case "today":
			s = day(y, m, d)
		case "yesterday":
			s = day(y, m, d-1)
		case "tomorrow":
			s = day(y, m, d+1)
		default:
			n, unit := relative(v.Text)
			if unit == 'h' {
				s.start = c.now.Add(time.Duration(n) * time.Hour)
			} else {
				s.start = addCalendar(local, n, unit)
			}
		}
	default:
		return span{}, wrongType(f, v)
	}
	s.start, s.end = s.start.UTC(), s.end.UTC()
	if y := s.start.Year(); y < 1 || y > 9999 {
		return span{}, mismatch(v.Pos, "%s is outside the years 1 to 9999", v.Text)
	}
	return s, nil
}

// relative splits "-90d" into -90 and 'd'.
func relative(s string) (int, byte) {
	n, _ := strconv.Atoi(s[:len(s)-1])
	return n, s[len(s)-1]
}

// addCalendar moves t by n days, weeks, months or years. Months and years
// keep the day of the month where it exists and otherwise take the month's
// last day, so -1m from 31 March is 28 or 29 February (time.AddDate would
// overflow into March).
func addCalendar(t time.Time, n int, unit byte) time.Time {
	switch unit {
	case 'd':
		return t.AddDate(0, 0, n)
	case 'w':
		return t.AddDate(0, 0, 7*n)
	case 'y':
		n *= 12
	}
	y, m, d := t.Date()
	months := int(m) - 1 + n
	y += months / 12
	months %= 12
	if months < 0 {
		months += 12
		y--
	}
	first := time.Date(y, time.Month(months+1), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}
