package imports_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
)

// kontak is a contact list as it comes out of a spreadsheet in Jakarta:
// Indonesian headers, semicolons, a few bad rows and a duplicate.
const kontak = `Nama Depan;Nama Belakang;Telepon;Surel;Perusahaan;Jabatan;Kota;Tanggal Lahir;Sumber
Budi;Santoso;0812-3456-7890;budi@contoh.co.id;PT Maju Jaya;Manajer;Jakarta;31/01/1990;Rujukan
Siti;Rahma;+62 813 1111 2222 / 0856 777 8888;SITI@Contoh.co.id;pt maju jaya;Direktur;Bandung;;Web Form
Andi;;12;andi@;CV Sejahtera;Staf;Surabaya;;
;Tanpa Nama;0815 1234 5678;nn@contoh.co.id;;;;;
Budi;S.;0812 3456 7890;budi2@contoh.co.id;;;;;
Rudi;Hartono;0817 0000 1111;rudi@contoh.co.id;;;;30/02/1990;
`

var kontakFailures = []string{
	`row 4: field emails (column "Surel"): holds "andi@", which is not an e-mail address; field phones (column "Telepon"): holds "12", which is not a phone number`,
	`row 5: field first_name (column "Nama Depan"): is required`,
	`row 7: field birth_date (column "Tanggal Lahir"): must be a date like 2026-01-31`,
}

func TestImportContactsWithIndonesianHeaders(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		imp := c.run(t, p, "contacts", kontak, imports.Skip, false, nil)
		want := imports.Counts{Created: 2, Skipped: 1, Failed: 3, Related: 1}
		if imp.Status != imports.Done || imp.Counts != want {
			t.Fatalf("import %s with %+v, want done with %+v (%s)", imp.Status, imp.Counts, want, imp.Error)
		}
		if got := c.failures(t, imp.ID); !reflect.DeepEqual(got, kontakFailures) {
			t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(kontakFailures, "\n"))
		}
		rejected, _ := c.M.Failures(ctx, imp.ID, 10, true)
		if len(rejected) != 4 || rejected[2].Row != 6 || rejected[2].Action != "skipped" ||
			rejected[2].Reason != "same phone (+6281234567890) as row 2 of this file" {
			t.Errorf("rejected rows: %+v", rejected)
		}

		contacts := c.entity(t, "contacts")
		list, err := c.Store.List(ctx, p, contacts, records.Query{Filter: `first_name = "Siti"`})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("Siti: %v %v", list.Items, err)
		}
		siti := list.Items[0]
		if got := siti.Strings("phones"); !reflect.DeepEqual(got, []string{"+6281311112222", "+628567778888"}) {
			t.Errorf("Siti's phones %q", got)
		}
		if got := siti.Strings("emails"); !reflect.DeepEqual(got, []string{"siti@contoh.co.id"}) {
			t.Errorf("Siti's e-mails %q", got)
		}
		if siti.String("source") != "web_form" || siti.Titles["account_id"] != "PT Maju Jaya" {
			t.Errorf("Siti's source %q, account %q", siti.String("source"), siti.Titles["account_id"])
		}
		list, _ = c.Store.List(ctx, p, contacts, records.Query{Filter: `first_name = "Budi"`})
		if len(list.Items) != 1 || list.Items[0].String("birth_date") != "1990-01-31" || list.Items[0].String("source") != "referral" {
			t.Fatalf("Budi: %+v", list.Items)
		}
		if list.Items[0].Int("account_id") != siti.Int("account_id") {
			t.Error("Budi and Siti work at the same company but got different accounts")
		}
		// Search finds imported contacts by name and by phone (the index
		// is written once per batch).
		for _, q := range []string{"Siti", "0813-1111-2222"} {
			hits, err := search.Search(ctx, c.DB, p, q, 10)
			if err != nil || len(hits) != 1 || hits[0].Entity != "contacts" || hits[0].ID != siti.ID {
				t.Errorf("search %q: %+v, %v; want Siti (contact %d)", q, hits, err, siti.ID)
			}
		}
		// The save hooks ran: lookups, search documents, history.
		for q, want := range map[string]int{
			"SELECT COUNT(*) FROM contact_phones":                                                  3,
			"SELECT COUNT(*) FROM contact_emails":                                                  2,
			"SELECT COUNT(*) FROM search_docs WHERE entity = 'contacts'":                           2,
			"SELECT COUNT(*) FROM accounts":                                                        1,
			"SELECT COUNT(*) FROM record_changes WHERE entity = 'contacts' AND action = 'created'": 2,
			"SELECT COUNT(*) FROM record_changes WHERE entity = 'imports' AND action = 'import'":   1,
			"SELECT COUNT(*) FROM import_items":                                                    7,
		} {
			if got := c.count(t, q); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
	})
}

func TestDryRunChangesNothingAndPredictsTheImport(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		p := c.Admin.Principal()
		dry := c.run(t, p, "contacts", kontak, imports.Skip, true, nil)
		for _, q := range []string{"SELECT COUNT(*) FROM contacts", "SELECT COUNT(*) FROM accounts", "SELECT COUNT(*) FROM record_changes",
			"SELECT COUNT(*) FROM contact_emails", "SELECT COUNT(*) FROM search_docs"} {
			if n := c.count(t, q); n != 0 {
				t.Errorf("after a dry run, %s = %d", q, n)
			}
		}
		real := c.run(t, p, "contacts", kontak, imports.Skip, false, nil)
		if dry.Counts != real.Counts {
			t.Errorf("dry run said %+v, the import did %+v", dry.Counts, real.Counts)
		}
		if got := c.failures(t, dry.ID); !reflect.DeepEqual(got, kontakFailures) {
			t.Errorf("dry run failures:\n%s", strings.Join(got, "\n"))
		}
		// A dry run over more batches than a duplicate is apart, with new
		// accounts counted once, interrupted and resumed on the way.
		c.M.BatchSize = 1
		file := "Nama,Surel,Perusahaan\nA,a@contoh.co.id,PT Satu\nB,b@contoh.co.id,PT Satu\nC,A@contoh.co.id,PT Dua\nD,d@contoh.co.id,PT Dua\n"
		imp := c.upload(t, p, "contacts", "k.csv", file)
		imp, err := c.M.Configure(context.Background(), p, imp.ID, imp.Mapping, imports.Options{}, true)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		c.M.Run(ctx, imp.ID, func(imports.Import) { cancel() })
		if n := c.count(t, "SELECT COUNT(*) FROM import_keys WHERE import_id = $1", imp.ID); n != 2 {
			t.Errorf("%d keys kept after the first row, want its e-mail and account", n)
		}
		again, err := c.M.Run(context.Background(), imp.ID, nil)
		if err != nil || again.Counts != (imports.Counts{Created: 3, Skipped: 1, Related: 2}) {
			t.Errorf("dry run across batches: %+v %v", again.Counts, err)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM import_keys"); n != 0 {
			t.Errorf("%d keys left after the dry run", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); int64(n) != real.Counts.Created {
			t.Errorf("%d contacts after the dry run, want the %d of the import before", n, real.Counts.Created)
		}
	})
}

func TestDuplicatesAgainstExistingRecords(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		contacts := c.entity(t, "contacts")
		budi, err := c.Store.Create(ctx, p, contacts, records.Input{"first_name": "Budi", "emails": []any{"budi@contoh.co.id"},
			"phones": []any{"0812-3456-7890"}, "city": "Jakarta", "tags": []any{"vip"}})
		if err != nil {
			t.Fatal(err)
		}
		file := "Nama;Surel;Telepon;Jabatan;Kota;Label\nBudi Santoso;BUDI@contoh.co.id;;Direktur;Bandung;baru\nBudi Santoso;;+62 812 3456 7890;;;\n"

		skip := c.run(t, p, "contacts", file, imports.Skip, false, nil)
		if skip.Counts != (imports.Counts{Skipped: 2}) {
			t.Errorf("skip: %+v", skip.Counts)
		}

		upd := c.run(t, p, "contacts", file, imports.Update, false, nil)
		if upd.Counts != (imports.Counts{Updated: 1, Skipped: 1}) {
			t.Errorf("update: %+v (the second row changes nothing more)", upd.Counts)
		}
		got, err := c.Store.Get(ctx, p, contacts, budi.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.String("job_title") != "Direktur" || got.String("city") != "Bandung" || got.String("last_name") != "Santoso" ||
			!reflect.DeepEqual(got.Strings("tags"), []string{"vip", "baru"}) || !reflect.DeepEqual(got.Strings("emails"), []string{"budi@contoh.co.id"}) {
			t.Errorf("updated Budi: %v", got.Values)
		}

		create := c.run(t, p, "contacts", file, imports.Create, false, nil)
		if create.Counts != (imports.Counts{Created: 2}) {
			t.Errorf("create: %+v", create.Counts)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 3 {
			t.Errorf("%d contacts, want 3", n)
		}
	})
}

func TestImportLeadsAccountsProductsOrders(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()

		lds := c.run(t, p, "leads", "Nama,Perusahaan,Surel,No. WA,Rating,Status\n"+
			"Dewi Lestari,Toko Makmur,dewi@makmur.co.id,0812 1111 0000,Panas,\n"+
			"Eko,,eko@contoh.co.id,,warm,converted\n"+
			"Dewi L.,Toko Makmur,dewi@makmur.co.id,,,\n", imports.Skip, false, nil)
		if lds.Counts != (imports.Counts{Created: 1, Skipped: 1, Failed: 1}) {
			t.Errorf("leads: %+v", lds.Counts)
		}
		if got := c.failures(t, lds.ID); len(got) != 1 || !strings.HasPrefix(got[0], `row 3: field status (column "Status"): becomes converted only by converting`) {
			t.Errorf("lead failures: %q", got)
		}
		var rating, status, last string
		if err := c.DB.Read().QueryRow("SELECT rating, status, last_name FROM leads").Scan(&rating, &status, &last); err != nil || rating != "hot" || status != "new" || last != "Lestari" {
			t.Errorf("lead: %s %s %s %v", rating, status, last, err)
		}

		accs := c.run(t, p, "accounts", "Nama Perusahaan,Domain,Jumlah Karyawan,Industri\n"+
			"PT Sinar,https://www.sinar.co.id/tentang,1.250,Manufaktur\n"+
			"PT Sinar Baru,sinar.co.id,,\n"+
			"pt sinar,,,\n", imports.Skip, false, nil)
		if accs.Counts != (imports.Counts{Created: 1, Skipped: 2}) {
			t.Errorf("accounts: %+v %q", accs.Counts, c.failures(t, accs.ID))
		}
		var employees int
		var domain string
		if err := c.DB.Read().QueryRow("SELECT employees, domain FROM accounts WHERE name = 'PT Sinar'").Scan(&employees, &domain); err != nil || employees != 1250 || domain != "sinar.co.id" {
			t.Errorf("account: %d %s %v", employees, domain, err)
		}

		prods := c.run(t, p, "products", "SKU;Nama Produk;Harga;Aktif\nKP-01;Kopi Toraja 250 g;Rp 85.000;Ya\nkp-01;Kopi Toraja;Rp 90.000;Ya\nTH-02;Teh Melati;12,5;tidak\n", imports.Update, false, nil)
		if prods.Counts != (imports.Counts{Created: 2, Updated: 1}) {
			t.Errorf("products: %+v %q", prods.Counts, c.failures(t, prods.ID))
		}
		list, err := c.Store.List(ctx, p, c.entity(t, "products"), records.Query{Filter: `sku = "KP-01"`})
		if err != nil || len(list.Items) != 1 || list.Items[0].Int("unit_price") != 9_000_000 || list.Items[0].String("name") != "Kopi Toraja" {
			t.Errorf("product KP-01: %+v %v", list.Items, err)
		}

		if _, err := c.Store.Create(ctx, p, c.entity(t, "contacts"), records.Input{"first_name": "Budi", "emails": []any{"budi@contoh.co.id"}}); err != nil {
			t.Fatal(err)
		}
		ords := c.run(t, p, "orders", "Email,Tanggal Pesanan,Status,Catatan\nbudi@contoh.co.id,2026-03-01,Dikonfirmasi,Lewat WA\nsiapa@contoh.co.id,2026-03-02,,\n", imports.Skip, false, nil)
		if ords.Counts != (imports.Counts{Created: 1, Failed: 1}) {
			t.Errorf("orders: %+v %q", ords.Counts, c.failures(t, ords.ID))
		}
		if got := c.failures(t, ords.ID); len(got) != 1 || got[0] != `row 3: field contact_id (column "Email"): no contact has the e-mail address "siapa@contoh.co.id"` {
			t.Errorf("order failures %q", got)
		}
	})
}

// An import that stops — here its context ends after two batches — leaves
// only whole batches behind and resumes after the last one: every row ends
// up imported exactly once.
func TestResumeAfterInterruption(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		p := c.Admin.Principal()
		var b strings.Builder
		b.WriteString("Nama,Surel,Telepon\n")
		for i := range 30 {
			b.WriteString("Orang " + itoa(int64(i)) + ",orang" + itoa(int64(i)) + "@contoh.co.id,0812" + pad(i) + "\n")
		}
		imp := c.upload(t, p, "contacts", "orang.csv", b.String())
		imp, err := c.M.Configure(context.Background(), p, imp.ID, imp.Mapping, imports.Options{}, false)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		imp, err = c.M.Run(ctx, imp.ID, func(imports.Import) {
			if batches++; batches == 2 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || imp.Status != imports.Failed || imp.Checkpoint != 8 {
			t.Fatalf("interrupted run: %v, %s at %d", err, imp.Status, imp.Checkpoint)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); n != 8 {
			t.Fatalf("%d contacts after two batches of 4", n)
		}
		imp, err = c.M.Run(context.Background(), imp.ID, nil)
		if err != nil || imp.Status != imports.Done || imp.Counts.Created != 30 {
			t.Fatalf("resumed: %v %s %+v", err, imp.Status, imp.Counts)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); n != 30 {
			t.Errorf("%d contacts, want 30", n)
		}
		if n := c.count(t, "SELECT COUNT(DISTINCT row_number) FROM import_items WHERE import_id = $1", imp.ID); n != 30 {
			t.Errorf("%d rows recorded, want 30", n)
		}
	})
}

// Two runs of one import at once (a worker and a CLI resume) never write a
// row twice: each batch commits only from the checkpoint it started at.
func TestTwoRunsOfOneImport(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		p := c.Admin.Principal()
		var b strings.Builder
		b.WriteString("Nama,Surel\n")
		for i := range 40 {
			b.WriteString("Orang " + itoa(int64(i)) + ",orang" + itoa(int64(i)) + "@contoh.co.id\n")
		}
		imp := c.upload(t, p, "contacts", "orang.csv", b.String())
		if _, err := c.M.Configure(context.Background(), p, imp.ID, imp.Mapping, imports.Options{}, false); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { c.M.Run(context.Background(), imp.ID, nil) })
		}
		wg.Wait()
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); n != 40 {
			t.Errorf("%d contacts, want 40", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM import_items WHERE import_id = $1", imp.ID); n != 40 {
			t.Errorf("%d items, want 40", n)
		}
		got, err := c.M.Get(context.Background(), p, imp.ID)
		if err != nil || got.Status != imports.Done || got.Counts.Created != 40 {
			t.Errorf("import: %s %+v %v", got.Status, got.Counts, err)
		}
	})
}

func TestImportAsAnotherUser(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		sales, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		// Tono names another user, whom a sales user may not give records
		// to: rejected, on the owner field. Uli's owner is no user: the
		// record goes to the importer (the default for unknown owners).
		imp := c.run(t, sales.Principal(), "contacts", "Nama,Pemilik\nRina,\nTono,sari@example.co.id\nUli,nobody@example.co.id\n", imports.Skip, false, nil)
		if f := c.failures(t, imp.ID); imp.Counts.Created != 2 || imp.Counts.Failed != 1 || len(f) != 1 ||
			f[0] != `row 3: field owner_id (column "Pemilik"): names Sari as the owner, and your role (sales) may not give records to other users` {
			t.Errorf("%+v: %q", imp.Counts, f)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE first_name = 'Uli' AND owner_id = $1", sales.ID); n != 1 {
			t.Error("a row with an unknown owner did not go to the importer")
		}
		var owner int64
		if err := c.DB.Read().QueryRow("SELECT owner_id FROM contacts WHERE first_name = 'Rina'").Scan(&owner); err != nil || owner != sales.ID {
			t.Errorf("Rina's owner %d, want the importing user %d", owner, sales.ID)
		}
		if _, err := c.M.Get(ctx, auth.Principal{UserID: 999, Role: auth.Sales}, imp.ID); err == nil {
			t.Error("another sales user sees the import")
		}
		if _, err := c.M.Get(ctx, c.Admin.Principal(), imp.ID); err != nil {
			t.Errorf("the admin does not see it: %v", err)
		}
		// An administrator's import keeps an empty owner empty.
		c.run(t, c.Admin.Principal(), "contacts", "Nama,Pemilik\nWati,\n", imports.Skip, false, nil)
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE first_name = 'Wati' AND owner_id IS NULL"); n != 1 {
			t.Error("an empty owner cell did not leave the contact without an owner")
		}
		ro, _ := c.Auth.CreateUser(ctx, auth.NewUser{Email: "ro@example.co.id", Name: "RO", Password: "rahasia-123", Role: auth.ReadOnly})
		if _, err := c.M.Upload(ctx, ro.Principal(), "contacts", "x.csv", strings.NewReader("Nama\nA\n"), ""); err == nil {
			t.Error("a read-only user uploaded an import")
		}
	})
}

func pad(i int) string {
	s := itoa(int64(i))
	return strings.Repeat("0", 8-len(s)) + s
}

// Rows that pass the fields' rules but fail a save hook (a lead imported
// as converted) make their batch start over without them; a batch where
// many do finishes row by row.
func TestRowsFailingLate(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		var b strings.Builder
		b.WriteString("Nama,Surel,Status\n")
		for i := range 9 {
			status := "converted"
			if i == 1 || i == 8 {
				status = "new"
			}
			b.WriteString("Orang " + itoa(int64(i)) + ",o" + itoa(int64(i)) + "@contoh.co.id," + status + "\n")
		}
		imp := c.run(t, c.Admin.Principal(), "leads", b.String(), imports.Skip, false, nil)
		if imp.Counts != (imports.Counts{Created: 2, Failed: 7}) {
			t.Fatalf("%+v: %q", imp.Counts, c.failures(t, imp.ID))
		}
		if n := c.count(t, "SELECT COUNT(*) FROM leads"); n != 2 {
			t.Errorf("%d leads, want 2", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM record_changes WHERE entity = 'leads' AND action = 'created'"); n != 2 {
			t.Errorf("%d history rows of leads, want 2: a failed row left a trace", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM search_docs WHERE entity = 'leads'"); n != 2 {
			t.Errorf("%d leads in search, want 2: a failed row left a trace", n)
		}
	})
}
