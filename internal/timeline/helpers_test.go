package timeline_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/timeline"
)

// crm is an API serving what a timeline is made of — accounts, contacts,
// activities, orders and their lines — and the timeline endpoints, with
// the store's clock under the test's control.
type crm struct {
	*recordstest.Server
	Timeline *timeline.Timeline
	Entities []*records.Entity
	clock    time.Time
}

func onEveryEngine(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

// newCRM starts the API. The clock starts at 2026-03-02 09:00 UTC and
// moves one second per write, unless a test fixes it.
func newCRM(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	c := &crm{clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cons, accs := contacts.Entity(engine), accounts.Entity(engine)
	ords := orders.OrderEntity(engine)
	c.Entities = []*records.Entity{accs, cons, activities.Entity(engine, activities.Hooks{}), orders.ProductEntity(engine), ords}
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		for _, e := range c.Entities {
			records.RegisterAPI(s.Router, s.Store, e)
		}
		orders.RegisterAPI(s.Router, orders.NewLines(s.Store, ords))
		c.Timeline = timeline.New(s.Store, cons, accs, timeline.Sources{Deals: true})
		timeline.RegisterAPI(s.Router, c.Timeline)
	})
	c.Store.SetClock(func() time.Time {
		c.clock = c.clock.Add(time.Second)
		return c.clock
	})
	return c
}

// at fixes the clock: every write from now on happens at that instant.
func (c *crm) at(t time.Time) { c.Store.SetClock(func() time.Time { return t }) }

func (c *crm) create(t testing.TB, token, entity string, body map[string]any) map[string]any {
	t.Helper()
	return c.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
}

// history writes a history row as another module would (a conversion,
// a deal's stage change).
func (c *crm) history(t testing.TB, at time.Time, entity string, id int64, action string, changes map[string][2]any) {
	t.Helper()
	err := c.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
		return records.RecordChange(context.Background(), tx, at, entity, id, action, c.Admin.Principal(), changes)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// deal adds a deal of amount (minor units of IDR) to the default
// pipeline at time at, as the deals module would; a closed deal was won
// then.
func (c *crm) deal(t testing.TB, at time.Time, owner auth.User, name string, contactID, accountID, amount int64, closed bool) int64 {
	t.Helper()
	var closedAt, account any
	if closed {
		closedAt = at
	}
	if accountID != 0 {
		account = accountID
	}
	var id int64
	err := c.DB.Writer().QueryRow(`INSERT INTO deals (name, contact_id, account_id, amount, currency, pipeline_id, stage_id, closed_at, owner_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'IDR', (SELECT id FROM pipelines WHERE key = 'sales'), (SELECT id FROM stages WHERE key = 'prospecting'), $5, $6, $7, $7)
		RETURNING id`, name, contactID, account, amount, closedAt, owner.ID, at).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// page reads one page of a timeline through the API.
func (c *crm) page(t testing.TB, token, path string) timelinePage {
	t.Helper()
	var p timelinePage
	c.Do(t, token, "GET", path, nil).Want(t, http.StatusOK).JSON(t, &p)
	return p
}

type timelinePage struct {
	Items []struct {
		At     time.Time
		Kind   string
		ID     int64
		Title  string
		Detail string
		Link   string
		Actor  string
		Amount *struct {
			Currency string
			Amount   json.Number
		}
	}
	NextCursor string `json:"next_cursor"`
}

func num(t testing.TB, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func recPath(entity string, id any) string { return fmt.Sprintf("/api/v1/%s/%v", entity, id) }
