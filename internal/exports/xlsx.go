package exports

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxSheetRows is how many rows an Excel sheet holds; an export with more
// data rows continues on another sheet ("contacts 2") with the header again.
const maxSheetRows = excelize.TotalRows

// xlsxStyles are the cell styles of a workbook, made once each.
type xlsxStyles struct {
	f        *excelize.File
	header   int
	date     int
	dateTime int
	money    map[int]int // by decimals
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	s := &xlsxStyles{f: f, money: map[int]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	// ISO dates read the same in every locale and are what the import
	// reads back from the cell's text.
	date, dateTime := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &date}); err != nil {
		return nil, err
	}
	if s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateTime}); err != nil {
		return nil, err
	}
	return s, nil
}

// moneyStyle shows an amount with its currency's decimals and grouping.
func (s *xlsxStyles) moneyStyle(exp int) (int, error) {
	if id, ok := s.money[exp]; ok {
		return id, nil
	}
	format := "#,##0"
	if exp > 0 {
		format += "." + strings.Repeat("0", exp)
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return 0, err
	}
	s.money[exp] = id
	return id, nil
}

// xlsxValue is a cell as excelize writes it: numbers as numbers, dates as
// dates, text as text — an inline string, never a formula, whatever it
// starts with.
func (s *xlsxStyles) value(c cell, loc *time.Location) (any, error) {
	switch c.kind {
	case text:
		return c.s, nil
	case integer:
		return c.i, nil
	case decimal:
		return c.f, nil
	case money:
		style, err := s.moneyStyle(c.exp)
		if err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: style, Value: float64(c.i) / pow10(c.exp)}, nil
	case date:
		d, err := time.Parse(time.DateOnly, c.s)
		if err != nil {
			return c.s, nil
		}
		return excelize.Cell{StyleID: s.date, Value: d}, nil
	case dateTime:
		// Excel has no time zones: the wall clock of the caller's zone.
		// Whole seconds, as the CSV has them: Excel would round the
		// fraction up to the next second.
		return excelize.Cell{StyleID: s.dateTime, Value: c.t.In(loc).Truncate(time.Second)}, nil
	case boolean:
		return c.b, nil
	}
	return nil, nil
}

func pow10(n int) float64 {
	p := 1.0
	for range n {
		p *= 10
	}
	return p
}

// writeXLSX writes the sheets as one workbook through excelize's stream
// writer, which keeps rows in a temporary file rather than in memory.
// Excel's limits apply: 1,048,576 rows a sheet (more continue on another
// sheet) and 32,767 characters a cell (longer text is cut; CSV keeps it).
func writeXLSX(ctx context.Context, w io.Writer, sheets []sheet, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("xlsx styles: %w", err)
	}
	loc = location(loc)
	first := true
	for _, sh := range sheets {
		part := 1
		sw, err := startSheet(f, sheetName(sh.name, part), sh.header, styles, first)
		if err != nil {
			return err
		}
		first = false
		row := 1
		values := make([]any, len(sh.header))
		err = sh.rows(ctx, func(cells []cell) error {
			if row == maxSheetRows {
				if err := sw.Flush(); err != nil {
					return err
				}
				part++
				if sw, err = startSheet(f, sheetName(sh.name, part), sh.header, styles, false); err != nil {
					return err
				}
				row = 1
			}
			row++
			for i, c := range cells {
				v, err := styles.value(c, loc)
				if err != nil {
					return err
				}
				values[i] = v
			}
			return sw.SetRow(cellName(row), values)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", sh.name, err)
		}
	}
	// excelize assembles the zip in a bytes.Buffer — the whole file in
	// memory — unless it is given a zip writer: this one writes to w as
	// the parts are added, from the stream writers' temporary files.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := f.Write(outsideZip{}); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// outsideZip refuses what excelize would write past the zip writer, which
// would follow the zip and spoil the file.
type outsideZip struct{}

func (outsideZip) Write(p []byte) (int, error) {
	return 0, errors.New("excelize wrote outside its zip writer")
}

// startSheet adds a sheet (the first one renames the workbook's default
// sheet) and writes its header row, frozen above the data.
func startSheet(f *excelize.File, name string, header []string, styles *xlsxStyles, first bool) (*excelize.StreamWriter, error) {
	if first {
		if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if len(header) > 0 {
		if err := sw.SetColWidth(1, len(header), 18); err != nil {
			return nil, err
		}
	}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: styles.header, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
	}
	return sw, nil
}

// sheetName is the name of a sheet's part: "contacts", then "contacts 2".
// Excel allows 31 characters.
func sheetName(name string, part int) string {
	suffix := ""
	if part > 1 {
		suffix = " " + strconv.Itoa(part)
	}
	if len(name)+len(suffix) > 31 {
		name = name[:31-len(suffix)]
	}
	return name + suffix
}

// cellName is the first cell of a row: A2, A3, …
func cellName(row int) string { return "A" + strconv.Itoa(row) }
