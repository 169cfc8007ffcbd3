package imports_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
)

// runWith imports content into entity with the guessed mapping and the
// options given, and returns the finished import.
func (c *crm) runWith(t testing.TB, p auth.Principal, entity, name, content string, opts imports.Options, dryRun bool) imports.Import {
	t.Helper()
	imp := c.upload(t, p, entity, name, content)
	return c.configureAndRun(t, p, imp, opts, dryRun)
}

func (c *crm) configureAndRun(t testing.TB, p auth.Principal, imp imports.Import, opts imports.Options, dryRun bool) imports.Import {
	t.Helper()
	imp, err := c.M.Configure(context.Background(), p, imp.ID, imp.Mapping, opts, dryRun)
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	imp, err = c.M.Run(context.Background(), imp.ID, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return imp
}

// notImported returns every row an import did not bring in, failed and
// skipped, as "row N action: reason" in lang ("" for the API's English).
func (c *crm) notImported(t testing.TB, imp imports.Import, lang string) []string {
	t.Helper()
	var tr imports.Translator
	if lang != "" {
		tr = c.M.Translator(lang)
	}
	failed, skipped, _, err := c.M.NotImported(context.Background(), imp, c.Admin.Principal(), tr, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range append(failed, skipped...) {
		out = append(out, "row "+itoa(f.Row)+" "+f.Action+": "+f.Reason)
	}
	return out
}

// A row with more cells than its header — an unquoted separator in a
// value — would move every later value into the wrong field; it fails,
// saying so. Trailing empty cells and short rows that end with a value
// (a writer leaving out empty cells at the end) are fine.
func TestRowsThatDoNotLineUpWithTheHeaderFail(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		p := c.Admin.Principal()
		file := "Nama Depan;Nama Belakang;Perusahaan;Kota;Surel\n" +
			"Budi;Santoso;PT Maju; Jaya;Jakarta;budi@contoh.co.id\n" + // 6 cells
			"Siti;Rahma;CV Sejahtera;Bandung;siti@contoh.co.id;;;\n" + // trailing separators
			"Andi;Wijaya;PT Baru\n" + // Kota and Surel left out at the end
			"Rina;Lestari;;\n" + // 4 cells, the last empty: one went missing
			"Dewi;;\"Toko; Sumber\";Medan;dewi@contoh.co.id\n" // quoted: fine
		imp := c.runWith(t, p, "contacts", "kontak.csv", file, imports.Options{OnDuplicate: imports.Skip}, false)
		if imp.Counts.Created != 3 || imp.Counts.Failed != 2 {
			t.Fatalf("counts %+v, want 3 created and 2 failed (%s)", imp.Counts, imp.Error)
		}
		want := []string{
			`row 2 failed: the row has 6 cells, the header has 5: check for an unquoted ";" in the row (a value that holds one must be in double quotes)`,
			`row 5 failed: the row has 4 cells, the header has 5: a separator is missing in the row, or a quote is not closed`,
		}
		if got := c.notImported(t, imp, ""); !reflect.DeepEqual(got, want) {
			t.Errorf("rows not imported:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		id := []string{
			`row 2 failed: baris ini berisi 6 sel, padahal judul kolomnya 5: periksa apakah ada ";" tanpa tanda kutip di baris ini (nilai yang memuatnya harus diapit tanda kutip ganda)`,
			`row 5 failed: baris ini berisi 4 sel, padahal judul kolomnya 5: ada pemisah yang hilang di baris ini, atau tanda kutip yang tidak ditutup`,
		}
		if got := c.notImported(t, imp, "id"); !reflect.DeepEqual(got, id) {
			t.Errorf("in Indonesian:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(id, "\n"))
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE first_name = 'Budi'"); n != 0 {
			t.Error("the row with an unquoted separator was imported")
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.first_name = 'Andi' AND a.name = 'PT Baru' AND c.city IS NULL"); n != 1 {
			t.Error("the short row ending with a value was not imported as it reads")
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.first_name = 'Dewi' AND a.name = 'Toko; Sumber' AND c.city = 'Medan'"); n != 1 {
			t.Error("a quoted separator broke the row")
		}

		// In a workbook cells sit in their columns; a value right of the
		// last named column would be lost.
		path := xlsxFile(t, map[string][][]any{"Kontak": {
			{"Nama Depan", "Kota"},
			{"Joko", "Solo", nil, "catatan"},
			{"Made", "Denpasar", ""},
		}}, "Kontak")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		up, err := c.M.Upload(context.Background(), p, "contacts", "kontak.xlsx", f, "")
		if err != nil {
			t.Fatal(err)
		}
		x := c.configureAndRun(t, p, up, imports.Options{}, false)
		wantX := []string{`row 2 failed: the row has a value in column D, right of the last column with a header (B): give that column a header, or move the value`}
		if got := c.notImported(t, x, ""); x.Counts.Created != 1 || !reflect.DeepEqual(got, wantX) {
			t.Errorf("workbook: %+v\n%s", x.Counts, strings.Join(got, "\n"))
		}
	})
}

// Rows are numbered as a spreadsheet shows them — the header is row 1 —
// whatever line breaks quoted cells hold, blank lines counting as rows.
func TestRowNumbersFollowTheSpreadsheetNotTheLines(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		file := "Nama Depan;Jalan;Surel\n" +
			"Budi;\"Jl. Merdeka 1\nRT 02\";budi@contoh.co.id\n" + // row 2, lines 2-3
			"Siti;\"Jl. Asia Afrika 8\r\nLantai 2\r\nBandung\";siti@\n" + // row 3, lines 4-6
			"\n" + // row 4
			"Andi;Jl. Sudirman;andi@\n" // row 5, line 8
		imp := c.runWith(t, c.Admin.Principal(), "contacts", "alamat.csv", file, imports.Options{}, false)
		got := c.notImported(t, imp, "")
		want := []string{
			`row 3 failed: field emails (column "Surel"): holds "siti@", which is not an e-mail address`,
			`row 5 failed: field emails (column "Surel"): holds "andi@", which is not an e-mail address`,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rows not imported:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var street string
		c.DB.Read().QueryRow("SELECT street FROM contacts WHERE first_name = 'Budi'").Scan(&street)
		if street != "Jl. Merdeka 1\nRT 02" {
			t.Errorf("Budi's street %q", street)
		}
		// The download finds the rows by those numbers.
		var b strings.Builder
		if err := c.M.WriteNotImported(context.Background(), &b, imp, c.Admin.Principal(), nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "3;failed;") || !strings.Contains(b.String(), "Siti;\"Jl. Asia Afrika 8\nLantai 2\nBandung\";siti@\n") ||
			!strings.Contains(b.String(), "5;failed;") || !strings.Contains(b.String(), ";Andi;Jl. Sudirman;andi@\n") {
			t.Errorf("download:\n%s", b.String())
		}
	})
}

// Extensions are kept however they are written, in the import as in the
// form and the API; a number with another extension is another number.
func TestPhoneExtensionsAreKept(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		file := "Nama;Telepon\n" +
			"Budi Santoso;(021) 555-1234 ext. 12\n" +
			"Siti Rahma;\"021-5551234 x13; 0812 3456 789 ext 2\"\n" +
			"Andi Wijaya;\"+62215551234;ext=14\"\n" + // re-imported from an export
			"Rina;+62 21 5551234 #12\n" + // Budi's number and extension
			"Dewi;021 5551234 ekst. 15\n" +
			"Made;021 5551234 pes. 16\n" +
			"Joko;0812 3456 7890 kantor\n" // a word, not digits of a keypad
		imp := c.runWith(t, p, "contacts", "telepon.csv", file, imports.Options{}, false)
		if imp.Counts.Created != 5 || imp.Counts.Skipped != 1 || imp.Counts.Failed != 1 {
			t.Fatalf("counts %+v (%s)\n%s", imp.Counts, imp.Error, strings.Join(c.notImported(t, imp, ""), "\n"))
		}
		contacts := c.entity(t, "contacts")
		phones := map[string][]string{}
		list, err := c.Store.List(ctx, p, contacts, records.Query{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list.Items {
			phones[r.String("first_name")] = r.Strings("phones")
		}
		want := map[string][]string{
			"Budi": {"+62215551234;ext=12"}, "Siti": {"+62215551234;ext=13", "+628123456789;ext=2"}, "Andi": {"+62215551234;ext=14"},
			"Dewi": {"+62215551234;ext=15"}, "Made": {"+62215551234;ext=16"},
		}
		if !reflect.DeepEqual(phones, want) {
			t.Errorf("phones %v, want %v", phones, want)
		}
		got := c.notImported(t, imp, "")
		if len(got) != 2 || got[0] != `row 8 failed: field phones (column "Telepon"): holds "0812 3456 7890 kantor", which is not a phone number` ||
			got[1] != `row 5 skipped: same phone (+62215551234;ext=12) as row 2 of this file` {
			t.Errorf("rows not imported:\n%s", strings.Join(got, "\n"))
		}
		// The office's number finds everyone reached through it.
		hits, err := search.Search(ctx, c.DB, p, "(021) 555-1234", 10)
		if err != nil || len(hits) != 5 {
			t.Errorf("search by the number: %d hits, %v", len(hits), err)
		}

		// The form and the API keep them too.
		leadsE := c.entity(t, "leads")
		lead, err := c.Store.Create(ctx, p, leadsE, records.Input{"first_name": "Hendra", "phone": "(021) 555-1234 ext. 99"})
		if err != nil || lead.String("phone") != "+62215551234;ext=99" {
			t.Errorf("a lead's phone %q, %v", lead.String("phone"), err)
		}
		ct, err := c.Store.Create(ctx, p, contacts, records.Input{"first_name": "Yuni", "phones": records.FormText("(021) 555-1234, ext. 77")})
		if err != nil || !reflect.DeepEqual(ct.Strings("phones"), []string{"+62215551234;ext=77"}) {
			t.Errorf("a contact's phones from a form %q, %v", ct.Strings("phones"), err)
		}
	})
}

// Every skipped row says what it repeats — the record, by its title, or
// the earlier row of the file — on the page, in the download (with the
// failed rows, and a column saying which), in the API and in the CLI;
// a row whose e-mail is invalid fails, naming the bad address, even when
// its phone matches a contact.
func TestSkippedRowsAreExplained(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		contacts := c.entity(t, "contacts")
		budi, err := c.Store.Create(ctx, p, contacts, records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []any{"budi@contoh.co.id"}, "phones": []any{"0812-3456-7890"}})
		if err != nil {
			t.Fatal(err)
		}
		file := "Nama;Surel;Telepon\n" +
			"Budi S.;BUDI@contoh.co.id;\n" + // row 2: Budi's e-mail
			"Siti;siti@contoh.co.id;0813 1111 2222\n" + // row 3: new
			"Siti Rahma;siti@contoh.co.id;\n" + // row 4: row 3 again
			"Andi;andi@;0812 3456 7890\n" // row 5: bad e-mail, Budi's phone
		for _, dry := range []bool{true, false} {
			imp := c.runWith(t, p, "contacts", "kontak.csv", file, imports.Options{}, dry)
			if imp.Counts.Created != 1 || imp.Counts.Skipped != 2 || imp.Counts.Failed != 1 {
				t.Fatalf("dry run %v: counts %+v", dry, imp.Counts)
			}
			want := []string{
				`row 5 failed: field emails (column "Surel"): holds "andi@", which is not an e-mail address; same phone (+6281234567890) as contact #` + itoa(budi.ID),
				`row 2 skipped: same e-mail (budi@contoh.co.id) as contact #` + itoa(budi.ID),
				`row 4 skipped: same e-mail (siti@contoh.co.id) as row 3 of this file`,
			}
			if got := c.notImported(t, imp, ""); !reflect.DeepEqual(got, want) {
				t.Errorf("dry run %v, in the API's English:\n%s\nwant:\n%s", dry, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			en := []string{
				`row 5 failed: field E-mail addresses (column "Surel"): holds "andi@", which is not an e-mail address; same phone (+6281234567890) as contact #` + itoa(budi.ID) + ` (Budi Santoso)`,
				`row 2 skipped: same e-mail (budi@contoh.co.id) as contact #` + itoa(budi.ID) + ` (Budi Santoso)`,
				`row 4 skipped: same e-mail (siti@contoh.co.id) as row 3 of this file`,
			}
			if got := c.notImported(t, imp, "en"); !reflect.DeepEqual(got, en) {
				t.Errorf("dry run %v, for people:\n%s\nwant:\n%s", dry, strings.Join(got, "\n"), strings.Join(en, "\n"))
			}
			id := c.notImported(t, imp, "id")
			if len(id) != 3 || !strings.Contains(id[0], `kolom Alamat email (kolom "Surel" di berkas): berisi "andi@", yang bukan alamat e-mail; telepon yang sama (+6281234567890) dengan kontak #`) ||
				id[1] != `row 2 skipped: e-mail yang sama (budi@contoh.co.id) dengan kontak #`+itoa(budi.ID)+` (Budi Santoso)` ||
				id[2] != `row 4 skipped: e-mail yang sama (siti@contoh.co.id) dengan baris 3 berkas ini` {
				t.Errorf("dry run %v, in Indonesian:\n%s", dry, strings.Join(id, "\n"))
			}

			// The download has every row not imported, in file order.
			var b strings.Builder
			if err := c.M.WriteNotImported(ctx, &b, imp, p, c.M.Translator("id")); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			if len(lines) != 4 || lines[0] != "\ufeffBaris;Hasil;Alasan;Nama;Surel;Telepon" ||
				!strings.HasPrefix(lines[1], "2;Dilewati;e-mail yang sama (budi@contoh.co.id) dengan kontak #") || !strings.HasSuffix(lines[1], ";Budi S.;BUDI@contoh.co.id;") ||
				!strings.HasPrefix(lines[2], "4;Dilewati;") || !strings.HasPrefix(lines[3], "5;Ditolak;") {
				t.Errorf("dry run %v, download:\n%s", dry, b.String())
			}
		}

		// A reader who may not see Budi reads his ID, not his name.
		sales, _ := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales})
		imp := c.runWith(t, sales.Principal(), "contacts", "kontak.csv", file, imports.Options{}, true)
		_, skipped, _, err := c.M.NotImported(ctx, imp, sales.Principal(), c.M.Translator("en"), 10)
		if err != nil || len(skipped) != 3 || skipped[0].Reason != "same e-mail (budi@contoh.co.id) as contact #"+itoa(budi.ID) {
			t.Errorf("for a reader who may not see the contact: %+v, %v", skipped, err)
		}
	})
}

// Reasons name fields by their labels in the reader's language — custom
// fields by their own — and say what a value should look like.
func TestReasonsSpeakTheReadersLanguage(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		if _, err := c.Store.CreateCustomField(ctx, p, c.entity(t, "contacts"), records.CustomFieldInput{Key: "bergabung", Label: "Tanggal Bergabung", Kind: records.Date}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Store.CreateCustomField(ctx, p, c.entity(t, "contacts"), records.CustomFieldInput{Key: "anggota", Label: "Anggota", Kind: records.Bool}); err != nil {
			t.Fatal(err)
		}
		file := "Nama Depan;Tanggal Lahir;Tanggal Bergabung;Anggota;Sumber;Pemilik\n" +
			"Budi;kemarin;31/02/2020;mungkin;Koran;nobody@example.co.id\n"
		imp := c.upload(t, p, "contacts", "kontak.csv", file)
		targets, _ := c.M.TargetsOf(ctx, "contacts")
		mapping, err := imports.MappingFromHeaders(imp.Headers, imp.Mapping, map[string]string{"Tanggal Bergabung": "custom.bergabung", "Anggota": "custom.anggota", "Pemilik": "owner_id", "Sumber": "source"}, targets)
		if err != nil {
			t.Fatal(err)
		}
		imp.Mapping = mapping
		imp = c.configureAndRun(t, p, imp, imports.Options{}, false)
		got := c.notImported(t, imp, "id")
		if len(got) != 1 {
			t.Fatalf("rows not imported: %q", got)
		}
		for _, want := range []string{
			`kolom Tanggal lahir (kolom "Tanggal Lahir" di berkas): bukan tanggal yang dapat dibaca Relasi: tulis seperti 31/01/1990`,
			`kolom Tanggal Bergabung (kolom "Tanggal Bergabung" di berkas): bukan tanggal yang dapat dibaca Relasi`,
			`kolom Anggota (kolom "Anggota" di berkas): harus ya atau tidak`,
			// A value no choice matches is rejected by the value mapping, by name.
			`kolom Sumber (kolom "Sumber" di berkas): berisi "Koran", nilai yang diatur untuk ditolak oleh impor`,
		} {
			if !strings.Contains(got[0], want) {
				t.Errorf("the Indonesian reason lacks %q:\n%s", want, got[0])
			}
		}
		for _, internal := range []string{"birth_date", "custom.", "source", "web_form", "must be", "field "} {
			if strings.Contains(got[0], internal) {
				t.Errorf("the Indonesian reason says %q:\n%s", internal, got[0])
			}
		}
		// An owner that matches no user names the value, in Indonesian.
		imp2 := c.upload(t, p, "contacts", "pemilik.csv", "Nama Depan;Pemilik\nSiti;nobody@example.co.id\n")
		mapping, _ = imports.MappingFromHeaders(imp2.Headers, imp2.Mapping, map[string]string{"Pemilik": "owner_id"}, targets)
		imp2.Mapping = mapping
		imp2 = c.configureAndRun(t, p, imp2, imports.Options{UnknownOwner: imports.OwnerReject}, false)
		if got := c.notImported(t, imp2, "id"); len(got) != 1 || !strings.Contains(got[0], `tidak ada pengguna dengan alamat e-mail atau nama "nobody@example.co.id"`) {
			t.Errorf("owner not found: %q", got)
		}
	})
}

// A check that would create nothing says why and offers the way back to
// the mapping, not "Start"; one that would create something says what.
func TestDryRunOffersStartOnlyWhenSomethingWouldComeIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		s := startWeb(t, c)
		b := s.signIn(t, "sari@example.co.id")
		mappingURL := wantRedirect(t, b.upload("contacts", "buruk.csv", "Nama Depan;Surel\n;a@contoh.co.id\nSiti;siti@\n"), `/imports/\d+/mapping`)
		id := strings.Split(mappingURL, "/")[2]
		form := url.Values{"col_0": {"first_name"}, "col_1": {"emails"}, "on_duplicate": {"skip"}}
		wantRedirect(t, b.post(mappingURL, mappingURL, form), "/imports/"+id)
		page := b.get("/imports/" + id)
		wantPage(t, page, `data-testid="nothing-to-import"`, "Nothing would be imported: every row would fail.", `href="/imports/`+id+`/mapping" data-testid="change-mapping"`, "Back to the mapping")
		if strings.Contains(page.Body, `data-testid="start"`) {
			t.Error("a check that would import nothing offers to start")
		}
		if res := b.post("/imports/"+id, "/imports/"+id+"/start", url.Values{}); res.Status != http.StatusConflict {
			t.Errorf("starting a check that would import nothing: %d", res.Status)
		}

		form.Set("col_0", "first_name")
		ok := wantRedirect(t, b.upload("contacts", "baik.csv", "Nama Depan;Surel\nBudi;budi@contoh.co.id\nSiti;siti@\n"), `/imports/\d+/mapping`)
		okID := strings.Split(ok, "/")[2]
		wantRedirect(t, b.post(ok, ok, form), "/imports/"+okID)
		wantPage(t, b.get("/imports/"+okID), `data-testid="start"`, "Start the import", `data-testid="would-happen"`,
			"Importing this file would create 1 records and update 0; 0 rows would be skipped as duplicates and 1 rejected.")
	})
}

// The import page and its download explain skipped rows in the viewer's
// language, with the record's title.
func TestImportPageExplainsSkippedRows(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		budi, err := c.Store.Create(ctx, c.Admin.Principal(), c.entity(t, "contacts"), records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []any{"budi@contoh.co.id"}})
		if err != nil {
			t.Fatal(err)
		}
		lang := "id"
		if _, err := c.Auth.UpdateUser(ctx, c.Admin.Principal(), c.Admin.ID, auth.UserUpdate{Locale: &lang}, 0); err != nil {
			t.Fatal(err)
		}
		s := startWeb(t, c)
		b := s.signIn(t, "sari@example.co.id")
		mappingURL := wantRedirect(t, b.upload("contacts", "kontak.csv", "Nama Depan;Surel\nBudi;budi@contoh.co.id\nSiti;siti@contoh.co.id\n"), `/imports/\d+/mapping`)
		id := strings.Split(mappingURL, "/")[2]
		wantRedirect(t, b.post(mappingURL, mappingURL, url.Values{"col_0": {"first_name"}, "col_1": {"emails"}, "on_duplicate": {"skip"}}), "/imports/"+id)
		started := wantRedirect(t, b.post("/imports/"+id, "/imports/"+id+"/start", url.Values{}), `/imports/\d+`)
		wantPage(t, b.get(started), `data-testid="skipped"`, "e-mail yang sama (budi@contoh.co.id) dengan kontak #"+itoa(budi.ID)+" (Budi Santoso)",
			`href="`+started+`/errors.csv"`, "Unduh baris yang tidak diimpor (CSV)")
		csv := b.get(started + "/errors.csv")
		if csv.Status != http.StatusOK || !strings.Contains(csv.Body, "Baris;Hasil;Alasan;Nama Depan;Surel\n2;Dilewati;e-mail yang sama (budi@contoh.co.id) dengan kontak #"+itoa(budi.ID)+" (Budi Santoso);Budi;budi@contoh.co.id\n") {
			t.Errorf("download %d:\n%s", csv.Status, csv.Body)
		}
	})
}

// Leads that arrive by import are history unless the import says they are
// new: no response clock, no assignment, no one paged a minute later.
func TestImportedLeadsPageNoOne(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		admin := c.Admin.Principal()
		catalog, _ := i18n.Load()
		lm := leads.New(c.Store, leads.Config{Catalog: catalog})
		team, err := c.Auth.CreateTeam(ctx, admin, auth.TeamInput{Name: "Jakarta", ManagerID: &c.Admin.ID})
		if err != nil {
			t.Fatal(err)
		}
		ani, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "ani@example.co.id", Name: "Ani", Password: "rahasia-123", Role: auth.Sales, TeamID: &team.ID})
		if err != nil {
			t.Fatal(err)
		}
		mode := leads.ModeRoundRobin
		if _, err := lm.SaveSettings(ctx, admin, leads.SettingsInput{AssignmentMode: &mode, DefaultTeamID: &team.ID}); err != nil {
			t.Fatal(err)
		}
		file := "Nama;Surel;Pemilik\nBudi;budi@contoh.co.id;\nSiti;siti@contoh.co.id;ani@example.co.id\nAndi;andi@contoh.co.id;sari@example.co.id\n"
		upload := func(name string) imports.Import {
			imp := c.upload(t, admin, "leads", name, file)
			targets, _ := c.M.TargetsOf(ctx, "leads")
			imp.Mapping, err = imports.MappingFromHeaders(imp.Headers, imp.Mapping, map[string]string{"Pemilik": "owner_id", "Nama": "first_name"}, targets)
			if err != nil {
				t.Fatal(err)
			}
			return imp
		}
		old := c.configureAndRun(t, admin, upload("lama.csv"), imports.Options{}, false)
		if old.Counts.Created != 3 {
			t.Fatalf("counts %+v", old.Counts)
		}
		owners := map[string]int64{}
		rows, _ := c.DB.Read().Query("SELECT first_name, COALESCE(owner_id, 0) FROM leads WHERE assigned_at IS NULL AND response_due_at IS NULL")
		for rows.Next() {
			var n string
			var o int64
			rows.Scan(&n, &o)
			owners[n] = o
		}
		rows.Close()
		if want := map[string]int64{"Budi": 0, "Siti": ani.ID, "Andi": c.Admin.ID}; !reflect.DeepEqual(owners, want) {
			t.Errorf("imported leads without a clock, by owner: %v, want %v (an empty owner cell leaves none, a named owner stays)", owners, want)
		}
		w := &leads.OverdueWorker{DB: c.DB, Now: func() time.Time { return time.Now().Add(30 * 24 * time.Hour) }}
		if n, err := w.Flag(ctx); err != nil || n != 0 {
			t.Errorf("the overdue check flagged %d imported leads, %v", n, err)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM notifications"); n != 0 {
			t.Errorf("%d notifications about imported leads", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM record_changes WHERE entity = 'leads' AND action = 'assigned'"); n != 0 {
			t.Errorf("%d imported leads were assigned", n)
		}

		// New leads are treated as typed in: dealt to the team, timed.
		c.DB.Writer().Exec("DELETE FROM leads")
		fresh := c.configureAndRun(t, admin, upload("baru.csv"), imports.Options{NewLeads: true}, false)
		if fresh.Counts.Created != 3 || !fresh.Options.NewLeads {
			t.Fatalf("counts %+v, options %+v", fresh.Counts, fresh.Options)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM leads WHERE response_due_at IS NOT NULL AND deleted_at IS NULL"); n != 3 {
			t.Errorf("%d of 3 new leads on the clock", n)
		}
		if n, err := w.Flag(ctx); err != nil || n != 3 {
			t.Errorf("the overdue check flagged %d new leads, %v", n, err)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM notifications"); n == 0 {
			t.Error("overdue new leads notified no one")
		}
		var opts string
		c.DB.Read().QueryRow("SELECT options FROM imports WHERE id = $1", fresh.ID).Scan(&opts)
		var o map[string]any
		if json.Unmarshal([]byte(opts), &o); o["new_leads"] != true {
			t.Errorf("stored options %s", opts)
		}
	})
}

// The mapping page of a lead import asks whether the leads are new; the
// answer is kept with the import and shown on its page.
func TestMappingPageAsksWhetherLeadsAreNew(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		s := startWeb(t, c)
		b := s.signIn(t, "sari@example.co.id")
		contactsMapping := wantRedirect(t, b.upload("contacts", "k.csv", "Nama Depan\nBudi\n"), `/imports/\d+/mapping`)
		if strings.Contains(b.get(contactsMapping).Body, `name="new_leads"`) {
			t.Error("a contact import asks about new leads")
		}
		mappingURL := wantRedirect(t, b.upload("leads", "prospek.csv", "Nama Depan;Surel\nBudi;budi@contoh.co.id\n"), `/imports/\d+/mapping`)
		id := strings.Split(mappingURL, "/")[2]
		wantPage(t, b.get(mappingURL), `name="new_leads"`, "Treat them as new leads")
		wantRedirect(t, b.post(mappingURL, mappingURL, url.Values{"col_0": {"first_name"}, "col_1": {"email"}, "on_duplicate": {"skip"}}), "/imports/"+id)
		wantPage(t, b.get("/imports/"+id), `data-testid="lead-mode"`, "Leads are brought in as history")
		wantRedirect(t, b.post(mappingURL, mappingURL, url.Values{"col_0": {"first_name"}, "col_1": {"email"}, "on_duplicate": {"skip"}, "new_leads": {"1"}}), "/imports/"+id)
		wantPage(t, b.get("/imports/"+id), "Leads are treated as new")
		wantPage(t, b.get(mappingURL), `name="new_leads" value="1" checked data-testid="new-leads"`)
		started := wantRedirect(t, b.post("/imports/"+id, "/imports/"+id+"/start", url.Values{}), `/imports/\d+`)
		if n := c.count(t, "SELECT COUNT(*) FROM leads WHERE response_due_at IS NOT NULL"); n != 1 {
			t.Errorf("the started import of new leads timed %d leads, want 1 (%s)", n, started)
		}
	})
}
