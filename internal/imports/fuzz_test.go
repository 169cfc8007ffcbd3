package imports_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/store"
)

// fuzzRows bounds how much of a fuzzed file is read.
const fuzzRows = 2000

func FuzzCSVReader(f *testing.F) {
	for _, seed := range []string{
		kontak,
		"\ufeffNama,Kota\r\nBudi,\"Jakarta, Pusat\"\r\n",
		"sep=;\nA;B\n1;2\n",
		"Nama\tKota\nAndr\xe9\tK\xf6ln\n",
		"\xff\xfeN\x00a\x00m\x00a\x00\n\x00",
		"\"unclosed,quote\nrow,two\n",
		"a\"b,c\n\"d\"\"e\",f\n",
		"",
		",,,\n,,,\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := imports.NewCSVReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(r.Header()) == 0 {
			t.Fatal("a header without columns")
		}
		last := 0
		for range fuzzRows {
			row, _, err := r.Next()
			if err != nil {
				if err != io.EOF && !strings.Contains(err.Error(), "cannot be read") {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if row <= last {
				t.Fatalf("row %d after row %d", row, last)
			}
			last = row
		}
	})
}

func FuzzXLSX(f *testing.F) {
	book := excelize.NewFile()
	rows := [][]any{{"Daftar"}, {"Nama", "Telepon", "Tanggal"}, {"Budi", 6281234567890, 32904}, {"Siti", "0813", nil}}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		book.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := imports.Open(path, imports.XLSX, "")
		if err != nil {
			return
		}
		defer r.Close()
		if len(r.Header()) == 0 {
			t.Fatal("a header without columns")
		}
		for range fuzzRows {
			if _, _, err := r.Next(); err != nil {
				return
			}
		}
	})
}

func FuzzHeaderGuess(f *testing.F) {
	for _, seed := range []string{
		"Nama Depan|Nama Belakang|Telepon|Surel|Perusahaan|Jabatan|Kota",
		"Nama|Nama Lengkap|First name|Email|E-mail|Email 2|No. HP|WA",
		"|||", "KTP|nomor_ktp|custom.ktp", "🙂|ÄÖÜ|\x00", "telepon telepon telepon",
	} {
		f.Add(seed)
	}
	e := contacts.Entity(store.SQLite)
	targets := targetsFor(f, e)
	valid := map[string]imports.Target{}
	for _, t := range targets {
		valid[t.Name] = t
	}
	f.Fuzz(func(t *testing.T, joined string) {
		header := strings.Split(joined, "|")
		got := imports.Guess(e.Name, header, targets)
		if len(got) != len(header) {
			t.Fatalf("%d targets for %d columns", len(got), len(header))
		}
		seen := map[string]bool{}
		for _, name := range got {
			if name == "" {
				continue
			}
			tg, ok := valid[name]
			if !ok {
				t.Fatalf("guessed %q, which is not a target", name)
			}
			if seen[name] && !tg.Multi {
				t.Fatalf("%q guessed for two columns", name)
			}
			seen[name] = true
		}
		if seen[imports.FullName] && (seen["first_name"] || seen["last_name"]) {
			t.Fatal("a full name next to first or last names")
		}
	})
}
