package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/audit"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// env is an API serving accounts, contacts and the audit, with the
// records store's clock under the test's control and every answer of the
// audit held against its OpenAPI fragment.
type env struct {
	*recordstest.Server
	Log      *audit.Log
	Accounts *records.Entity
	Contacts *records.Entity
	clock    time.Time
	router   routers.Router
}

func onEveryEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, engine))
		})
	}
}

func newEnv(t *testing.T, engine store.Engine) *env {
	t.Helper()
	e := &env{Accounts: accounts.Entity(engine), Contacts: contacts.Entity(engine), clock: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)}
	e.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		reg := records.NewRegistry(e.Accounts, e.Contacts)
		for _, ent := range reg.All() {
			records.RegisterAPI(s.Router, s.Store, ent)
		}
		e.Log = audit.New(s.Store, reg)
		e.Log.RegisterAPI(s.Router)
	})
	e.Store.SetClock(func() time.Time { return e.clock })
	raw, err := api.BuildDocument("test", audit.OpenAPI)
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
	if e.router, err = legacy.NewRouter(doc); err != nil {
		t.Fatal(err)
	}
	return e
}

// at sets the clock: every write from now on happens at that instant.
func (e *env) at(t time.Time) { e.clock = t }

// day is 10:00 in Jakarta on 2026-03-n.
func day(n int) time.Time { return time.Date(2026, 3, n, 3, 0, 0, 0, time.UTC) }

func (e *env) create(t *testing.T, token, entity string, body map[string]any) int64 {
	t.Helper()
	var r struct{ ID int64 }
	e.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).JSON(t, &r)
	return r.ID
}

// history writes a history row as another module would (a merge, an
// import).
func (e *env) history(t *testing.T, entity string, id int64, action string, p auth.Principal, changes map[string][2]any) {
	t.Helper()
	err := e.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
		return records.RecordChange(context.Background(), tx, e.clock, entity, id, action, p, changes)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// get sends GET path and checks the status and that the exchange matches
// the audit's OpenAPI fragment (except requests marked as breaking it).
func (e *env) get(t *testing.T, token, path string, want int, breaks ...bool) answer {
	t.Helper()
	req, err := http.NewRequest("GET", e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	a := answer{Status: res.StatusCode, Header: res.Header, Body: body}
	if a.Status != want {
		t.Fatalf("GET %s: status %d, want %d: %s", path, a.Status, want, body)
	}
	vreq, _ := http.NewRequest("GET", path, nil)
	vreq.Header = req.Header.Clone()
	route, params, err := e.router.FindRoute(vreq)
	if err != nil {
		t.Errorf("GET %s is not in the OpenAPI document: %v", path, err)
		return a
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if len(breaks) == 0 || !breaks[0] {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("GET %s: the request does not match the document: %v", path, err)
		}
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: a.Status, Header: a.Header, Options: opts}
	rin.SetBodyBytes(a.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		t.Errorf("GET %s: answer %d does not match the document: %v\n%s", path, a.Status, err, a.Body)
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

// page is an audit page as the API shows it.
type page struct {
	Items []struct {
		ID          int64
		Entity      string
		RecordID    int64 `json:"record_id"`
		Record      string
		RecordState string `json:"record_state"`
		Action      string
		ActorID     *int64 `json:"actor_id"`
		Actor       string
		At          time.Time
		Changes     map[string][2]any
	}
	NextCursor string `json:"next_cursor"`
}

func (e *env) page(t *testing.T, token, query string) page {
	t.Helper()
	var p page
	e.get(t, token, "/api/v1/audit"+query, http.StatusOK).decode(t, &p)
	return p
}

// problemFields lists the fields a 422 names.
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
