package demo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The demo keeps the same side tables the API keeps: every contact's
// e-mails and phones are in the lookup tables and it can be found by search.
func TestFillIsConsistent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := Fill(ctx, db, Options{Contacts: 300, Seed: 7, Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if res.Contacts != 300 || res.Accounts != 30 || res.Users != len(demoUsers) {
			t.Fatalf("result %+v", res)
		}
		var contacts, emails, phones, docs, orphans int
		q := db.Read()
		q.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&contacts)
		q.QueryRowContext(ctx, "SELECT count(DISTINCT contact_id) FROM contact_emails").Scan(&emails)
		q.QueryRowContext(ctx, "SELECT count(DISTINCT contact_id) FROM contact_phones").Scan(&phones)
		q.QueryRowContext(ctx, "SELECT count(*) FROM search_docs WHERE entity = 'contacts'").Scan(&docs)
		q.QueryRowContext(ctx, "SELECT count(*) FROM contacts c WHERE c.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.account_id)").Scan(&orphans)
		if contacts != 300 || emails != 300 || phones != 300 || docs != 300 || orphans != 0 {
			t.Fatalf("contacts %d, with e-mails %d, with phones %d, search docs %d, orphans %d", contacts, emails, phones, docs, orphans)
		}
		// New records after the demo get fresh IDs (PostgreSQL sequences moved on).
		var id int64
		if err := db.Writer().QueryRowContext(ctx, "INSERT INTO accounts (name, custom, created_at, updated_at) VALUES ('x', '{}', $1, $1) RETURNING id", time.Now()).Scan(&id); err != nil || id != 31 {
			t.Fatalf("next account id = %d, %v; want 31", id, err)
		}
		// Same seed, same data.
		var first string
		q.QueryRowContext(ctx, "SELECT first_name || ' ' || last_name FROM contacts WHERE id = 1").Scan(&first)
		if first == "" {
			t.Fatal("contact 1 has no name")
		}
	})
}

func BenchmarkFill(b *testing.B) {
	for b.Loop() {
		db := storetest.Open(b, store.SQLite)
		if _, err := Fill(context.Background(), db, Options{Contacts: 20000, Seed: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
			b.Fatal(err)
		}
	}
}
