package search_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
)

// Names that begin with the words typed come first, then names that hold
// them, then records that hold them elsewhere (an e-mail, a company).
func TestSearchRanksNamesFirst(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		tok := s.AdminToken
		// Created best last, so that "newest first" alone would get it wrong.
		create(t, s, tok, "contacts", map[string]any{"first_name": "Agus", "last_name": "Wibowo", "emails": []string{"agus@budimulia.co.id"}})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Siti", "last_name": "Abudiman"})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso"})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Rina", "last_name": "Budiarti"})

		// SQLite's trigrams match inside words, PostgreSQL's prefixes only
		// at the start of one: Abudiman is found on SQLite alone (Agus on
		// both: "budimulia" is a word of his e-mail).
		want := []string{"contacts:Rina Budiarti", "contacts:Budi Santoso", "contacts:Siti Abudiman", "contacts:Agus Wibowo"}
		if s.DB.Engine == store.Postgres {
			want = slices.DeleteFunc(want, func(h string) bool { return h == "contacts:Siti Abudiman" })
		}
		got := find(t, s, tok, "budi")
		if !slices.Equal(got, want) {
			t.Errorf("search budi: %v, want %v", got, want)
		}
		if got := find(t, s, tok, "budi san"); !slices.Equal(got, []string{"contacts:Budi Santoso"}) {
			t.Errorf("search budi san: %v", got)
		}
	})
}

// A word that many records hold is answered from a bounded set of
// candidates: as many hits as asked for, each holding the word.
func TestSearchCommonWord(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		for i := range 250 {
			create(t, s, s.AdminToken, "contacts", map[string]any{"first_name": fmt.Sprintf("Jaya %d", i)})
		}
		got := find(t, s, s.AdminToken, "jaya", 100)
		if len(got) != 100 {
			t.Fatalf("%d hits, want 100", len(got))
		}
		for _, h := range got {
			if !strings.HasPrefix(h, "contacts:Jaya ") {
				t.Errorf("hit %s does not hold jaya", h)
			}
		}
		// SQLite's candidates are the newest matches; PostgreSQL's are the
		// first its index yields, newest first among themselves.
		if s.DB.Engine == store.SQLite && got[0] != "contacts:Jaya 249" {
			t.Errorf("first hit %s, want the newest, Jaya 249", got[0])
		}
	})
}
