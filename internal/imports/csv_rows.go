package imports

import (
	"encoding/csv"
	"strings"
)

// recordRows numbers a CSV file's records as a spreadsheet shows them:
// the header is row 1, the first record after it row 2, and so on. That
// is not the file's line: a quoted value with a line break in it ("Jl.
// Merdeka 1⏎Jakarta") is one cell of one row however many lines it takes.
// A blank line is a row of its own (a spreadsheet shows it as an empty
// row; the CSV reader passes over it), and so is every blank line before
// the header. Excel's "sep=;" hint line, which no spreadsheet shows, is
// not counted.
type recordRows struct {
	row     int // the row of the record read last
	endLine int // the file line where it ended
}

// next returns the row of rec, the record r has just read.
func (n *recordRows) next(r *csv.Reader, rec []string) int {
	start, _ := r.FieldPos(0)
	blank := start - n.endLine - 1 // lines the reader passed over
	n.row += 1 + max(blank, 0)
	// The record ends on the line its last cell starts on, plus the line
	// breaks inside that cell (the reader gives a quoted "\r\n" as "\n").
	last := len(rec) - 1
	end, _ := r.FieldPos(last)
	n.endLine = end + strings.Count(rec[last], "\n")
	return n.row
}
