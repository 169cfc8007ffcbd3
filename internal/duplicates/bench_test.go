package duplicates_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// planted is what plant put in the database: the pairs of contacts that
// are duplicates by construction.
type planted struct {
	pairs [][2]int64
}

var (
	firstNames = []string{"Budi", "Siti", "Agus", "Dewi", "Eko", "Rina", "Hendra", "Wati", "Joko", "Sri", "Andi", "Putri", "Bayu", "Lestari",
		"Fajar", "Indah", "Rudi", "Maya", "Yusuf", "Nur", "Dimas", "Ayu", "Teguh", "Fitri", "Arif", "Sari", "Hadi", "Ratna", "Bambang", "Yuni"}
	lastNames = []string{"Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Pratama", "Setiawan", "Lestari", "Susanto", "Gunawan",
		"Nugroho", "Rahayu", "Siregar", "Nasution", "Simanjuntak", "Harahap", "Tanjung", "Halim", "Salim", "Wibowo", "Hartono", "Utomo",
		"Purnomo", "Firmansyah", "Ramadhan", "Syahputra", "Hakim", "Sitompul", "Sembiring", "Ginting"}
)

// plant inserts n contacts at n/10 accounts, with dup duplicates of each
// kind: a shared e-mail, a shared phone number, and a typo in the name at
// the same account. Rows go in directly, with the lookup tables the
// contacts save hook would keep, as a bulk import does.
func plant(tb testing.TB, db *store.DB, owner int64, n, dup int) planted {
	tb.Helper()
	ctx := context.Background()
	var p planted
	now := time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC)
	err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		accounts := max(n/10, 1)
		if err := insertRows(ctx, tx, db.Engine, "accounts", []string{"id", "name", "owner_id", "created_at", "updated_at"}, accounts, func(i int) []any {
			return []any{i + 1, fmt.Sprintf("PT Akun %d", i+1), owner, now, now}
		}); err != nil {
			return err
		}
		type contact struct {
			id           int64
			first, last  string
			email, phone string
			account      int64
		}
		all := make([]contact, 0, n+3*dup)
		for i := range n {
			id := int64(i + 1)
			// Names spread by a multiplicative hash, so that people at one
			// account rarely share one by chance.
			h := uint32(i) * 2654435761
			all = append(all, contact{id: id, first: firstNames[h%30],
				last:  lastNames[(h/30)%30] + " " + lastNames[(h/900)%30],
				email: fmt.Sprintf("kontak%d@contoh.co.id", id), phone: fmt.Sprintf("+62812%08d", id), account: int64(i%accounts + 1)})
		}
		next := int64(n)
		add := func(c contact, original int64) {
			next++
			c.id = next
			all = append(all, c)
			p.pairs = append(p.pairs, [2]int64{original, c.id})
		}
		for k := range dup {
			// Spread over the table; three different originals per k.
			e, ph, nm := all[(k*97)%n], all[(k*89+31)%n], all[(k*83+57)%n]
			add(contact{first: "Duplikat", last: fmt.Sprintf("Surel %d", k), email: e.email, phone: fmt.Sprintf("+62813%08d", k), account: e.account}, e.id)
			add(contact{first: "Duplikat", last: fmt.Sprintf("Telepon %d", k), email: fmt.Sprintf("telp%d@lain.id", k), phone: ph.phone, account: ph.account}, ph.id)
			add(contact{first: nm.first, last: typo(nm.last), email: fmt.Sprintf("nama%d@lain.id", k), phone: fmt.Sprintf("+62814%08d", k), account: nm.account}, nm.id)
		}
		if err := insertRows(ctx, tx, db.Engine, "contacts", []string{"id", "first_name", "last_name", "emails", "phones", "account_id", "owner_id", "created_at", "updated_at"}, len(all), func(i int) []any {
			c := all[i]
			return []any{c.id, c.first, c.last, `["` + c.email + `"]`, `["` + c.phone + `"]`, c.account, owner, now, now}
		}); err != nil {
			return err
		}
		if err := insertRows(ctx, tx, db.Engine, "contact_emails", []string{"contact_id", "email"}, len(all), func(i int) []any { return []any{all[i].id, all[i].email} }); err != nil {
			return err
		}
		return insertRows(ctx, tx, db.Engine, "contact_phones", []string{"contact_id", "phone"}, len(all), func(i int) []any { return []any{all[i].id, all[i].phone} })
	})
	if err != nil {
		tb.Fatal(err)
	}
	if db.Engine == store.Postgres {
		// Identity columns start after the rows given their own IDs.
		for _, table := range []string{"accounts", "contacts"} {
			if _, err := db.Writer().Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))", table, table)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return p
}

// typo swaps two letters in the middle of a name.
func typo(s string) string {
	r := []rune(s)
	i := len(r) / 2
	r[i], r[i-1] = r[i-1], r[i]
	return string(r)
}

func insertRows(ctx context.Context, tx *sql.Tx, engine store.Engine, table string, cols []string, n int, row func(i int) []any) error {
	const batch = 200
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		var args []any
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				if engine == store.SQLite {
					b.WriteByte('?') // SQLite parses many $n slowly
				} else {
					fmt.Fprintf(&b, "$%d", len(args)+j+1)
				}
			}
			b.WriteByte(')')
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

// foundPairs lists every pair of records that share a group.
func (c *crm) foundPairs(tb testing.TB, p auth.Principal) (map[[2]int64]bool, int) {
	tb.Helper()
	found := map[[2]int64]bool{}
	groups := 0
	q := url.Values{"limit": {"100"}}
	for {
		page, err := c.Dup.Find(context.Background(), p, "contacts", q)
		if err != nil {
			tb.Fatal(err)
		}
		for _, g := range page.Items {
			groups++
			for i, a := range g.IDs {
				for _, b := range g.IDs[i+1:] {
					found[[2]int64{a, b}] = true
				}
			}
		}
		if page.NextCursor == "" {
			return found, groups
		}
		q.Set("cursor", page.NextCursor)
	}
}

func TestEveryPlantedDuplicateIsFound(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		p := plant(t, c.DB, c.Admin.ID, 3000, 40)
		found, groups := c.foundPairs(t, c.admin())
		for _, pair := range p.pairs {
			if !found[pair] {
				t.Errorf("planted duplicates %d and %d were not found", pair[0], pair[1])
			}
		}
		// Planted pairs sharing an original make one group; few groups
		// beyond them are chance.
		if groups > len(p.pairs)+len(p.pairs)/10 {
			t.Errorf("%d groups for %d planted pairs: too many accidental ones", groups, len(p.pairs))
		}
		t.Logf("%d planted pairs, %d groups", len(p.pairs), groups)
	})
}

// BenchmarkFindDuplicates finds the duplicates among 20,000 contacts with
// 300 planted (100 of each kind). The first search computes the name keys
// of every contact ("first_ms"); later ones only those of changed records.
func BenchmarkFindDuplicates(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			c := start(b, engine)
			p := plant(b, c.DB, c.Admin.ID, 20000, 100)
			started := time.Now()
			found, groups := c.foundPairs(b, c.admin())
			first := time.Since(started)
			for _, pair := range p.pairs {
				if !found[pair] {
					b.Fatalf("planted duplicates %d and %d were not found", pair[0], pair[1])
				}
			}
			for b.Loop() {
				if _, err := c.Dup.Find(context.Background(), c.admin(), "contacts", url.Values{"limit": {"20"}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(first.Milliseconds()), "first_ms")
			b.ReportMetric(float64(groups), "groups")
		})
	}
}
