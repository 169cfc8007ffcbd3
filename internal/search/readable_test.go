package search_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// hitFor searches as the admin and returns the one hit titled title.
func hitFor(t *testing.T, s *recordstest.Server, q, title string) search.Hit {
	t.Helper()
	var res struct{ Items []search.Hit }
	s.Do(t, s.AdminToken, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Want(t, http.StatusOK).JSON(t, &res)
	for _, h := range res.Items {
		if h.Title == title {
			return h
		}
	}
	t.Fatalf("search %q: no hit %q in %+v", q, title, res.Items)
	return search.Hit{}
}

// A hit reads as its record's page does: the name, then the company, an
// e-mail and a phone written as people write them, and — when the query
// was not the name — which field it matched.
func TestSearchHitIsReadable(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			hitIsReadable(t, recordstest.New(t, engine, func(s *recordstest.Server) {
				acc := accounts.Entity(engine)
				// As the app wires it: a rename rebuilds the contacts' documents.
				accounts.OnRename(acc, engine, contacts.ReindexAccount)
				records.RegisterAPI(s.Router, s.Store, acc)
				records.RegisterAPI(s.Router, s.Store, contacts.Entity(engine))
				search.RegisterAPI(s.Router, s.DB)
			}))
		})
	}
}

func hitIsReadable(t *testing.T, s *recordstest.Server) {
	tok := s.AdminToken
	acc := create(t, s, tok, "accounts", map[string]any{"name": "PT Maju Jaya", "domain": "majujaya.co.id", "phone": "(021) 555-1234"})
	create(t, s, tok, "contacts", map[string]any{"first_name": "Budi", "last_name": "Purnomo", "emails": []string{"budi@gmail.com", "purnomo@kantor.id"},
		"phones": []string{"0812-3456-7890"}, "account_id": acc["id"], "job_title": "Kepala Gudang", "city": "Semarang"})

	for _, tc := range []struct {
		q      string
		detail string
		match  *search.Field
	}{
		// By name: the name matched, the line says who and how to reach.
		{"Purnomo", "PT Maju Jaya · budi@gmail.com · 0812-3456-7890", nil},
		{"budi purn", "PT Maju Jaya · budi@gmail.com · 0812-3456-7890", nil},
		// By e-mail: that address, labelled; the line leaves it out.
		{"budi@gmail.com", "PT Maju Jaya · purnomo@kantor.id · 0812-3456-7890", &search.Field{Name: "email", Value: "budi@gmail.com"}},
		{"kantor", "PT Maju Jaya · budi@gmail.com · 0812-3456-7890", &search.Field{Name: "email", Value: "purnomo@kantor.id"}},
		// By phone, in any form typed: the number as the page shows it.
		{"0812 3456", "PT Maju Jaya · budi@gmail.com", &search.Field{Name: "phone", Value: "0812-3456-7890"}},
		{"+62 812-3456-7890", "PT Maju Jaya · budi@gmail.com", &search.Field{Name: "phone", Value: "0812-3456-7890"}},
		// By what only the record's page shows.
		{"gudang", "PT Maju Jaya · budi@gmail.com · 0812-3456-7890", &search.Field{Name: "job_title", Value: "Kepala Gudang"}},
	} {
		h := hitFor(t, s, tc.q, "Budi Purnomo")
		if h.Detail != tc.detail {
			t.Errorf("search %q: detail %q, want %q", tc.q, h.Detail, tc.detail)
		}
		if (h.Match == nil) != (tc.match == nil) || (h.Match != nil && *h.Match != *tc.match) {
			t.Errorf("search %q: match %+v, want %+v", tc.q, h.Match, tc.match)
		}
	}
	h := hitFor(t, s, "Purnomo", "Budi Purnomo")
	want := []search.Field{{Name: "company", Value: "PT Maju Jaya"}, {Name: "email", Value: "budi@gmail.com"}, {Name: "phone", Value: "0812-3456-7890"}}
	if !slices.Equal(h.Fields, want) {
		t.Errorf("fields %+v, want %+v", h.Fields, want)
	}

	// The account's hit: its domain and its number as its page shows it.
	a := hitFor(t, s, "021 555", "PT Maju Jaya")
	if a.Detail != "majujaya.co.id" || a.Match == nil || *a.Match != (search.Field{Name: "phone", Value: "(021) 5551234"}) {
		t.Errorf("account hit %+v", a)
	}

	// A rename of the account reaches its contacts' lines.
	s.Do(t, tok, "PATCH", "/api/v1/accounts/"+fmt.Sprint(acc["id"]), map[string]any{"name": "PT Maju Bersama"}).Want(t, http.StatusOK)
	if h := hitFor(t, s, "Purnomo", "Budi Purnomo"); h.Detail != "PT Maju Bersama · budi@gmail.com · 0812-3456-7890" {
		t.Errorf("after the account's rename: %q", h.Detail)
	}
}

// Hits group by type, people first, each group in rank order with its
// count.
func TestSearchGroupsHitsByType(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		tok := s.AdminToken
		create(t, s, tok, "accounts", map[string]any{"name": "CV Sentosa Abadi"})
		for _, n := range []string{"Andi Sentosa", "Rina Sentosa", "Joko Sentosa"} {
			create(t, s, tok, "contacts", map[string]any{"first_name": n})
		}
		hits, err := search.Search(t.Context(), s.DB, s.Admin.Principal(), "sentosa", 20)
		if err != nil {
			t.Fatal(err)
		}
		groups := search.GroupHits(hits, 2)
		var got []string
		for _, g := range groups {
			var titles []string
			for _, h := range g.Hits {
				titles = append(titles, h.Title)
			}
			got = append(got, g.Entity)
			if g.Entity == "contacts" && (g.Count != 3 || len(g.Hits) != 2 || !g.More()) {
				t.Errorf("contacts group: count %d, shows %v, more %v; want 3, two shown, more", g.Count, titles, g.More())
			}
			if g.Entity == "accounts" && (g.Count != 1 || g.More() || !slices.Equal(titles, []string{"CV Sentosa Abadi"})) {
				t.Errorf("accounts group: count %d, shows %v", g.Count, titles)
			}
		}
		if !slices.Equal(got, []string{"contacts", "accounts"}) {
			t.Errorf("groups %v, want contacts then accounts", got)
		}
		// One type only.
		only, err := search.SearchEntity(t.Context(), s.DB, s.Admin.Principal(), "accounts", "sentosa", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(only) != 1 || only[0].Entity != "accounts" {
			t.Errorf("accounts only: %+v", only)
		}
	})
}

// Documents written before migration 00025 get their readable detail
// from their records when it runs.
func TestSearchDetailBackfill(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 23); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Second)
			w := db.Writer()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := w.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO accounts (id, name, created_at, updated_at) VALUES (1, 'PT Maju Jaya', $1, $1)`, now)
			exec(`INSERT INTO contacts (id, first_name, last_name, emails, phones, account_id, created_at, updated_at)
				VALUES (1, 'Budi', 'Purnomo', '["budi@gmail.com"]', '["+6281234567890"]', 1, $1, $1)`, now)
			exec(`INSERT INTO orders (id, number, ordered_at, status, created_at, updated_at) VALUES (1, 'SO-202601-00007', '2026-01-05', 'paid', $1, $1)`, now)
			exec(`INSERT INTO products (id, name, sku, category, created_at, updated_at) VALUES (1, 'Kopi Toraja', 'KOP-200', 'Minuman', $1, $1)`, now)
			exec(`INSERT INTO external_ids (entity, record_id, system, external_id, created_at) VALUES ('contacts', 1, 'hubspot', '1025', $1)`, now)
			// The documents as the release before wrote them: words only.
			docs := [][3]any{
				{"contacts", 1, "Budi Purnomo|budi@gmail.com budi gmail com 6281234567890 081234567890 PT Maju Jaya hubspot:1025 hubspot 1025"},
				{"accounts", 1, "PT Maju Jaya|"},
				{"orders", 1, "SO-202601-00007|SO 202601 00007"},
				{"products", 1, "Kopi Toraja|KOP-200 KOP 200 Minuman"},
			}
			for i, d := range docs {
				title, body, _ := strings.Cut(d[2].(string), "|")
				if engine == store.Postgres {
					exec(`INSERT INTO search_docs (entity, record_id, owner_id, title, body) VALUES ($1, $2, NULL, $3, $4)`, d[0], d[1], title, body)
					continue
				}
				exec(`INSERT INTO search_fts (rowid, title, body, entity, record_id, owner_id) VALUES ($1, $2, $3, $4, $5, NULL)`, i+1, title, body, d[0], d[1])
				exec(`INSERT INTO search_docs (entity, record_id, fts_rowid) VALUES ($1, $2, $3)`, d[0], d[1], i+1)
			}
			if _, err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), t.TempDir()); err != nil {
				t.Fatal(err)
			}
			admin := auth.Principal{UserID: 1, Role: auth.Admin}
			for _, tc := range []struct {
				q, title, detail string
				match            *search.Field
			}{
				{"gmail", "Budi Purnomo", "PT Maju Jaya · 0812-3456-7890", &search.Field{Name: "email", Value: "budi@gmail.com"}},
				{"081234", "Budi Purnomo", "PT Maju Jaya · budi@gmail.com", &search.Field{Name: "phone", Value: "0812-3456-7890"}},
				{"hubspot:1025", "Budi Purnomo", "PT Maju Jaya · budi@gmail.com · 0812-3456-7890", &search.Field{Name: "external_id", Value: "hubspot:1025"}},
				{"00007", "SO-202601-00007", "paid", nil},
				{"KOP-200", "Kopi Toraja", "Minuman", &search.Field{Name: "sku", Value: "KOP-200"}},
			} {
				hits, err := search.Search(ctx, db, admin, tc.q, 10)
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(hits, func(h search.Hit) bool { return h.Title == tc.title })
				if i < 0 {
					t.Errorf("search %q: no %q in %+v", tc.q, tc.title, hits)
					continue
				}
				h := hits[i]
				if h.Detail != tc.detail || (h.Match == nil) != (tc.match == nil) || (h.Match != nil && *h.Match != *tc.match) {
					t.Errorf("search %q: detail %q match %+v, want %q %+v", tc.q, h.Detail, h.Match, tc.detail, tc.match)
				}
			}
		})
	}
}
