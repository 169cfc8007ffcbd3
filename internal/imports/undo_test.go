package imports_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
)

func TestUndoTakesBackExactlyWhatTheImportDid(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		contacts := c.entity(t, "contacts")
		before, err := c.Store.Create(ctx, p, contacts, records.Input{"first_name": "Budi", "emails": []any{"budi@contoh.co.id"},
			"city": "Jakarta", "tags": []any{"vip"}, "job_title": "Manajer"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := c.Store.Create(ctx, p, contacts, records.Input{"first_name": "Lain", "emails": []any{"lain@contoh.co.id"}})
		if err != nil {
			t.Fatal(err)
		}
		file := "Nama,Surel,Kota,Jabatan,Label,Perusahaan\n" +
			"Budi,budi@contoh.co.id,Bandung,Direktur,baru,\n" +
			"Siti,siti@contoh.co.id,Medan,,,PT Baru\n" +
			"Tono,tono@contoh.co.id,Solo,,,PT Lama\n" +
			"Siti Rahma,siti@contoh.co.id,,Staf,,\n"
		imp := c.run(t, p, "contacts", file, imports.Update, false, nil)
		if imp.Counts != (imports.Counts{Created: 2, Updated: 2, Related: 2}) {
			t.Fatalf("import: %+v %q", imp.Counts, c.failures(t, imp.ID))
		}
		// After the import someone works on Tono: he stays, and so does
		// his account.
		var tono int64
		c.DB.Read().QueryRow("SELECT id FROM contacts WHERE first_name = 'Tono'").Scan(&tono)
		if _, err := c.Store.Update(ctx, p, contacts, tono, records.Input{"job_title": "Pemilik"}, 0); err != nil {
			t.Fatal(err)
		}
		// And changes Budi's city, but not his job title.
		if _, err := c.Store.Update(ctx, p, contacts, before.ID, records.Input{"city": "Surabaya"}, 0); err != nil {
			t.Fatal(err)
		}

		undone, err := c.M.Undo(ctx, p, imp.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if undone.Status != imports.Undone || undone.Counts.Undone != 4 || undone.Counts.Kept != 2 {
			t.Errorf("undo: %s %+v, want 4 undone (Siti's update, Siti, her account, Budi) and 2 kept (Tono, his account)", undone.Status, undone.Counts)
		}
		budi, err := c.Store.Get(ctx, p, contacts, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if budi.String("job_title") != "Manajer" || budi.String("city") != "Surabaya" || !reflect.DeepEqual(budi.Strings("tags"), []string{"vip"}) {
			t.Errorf("Budi after undo: %v (job title and tags back, the later city kept)", budi.Values)
		}
		live := func(q string) int { return c.count(t, q) }
		if n := live("SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 3 {
			t.Errorf("%d live contacts, want Budi, Lain and Tono", n)
		}
		if n := live("SELECT COUNT(*) FROM contacts WHERE deleted_at IS NOT NULL AND first_name = 'Siti'"); n != 1 {
			t.Errorf("Siti is not in the trash")
		}
		if n := live("SELECT COUNT(*) FROM accounts WHERE deleted_at IS NULL"); n != 1 {
			t.Errorf("%d live accounts, want only Tono's", n)
		}
		if n := live("SELECT COUNT(*) FROM contact_emails WHERE email = 'siti@contoh.co.id'"); n != 0 {
			t.Error("the trashed contact's e-mail still counts for duplicates")
		}
		if _, err := c.Store.Get(ctx, p, contacts, other.ID); err != nil {
			t.Errorf("a contact the import never touched: %v", err)
		}
		if n := live("SELECT COUNT(*) FROM record_changes WHERE entity = 'imports' AND action = 'import_undone'"); n != 1 {
			t.Errorf("%d import_undone history rows", n)
		}

		_, err = c.M.Undo(ctx, p, imp.ID, nil)
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("second undo: %v, want a conflict", err)
		}
		// The trashed contact comes back with its account link.
		var siti int64
		c.DB.Read().QueryRow("SELECT id FROM contacts WHERE first_name = 'Siti'").Scan(&siti)
		if _, err := c.Store.Restore(ctx, p, contacts, siti); err != nil {
			t.Errorf("restore from the trash: %v", err)
		}
	})
}

func TestUndoInBatchesAndRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		p := c.Admin.Principal()
		dry := c.run(t, p, "contacts", "Nama\nA\n", imports.Skip, true, nil)
		if _, err := c.M.Undo(ctx, p, dry.ID, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("undo of a dry run: %v", err)
		}
		var b []byte
		b = append(b, "Nama,Surel\n"...)
		for i := range 11 {
			b = append(b, "Orang "+itoa(int64(i))+",o"+itoa(int64(i))+"@contoh.co.id\n"...)
		}
		imp := c.run(t, p, "contacts", string(b), imports.Skip, false, nil)
		batches := 0
		undone, err := c.M.Undo(ctx, p, imp.ID, func(imports.Import) { batches++ })
		if err != nil || undone.Counts.Undone != 11 || batches != 3 {
			t.Errorf("undo: %v %+v in %d batches", err, undone.Counts, batches)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 0 {
			t.Errorf("%d contacts left", n)
		}
	})
}
