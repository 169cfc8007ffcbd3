package duplicates_test

import (
	"context"
	"testing"

	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/records"
)

// The background refresh stores the keys of records written in bulk, so
// that the first search after an import has nothing left to compute.
func TestRefreshJobStoresKeysAhead(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		c.create(t, c.admin(), c.Contacts, records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []any{"budi@contoh.co.id"}})
		c.create(t, c.admin(), c.Contacts, records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []any{"BUDI@contoh.co.id"}})
		if n := c.count(t, "SELECT COUNT(*) FROM duplicate_keys WHERE entity = 'contacts'"); n != 0 {
			t.Fatalf("%d keys before any search or refresh", n)
		}
		w := &duplicates.RefreshWorker{Module: c.Dup}
		if err := w.Work(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM duplicate_keys WHERE entity = 'contacts' AND kind = 'email' AND value = 'budi@contoh.co.id'"); n != 2 {
			t.Errorf("%d contacts keyed by budi@contoh.co.id after the refresh, want 2", n)
		}
	})
}
