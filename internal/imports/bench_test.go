package imports_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/store/storetest"
)

// BenchmarkImportContacts imports a file of 5,000 contacts with Indonesian
// headers (names, a mobile number in local form, an e-mail, a company, a
// city; a few duplicates and bad rows) into an empty database, with the
// production batch size: validation, phone normalisation, dedupe, search
// index and history all on. Compare runs with benchstat; the million-row
// figure comes from bench/import.sh.
func BenchmarkImportContacts(b *testing.B) {
	const rows = 5000
	content := kontakCSV(rows, 1)
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				c := newCRM(b, engine)
				c.M.BatchSize = 500
				b.StartTimer()
				imp := c.run(b, c.Admin.Principal(), "contacts", content, imports.Skip, false, nil)
				if imp.Counts.Created < rows*9/10 {
					b.Fatalf("created %d of %d rows", imp.Counts.Created, rows)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// kontakCSV is a contacts file as exported from a spreadsheet in
// Indonesia: ';'-separated, Indonesian headers, local phone numbers, one
// row in 200 repeating an earlier e-mail and one in 300 with a bad e-mail.
func kontakCSV(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	first := []string{"Budi", "Siti", "Agus", "Dewi", "Eko", "Rina", "Hendra", "Sari", "Yusuf", "Intan", "Wahyu", "Putri"}
	last := []string{"Santoso", "Lestari", "Pratama", "Wijaya", "Nugroho", "Utami", "Hidayat", "Permata", "Kusuma", "Saputra"}
	cities := []string{"Jakarta", "Surabaya", "Bandung", "Medan", "Semarang", "Makassar", "Denpasar", "Yogyakarta"}
	var sb strings.Builder
	sb.WriteString("Nama Depan;Nama Belakang;No. HP;Surel;Perusahaan;Jabatan;Kota\n")
	for i := range n {
		email := fmt.Sprintf("kontak%d@contoh.co.id", i)
		switch {
		case i%200 == 199:
			email = fmt.Sprintf("kontak%d@contoh.co.id", i-100)
		case i%300 == 299:
			email = "bukan-surel"
		}
		fmt.Fprintf(&sb, "%s;%s;0812-%04d-%04d;%s;PT Maju %d;Manajer;%s\n", first[r.IntN(len(first))], last[r.IntN(len(last))],
			i/10000, i%10000, email, r.IntN(200), cities[r.IntN(len(cities))])
	}
	return sb.String()
}
