package imports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/errs"
)

// Format is the kind of file an import reads.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Reader streams a file's rows: the header first, then one data row per
// Next, without ever holding more than a row in memory.
type Reader interface {
	// Header is the first row: the column names.
	Header() []string
	// Next returns the next data row and its number as a spreadsheet shows
	// it (the header is row 1), or io.EOF after the last. The slice is only
	// valid until the following call.
	Next() (row int, cells []string, err error)
	Close() error
}

// maxColumns bounds the columns of a file: a row wider than this is a
// broken file, not a spreadsheet anyone maps by hand.
const maxColumns = 500

// errNoHeader is returned for a file without a header row.
var errNoHeader = errs.E(errs.Invalid, "The file is empty: its first row must name the columns.").WithKey("imports.error_empty")

// errNotTabular is returned for a file that is neither an XLSX workbook
// nor text: whatever its name says, reading it as CSV would import noise.
var errNotTabular = errs.E(errs.Invalid, "The file is neither an Excel workbook (.xlsx) nor a text file (CSV), so it cannot be imported. Save it from your spreadsheet as .xlsx or CSV.").WithKey("imports.error_not_tabular")

// FormatOf tells a file's format from its first bytes, never from its
// name: an XLSX file is a zip archive, anything else must be text (UTF-8,
// UTF-16 with a byte order mark, or Windows-1252) to be read as CSV. A
// NUL byte, or more than a few control characters, is a binary file
// (an old .xls, a PDF, an image, a renamed zip of something else), which
// is refused with errNotTabular.
func FormatOf(head []byte) (Format, error) {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX, nil
	}
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return CSV, nil // UTF-16 text, which has NULs of its own
	}
	controls := 0
	for _, b := range head {
		switch {
		case b == 0:
			return "", errNotTabular
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' && b != 0x1a:
			controls++
		}
	}
	if controls*20 > len(head) {
		return "", errNotTabular
	}
	return CSV, nil
}

// Open opens a stored file for reading. sheet names the XLSX worksheet;
// "" is the first.
func Open(path string, format Format, sheet string) (Reader, error) {
	if format == XLSX {
		if err := checkZip(path); err != nil {
			return nil, err
		}
		return openXLSX(func(o excelize.Options) (*excelize.File, error) { return excelize.OpenFile(path, o) }, sheet)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open import file: %w", err)
	}
	r, err := NewCSVReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileReader{Reader: r, f: f}, nil
}

// fileReader closes the file along with the reader.
type fileReader struct {
	Reader
	f *os.File
}

func (r *fileReader) Close() error {
	return errors.Join(r.Reader.Close(), r.f.Close())
}

// isBlank reports whether every cell of a row is empty.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cleanHeader trims the header cells and names empty ones by position, so
// that every column can be shown and mapped.
func cleanHeader(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
		if c == "" {
			c = fmt.Sprintf("column %d", i+1)
		}
		out[i] = c
	}
	// Trailing unnamed columns are usually stray separators.
	for len(out) > 0 && strings.HasPrefix(out[len(out)-1], "column ") && strings.TrimSpace(cells[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}
