package trash_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/timeline"
	"github.com/relasi/relasi/internal/trash"
)

// crm is an API serving every entity the app has, order lines, the
// timeline and the trash, with the records store's clock under the test's
// control and every answer of the trash's routes held against its OpenAPI
// fragment.
type crm struct {
	*recordstest.Server
	Trash    *trash.Trash
	Entities *records.Registry
	clock    time.Time
	router   routers.Router
}

func onEveryEngine(t *testing.T, fn func(t *testing.T, c *crm)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newCRM(t, engine))
		})
	}
}

func newCRM(t *testing.T, engine store.Engine) *crm {
	t.Helper()
	c := &crm{clock: day(1)}
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		cons, accs := contacts.Entity(engine), accounts.Entity(engine)
		dls, ords := deals.Entity(engine), orders.OrderEntity(engine)
		lds := leads.New(s.Store, leads.Config{DealTitleSQL: "(SELECT name FROM deals WHERE id = $col)"}).Entity()
		c.Entities = records.NewRegistry(accs, cons, lds, dls, activities.Entity(engine, activities.Hooks{}), orders.ProductEntity(engine), ords)
		for _, e := range c.Entities.All() {
			records.RegisterAPI(s.Router, s.Store, e)
		}
		orders.RegisterAPI(s.Router, orders.NewLines(s.Store, ords))
		timeline.RegisterAPI(s.Router, timeline.New(s.Store, cons, accs, timeline.Sources{Deals: true}))
		c.Trash = trash.New(s.Store, c.Entities)
		c.Trash.RegisterAPI(s.Router)
	})
	c.Store.SetClock(func() time.Time { return c.clock })
	raw, err := api.BuildDocument("test", trash.OpenAPI)
	if err != nil {
		t.Fatalf("build the OpenAPI document: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if c.router, err = legacy.NewRouter(doc); err != nil {
		t.Fatal(err)
	}
	return c
}

// day is 10:00 in Jakarta on the nth day of March 2026 (n may run past 31).
func day(n int) time.Time { return time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC).AddDate(0, 0, n-1) }

// at sets the clock: every write from now on happens at that instant.
func (c *crm) at(t time.Time) { c.clock = t }

func (c *crm) create(t *testing.T, token, entity string, body map[string]any) int64 {
	t.Helper()
	var r struct{ ID int64 }
	c.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).JSON(t, &r)
	return r.ID
}

func (c *crm) delete(t *testing.T, token, entity string, id int64) {
	t.Helper()
	c.Do(t, token, "DELETE", fmt.Sprintf("/api/v1/%s/%d", entity, id), nil).Want(t, http.StatusNoContent)
}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request to a trash route and checks the status and that
// the exchange matches the OpenAPI fragment; breaks marks a request that
// deliberately does not match it.
func (c *crm) call(t *testing.T, token, method, path string, body any, want int, breaks ...bool) answer {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	header := http.Header{}
	header.Set("Authorization", "Bearer "+token)
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequest(method, c.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	a := answer{Status: res.StatusCode, Header: res.Header, Body: got}
	if a.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.Status, want, got)
	}
	vreq, _ := http.NewRequest(method, path, bytes.NewReader(raw))
	vreq.Header = header
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		t.Errorf("%s %s is not in the OpenAPI document: %v", method, path, err)
		return a
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if len(breaks) == 0 || !breaks[0] {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: the request does not match the document: %v", method, path, err)
		}
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: a.Status, Header: a.Header, Options: opts}
	rin.SetBodyBytes(a.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		t.Errorf("%s %s: answer %d does not match the document: %v\n%s", method, path, a.Status, err, a.Body)
	}
	return a
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(a.Body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", a.Body, err)
	}
}

func (a answer) problemFields(t *testing.T) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string }
	}
	a.decode(t, &p)
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

type trashPage struct {
	Items []struct {
		Entity      string
		ID          int64
		Title       string
		DeletedAt   time.Time `json:"deleted_at"`
		DeletedByID *int64    `json:"deleted_by_id"`
		DeletedBy   string    `json:"deleted_by"`
		PurgeAt     time.Time `json:"purge_at"`
		DaysLeft    int       `json:"days_left"`
		CanRestore  bool      `json:"can_restore"`
	}
	NextCursor string `json:"next_cursor"`
}

func (c *crm) list(t *testing.T, token, query string) trashPage {
	t.Helper()
	var p trashPage
	c.call(t, token, "GET", "/api/v1/trash"+query, nil, http.StatusOK).decode(t, &p)
	return p
}

// names are the items as "entity title".
func (p trashPage) names() []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Entity+" "+it.Title)
	}
	return out
}

// count counts rows of a table matching a condition.
func (c *crm) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.DB.Read().QueryRow("SELECT count(*) FROM "+query, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", query, err)
	}
	return n
}

// history lists a record's history as "action" or "action field,field".
func (c *crm) history(t *testing.T, entity string, id int64) []records.HistoryEntry {
	t.Helper()
	h, err := c.Store.History(context.Background(), entity, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func actions(h []records.HistoryEntry) []string {
	var out []string
	for _, e := range h {
		out = append(out, e.Action)
	}
	return out
}
