package imports

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/errs"
)

// headerLookahead is how many rows an XLSX reader looks at to find the
// header below a title row ("Daftar Pelanggan 2026") or blank rows.
const headerLookahead = 10

// xlsxReader streams one worksheet's rows with excelize's row iterator:
// cells are read as stored (raw values, so a phone number typed as a
// number keeps its digits and a date is its serial number), one row at a
// time.
type xlsxReader struct {
	file    *excelize.File
	rows    *excelize.Rows
	row     int        // rows read so far
	header  []string   // the column names
	pending [][]string // rows read ahead while looking for the header
	pendRow []int
	Sheet   string
}

// Limits on what a workbook may unzip to. Worksheets and the shared
// strings larger than xlsxInMemory are unzipped to a temporary file; other
// parts (styles, relationships) are read into memory, so they are refused
// when they claim more.
const (
	xlsxInMemory = 16 << 20
	xlsxTotal    = 4 << 30
	xlsxParts    = 10_000
)

func xlsxOptions() excelize.Options {
	return excelize.Options{RawCellValue: true, UnzipXMLSizeLimit: xlsxInMemory, UnzipSizeLimit: xlsxTotal}
}

// checkZip refuses a workbook whose parts claim sizes the spreadsheet
// library would allocate at once: a few bytes of a hostile upload must not
// make the server reserve gigabytes.
func checkZip(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return badXLSX(err)
	}
	defer z.Close()
	if len(z.File) > xlsxParts {
		return badXLSX(fmt.Errorf("%d parts", len(z.File)))
	}
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 <= xlsxInMemory {
			continue
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		streamed := strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml"
		if !streamed || total > xlsxTotal {
			return badXLSX(fmt.Errorf("part %s claims %d bytes", f.Name, f.UncompressedSize64))
		}
		// The library unzips a large worksheet to a temporary file, but
		// falls back to reading it into memory — at its claimed size — when
		// that fails; so the claim is checked by unzipping it once here.
		rc, err := f.Open()
		if err != nil {
			return badXLSX(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || uint64(n) != f.UncompressedSize64 {
			return badXLSX(fmt.Errorf("part %s is not the size it claims", f.Name))
		}
	}
	return nil
}

func badXLSX(err error) error {
	return errs.E(errs.Invalid, "The file is not a readable Excel workbook (%s).", err).WithKey("imports.error_bad_xlsx")
}

// openXLSX opens the worksheet named sheet, or the first one, of the
// workbook open returns. The workbook is read from the file where it lies
// (excelize.OpenFile), not copied into memory.
func openXLSX(open func(excelize.Options) (*excelize.File, error), sheet string) (_ *xlsxReader, err error) {
	defer recoverTo(&err)
	f, err := open(xlsxOptions())
	if err != nil {
		return nil, badXLSX(err)
	}
	x := &xlsxReader{file: f}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, badXLSX(fmt.Errorf("no worksheet"))
	}
	x.Sheet = sheets[0]
	if sheet != "" {
		x.Sheet = ""
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				x.Sheet = s
			}
		}
		if x.Sheet == "" {
			return nil, errs.E(errs.Invalid, "The workbook has no sheet named %q; it has: %s.", sheet, strings.Join(sheets, ", ")).WithKey("imports.error_no_sheet", sheet)
		}
	}
	if x.rows, err = f.Rows(x.Sheet); err != nil {
		return nil, badXLSX(err)
	}
	if err := x.findHeader(); err != nil {
		return nil, err
	}
	return x, nil
}

// findHeader takes as the header the first of the leading rows that has at
// least half as many filled cells as the fullest of them; rows above it
// (titles, notes) are not data.
func (x *xlsxReader) findHeader() error {
	var rows [][]string
	var nums []int
	best := 0
	for len(rows) < headerLookahead {
		n, cells, err := x.raw()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		filled := 0
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				filled++
			}
		}
		if filled == 0 && len(rows) == 0 {
			continue // blank rows before anything
		}
		rows, nums = append(rows, append([]string(nil), cells...)), append(nums, n)
		best = max(best, filled)
	}
	if best == 0 {
		return errNoHeader
	}
	for i, cells := range rows {
		filled := 0
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				filled++
			}
		}
		if filled*2 >= best {
			if len(cells) > maxColumns {
				return errs.E(errs.Invalid, "The file has %d columns; at most %d can be imported.", len(cells), maxColumns).WithKey("imports.error_too_wide", maxColumns)
			}
			x.header = cleanHeader(cells)
			x.pending, x.pendRow = rows[i+1:], nums[i+1:]
			return nil
		}
	}
	return errNoHeader
}

// raw reads the next row of the sheet.
func (x *xlsxReader) raw() (row int, cells []string, err error) {
	defer recoverTo(&err)
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, badXLSX(err)
		}
		return 0, nil, io.EOF
	}
	x.row++
	cells, err = x.rows.Columns()
	if err != nil {
		return 0, nil, badXLSX(err)
	}
	return x.row, cells, nil
}

func (x *xlsxReader) Header() []string { return x.header }

func (x *xlsxReader) Next() (int, []string, error) {
	if len(x.pending) > 0 {
		cells, n := x.pending[0], x.pendRow[0]
		x.pending, x.pendRow = x.pending[1:], x.pendRow[1:]
		return n, cells, nil
	}
	return x.raw()
}

func (x *xlsxReader) Close() (err error) {
	defer recoverTo(&err)
	if x.rows != nil {
		x.rows.Close()
	}
	return x.file.Close()
}

// recoverTo turns a panic inside the spreadsheet library — which a broken
// or hostile file must never turn into a crashed server — into an error.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = badXLSX(fmt.Errorf("%v", r))
	}
}
