package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// importTimeout bounds one import command of the tests below.
const importTimeout = 10 * time.Minute

// kontakFile is a generated contact list with Indonesian headers, as a
// company's spreadsheet export would have it: a few bad rows (a phone of
// two digits, an e-mail without a domain, a row without a name) and rows
// that repeat an earlier one's e-mail and phone. It knows what importing
// it must give.
type kontakFile struct {
	path                       string
	rows                       int
	created, skipped, failed   int
	companies                  int
	badPhone, badEmail, noName int
}

var (
	kontakFirst = []string{"Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Joko", "Putri", "Wahyu", "Sri", "Made", "Ketut", "Nur", "Ayu", "Eko", "Fitri", "Hendra", "Indah", "Rudi", "Yuni"}
	kontakLast  = []string{"Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Kusuma", "Nugroho", "Sari", "Setiawan", "Halim", "Gunawan", "", "Siregar", "Nasution"}
	kontakTitle = []string{"Manajer", "Direktur", "Staf", "Pemilik", "Kepala Bagian", "Sales"}
	kontakCity  = []string{"Jakarta", "Bandung", "Surabaya", "Medan", "Semarang", "Makassar", "Denpasar", "Yogyakarta"}
)

// writeKontak writes n rows to dir/kontak.csv.
func writeKontak(t testing.TB, dir string, n int) kontakFile {
	t.Helper()
	k := kontakFile{path: filepath.Join(dir, "kontak.csv"), rows: n, companies: min(n, 200)}
	f, err := os.Create(k.path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("Nama Depan,Nama Belakang,Telepon,Surel,Perusahaan,Jabatan,Kota\n")
	created := make([]bool, n)
	for i := range n {
		first, last := kontakFirst[i%len(kontakFirst)], kontakLast[(i/7)%len(kontakLast)]
		phone, email := fmt.Sprintf("0812-%04d-%04d", i/10000, i%10000), fmt.Sprintf("k%d@contoh%d.co.id", i, i%50)
		bad := true
		switch {
		case i%3331 == 5:
			phone = "12"
			k.badPhone++
		case i%4999 == 7:
			email = fmt.Sprintf("k%d@", i)
			k.badEmail++
		case i%7919 == 11:
			first = ""
			k.noName++
		default:
			bad = false
		}
		dupOf := -1
		if !bad && i > 0 && i%2500 == 0 {
			dupOf = i - 1000
			phone, email = fmt.Sprintf("+62 812 %04d %04d", dupOf/10000, dupOf%10000), strings.ToUpper(fmt.Sprintf("k%d@contoh%d.co.id", dupOf, dupOf%50))
		}
		switch {
		case bad:
			k.failed++
		case dupOf >= 0 && created[dupOf]:
			k.skipped++
		default:
			created[i] = true
			k.created++
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,PT Usaha %d,%s,%s\n", first, last, phone, email, i%200, kontakTitle[i%len(kontakTitle)], kontakCity[i%len(kontakCity)])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return k
}

// importRun runs relasi with a long timeout (imports of large files).
func (in *installation) importRun(t testing.TB, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, relasiBin, args...)
	cmd.Dir = in.dir
	cmd.Env = append([]string{}, in.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("relasi %s did not finish within %s\n%s", strings.Join(args, " "), importTimeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run relasi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// openDB opens the installation's database, for checking what an import left.
func (in *installation) openDB(t testing.TB) *store.DB {
	t.Helper()
	dsn := in.dsn
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(q, args...).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkContacts holds the database to what importing k must give: every
// row created once, none twice.
func checkContacts(t testing.TB, db *store.DB, k kontakFile) {
	t.Helper()
	if n := queryInt(t, db, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != k.created {
		t.Errorf("%d contacts, want %d", n, k.created)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM (SELECT email FROM contact_emails GROUP BY email HAVING COUNT(*) > 1) d"); n != 0 {
		t.Errorf("%d e-mail addresses belong to more than one contact", n)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM (SELECT phone FROM contact_phones GROUP BY phone HAVING COUNT(*) > 1) d"); n != 0 {
		t.Errorf("%d phone numbers belong to more than one contact", n)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM accounts"); n != k.companies {
		t.Errorf("%d accounts, want %d (one per company)", n, k.companies)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM search_docs WHERE entity = 'contacts'"); n != k.created {
		t.Errorf("%d contacts in search, want %d", n, k.created)
	}
}

var countLine = regexp.MustCompile(`(?m)^\s+(created|updated|skipped|failed):\s+([\d,]+)$`)

// counts reads the summary relasi import prints.
func counts(out string) map[string]int {
	m := map[string]int{}
	for _, c := range countLine.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(strings.ReplaceAll(c[2], ",", ""))
		m[c[1]] = n
	}
	return m
}

func TestImportCommand(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
			in.mustRun(t, "user", "create", "--email", "joko@example.co.id", "--password", "rahasia-123", "--role", "sales")
			k := writeKontak(t, in.dir, 60)
			if k.created != 57 || k.failed != 3 {
				t.Fatalf("the generated file: %+v", k)
			}

			dry := in.run(t, "", "import", "contacts", k.path, "--dry-run")
			if dry.code != 0 || !strings.Contains(dry.stdout, "Dry run 1 of kontak.csv into contacts: done.") {
				t.Fatalf("dry run\n%s", dry)
			}
			if c := counts(dry.stdout); c["created"] != 57 || c["failed"] != 3 {
				t.Errorf("dry run counts %v\n%s", c, dry)
			}
			// The rows not imported are listed, with their reasons.
			for _, want := range []string{"Rows not imported:\n",
				`  row 7 (failed): field Phone numbers (column "Telepon"): holds "12", which is not a phone number` + "\n",
				`  row 13 (failed): field First name (column "Nama Depan"): is required` + "\n",
				"relasi import --errors 1 > rows-not-imported.csv"} {
				if !strings.Contains(dry.stdout, want) {
					t.Errorf("dry run output lacks %q\n%s", want, dry)
				}
			}
			db := in.openDB(t)
			if n := queryInt(t, db, "SELECT COUNT(*) FROM contacts"); n != 0 {
				t.Fatalf("the dry run created %d contacts", n)
			}

			// Flags may follow the arguments; --as names the owner.
			imp := in.run(t, "", "import", "contacts", k.path, "--as", "joko@example.co.id", "--on-duplicate", "update")
			if imp.code != 0 || counts(imp.stdout)["created"] != 57 || !strings.Contains(imp.stdout, "rows per second") {
				t.Fatalf("import\n%s", imp)
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = 'joko@example.co.id'"); n != 57 {
				t.Errorf("%d contacts owned by joko, want 57", n)
			}
			report := in.mustRun(t, "import", "--errors", "2")
			lines := strings.Split(strings.TrimSpace(report), "\n")
			if len(lines) != 4 || !strings.HasPrefix(lines[0], "\ufeffRow,Outcome,Reason,Nama Depan,Nama Belakang,Telepon,Surel,Perusahaan,Jabatan,Kota") ||
				!strings.HasPrefix(lines[1], "7,Rejected,") || !strings.Contains(lines[1], `holds ""12"", which is not a phone number`) ||
				!strings.Contains(lines[2], `holds ""k7@"", which is not an e-mail address`) || !strings.Contains(lines[3], "First name") {
				t.Errorf("error report:\n%s", report)
			}
			if id := in.mustRun(t, "import", "--errors", "2", "--lang", "id"); !strings.HasPrefix(id, "\ufeffBaris,Hasil,Alasan,Nama Depan") ||
				!strings.Contains(id, "7,Ditolak,") || !strings.Contains(id, "Nama depan") {
				t.Errorf("error report in Indonesian:\n%s", id)
			}

			again := in.run(t, "", "import", "contacts", k.path)
			if again.code != 1 || counts(again.stdout)["skipped"] != 57 || !strings.Contains(again.stderr, "nothing could be imported") {
				t.Errorf("importing the same file again\n%s", again)
			}
			// Skipped rows say what they repeat, by name; the report has
			// them all, beside the failed ones.
			if !regexp.MustCompile(`  row 2 \(skipped\): same e-mail \(k0@contoh0\.co\.id\) as contact #\d+ \(Budi Santoso\)\n`).MatchString(again.stdout) ||
				!strings.Contains(again.stdout, "  … and 40 more.\n") {
				t.Errorf("skipped rows of the second import\n%s", again)
			}
			if all := strings.Split(strings.TrimSpace(in.mustRun(t, "import", "--errors", "3")), "\n"); len(all) != 61 || !strings.HasPrefix(all[1], "2,Skipped,same e-mail (k0@contoh0.co.id) as contact #") {
				t.Errorf("report of the second import: %d lines, %q", len(all), all[:min(len(all), 2)])
			}

			undo := in.run(t, "", "import", "--undo", "2")
			if undo.code != 0 || !strings.Contains(undo.stdout, "undone") {
				t.Fatalf("undo\n%s", undo)
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 0 {
				t.Errorf("%d contacts left after the undo", n)
			}
			if twice := in.run(t, "", "import", "--undo", "2"); twice.code == 0 || !strings.Contains(twice.stderr, "undone already") {
				t.Errorf("second undo\n%s", twice)
			}

			for _, bad := range []struct {
				args []string
				want string
			}{
				{[]string{"import", "contacts"}, "name the entity and the file"},
				{[]string{"import", "deals", k.path}, "entity"},
				{[]string{"import", "contacts", k.path, "--on-duplicate", "merge"}, "--on-duplicate"},
				{[]string{"import", "contacts", filepath.Join(in.dir, "nope.csv")}, "cannot read"},
				{[]string{"import", "--resume", "1", "--undo", "1"}, "one of"},
				{[]string{"import", "--resume", "99"}, "No such import"},
				{[]string{"import", "contacts", k.path, "--as", "nobody@example.co.id"}, "no such user"},
				{[]string{"import", "--errors", "2", "--lang", "fr"}, "--lang"},
			} {
				r := in.run(t, "", bad.args...)
				if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
					t.Errorf("%v: want a failure mentioning %q\n%s", bad.args, bad.want, r)
				}
			}
			mapping := filepath.Join(in.dir, "mapping.json")
			os.WriteFile(mapping, []byte(`{"Kota": "", "Jabatan": "province"}`), 0o600)
			mapped := in.run(t, "", "import", "contacts", k.path, "--mapping", mapping, "--on-duplicate", "create", "--dry-run")
			if mapped.code != 0 || !regexp.MustCompile(`Kota\s+\(left out\)`).MatchString(mapped.stderr) || !regexp.MustCompile(`Jabatan\s+province`).MatchString(mapped.stderr) {
				t.Errorf("mapping file\n%s", mapped)
			}

			// Leads come in as history unless --new-leads says otherwise.
			leadFile := filepath.Join(in.dir, "prospek.csv")
			os.WriteFile(leadFile, []byte("Nama,Surel\nLama,lama@contoh.co.id\n"), 0o600)
			in.mustRun(t, "import", "leads", leadFile)
			os.WriteFile(leadFile, []byte("Nama,Surel\nBaru,baru@contoh.co.id\n"), 0o600)
			in.mustRun(t, "import", "leads", leadFile, "--new-leads")
			if n := queryInt(t, db, "SELECT COUNT(*) FROM leads WHERE first_name = 'Lama' AND response_due_at IS NULL"); n != 1 {
				t.Error("an imported lead started a response clock")
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM leads WHERE first_name = 'Baru' AND response_due_at IS NOT NULL"); n != 1 {
				t.Error("a lead imported with --new-leads has no response clock")
			}
		})
	}
}

// An import killed with SIGKILL in the middle of its file leaves whole
// batches only; `relasi import --resume` then ends with exactly the rows
// the file should give, none twice.
func TestImportSurvivesSIGKILL(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
			k := writeKontak(t, in.dir, 20_000)
			db := in.openDB(t)

			cmd := exec.Command(relasiBin, "import", "contacts", k.path)
			cmd.Dir, cmd.Env = in.dir, append([]string{}, in.env...)
			var out syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.Now().Add(importTimeout)
			var checkpoint int
			for checkpoint < 2000 {
				select {
				case err := <-done:
					t.Fatalf("the import ended before it could be killed: %v\n%s", err, out.String())
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatalf("no progress within %s\n%s", importTimeout, out.String())
				}
				checkpoint = queryInt(t, db, "SELECT checkpoint FROM imports WHERE id = 1")
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-done
			killedAt := queryInt(t, db, "SELECT checkpoint FROM imports WHERE id = 1")
			if killedAt >= k.rows {
				t.Fatalf("the import finished (%d rows) before the kill", killedAt)
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM import_items WHERE import_id = 1"); n < killedAt {
				t.Errorf("%d items for a checkpoint of %d", n, killedAt)
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM import_items WHERE import_id = 1 AND row_number > $1", killedAt+1); n != 0 {
				t.Errorf("%d items beyond the checkpoint: half a batch survived the kill", n)
			}

			res := in.importRun(t, "import", "--resume", "1")
			if res.code != 0 {
				t.Fatalf("resume\n%s", res)
			}
			c := counts(res.stdout)
			if c["created"] != k.created || c["skipped"] != k.skipped || c["failed"] != k.failed {
				t.Errorf("after resuming at row %d of %d: %v, want created %d, skipped %d, failed %d", killedAt, k.rows, c, k.created, k.skipped, k.failed)
			}
			checkContacts(t, db, k)
			if n := queryInt(t, db, "SELECT COUNT(DISTINCT row_number) FROM import_items WHERE import_id = 1 AND entity = 'contacts'"); n != k.rows {
				t.Errorf("%d rows recorded, want %d", n, k.rows)
			}
			t.Logf("%s: killed at row %d of %d, resumed to %v", engine, killedAt, k.rows, c)
		})
	}
}

// BenchmarkImportMillionRows imports a generated contact list — by default
// a million rows, RELASI_BENCH_ROWS to change it — through `relasi import`
// on each engine under /usr/bin/time -v, checks the result as the tests
// do, and reports rows per second and the peak resident memory of the
// process. With RELASI_BENCH_UNDO=1 it undoes the import too;
// RELASI_BENCH_ENGINE picks one engine and RELASI_BENCH_DIR keeps the
// generated file there (bench/import.sh uses all three). Run it with
//
//	go test ./cmd/relasi -run '^$' -bench ImportMillionRows -benchtime 1x -timeout 8h
func BenchmarkImportMillionRows(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("RELASI_BENCH_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	// bench/import.sh keeps the file, to import it with sqlite3 too.
	dir := os.Getenv("RELASI_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	k := writeKontak(b, dir, n)
	info, _ := os.Stat(k.path)
	b.Logf("%d rows (%d MB) with Indonesian headers: expect %d created, %d skipped (duplicates), %d failed (%d bad phones, %d bad e-mails, %d without a name)",
		k.rows, info.Size()>>20, k.created, k.skipped, k.failed, k.badPhone, k.badEmail, k.noName)
	for _, engine := range storetest.Engines() {
		if only := os.Getenv("RELASI_BENCH_ENGINE"); only != "" && only != string(engine) {
			continue
		}
		b.Run(string(engine), func(b *testing.B) {
			for range b.N {
				dir := b.TempDir()
				dsn := storetest.DSN(b, engine)
				in := &installation{engine: engine, dsn: dsn, dir: dir, env: []string{"RELASI_DATA_DIR=" + filepath.Join(dir, "data"), "RELASI_DB=" + dsn}}
				if r := in.importRun(b, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin"); r.code != 0 {
					b.Fatalf("%s", r)
				}
				b.ResetTimer()
				r := in.timedRun(b, "import", "contacts", k.path)
				b.StopTimer()
				if r.code != 0 {
					b.Fatalf("%s", r)
				}
				c := counts(r.stdout)
				if c["created"] != k.created || c["skipped"] != k.skipped || c["failed"] != k.failed {
					b.Errorf("counts %v, want created %d, skipped %d, failed %d", c, k.created, k.skipped, k.failed)
				}
				db := in.openDB(b)
				checkContacts(b, db, k)
				secs, rss := timeStats(b, r.stderr)
				b.ReportMetric(float64(k.rows)/secs, "rows/s")
				b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
				b.ReportMetric(secs, "s/import")
				b.Logf("%s: %d rows in %.0f s = %.0f rows/s, peak RSS %d MB\n%s", engine, k.rows, secs, float64(k.rows)/secs, rss/1024, r.stdout)
				// One line for bench/import.sh to read.
				fmt.Printf("RESULT import engine=%s rows=%d secs=%.1f rss_mb=%d created=%d skipped=%d failed=%d\n", engine, k.rows, secs, rss/1024, c["created"], c["skipped"], c["failed"])

				report := in.timedRun(b, "import", "--errors", "1")
				if lines := strings.Count(report.stdout, "\n"); lines != k.failed+1 {
					b.Errorf("the error report has %d lines, want %d", lines, k.failed+1)
				}
				rsecs, rrss := timeStats(b, report.stderr)
				b.Logf("%s: error report of %d rows in %.1f s, peak RSS %d MB", engine, k.failed, rsecs, rrss/1024)
				fmt.Printf("RESULT report engine=%s rows=%d secs=%.1f rss_mb=%d\n", engine, k.failed, rsecs, rrss/1024)
				if os.Getenv("RELASI_BENCH_UNDO") != "" {
					undo := in.timedRun(b, "import", "--undo", "1")
					usecs, urss := timeStats(b, undo.stderr)
					if n := queryInt(b, db, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); undo.code != 0 || n != 0 {
						b.Errorf("after the undo %d contacts are left\n%s", n, undo)
					}
					b.Logf("%s: undo in %.0f s (%.0f records/s), peak RSS %d MB", engine, usecs, float64(k.created+k.companies)/usecs, urss/1024)
					fmt.Printf("RESULT undo engine=%s records=%d secs=%.1f rss_mb=%d\n", engine, k.created+k.companies, usecs, urss/1024)
				}
			}
		})
	}
}

// timedRun runs relasi under /usr/bin/time -v, whose report ends up on
// standard error.
func (in *installation) timedRun(b testing.TB, args ...string) result {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/time", append([]string{"-v", relasiBin}, args...)...)
	cmd.Dir = in.dir
	cmd.Env = append([]string{}, in.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		b.Fatalf("run relasi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

var (
	maxRSS  = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	elapsed = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)`)
)

// timeStats reads the wall time (seconds) and peak RSS (KB) from
// /usr/bin/time -v's report.
func timeStats(b testing.TB, stderr string) (float64, int) {
	b.Helper()
	m, e := maxRSS.FindStringSubmatch(stderr), elapsed.FindStringSubmatch(stderr)
	if m == nil || e == nil {
		b.Fatalf("no /usr/bin/time report in:\n%s", stderr)
	}
	rss, _ := strconv.Atoi(m[1])
	var secs float64
	for _, part := range strings.Split(e[1], ":") {
		v, _ := strconv.ParseFloat(part, 64)
		secs = secs*60 + v
	}
	return secs, rss
}
