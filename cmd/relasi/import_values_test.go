package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/store/storetest"
)

// A mapping file says what the values of choice columns become; what it
// leaves out is guessed, and the values nothing matches are shown before
// the import runs and reject their rows.
func TestImportMappingFileValues(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := newInstallation(t, engine)
			in.mustRun(t, "user", "create", "--email", "ayu@example.co.id", "--password", "rahasia-123", "--role", "admin")
			file := filepath.Join(in.dir, "salesforce-leads.csv")
			os.WriteFile(file, []byte(`First Name,Last Name,Company,Email,Lead Source,Lead Status,Rating
Ani,Wijaya,PT Maju,ani@maju.co.id,Web,Open - Not Contacted,Hot
Budi,Santoso,PT Maju,budi@maju.co.id,Phone Inquiry,Working - Contacted,Warm
Citra,Lestari,CV Jaya,citra@jaya.co.id,Seminar,Closed - Not Converted,Cold
Dedi,Kusuma,CV Jaya,dedi@jaya.co.id,Seminar,Closed - Converted,Cold
Eka,Putri,PT Sinar,eka@sinar.co.id,Billboard,Open - Not Contacted,Warm
`), 0o600)

			guessed := in.run(t, "", "import", "leads", file, "--dry-run")
			if guessed.code != 0 || !regexp.MustCompile(`Billboard\s+1\s+\(rejected: matches no choice\)`).MatchString(guessed.stderr) ||
				!regexp.MustCompile(`Closed - Converted\s+1\s+converted`).MatchString(guessed.stderr) ||
				!strings.Contains(guessed.stderr, `Warning: 1 rows of column "Lead Source" will be rejected`) {
				t.Fatalf("guessed values\n%s", guessed)
			}
			if c := counts(guessed.stdout); c["created"] != 3 || c["failed"] != 2 {
				t.Errorf("guessed: %v\n%s", c, guessed)
			}

			mapping := filepath.Join(in.dir, "mapping.json")
			os.WriteFile(mapping, []byte(`{"Company": "company",
				"Lead Source": {"values": {"Billboard": "ads", "seminar": "!empty"}},
				"Lead Status": {"field": "status", "values": {"Closed - Converted": "qualified", "Working - Contacted": "!reject"}}}`), 0o600)
			imp := in.run(t, "", "import", "leads", file, "--mapping", mapping)
			if imp.code != 0 || !regexp.MustCompile(`Billboard\s+1\s+ads`).MatchString(imp.stderr) || !regexp.MustCompile(`Seminar\s+2\s+\(left empty\)`).MatchString(imp.stderr) {
				t.Fatalf("import with the mapping file\n%s", imp)
			}
			if c := counts(imp.stdout); c["created"] != 4 || c["failed"] != 1 {
				t.Errorf("import: %v\n%s", c, imp)
			}
			db := in.openDB(t)
			if n := queryInt(t, db, "SELECT COUNT(*) FROM leads WHERE source IS NULL"); n != 2 {
				t.Errorf("%d leads without a source, want 2", n)
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM leads WHERE source = 'ads' AND email = 'eka@sinar.co.id'"); n != 1 {
				t.Error("Billboard did not become ads")
			}
			if n := queryInt(t, db, "SELECT COUNT(*) FROM leads WHERE status = 'qualified' AND email = 'dedi@jaya.co.id'"); n != 1 {
				t.Error("Closed - Converted did not become qualified")
			}
			report := in.mustRun(t, "import", "--errors", "2")
			if !strings.Contains(report, `Budi,Santoso`) || !strings.Contains(report, `holds ""Working - Contacted"", a value the import was told to reject`) {
				t.Errorf("error report:\n%s", report)
			}

			os.WriteFile(mapping, []byte(`{"Lead Source": {"values": {"Billboard": "papan reklame"}}}`), 0o600)
			if bad := in.run(t, "", "import", "leads", file, "--mapping", mapping, "--dry-run"); bad.code == 0 || !strings.Contains(bad.stderr, `the value "Billboard" of field source: must be one of: web_form,`) {
				t.Errorf("a decision that is no choice\n%s", bad)
			}
			os.WriteFile(mapping, []byte(`{"Email": {"values": {"x": "y"}}}`), 0o600)
			if bad := in.run(t, "", "import", "leads", file, "--mapping", mapping, "--dry-run"); bad.code == 0 || !strings.Contains(bad.stderr, "goes into no choice field") {
				t.Errorf("values for a column of no choice field\n%s", bad)
			}
		})
	}
}
