package imports_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/imports"
)

// xlsxFile writes a workbook whose sheets hold rows, and returns its path.
func xlsxFile(t testing.TB, sheets map[string][][]any, order ...string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestXLSXReadsTheFirstSheetBelowItsTitle(t *testing.T) {
	path := xlsxFile(t, map[string][][]any{
		"Pelanggan": {
			{"Daftar Pelanggan 2026"},
			{},
			{"Nama", "Telepon", "Tanggal Lahir"},
			{"Budi Santoso", 6281234567890, 32904},
			{},
			{"Siti", "0813-1111-2222", nil},
		},
		"Lain": {{"X"}, {"y"}},
	}, "Pelanggan", "Lain")
	r, err := imports.Open(path, imports.XLSX, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header(); !reflect.DeepEqual(got, []string{"Nama", "Telepon", "Tanggal Lahir"}) {
		t.Errorf("header %q", got)
	}
	type row struct {
		n     int
		cells []string
	}
	var rows []row
	for {
		n, cells, err := r.Next()
		if err != nil {
			break
		}
		rows = append(rows, row{n, append([]string(nil), cells...)})
	}
	want := []row{{4, []string{"Budi Santoso", "6281234567890", "32904"}}, {5, nil}, {6, []string{"Siti", "0813-1111-2222"}}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %v, want %v (a phone typed as a number keeps its digits)", rows, want)
	}
}

func TestXLSXNamedSheet(t *testing.T) {
	path := xlsxFile(t, map[string][][]any{"Satu": {{"A"}, {"1"}}, "Dua": {{"B"}, {"2"}}}, "Satu", "Dua")
	r, err := imports.Open(path, imports.XLSX, "dua")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); h[0] != "B" {
		t.Errorf("header %q, want the sheet Dua's", h)
	}
	if _, err := imports.Open(path, imports.XLSX, "Tiga"); err == nil {
		t.Error("a sheet that does not exist opened")
	}
}

func TestXLSXThatIsNotAWorkbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.xlsx")
	writeFile(t, path, "PK\x03\x04 this is not a zip")
	if _, err := imports.Open(path, imports.XLSX, ""); err == nil {
		t.Fatal("opened a broken workbook")
	}
}
