package imports_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/imports"
)

// A file's format comes from its content, not its name: text is CSV
// whatever it is called, and a file that is neither an XLSX workbook nor
// text is refused with a message saying so, leaving no import behind.
func TestUploadTellsFormatByContent(t *testing.T) {
	binary := make([]byte, 3000)
	for i := range binary {
		binary[i] = byte(i * 7919 % 251) // bytes of every value, NULs among them
	}
	eachEngine(t, func(t *testing.T, c *crm) {
		p := c.Admin.Principal()
		for _, tc := range []struct {
			name, file, content string
			want                imports.Format // "" when refused
		}{
			{"random bytes named .xlsx", "kontak.xlsx", string(binary), ""},
			{"an old Excel .xls", "kontak.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00" + string(binary), ""},
			{"a PNG named .csv", "kontak.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + string(binary), ""},
			{"control characters without NULs", "kontak.csv", strings.Repeat("\x01\x02\x03\x04ab", 200), ""},
			{"CSV text named .xlsx", "kontak.xlsx", "Nama,Surel\nBudi,budi@contoh.co.id\n", imports.CSV},
			{"Windows-1252 text", "kontak.csv", "Nama;Kota\nJos\xe9;Bandung\n", imports.CSV},
			{"UTF-16 text with its byte order mark", "kontak.txt", "\xff\xfeN\x00a\x00m\x00a\x00\n\x00B\x00u\x00d\x00i\x00\n\x00", imports.CSV},
		} {
			imp, err := c.M.Upload(context.Background(), p, "contacts", tc.file, strings.NewReader(tc.content), "")
			if tc.want != "" {
				if err != nil || imp.Format != tc.want {
					t.Errorf("%s: format %q, err %v; want %q", tc.name, imp.Format, err, tc.want)
				}
				continue
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || e.Key != "imports.error_not_tabular" {
				t.Errorf("%s: uploaded as %q (err %v); want it refused as neither XLSX nor text", tc.name, imp.Format, err)
			}
		}
		var n int
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM imports").Scan(&n); err != nil || n != 3 {
			t.Errorf("%d imports stored (err %v), want only the three text files", n, err)
		}
	})
}
