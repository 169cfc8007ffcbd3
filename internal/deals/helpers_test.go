package deals_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// env is a running Relasi with accounts, contacts and opportunities, the
// deals API and pages, and an API client that holds every answer of a
// documented route against the OpenAPI document (as the app's tests do).
type env struct {
	*recordstest.Server
	t        *testing.T
	Deals    *records.Entity
	Accounts *records.Entity
	Module   *deals.Module
	doc      *openapi3.T
	router   routers.Router
}

func newEnv(t *testing.T, engine store.Engine) *env {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, Deals: deals.Entity(engine), Accounts: accounts.Entity(engine)}
	e.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		for _, ent := range []*records.Entity{e.Accounts, contacts.Entity(engine), e.Deals} {
			records.RegisterAPI(s.Router, s.Store, ent)
		}
		e.Module = deals.New(s.Store, e.Deals, catalog)
		e.Module.RegisterAPI(s.Router)

		assets, err := web.LoadAssets()
		if err != nil {
			t.Fatal(err)
		}
		renderer, err := web.NewRenderer(catalog, assets, people.Templates(), deals.Templates())
		if err != nil {
			t.Fatal(err)
		}
		s.Mux.Handle("GET /static/{path...}", assets)
		wr := web.NewRouter(s.Mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		wr.RegisterSessionPages()
		e.Module.RegisterWeb(wr)
	})
	entities, err := e.Store.OpenAPI(context.Background(), []*records.Entity{e.Accounts, e.Deals})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := api.BuildDocument("test", deals.OpenAPI, entities)
	if err != nil {
		t.Fatalf("build the OpenAPI document: %v", err)
	}
	if e.doc, err = openapi3.NewLoader().LoadFromData(raw); err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := e.doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if e.router, err = legacy.NewRouter(e.doc); err != nil {
		t.Fatal(err)
	}
	return e
}

// each runs fn on every engine with a fresh env.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newEnv(t, engine)) })
	}
}

// call is one API request.
type call struct {
	Token   string
	Method  string
	Path    string
	Body    any
	IfMatch string
	// IfNoneMatch is sent as If-None-Match.
	IfNoneMatch string
	// Breaks marks a request that deliberately does not match the
	// document; it is not validated, but must be refused with a 4xx.
	Breaks bool
}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends c and checks the exchange against the document.
func (e *env) do(t *testing.T, c call, want int) answer {
	t.Helper()
	var body []byte
	if c.Body != nil {
		var err error
		if body, err = json.Marshal(c.Body); err != nil {
			t.Fatal(err)
		}
	}
	header := http.Header{}
	header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if c.IfMatch != "" {
		header.Set("If-Match", c.IfMatch)
	}
	if c.IfNoneMatch != "" {
		header.Set("If-None-Match", c.IfNoneMatch)
	}
	req, err := http.NewRequest(c.Method, e.URL+c.Path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	a := answer{Status: res.StatusCode, Header: res.Header, Body: got}
	if a.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", c.Method, c.Path, a.Status, want, got)
	}

	vreq, _ := http.NewRequest(c.Method, c.Path, bytes.NewReader(body))
	vreq.Header = header
	route, params, err := e.router.FindRoute(vreq)
	if err != nil {
		t.Errorf("%s %s is not in the OpenAPI document: %v", c.Method, c.Path, err)
		return a
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if c.Breaks {
		if a.Status < 400 || a.Status >= 500 {
			t.Errorf("%s %s: the request breaks the document, yet the answer is %d", c.Method, c.Path, a.Status)
		}
	} else if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("%s %s: the request does not match the document: %v", c.Method, c.Path, err)
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: a.Status, Header: a.Header, Options: opts}
	rin.SetBodyBytes(a.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		t.Errorf("%s %s: answer %d does not match the document: %v\n%s", c.Method, c.Path, a.Status, err, a.Body)
	}
	return a
}

// decode reads the answer's JSON into v.
func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(a.Body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", a.Body, err)
	}
}

// object decodes the answer as a JSON object.
func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	a.decode(t, &m)
	return m
}

// problemFields lists the fields a problem+json answer names.
func (a answer) problemFields(t *testing.T) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	a.decode(t, &p)
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

// detail returns a problem's detail.
func (a answer) detail(t *testing.T) string {
	t.Helper()
	var p struct{ Detail string }
	a.decode(t, &p)
	return p.Detail
}

// pipelines returns every pipeline as the API shows it.
func (e *env) pipelines(t *testing.T) []deals.Pipeline {
	t.Helper()
	var list struct{ Items []deals.Pipeline }
	e.do(t, call{Token: e.AdminToken, Method: "GET", Path: "/api/v1/pipelines"}, 200).decode(t, &list)
	return list.Items
}

// stage finds a stage of the default pipeline by name.
func (e *env) stage(t *testing.T, name string) deals.Stage {
	t.Helper()
	for _, p := range e.pipelines(t) {
		if !p.IsDefault {
			continue
		}
		for _, s := range p.Stages {
			if s.Name == name {
				return s
			}
		}
	}
	t.Fatalf("the default pipeline has no stage %q", name)
	return deals.Stage{}
}

// user adds a user with a token.
func (e *env) user(t *testing.T, email string, role auth.Role) (auth.User, string) {
	t.Helper()
	return e.User(t, email, role, 0)
}

// createDeal creates a deal through the API as the token's user.
func (e *env) createDeal(t *testing.T, token string, body map[string]any) map[string]any {
	t.Helper()
	return e.do(t, call{Token: token, Method: "POST", Path: "/api/v1/opportunities", Body: body}, 201).object(t)
}

// urlQuery escapes a query value.
func urlQuery(s string) string { return url.QueryEscape(s) }

// num reads a JSON number as int64.
func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v is not a whole number", v)
	}
	return i
}
