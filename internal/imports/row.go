package imports

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
)

// converter turns a row's cells into a records.Input for the entity's
// fields, reading values the way spreadsheets write them: "1.500.000" and
// "Rp 1.500.000" for money, "31/01/1990", "31 Januari 1990" or an Excel
// serial number for dates, "Ya"/"Tidak" for yes and no, a choice's label
// in either language for a select. Cells are text, not JSON: what it does
// not turn into a list or a choice goes on as records.FormText.
type converter struct {
	columns []column
	catalog *i18n.Catalog
	// sources names, per field, the columns its value came from, for
	// messages ("field emails (column "Surel")").
	sources map[string][]string
	// values decides what each value of a select field becomes (values.go).
	values map[string]*fieldValues
}

type column struct {
	index  int
	header string
	target Target
}

func newConverter(header, mapping []string, targets []Target, catalog *i18n.Catalog) *converter {
	byName := make(map[string]Target, len(targets))
	for _, t := range targets {
		byName[t.Name] = t
	}
	c := &converter{catalog: catalog, sources: map[string][]string{}}
	for i, name := range mapping {
		t, ok := byName[name]
		if !ok || i >= len(header) {
			continue
		}
		c.columns = append(c.columns, column{index: i, header: header[i], target: t})
		switch name {
		case FullName:
			c.sources["first_name"] = append(c.sources["first_name"], header[i])
			c.sources["last_name"] = append(c.sources["last_name"], header[i])
		case AccountName:
			c.sources["account_id"] = append(c.sources["account_id"], header[i])
		case ContactEmail:
			c.sources["contact_id"] = append(c.sources["contact_id"], header[i])
		default:
			c.sources[name] = append(c.sources[name], header[i])
		}
	}
	return c
}

// rowValues is a converted row: the input and the references that still
// have to be looked up in the database.
type rowValues struct {
	in           records.Input
	accountName  string
	contactEmail string
	ownerLookup  string // an e-mail address or a user's name
	accountRef   string // a non-numeric account_id cell: a name
	// noOwner is set when the owner column of the row is empty: a record
	// it creates has no owner, where the importing user may make such.
	noOwner bool
	// rejected are select values the value mapping rejects: the row fails.
	rejected errs.Fields
	// The pseudo-fields of a migration (external_ids.go): the ID in the
	// other system, and the creation time there as written and as read.
	externalID    string
	createdAtText string
	createdAt     time.Time
}

// Several phone numbers or tags in one cell are separated like this;
// e-mail addresses also by blanks.
var (
	phoneSplit = regexp.MustCompile(`[,;|/\n]+`)
	tagSplit   = regexp.MustCompile(`[,;|\n]+`)
)

func (c *converter) convert(cells []string) rowValues {
	rv := rowValues{in: records.Input{}}
	lists := map[string][]string{}
	for _, col := range c.columns {
		v := ""
		if col.index < len(cells) {
			v = unescapeFormula(strings.TrimSpace(cells[col.index]))
		}
		if v == "" {
			if col.target.field.Kind == records.User && col.target.Name == "owner_id" {
				rv.noOwner = true
			}
			continue
		}
		t := col.target
		switch t.Name {
		case FullName:
			first, last := splitName(v)
			if _, set := rv.in["first_name"]; !set {
				rv.in["first_name"] = first
				if last != "" {
					rv.in["last_name"] = last
				}
			}
			continue
		case AccountName:
			if rv.accountName == "" {
				rv.accountName = v
			}
			continue
		case ContactEmail:
			if rv.contactEmail == "" {
				rv.contactEmail = v
			}
			continue
		case ExternalID:
			rv.externalID = v
			continue
		case CreatedAt:
			rv.createdAtText = v
			continue
		}
		f := t.field
		switch f.Kind {
		case records.List:
			sep := phoneSplit
			if f.Name == "emails" {
				lists[f.Name] = append(lists[f.Name], strings.FieldsFunc(v, func(r rune) bool {
					return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '|' || r == '/'
				})...)
				continue
			}
			if f.Name == "tags" {
				sep = tagSplit
			}
			lists[f.Name] = append(lists[f.Name], sep.Split(v, -1)...)
			continue
		case records.Select:
			c.selectValue(f, v, &rv)
		case records.MultiSelect:
			var out []any
			for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
				out = append(out, c.choice(f, strings.TrimSpace(part)))
			}
			rv.in[f.Name] = out
		case records.Money:
			rv.in[f.Name] = records.FormText(money(v, f.Currency))
		case records.Integer:
			rv.in[f.Name] = records.FormText(integer(v))
		case records.Number:
			rv.in[f.Name] = records.FormText(number(v))
		case records.Bool:
			rv.in[f.Name] = records.FormText(boolean(v))
		case records.Date:
			rv.in[f.Name] = records.FormText(date(v))
		case records.User:
			if isDigits(v) {
				rv.in[f.Name] = records.FormText(v)
			} else {
				rv.ownerLookup = v
			}
		case records.Ref:
			switch {
			case isDigits(v):
				rv.in[f.Name] = records.FormText(v)
			case f.Ref == "accounts":
				rv.accountRef = v
			case f.Ref == "contacts" && strings.Contains(v, "@"):
				rv.contactEmail = v
			default:
				rv.in[f.Name] = records.FormText(v) // Accept explains that it must be an ID
			}
		default:
			rv.in[f.Name] = records.FormText(v)
		}
	}
	for name, l := range lists {
		var out []any
		for _, s := range l {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			rv.in[name] = out
		}
	}
	if rv.accountName == "" {
		rv.accountName = rv.accountRef
	}
	return rv
}

// unescapeFormula takes back the apostrophe that exports (Relasi's, and
// most others') put before a value starting with =, +, -, @ or a tab, so
// that a spreadsheet does not run it as a formula.
func unescapeFormula(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}

// splitName reads a full name as first name and the rest: "Budi Santoso"
// is Budi + Santoso; many Indonesians have one name only ("Sukarno").
func splitName(full string) (first, last string) {
	parts := strings.Fields(full)
	if len(parts) == 0 {
		return "", ""
	}
	return parts[0], strings.Join(parts[1:], " ")
}

// choice finds the value of a select field that a cell means: the value
// itself in any case or spacing ("Web form" → web_form), or its label in
// English or Indonesian. A cell matching nothing is passed on as it is, for
// the field to refuse with the list of choices.
func (c *converter) choice(f records.Field, v string) string {
	n := normalize(v)
	for _, ch := range f.Choices {
		if normalize(ch) == n {
			return ch
		}
	}
	if c.catalog != nil {
		for _, ch := range f.Choices {
			key := "choice." + f.Name + "." + ch
			if !c.catalog.Has(key) {
				continue
			}
			for _, lang := range i18n.Languages() {
				if normalize(c.catalog.T(lang.Code, key)) == n {
					return ch
				}
			}
		}
	}
	return v
}

// money reads an amount written the Indonesian way ("Rp 1.500.000,50") or
// the English way ("1,500,000.50") and returns it as the plain decimal the
// field accepts; a cell that is neither goes on unchanged, to be refused.
func money(v, currency string) string {
	if currency == "" {
		currency = i18n.DefaultCurrency
	}
	exp, ok := i18n.CurrencyExponent(currency)
	if !ok {
		return v
	}
	for _, lang := range []string{"id", "en"} {
		if minor, err := i18n.ParseMoney(lang, v, currency); err == nil {
			return records.FormatAmount(minor, exp).String()
		}
	}
	return v
}

var grouped = regexp.MustCompile(`^-?\d{1,3}([.,]\d{3})+$`)

// integer reads "1.500" or "1,500" (thousands grouped) and "250.0" (a
// spreadsheet's number) as whole numbers.
func integer(v string) string {
	v = strings.TrimSpace(v)
	if grouped.MatchString(v) {
		return strings.NewReplacer(".", "", ",", "").Replace(v)
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return v
}

// number reads "1234.5", "1.234,5" and "1,234.5".
func number(v string) string {
	v = strings.TrimSpace(v)
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	lastDot, lastComma := strings.LastIndex(v, "."), strings.LastIndex(v, ",")
	switch {
	case lastComma > lastDot: // 1.234,5
		v = strings.ReplaceAll(v, ".", "")
		v = strings.Replace(v, ",", ".", 1)
	case lastDot > lastComma: // 1,234.5
		v = strings.ReplaceAll(v, ",", "")
	}
	return v
}

func boolean(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "y", "ya", "yes", "true", "1", "aktif", "active", "x", "v", "✓", "benar":
		return "true"
	case "n", "t", "tidak", "no", "false", "0", "nonaktif", "tidak aktif", "inactive", "salah", "-":
		return "false"
	}
	return v
}

var months = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		months[strings.ToLower(m.String())] = m
		months[strings.ToLower(m.String()[:3])] = m
	}
	for i, name := range []string{"januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november", "desember"} {
		months[name] = time.Month(i + 1)
		months[name[:3]] = time.Month(i + 1)
	}
	months["agt"], months["okt"], months["des"], months["peb"] = time.August, time.October, time.December, time.February
}

var (
	dayFirst  = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$`)
	isoDate   = regexp.MustCompile(`^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T].*)?$`)
	wordMonth = regexp.MustCompile(`^(\d{1,2})\s+([\p{L}]+)\.?\s+(\d{4})$`)
	monthDay  = regexp.MustCompile(`^([\p{L}]+)\.?\s+(\d{1,2}),?\s+(\d{4})$`)
	serial    = regexp.MustCompile(`^\d{1,6}(\.\d+)?$`)
)

// date reads the ways dates are written in Indonesia and in spreadsheets —
// day first ("31/01/1990", "31-01-1990"), ISO ("1990-01-31"), with the
// month's name in either language ("31 Januari 1990", "Jan 31, 1990"), or
// an Excel serial number — and returns YYYY-MM-DD; anything else goes on
// unchanged, for the field to refuse.
func date(v string) string {
	v = strings.TrimSpace(v)
	mk := func(y, m, d int) string {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != m || t.Day() != d {
			return v
		}
		return t.Format(time.DateOnly)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := isoDate.FindStringSubmatch(v); m != nil {
		return mk(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := dayFirst.FindStringSubmatch(v); m != nil {
		y := atoi(m[3])
		if len(m[3]) == 2 {
			y += 1900
			if y < 1930 {
				y += 100
			}
		}
		return mk(y, atoi(m[2]), atoi(m[1]))
	}
	if m := wordMonth.FindStringSubmatch(v); m != nil {
		if mon, ok := months[strings.ToLower(m[2])]; ok {
			return mk(atoi(m[3]), int(mon), atoi(m[1]))
		}
	}
	if m := monthDay.FindStringSubmatch(v); m != nil {
		if mon, ok := months[strings.ToLower(m[1])]; ok {
			return mk(atoi(m[3]), int(mon), atoi(m[2]))
		}
	}
	if t, ok := excelSerial(v); ok {
		return t.Format(time.DateOnly)
	}
	return v
}

// excelSerial reads an Excel date number ("45356", "45356.5" for noon) as
// the wall-clock time it stands for, in UTC. Excel counts days from
// 1899-12-30 (its 1900 leap-year bug included), the time of day as the
// fraction, up to the year 9999.
func excelSerial(v string) (time.Time, bool) {
	if !serial.MatchString(v) {
		return time.Time{}, false
	}
	f, _ := strconv.ParseFloat(v, 64)
	if f < 1 || f >= 2958466 {
		return time.Time{}, false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	return time.Date(1899, 12, 30, 0, 0, int(secs), 0, time.UTC).AddDate(0, 0, int(days)), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
