package exports

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// crm is a test database with accounts and contacts, custom fields on
// contacts, and users of two roles.
type crm struct {
	db       *store.DB
	auth     *auth.Service
	store    *records.Store
	reg      *records.Registry
	x        *Exporter
	accounts *records.Entity
	contacts *records.Entity
	admin    auth.Principal
	sales    auth.Principal // sees own and unowned records
}

var testLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func newCRM(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	db := storetest.Open(t, engine)
	c := &crm{db: db, auth: auth.NewService(db), store: records.NewStore(db),
		accounts: accounts.Entity(db.Engine), contacts: contacts.Entity(db.Engine)}
	c.reg = records.NewRegistry(c.accounts, c.contacts)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	c.x = New(c.store, c.reg, catalog, c.auth.UserPrefs, testLogger)
	c.admin = c.user(t, "admin@maju.co.id", "Admin Maju", auth.Admin)
	c.sales = c.user(t, "budi.sales@maju.co.id", "Budi Sales", auth.Sales)
	return c
}

func (c *crm) user(t testing.TB, email, name string, role auth.Role) auth.Principal {
	t.Helper()
	u, err := c.auth.CreateUser(context.Background(), auth.NewUser{Email: email, Name: name, Password: "rahasia-123", Role: role, Locale: "id", TimeZone: "Asia/Jakarta"})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u.Principal()
}

// customFields adds one custom field of each kind an export writes
// differently to contacts.
func (c *crm) customFields(t testing.TB) {
	t.Helper()
	for _, in := range []records.CustomFieldInput{
		{Key: "budget", Label: "Anggaran", Kind: records.Money},
		{Key: "renewal", Label: "Perpanjangan", Kind: records.Date},
		{Key: "vip", Label: "VIP", Kind: records.Bool},
		{Key: "score", Label: "Skor", Kind: records.Number},
		{Key: "channels", Label: "Saluran", Kind: records.MultiSelect, Choices: []string{"wa", "email", "call"}},
	} {
		if _, err := c.store.CreateCustomField(context.Background(), c.admin, c.contacts, in); err != nil {
			t.Fatalf("custom field %s: %v", in.Key, err)
		}
	}
}

func (c *crm) create(t testing.TB, e *records.Entity, in records.Input) records.Record {
	t.Helper()
	r, err := c.store.Create(context.Background(), c.admin, e, in)
	if err != nil {
		t.Fatalf("create %s %v: %v", e.Name, in, err)
	}
	return r
}

// export runs an export of contacts for p and returns the file.
func (c *crm) export(t testing.TB, p auth.Principal, req Request) []byte {
	t.Helper()
	if req.Entity == nil {
		req.Entity = c.contacts
	}
	if req.Format == "" {
		req.Format = CSV
	}
	ex, err := c.x.List(context.Background(), p, req)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var buf bytes.Buffer
	if err := ex.WriteTo(context.Background(), &buf); err != nil {
		t.Fatalf("write export: %v", err)
	}
	return buf.Bytes()
}

// table is a CSV file read back: the header and rows keyed by column.
type table struct {
	header []string
	rows   []map[string]string
}

func readCSV(t testing.TB, b []byte) table {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(bom)) {
		t.Fatalf("the CSV does not start with a byte order mark: %q", b[:min(len(b), 20)])
	}
	r := csv.NewReader(bytes.NewReader(b[len(bom):]))
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v\n%s", err, b)
	}
	if len(all) == 0 {
		t.Fatal("empty CSV")
	}
	tb := table{header: all[0]}
	for _, rec := range all[1:] {
		row := map[string]string{}
		for i, h := range tb.header {
			row[h] = rec[i]
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// find returns the row whose column has the value.
func (tb table) find(t testing.TB, column, value string) map[string]string {
	t.Helper()
	for _, r := range tb.rows {
		if r[column] == value {
			return r
		}
	}
	t.Fatalf("no row with %s = %q among %d rows", column, value, len(tb.rows))
	return nil
}

func (tb table) column(name string) []string {
	var out []string
	for _, r := range tb.rows {
		out = append(out, r[name])
	}
	return out
}

var wib = time.FixedZone("WIB", 7*3600)

func join(s ...string) string { return strings.Join(s, ",") }
