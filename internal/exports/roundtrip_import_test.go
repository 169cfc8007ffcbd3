package exports

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// Export → import into an empty database loses nothing: accounts, then
// contacts, exported from a database of demo data and imported with the
// mapping the import guesses from the headers, come out with every value
// they went in with — references by the account's name and the owner's
// e-mail. The empty database has what an import does not bring: the same
// users (by e-mail) and the same custom fields.
func TestExportImportsIntoAnEmptyDatabase(t *testing.T) {
	for _, engine := range storetest.Engines() {
		for _, format := range []Format{CSV, XLSX} {
			t.Run(string(engine)+"/"+string(format), func(t *testing.T) {
				ctx := context.Background()
				from := filledCRM(t, engine)
				to := newCRM(t, engine)
				to.customFields(t)
				users, err := userEmails(ctx, from.db)
				if err != nil {
					t.Fatal(err)
				}
				for _, email := range users {
					if _, err := to.auth.GetUserByEmail(ctx, email); err != nil {
						to.user(t, email, email, "sales")
					}
				}
				catalog, err := i18n.Load()
				if err != nil {
					t.Fatal(err)
				}
				m := imports.New(to.store, to.auth, to.reg, imports.Config{DataDir: t.TempDir(), Catalog: catalog})

				for _, e := range []*records.Entity{from.accounts, from.contacts} {
					file := from.export(t, from.admin, Request{Entity: e, Format: format})
					imp, err := m.Upload(ctx, to.admin, e.Name, e.Name+"."+string(format), bytes.NewReader(file), "")
					if err != nil {
						t.Fatalf("upload %s: %v", e.Name, err)
					}
					if imp, err = m.Configure(ctx, to.admin, imp.ID, imp.Mapping, imports.Options{OnDuplicate: imports.Create}, false); err != nil {
						t.Fatalf("configure the import of %s: %v", e.Name, err)
					}
					imp, err = m.Run(ctx, imp.ID, nil)
					if err != nil {
						t.Fatalf("import %s: %v", e.Name, err)
					}
					if imp.Counts.Failed != 0 || imp.Counts.Skipped != 0 {
						failures, _ := m.Failures(ctx, imp.ID, 10, true)
						t.Fatalf("import of %s: %+v; first failures: %+v", e.Name, imp.Counts, failures)
					}

					want, got := fingerprints(t, from, e, users), fingerprints(t, to, e, nil)
					if len(got) != len(want) {
						t.Fatalf("%s: %d records after the import, %d exported", e.Name, len(got), len(want))
					}
					lost, changed := missing(want, got), missing(got, want)
					for i := range min(len(lost), 3) {
						t.Errorf("%s: %d of %d records changed on the way, e.g. %s", e.Name, len(lost), len(want), difference(lost[i], changed))
					}
				}
			})
		}
	}
}

// fingerprints are the records of an entity as text, sorted: every field
// an import sets, references by the name or e-mail they are found by.
func fingerprints(t testing.TB, c *crm, e *records.Entity, users map[int64]string) []string {
	t.Helper()
	ctx := context.Background()
	if users == nil {
		var err error
		if users, err = userEmails(ctx, c.db); err != nil {
			t.Fatal(err)
		}
	}
	fields, err := c.store.Fields(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range listAll(t, c, e) {
		var b strings.Builder
		for _, f := range fields {
			if f.ReadOnly {
				continue
			}
			v := r.Get(f.Name)
			switch f.Kind {
			case records.Ref:
				v = r.Titles[f.Name]
			case records.User:
				v = users[r.OwnerID]
			}
			fmt.Fprintf(&b, "%s=%#v; ", f.Name, v)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// difference describes how a lost record came out of the import: the
// fields in which the imported record most like it differs.
func difference(lost string, changed []string) string {
	was := strings.Split(lost, "; ")
	best, bestSame := []string(nil), -1
	for _, c := range changed {
		now := strings.Split(c, "; ")
		same := 0
		for i := range min(len(was), len(now)) {
			if was[i] == now[i] {
				same++
			}
		}
		if same > bestSame {
			best, bestSame = now, same
		}
	}
	var diffs []string
	for i := range min(len(was), len(best)) {
		if was[i] != best[i] {
			diffs = append(diffs, fmt.Sprintf("exported %s, imported %s", was[i], best[i]))
		}
	}
	return fmt.Sprintf("%s %s: %s", was[0], was[1], strings.Join(diffs, "; "))
}

// missing returns the entries of a (sorted) that b (sorted) lacks, as
// multisets.
func missing(a, b []string) []string {
	var out []string
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			j++
			continue
		}
		out = append(out, x)
	}
	return out
}
