package imports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// widthCheck finds the rows whose cells do not line up with the header.
// One unquoted separator inside a value ("PT Maju; Jaya" in a file
// separated by semicolons) moves every later value of the row one column
// to the right: imported as it is, the row would put the city in the
// e-mail field and lose its last value without a word. Such a row fails
// with a reason instead.
//
// The rules, for CSV:
//
//   - A row wider than the header is fine when the cells beyond it are all
//     empty: spreadsheets write trailing separators ("Budi;Santoso;;;").
//     A value beyond the header is a problem.
//   - A row narrower than the header is fine when it ends with a value:
//     that is a writer leaving out the empty cells at the end of a row
//     (Excel does so in some files; the missing cells are all at the end
//     and all empty, and nothing moved). A narrower row that ends with an
//     empty cell was written by something that writes empty cells, so a
//     cell went missing inside it — a lost separator, or a quote never
//     closed that swallowed one — and the values after it are in the
//     wrong columns.
//
// In an Excel workbook cells sit in their columns, so no row is ever too
// short; a value in a column right of the last named one is a problem (it
// would be lost), empty cells there are not.
type widthCheck struct {
	format  Format
	columns int  // the header's
	sep     rune // a CSV file's separator; 0 when unknown
}

func widthOf(imp *Import) widthCheck {
	return widthCheck{format: imp.Format, columns: len(imp.Headers)}
}

// delimiterOf is the separator of a CSV file's reader, 0 for a workbook.
func delimiterOf(rd Reader) rune {
	if fr, ok := rd.(*fileReader); ok {
		if c, ok := fr.Reader.(*CSVReader); ok {
			return c.Delimiter
		}
	}
	return 0
}

// problem returns the stored reason of a row that does not line up, or "".
func (w widthCheck) problem(cells []string) string {
	if w.columns == 0 {
		return ""
	}
	// The cells up to the last one holding a value: empty ones after it
	// are trailing separators.
	filled := len(cells)
	for filled > 0 && strings.TrimSpace(cells[filled-1]) == "" {
		filled--
	}
	switch {
	case filled > w.columns && w.format == XLSX:
		col, _ := excelize.ColumnNumberToName(w.firstBeyond(cells) + 1)
		last, _ := excelize.ColumnNumberToName(w.columns)
		return rowReason("import_report.reason.beyond_header", []any{col, last}, nil,
			fmt.Sprintf("the row has a value in column %s, right of the last column with a header (%s): give that column a header, or move the value", col, last))
	case filled > w.columns:
		sep, sepKey := w.separator()
		return rowReason("import_report.reason.too_many_cells", []any{filled, w.columns, sep}, []string{"", "", sepKey},
			fmt.Sprintf("the row has %d cells, the header has %d: check for an unquoted %s in the row (a value that holds one must be in double quotes)", filled, w.columns, sep))
	case w.format == CSV && len(cells) < w.columns && len(cells) > filled:
		return rowReason("import_report.reason.too_few_cells", []any{len(cells), w.columns}, nil,
			fmt.Sprintf("the row has %d cells, the header has %d: a separator is missing in the row, or a quote is not closed", len(cells), w.columns))
	}
	return ""
}

// firstBeyond is the index of the first cell right of the header that
// holds a value.
func (w widthCheck) firstBeyond(cells []string) int {
	for i := w.columns; i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			return i
		}
	}
	return w.columns
}

// separator names the file's separator for a reason: quoted, or by the
// catalog key of its name (a tab).
func (w widthCheck) separator() (shown, key string) {
	switch w.sep {
	case '\t':
		return "tab", "import_report.separator.tab"
	case 0:
		return "separator", "import_report.separator.unknown"
	}
	return strconv.Quote(string(w.sep)), ""
}
