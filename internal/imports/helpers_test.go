package imports_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// crm is a fresh database with the importable entities, an administrator
// and the imports module, its files in a temporary data directory.
type crm struct {
	DB      *store.DB
	Auth    *auth.Service
	Store   *records.Store
	Reg     *records.Registry
	M       *imports.Module
	Admin   auth.User
	DataDir string
}

func newCRM(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	db := storetest.Open(t, engine)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := &crm{DB: db, Auth: auth.NewService(db), Store: records.NewStore(db), DataDir: t.TempDir()}
	leadsModule := leads.New(c.Store, leads.Config{Catalog: catalog})
	c.Reg = records.NewRegistry(accounts.Entity(db.Engine), contacts.Entity(db.Engine), leadsModule.Entity(),
		orders.ProductEntity(db.Engine), orders.OrderEntity(db.Engine))
	c.M = imports.New(c.Store, c.Auth, c.Reg, imports.Config{DataDir: c.DataDir, Catalog: catalog})
	c.M.BatchSize = 4 // several batches even in small files
	t.Cleanup(func() { c.M.Close(context.Background()) })
	c.Admin, err = c.Auth.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eachEngine runs fn on a fresh CRM per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, c *crm)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newCRM(t, engine))
		})
	}
}

func (c *crm) entity(t testing.TB, name string) *records.Entity {
	t.Helper()
	e, ok := c.Reg.Get(name)
	if !ok {
		t.Fatalf("no entity %s", name)
	}
	return e
}

// upload stores a file as a pending import.
func (c *crm) upload(t testing.TB, p auth.Principal, entity, name, content string) imports.Import {
	t.Helper()
	imp, err := c.M.Upload(context.Background(), p, entity, name, strings.NewReader(content), "")
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return imp
}

// run imports content into entity with the guessed mapping (and the
// columns named in override) and returns the finished import.
func (c *crm) run(t testing.TB, p auth.Principal, entity, content string, onDup imports.OnDuplicate, dryRun bool, override map[string]string) imports.Import {
	t.Helper()
	imp := c.upload(t, p, entity, entity+".csv", content)
	mapping := imp.Mapping
	if override != nil {
		targets, err := c.M.TargetsOf(context.Background(), entity)
		if err != nil {
			t.Fatal(err)
		}
		if mapping, err = imports.MappingFromHeaders(imp.Headers, imp.Mapping, override, targets); err != nil {
			t.Fatal(err)
		}
	}
	imp, err := c.M.Configure(context.Background(), p, imp.ID, mapping, imports.Options{OnDuplicate: onDup}, dryRun)
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	imp, err = c.M.Run(context.Background(), imp.ID, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return imp
}

// count runs a COUNT query.
func (c *crm) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.DB.Read().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// failures returns the rejected rows of an import as "row N: reason".
func (c *crm) failures(t testing.TB, id int64) []string {
	t.Helper()
	fs, err := c.M.Failures(context.Background(), id, 1000, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, "row "+itoa(f.Row)+": "+f.Reason)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// readAll reads every data row of r.
func readAll(t testing.TB, r imports.Reader) [][]string {
	t.Helper()
	var out [][]string
	for {
		_, cells, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		out = append(out, append([]string(nil), cells...))
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
