package imports_test

import (
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// The owner, creation time and ID columns of other CRMs' exports, in
// English and Indonesian, are recognised.
func TestGuessMigrationHeaders(t *testing.T) {
	owner := records.Field{Name: "owner_id", Label: "field.owner", Kind: records.User, Column: "owner_id"}
	targets := func(e *records.Entity) []imports.Target {
		return imports.Targets(e, append(append([]records.Field{}, e.Fields...), owner), nil)
	}
	contactTargets, accountTargets := targets(contacts.Entity(store.SQLite)), targets(accounts.Entity(store.SQLite))
	for want, headers := range map[string][]string{
		"owner_id": {"Owner", "Contact owner", "Contact Owner", "Lead Owner", "Account Owner", "Deal Owner", "Record Owner",
			"Owner Email", "Owner Name", "Assigned To", "Sales Rep", "Pemilik", "Pemilik Kontak", "Sales", "PIC", "Contact owner email"},
		imports.CreatedAt: {"Create Date", "Created Date", "Created", "Created At", "created_at", "Created Time", "Date Created",
			"Add time", "Tanggal Dibuat", "Tgl Dibuat", "Dibuat"},
		imports.ExternalID: {"Record ID", "Contact ID", "Lead ID", "Deal ID", "Salesforce ID", "HubSpot ID", "Zoho ID",
			"Pipedrive ID", "External ID", "ID Lama", "external_id"},
	} {
		for _, h := range headers {
			if got := imports.Guess("contacts", []string{"Nama", h}, contactTargets)[1]; got != want {
				t.Errorf("contacts: %q → %q, want %s", h, got, want)
			}
		}
	}
	if got := imports.Guess("accounts", []string{"Account Name", "Account ID"}, accountTargets); got[1] != imports.ExternalID {
		t.Errorf("accounts: Account ID → %q", got[1])
	}
	// A bare ID is the other system's only in a file that system wrote.
	for _, tc := range []struct {
		header  []string
		system  string
		mapping []string
	}{
		{[]string{"ID", "Name", "Email"}, "", []string{"", "full_name", "emails"}},
		{[]string{"Record ID", "Name", "Lifecycle Stage"}, "hubspot", []string{imports.ExternalID, "full_name", "lifecycle_stage"}},
		{[]string{"Record Id", "Contact Owner", "Created Time", "Modified Time"}, "zoho", []string{imports.ExternalID, "owner_id", imports.CreatedAt, ""}},
		{[]string{"ID", "Name", "Owner", "Add time", "Update time"}, "pipedrive", []string{imports.ExternalID, "full_name", "owner_id", imports.CreatedAt, ""}},
		// Salesforce's Owner ID is its own user's ID, not Relasi's: the
		// owner's name is taken instead.
		{[]string{"Id", "First Name", "Owner ID", "Owner Name", "Created Date", "Mailing City"}, "salesforce",
			[]string{imports.ExternalID, "first_name", "", "owner_id", imports.CreatedAt, ""}},
	} {
		mapping, system := imports.GuessMigration("contacts", tc.header, imports.Guess("contacts", tc.header, contactTargets), contactTargets, nil)
		if system != tc.system || !equalSlices(mapping, tc.mapping) {
			t.Errorf("%v: %v from %q, want %v from %q", tc.header, mapping, system, tc.mapping, tc.system)
		}
	}
	// An 18-character Salesforce ID tells the system by itself.
	if _, system := imports.GuessMigration("contacts", []string{"External ID", "Name", "Created Date"}, []string{imports.ExternalID, "full_name", imports.CreatedAt},
		contactTargets, [][]string{{"0035g00000ABcdEAAT", "Budi", "2024-01-01"}}); system != "salesforce" {
		t.Errorf("a Salesforce ID: %q", system)
	}
}

func equalSlices(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
