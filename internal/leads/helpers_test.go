package leads_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// crm is an API server with leads, contacts and accounts, a fake deals
// module (a test_deals table) and a clock the test moves.
type crm struct {
	*recordstest.Server
	Leads *leads.Module
	// failDeal makes the fake deal creator refuse the deal.
	failDeal atomic.Bool
	// converted records the OnConvert hook's calls.
	mu        sync.Mutex
	converted [][3]int64
	clock     atomic.Int64 // unix microseconds
}

// start is a fresh CRM on engine at 2026-03-02 09:00 WIB.
func start(t *testing.T, engine store.Engine) *crm {
	t.Helper()
	c := &crm{}
	c.clock.Store(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC).UnixMicro())
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		if _, err := s.DB.Writer().Exec(`CREATE TABLE test_deals (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount TEXT,
			close_date TEXT, account_id INTEGER, contact_id INTEGER, owner_id INTEGER)`); err != nil {
			t.Fatal(err)
		}
		s.Store.SetClock(c.now)
		c.Leads = leads.New(s.Store, leads.Config{
			CreateDeal: c.createDeal,
			OnConvert: []leads.ConvertHook{func(ctx context.Context, tx *sql.Tx, leadID, contactID, accountID int64) error {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.converted = append(c.converted, [3]int64{leadID, contactID, accountID})
				return nil
			}},
			DealTitleSQL: "(SELECT name FROM test_deals WHERE id = $col)",
		})
		for _, e := range []*records.Entity{c.Leads.Entity(), contacts.Entity(s.DB.Engine), accounts.Entity(s.DB.Engine)} {
			records.RegisterAPI(s.Router, s.Store, e)
		}
		c.Leads.RegisterAPI(s.Router)
		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		notifications.New(s.DB, catalog).RegisterAPI(s.Router)
	})
	return c
}

func (c *crm) now() time.Time { return time.UnixMicro(c.clock.Load()).UTC() }

// advance moves the clock on.
func (c *crm) advance(d time.Duration) { c.clock.Add(d.Microseconds()) }

// createDeal is the fake deals module: it keeps what conversion passes.
func (c *crm) createDeal(ctx context.Context, tx *sql.Tx, p auth.Principal, in records.Input) (int64, error) {
	if c.failDeal.Load() {
		var fe errs.Fields
		fe.Add("amount", "invalid_amount", "must be an amount with at most %d decimals", 0)
		return 0, fe.Err()
	}
	var id int64
	str := func(k string) any {
		if v, ok := in[k]; ok {
			return fmt.Sprint(v)
		}
		return nil
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO test_deals (id, name, amount, close_date, account_id, contact_id, owner_id)
		VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM test_deals), $1, $2, $3, $4, $5, $6) RETURNING id`,
		in["name"], str("amount"), str("close_date"), in["account_id"], in["contact_id"], in["owner_id"]).Scan(&id)
	return id, err
}

// team creates a team with a manager (0 for none).
func (c *crm) team(t *testing.T, name string, manager int64) int64 {
	t.Helper()
	in := auth.TeamInput{Name: name}
	if manager != 0 {
		in.ManagerID = &manager
	}
	tm, err := c.Auth.CreateTeam(context.Background(), c.Admin.Principal(), in)
	if err != nil {
		t.Fatal(err)
	}
	return tm.ID
}

// settings changes the speed-to-lead settings as the admin.
func (c *crm) settings(t *testing.T, minutes int, mode string, team int64) {
	t.Helper()
	in := leads.SettingsInput{ResponseMinutes: &minutes, AssignmentMode: &mode}
	if team != 0 {
		in.DefaultTeamID = &team
	}
	if _, err := c.Leads.SaveSettings(context.Background(), c.Admin.Principal(), in); err != nil {
		t.Fatal(err)
	}
}

// lead creates a lead through the API and returns it.
func (c *crm) lead(t *testing.T, token string, body map[string]any) map[string]any {
	t.Helper()
	return c.Do(t, token, "POST", "/api/v1/leads", body).Want(t, 201).Map(t)
}

// get reads a record through the API as the admin.
func (c *crm) get(t *testing.T, path string) map[string]any {
	t.Helper()
	return c.Do(t, c.AdminToken, "GET", path, nil).Want(t, 200).Map(t)
}

// num reads a JSON number (nil as 0).
func num(t *testing.T, v any) int64 {
	t.Helper()
	switch x := v.(type) {
	case nil:
		return 0
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			t.Fatalf("%v is not a whole number", v)
		}
		return n
	}
	t.Fatalf("%v (%T) is not a number", v, v)
	return 0
}

// at reads a JSON time.
func at(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%v is not a time", v)
	}
	return tm
}

// eachEngine runs fn on a fresh CRM per engine.
func eachEngine(t *testing.T, fn func(t *testing.T, c *crm)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, start(t, engine))
		})
	}
}

// count runs a counting query.
func (c *crm) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.DB.Read().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func itoa(n int64) string { return fmt.Sprint(n) }

// conversions are the OnConvert hook's calls so far.
func (c *crm) conversions() [][3]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][3]int64(nil), c.converted...)
}
