package records_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// benchContacts is how many contacts the benchmarks list and search.
const benchContacts = 20_000

var (
	benchFirst = []string{"Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Eko", "Sri", "Joko", "Wati", "Hendra", "Maria", "John", "Linda", "Ahmad"}
	benchLast  = []string{"Santoso", "Wijaya", "Saputra", "Hidayat", "Lestari", "Kusuma", "Pratama", "Nugroho", "Halim", "Tan", "Smith", "Siregar", ""}
	benchCity  = []string{"Jakarta", "Surabaya", "Bandung", "Medan", "Semarang", "Makassar", "Denpasar", "Yogyakarta"}
)

// benchDB fills a SQLite database with accounts and benchContacts
// contacts in one transaction and returns an admin. withHook runs the
// contacts module's AfterSave for each contact, writing its search
// document and lookup rows (ten times slower: eight statements a contact).
func benchDB(b *testing.B, withHook bool) (*store.DB, *records.Store, *records.Entity, auth.Principal) {
	return benchDBOf(b, benchContacts, withHook)
}

// benchDBOf is benchDB with n contacts.
func benchDBOf(b *testing.B, n int, withHook bool) (*store.DB, *records.Store, *records.Entity, auth.Principal) {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, store.SQLite)
	u, err := auth.NewService(db).CreateUser(ctx, auth.NewUser{Email: "admin@example.co.id", Name: "Admin", Password: "rahasia-123", Role: auth.Admin})
	if err != nil {
		b.Fatal(err)
	}
	p := u.Principal()
	rs := records.NewStore(db)
	con, acc := contacts.Entity(store.SQLite), accounts.Entity(store.SQLite)
	start := time.Now()
	err = db.WriteTx(ctx, func(tx *sql.Tx) error {
		var accIDs []int64
		for i := range 200 {
			r, err := rs.CreateTx(ctx, tx, p, acc, records.Input{"name": fmt.Sprintf("PT %s %s %d", benchLast[i%12], benchCity[i%8], i), "employees": json.Number(fmt.Sprint(i * 7 % 500))})
			if err != nil {
				return err
			}
			accIDs = append(accIDs, r.ID)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO contacts (first_name, last_name, emails, phones, city, lifecycle_stage, account_id, owner_id, created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $8, $8) RETURNING id`)
		if err != nil {
			return err
		}
		defer ins.Close()
		t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			first, last := benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)]
			emails := []string{fmt.Sprintf("%s.%d@contoh%d.co.id", first, i, i%50)}
			phones := []string{fmt.Sprintf("+62812%08d", i)}
			ej, _ := json.Marshal(emails)
			pj, _ := json.Marshal(phones)
			r := records.Record{OwnerID: p.UserID, Values: map[string]any{"first_name": first, "last_name": last, "emails": emails, "phones": phones,
				"city": benchCity[i%len(benchCity)], "account_id": accIDs[i%len(accIDs)]}}
			var lastName any = last
			if last == "" {
				lastName = nil
			}
			at := t0.Add(time.Duration(i) * 37 * time.Minute)
			if err := ins.QueryRowContext(ctx, first, lastName, string(ej), string(pj), r.Values["city"], contacts.LifecycleStages[i%7], r.Values["account_id"], p.UserID, at).Scan(&r.ID); err != nil {
				return err
			}
			if !withHook {
				continue
			}
			if err := con.AfterSave(ctx, tx, &records.Change{Actor: p, Action: "created", New: &r}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d contacts written in %v", n, time.Since(start).Round(time.Millisecond))
	return db, rs, con, p
}

func BenchmarkListContacts(b *testing.B) {
	_, rs, con, p := benchDB(b, false)
	ctx := context.Background()
	for _, bc := range []struct {
		name, filter, sort string
	}{
		{"newest", "", "-created_at"},
		{"filter_sort_by_name", `lifecycle_stage in ("lead", "customer") and city = "Jakarta"`, "last_name,first_name"},
		{"small_accounts", `account.employees < 50 and created_at > 2024-06-01`, "-created_at"},
		{"name_contains", `first_name contains "ewi"`, "first_name"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := records.Query{Filter: bc.filter, Page: url.Values{"limit": {"50"}, "sort": {bc.sort}}}
			first, err := rs.List(ctx, p, con, q)
			if err != nil {
				b.Fatal(err)
			}
			if len(first.Items) != 50 || first.NextCursor == "" {
				b.Fatalf("first page has %d items", len(first.Items))
			}
			for b.Loop() {
				list, err := rs.List(ctx, p, con, q)
				if err != nil || len(list.Items) != 50 {
					b.Fatalf("%d items, %v", len(list.Items), err)
				}
			}
		})
	}
	// A page deep in the list costs what the first one does: keyset, not OFFSET.
	b.Run("tenth_page", func(b *testing.B) {
		q := records.Query{Page: url.Values{"limit": {"50"}, "sort": {"last_name"}}}
		for range 9 {
			list, err := rs.List(ctx, p, con, q)
			if err != nil {
				b.Fatal(err)
			}
			q.Page.Set("cursor", list.NextCursor)
		}
		for b.Loop() {
			if _, err := rs.List(ctx, p, con, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListStartsWith is the type-ahead of the contact list at
// 100,000 contacts on SQLite: "e-mail starts with …" and "phone starts
// with …", answered from the indexes of contact_emails and contact_phones
// (migration 00022), against city = "Bandung" in the same run (which
// walks the list's order and tests each row: lower(c.city) is not the
// expression of contacts_city). A page of 50, newest first, as the list
// shows it.
//
//	go test -run '^$' -bench BenchmarkListStartsWith ./internal/records
func BenchmarkListStartsWith(b *testing.B) {
	db, rs, con, p := benchDBOf(b, 100_000, false)
	ctx := context.Background()
	// The lookup rows AfterSave would write, in one statement each.
	for _, q := range []string{
		`INSERT INTO contact_emails (contact_id, email) SELECT c.id, lower(j.value) FROM contacts c, json_each(c.emails) j`,
		`INSERT INTO contact_phones (contact_id, phone) SELECT c.id, j.value FROM contacts c, json_each(c.phones) j`,
	} {
		if _, err := db.Writer().ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name, filter string
		min          int // the least matches there are: the page is full, or holds them all
	}{
		{"city_equals", `city = "Bandung"`, 50},                                 // 12,500 contacts
		{"emails_startswith", `emails startswith "budi"`, 50},                   // 6,250 contacts
		{"emails_startswith_narrow", `emails startswith "Budi.12"`, 50},         // 71 contacts
		{"emails_startswith_none", `emails startswith "zzz"`, 0},                // none: the whole order walked
		{"phones_startswith_all", `phones startswith "0812"`, 50},               // every contact
		{"phones_startswith", `phones startswith "0812-0001"`, 50},              // 10,000 contacts
		{"phones_startswith_narrow", `phones startswith "+62 812 0009 99"`, 50}, // 100 contacts
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := records.Query{Filter: bc.filter, Page: url.Values{"limit": {"50"}}}
			first, err := rs.List(ctx, p, con, q)
			if err != nil {
				b.Fatal(err)
			}
			if len(first.Items) < bc.min {
				b.Fatalf("%s: the first page has %d items", bc.filter, len(first.Items))
			}
			for b.Loop() {
				list, err := rs.List(ctx, p, con, q)
				if err != nil || len(list.Items) != len(first.Items) {
					b.Fatalf("%d items, %v", len(list.Items), err)
				}
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	db, _, _, p := benchDB(b, true)
	ctx := context.Background()
	sales := auth.Principal{UserID: p.UserID + 1, Role: auth.Sales}
	for _, bc := range []struct {
		name, q string
		who     auth.Principal
	}{
		{"name", "Dewi Wijaya", p},
		{"email", "dewi.1203@contoh3.co.id", p},
		{"phone", "0812-0001-23", p},
		{"company", "Santoso Jakarta", p},
		{"sales_scope", "Budi", sales},
	} {
		b.Run(bc.name, func(b *testing.B) {
			hits, err := search.Search(ctx, db, bc.who, bc.q, 20)
			if err != nil {
				b.Fatal(err)
			}
			if bc.who.Role == auth.Admin && len(hits) == 0 {
				b.Fatalf("%q finds nothing", bc.q)
			}
			for b.Loop() {
				if _, err := search.Search(ctx, db, bc.who, bc.q, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
