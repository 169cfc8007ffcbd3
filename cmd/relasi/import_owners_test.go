package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/store/storetest"
)

// An export of another CRM keeps its owners, creation times and IDs;
// --unknown-owner says who gets the rows of owners who are no user.
func TestImportFromAnotherCRM(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--name", "Ayu Lestari", "--password", "rahasia-123", "--role", "admin")
			in.mustRun(t, "user", "create", "--email", "joko@example.co.id", "--name", "Joko", "--password", "rahasia-123", "--role", "sales")
			path := filepath.Join(in.dir, "hubspot.csv")
			os.WriteFile(path, []byte("Record ID,First Name,Email,Contact owner,Lifecycle Stage,Create Date\n"+
				"501,Budi,budi@maju.co.id,Ayu Lestari,customer,2021-03-05 09:12\n"+
				"502,Rina,rina@maju.co.id,Agus Salim,lead,2020-01-02\n"), 0o600)

			rejected := in.run(t, "", "import", "contacts", path, "--unknown-owner", "reject")
			if rejected.code != 0 || counts(rejected.stdout)["created"] != 1 || counts(rejected.stdout)["failed"] != 1 ||
				!strings.Contains(rejected.stderr, "1 rows name an owner who is no Relasi user: Agus Salim (1); they are rejected") ||
				!strings.Contains(rejected.stderr, "External IDs are kept as hubspot:ID.") {
				t.Fatalf("--unknown-owner reject\n%s", rejected)
			}
			joko := in.run(t, "", "import", "contacts", path, "--unknown-owner", "joko@example.co.id", "--on-duplicate", "update")
			if joko.code != 0 || counts(joko.stdout)["created"] != 1 || counts(joko.stdout)["failed"] != 0 {
				t.Fatalf("--unknown-owner EMAIL\n%s", joko)
			}
			db := in.openDB(t)
			if n := queryInt(t, db, `SELECT COUNT(*) FROM contacts c JOIN users u ON u.id = c.owner_id WHERE c.first_name = 'Rina' AND u.email = 'joko@example.co.id'`); n != 1 {
				t.Error("Rina does not belong to Joko")
			}
			if n := queryInt(t, db, `SELECT COUNT(*) FROM external_ids WHERE system = 'hubspot'`); n != 2 {
				t.Errorf("%d external IDs, want 2", n)
			}
			if n := queryInt(t, db, `SELECT COUNT(*) FROM contacts WHERE created_at < '2022-01-01'`); n != 2 {
				t.Errorf("%d contacts kept their creation time, want 2", n)
			}
			if r := in.run(t, "", "import", "contacts", path, "--unknown-owner", "nobody"); r.code == 0 || !strings.Contains(r.stderr, "--unknown-owner") {
				t.Errorf("a bad --unknown-owner\n%s", r)
			}
			if r := in.run(t, "", "import", "contacts", path, "--external-system", "Hub Spot!"); r.code == 0 || !strings.Contains(r.stderr, "--external-system must be a short lower-case name") {
				t.Errorf("a bad --external-system\n%s", r)
			}
		})
	}
}
