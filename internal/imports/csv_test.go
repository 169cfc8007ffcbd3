package imports_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/relasi/relasi/internal/imports"
)

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	cp1252, _ := charmap.Windows1252.NewEncoder().String("Nama;Kota\nJosé Müller;Köln\n")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("Nama\tKota\nJosé Müller\tKöln\n")
	want := [][]string{{"José Müller", "Köln"}}
	for _, tc := range []struct {
		name     string
		in       string
		encoding imports.Encoding
		delim    rune
	}{
		{"UTF-8, comma", "Nama,Kota\nJosé Müller,Köln\n", imports.UTF8, ','},
		{"UTF-8 with BOM, semicolon", "\ufeffNama;Kota\r\nJosé Müller;Köln\r\n", imports.UTF8BOM, ';'},
		{"tab", "Nama\tKota\nJosé Müller\tKöln", imports.UTF8, '\t'},
		{"Windows-1252, semicolon", cp1252, imports.Windows1252, ';'},
		{"UTF-16 from Excel's Unicode text", utf16, imports.UTF16, '\t'},
		{"Excel's sep= hint", "sep=;\nNama;Kota\nJosé Müller;Köln\n", imports.UTF8, ';'},
		{"quoted commas do not count", "\"Nama, lengkap\";Kota\nJosé Müller;Köln\n", imports.UTF8, ';'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := imports.NewCSVReader(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding != tc.encoding || r.Delimiter != tc.delim {
				t.Errorf("read as %s with %q, want %s with %q", r.Encoding, r.Delimiter, tc.encoding, tc.delim)
			}
			if h := r.Header(); len(h) != 2 || h[1] != "Kota" {
				t.Errorf("header %q", h)
			}
			if got := readAll(t, r); !reflect.DeepEqual(got, want) {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}
}

// A UTF-8 file with a stray byte from an older export keeps the byte's
// Windows-1252 character instead of turning it into U+FFFD, even when the
// byte lies far beyond what was sniffed.
func TestCSVStrayWindows1252BytesInUTF8(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Nama,Kota\n")
	for range 5000 {
		b.WriteString("Dewi Lestari,Bandung\n")
	}
	b.WriteString("Andr\xe9,K\xf6ln\n")
	r, err := imports.NewCSVReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, r)
	if last := rows[len(rows)-1]; last[0] != "André" || last[1] != "Köln" {
		t.Errorf("last row %q, want André, Köln", last)
	}
	if r.Encoding != imports.UTF8 {
		t.Errorf("encoding %s", r.Encoding)
	}
}

func TestCSVRowNumbersAreSpreadsheetRows(t *testing.T) {
	in := "Nama,Catatan\nBudi,\"dua\nbaris\"\n\nSiti,ok\n"
	r, err := imports.NewCSVReader(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for {
		n, _, err := r.Next()
		if err != nil {
			break
		}
		rows = append(rows, n)
	}
	// Budi's note takes two lines of the file but one row of a
	// spreadsheet; the blank line is row 3, Siti row 4.
	if !reflect.DeepEqual(rows, []int{2, 4}) {
		t.Errorf("rows %v, want [2 4]: the record's number as a spreadsheet shows it", rows)
	}
}

func TestCSVWithoutHeader(t *testing.T) {
	for _, in := range []string{"", "\ufeff", "\n\n", ",,\n"} {
		if _, err := imports.NewCSVReader(strings.NewReader(in)); err == nil {
			t.Errorf("%q: read without error", in)
		}
	}
}

func TestCSVHeaderNamesEmptyColumns(t *testing.T) {
	r, err := imports.NewCSVReader(strings.NewReader(" Nama ,,Kota,,\nBudi,x,Jakarta,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header(), []string{"Nama", "column 2", "Kota"}; !reflect.DeepEqual(got, want) {
		t.Errorf("header %q, want %q", got, want)
	}
}
