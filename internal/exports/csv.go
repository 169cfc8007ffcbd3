package exports

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"
)

// bom starts a CSV file: without it Excel reads UTF-8 as Windows-1252 and
// garbles every name with an accent and every emoji.
const bom = "\uFEFF"

// writeCSV writes a sheet as CSV: UTF-8 with a byte order mark, commas,
// a header row, and lines ending in \n (quoted values keep their own
// line breaks).
func writeCSV(ctx context.Context, w io.Writer, sh sheet, loc *time.Location) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(sh.header); err != nil {
		return err
	}
	loc = location(loc)
	record := make([]string, len(sh.header))
	err := sh.rows(ctx, func(cells []cell) error {
		for i, c := range cells {
			record[i] = c.csvText(loc)
		}
		return cw.Write(record)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return bw.Flush()
}

// defuse keeps a spreadsheet from running a text cell as a formula ("CSV
// injection"): text that starts with = + - @, a tab or a carriage return
// gets a leading apostrophe, as OWASP advises. So that the import can undo
// it exactly, text that already starts with apostrophes before one of
// those characters gets one more. Plain numbers (-12.5) and E.164 phone
// numbers (+6281234567890, lists of them) are left alone: they cannot call
// a function, and they are the values Relasi stores that start with - or +.
//
// The import reverses it: one leading apostrophe is dropped from a CSV
// value whose apostrophes are followed by one of = + - @ tab CR.
func defuse(s string) string {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i == len(s) || !triggers(s[i]) {
		return s
	}
	if i == 0 && (isNumber(s) || isPhoneList(s)) {
		return s
	}
	return "'" + s
}

// Undefuse is the import's side of defuse, for a CSV value.
func Undefuse(s string) string {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i > 0 && i < len(s) && triggers(s[i]) {
		return s[1:]
	}
	return s
}

// triggers reports whether a spreadsheet reads a cell starting with b as a
// formula (tab and CR are skipped before the formula character).
func triggers(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// isNumber reports whether s is a plain decimal number: -12, +3.5.
func isNumber(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s[len(s)-1] != '.'
}

// isPhoneList reports whether s is E.164 numbers joined by ", ".
func isPhoneList(s string) bool {
	for {
		if len(s) < 2 || s[0] != '+' {
			return false
		}
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 1 {
			return false
		}
		s = s[j:]
		if s == "" {
			return true
		}
		if len(s) < 2 || s[:2] != listSeparator {
			return false
		}
		s = s[2:]
	}
}
