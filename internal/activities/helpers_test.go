package activities_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// crm is an API serving accounts, contacts and activities on a fresh
// database; logged records every activity the OnLogged hook saw.
type crm struct {
	*recordstest.Server
	Activities *records.Entity
	mu         sync.Mutex
	logged     []string
}

// loggedSoFar returns what the OnLogged hook saw.
func (c *crm) loggedSoFar() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.logged...)
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

func newCRM(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	c := &crm{}
	hooks := activities.Hooks{OnLogged: []func(ctx context.Context, tx *sql.Tx, a *records.Record) error{
		func(ctx context.Context, tx *sql.Tx, a *records.Record) error {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.logged = append(c.logged, fmt.Sprintf("%s %s", a.String("kind"), a.String("subject")))
			return nil
		},
	}}
	c.Activities = activities.Entity(engine, hooks)
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		records.RegisterAPI(s.Router, s.Store, accounts.Entity(engine))
		records.RegisterAPI(s.Router, s.Store, contacts.Entity(engine))
		records.RegisterAPI(s.Router, s.Store, c.Activities)
	})
	return c
}

// create posts a record and returns it, failing unless it is created.
func (c *crm) create(t testing.TB, token, entity string, body map[string]any) map[string]any {
	t.Helper()
	return c.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
}

func (c *crm) get(t testing.TB, token, entity string, id any) map[string]any {
	t.Helper()
	return c.Do(t, token, "GET", path(entity, id), nil).Want(t, http.StatusOK).Map(t)
}

func path(entity string, id any) string { return fmt.Sprintf("/api/v1/%s/%v", entity, id) }

// num reads a JSON number as an integer.
func num(t testing.TB, v any) int64 {
	t.Helper()
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if err != nil {
		t.Fatalf("%v is not an integer", v)
	}
	return n
}

// timeOf reads an API timestamp; nil is the zero time.
func timeOf(t testing.TB, v any) time.Time {
	t.Helper()
	if v == nil {
		return time.Time{}
	}
	tm, err := time.Parse(time.RFC3339Nano, v.(string))
	if err != nil {
		t.Fatalf("%v is not a time: %v", v, err)
	}
	return tm
}

// fieldErrors lists "field:code" of a problem response.
func fieldErrors(t testing.TB, res recordstest.Response) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Code string }
	}
	res.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field+":"+e.Code)
	}
	return out
}
