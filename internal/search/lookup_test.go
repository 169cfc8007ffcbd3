package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
)

// lookup is search.Lookup as "title" strings.
func lookup(t *testing.T, s *recordstest.Server, entity, q string, limit int) []string {
	t.Helper()
	hits, err := search.Lookup(context.Background(), s.DB, s.Admin.Principal(), entity, q, limit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hits {
		if h.Entity != entity {
			t.Errorf("a lookup of %s gave a hit of %s", entity, h.Entity)
		}
		out = append(out, h.Title)
	}
	return out
}

// TestLookupOneEntityNamesFirst: a picker's lookup holds one entity's
// records, those whose name matches first, and finds a record by its other
// words (an e-mail) too.
func TestLookupOneEntityNamesFirst(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		tok := s.AdminToken
		create(t, s, tok, "accounts", map[string]any{"name": "PT Maju Jaya"})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Rina", "last_name": "Wati", "emails": []string{"rina@maju.co.id"}})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Maju", "last_name": "Santoso"})

		if got := lookup(t, s, "accounts", "maju", 10); !slices.Equal(got, []string{"PT Maju Jaya"}) {
			t.Errorf("accounts for maju: %q, want only the account", got)
		}
		if got := lookup(t, s, "contacts", "maju", 10); !slices.Equal(got, []string{"Maju Santoso", "Rina Wati"}) {
			t.Errorf("contacts for maju: %q, want the name first, then the e-mail's", got)
		}
		if got := lookup(t, s, "contacts", "maju", 1); !slices.Equal(got, []string{"Maju Santoso"}) {
			t.Errorf("contacts for maju, limit 1: %q", got)
		}
	})
}
