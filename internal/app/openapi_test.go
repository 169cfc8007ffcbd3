package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The OpenAPI document is the API's contract: these tests hold it valid,
// hold it and the registered routes to each other, and (through apiClient)
// hold every response the API tests see against it.

func TestOpenAPIDocumentIsValid(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			doc := loadDocument(t, srv)
			if !doc.IsOpenAPI31OrLater() || !strings.HasPrefix(doc.OpenAPI, "3.1.") {
				t.Errorf("openapi is %q, want 3.1.x", doc.OpenAPI)
			}
			if doc.Info == nil || doc.Info.Version != "test" {
				t.Errorf("info.version is not the server's version %q", "test")
			}
			// The document describes itself, and needs no token.
			c := validatingClient(t, srv, doc)
			c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/openapi.json", Want: http.StatusOK})
		})
	}
}

func TestEveryRouteIsDocumented(t *testing.T) {
	srv := newTestServer(t, storetest.Engines()[0])
	doc := loadDocument(t, srv)

	registered := map[string]bool{}
	for _, pattern := range srv.App.APIRoutes {
		registered[pattern] = true
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			t.Errorf("route %q has no method; every API route must name one", pattern)
			continue
		}
		item := doc.Paths.Value(path)
		if item == nil {
			t.Errorf("route %s is not documented: the OpenAPI document has no path %s", pattern, path)
			continue
		}
		if item.GetOperation(method) == nil {
			t.Errorf("route %s is not documented: path %s has no %s operation", pattern, path, strings.ToLower(method))
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if pattern := method + " " + path; !registered[pattern] {
				t.Errorf("documented operation %s is not a registered route", pattern)
			}
		}
	}
}

// TestEveryOperationDocumentsItsAnswers checks the answers the API frame
// gives on its own, whatever the handler: every authenticated operation can
// answer 401, every body can be unreadable (400) or invalid (422), every
// {id} can name nothing (404), every list can be asked for a bad page (422),
// and every read with an ETag can answer If-None-Match with 304.
func TestEveryOperationDocumentsItsAnswers(t *testing.T) {
	srv := newTestServer(t, storetest.Engines()[0])
	doc := loadDocument(t, srv)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			need := map[int]string{}
			public := op.Security != nil && len(*op.Security) == 0
			if !public {
				need[http.StatusUnauthorized] = "it needs a token"
			}
			if op.RequestBody != nil {
				need[http.StatusBadRequest] = "it reads a JSON body"
				need[http.StatusUnprocessableEntity] = "it reads a JSON body"
			}
			if strings.Contains(path, "{id}") {
				need[http.StatusNotFound] = "it names a record by ID"
			}
			if ok := op.Responses.Status(http.StatusOK); method == http.MethodGet && ok != nil && ok.Value != nil && ok.Value.Headers["ETag"] != nil {
				need[http.StatusNotModified] = "its 200 carries an ETag, so If-None-Match can match"
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
					need[http.StatusUnprocessableEntity] = "it is a paged list"
				}
			}
			for status, why := range need {
				if op.Responses.Status(status) == nil {
					t.Errorf("%s does not document %d, which it can answer because %s", name, status, why)
				}
			}
		}
	}
}

// loadDocument fetches the served OpenAPI document, loads it and fails the
// test unless it is a valid document.
func loadDocument(t testing.TB, srv *testServer) *openapi3.T {
	t.Helper()
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatalf("GET /api/v1/openapi.json: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read the OpenAPI document: %v", err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

// apiClient sends requests to a test server and holds every exchange
// against the OpenAPI document: the request must match the operation it is
// sent to, and the response's status, headers, content type and body must
// be what the document says that operation answers. A status the operation
// does not document fails the test.
type apiClient struct {
	t      testing.TB
	srv    *testServer
	doc    *openapi3.T
	router routers.Router
}

// validatingClient returns a client for srv that validates against doc.
func validatingClient(t testing.TB, srv *testServer, doc *openapi3.T) *apiClient {
	t.Helper()
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("route the OpenAPI document: %v", err)
	}
	return &apiClient{t: t, srv: srv, doc: doc, router: router}
}

// apiCall is one request.
type apiCall struct {
	Method string
	Path   string // with the query, e.g. "/api/v1/users?limit=3"
	Token  string // sent as "Authorization: Bearer <Token>" when set
	Header map[string]string
	// Body is sent as JSON; RawBody is sent as it is (malformed JSON tests).
	Body    any
	RawBody string
	// Want is the status the test expects; another status fails the test
	// at once, since what follows would make no sense.
	Want int
	// BreaksDocument marks a request that deliberately does not match the
	// document (a wrong type, an unknown field, an out-of-range limit…). It
	// is not held against the request schema, but the server must refuse it
	// with a documented 4xx.
	BreaksDocument bool
	// Undocumented marks a request to a path or method the document does not
	// have (the 404 and 405 tests); the answer must still be a Problem.
	Undocumented bool
}

// apiResponse is what came back.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiOptions make the validator strict about statuses and lenient about
// security, which the server itself checks (and the 401 tests exercise).
var apiOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
}

// do sends the call and validates the exchange.
func (c *apiClient) do(call apiCall) apiResponse {
	c.t.Helper()
	var body []byte
	switch {
	case call.RawBody != "":
		body = []byte(call.RawBody)
	case call.Body != nil:
		var err error
		if body, err = json.Marshal(call.Body); err != nil {
			c.t.Fatalf("encode the body of %s %s: %v", call.Method, call.Path, err)
		}
	}
	header := http.Header{}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if call.Token != "" {
		header.Set("Authorization", "Bearer "+call.Token)
	}
	for k, v := range call.Header {
		header.Set(k, v)
	}

	req, err := http.NewRequest(call.Method, c.srv.URL+call.Path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("%s %s: %v", call.Method, call.Path, err)
	}
	req.Header = header.Clone()
	res, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", call.Method, call.Path, err)
	}
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Fatalf("%s %s: read the response: %v", call.Method, call.Path, err)
	}
	out := apiResponse{Status: res.StatusCode, Header: res.Header, Body: got}

	if call.Want != 0 && out.Status != call.Want {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", call.Method, call.Path, out.Status, call.Want, got)
	}
	c.validate(call, header, body, out)
	return out
}

// get is do for a plain GET that must succeed.
func (c *apiClient) get(path, token string) apiResponse {
	c.t.Helper()
	return c.do(apiCall{Method: http.MethodGet, Path: path, Token: token, Want: http.StatusOK})
}

func (c *apiClient) validate(call apiCall, header http.Header, body []byte, res apiResponse) {
	c.t.Helper()
	ctx := context.Background()
	where := call.Method + " " + call.Path

	// The router matches on the path alone, as the server sees it.
	vreq, err := http.NewRequest(call.Method, call.Path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("%s: %v", where, err)
	}
	vreq.Header = header
	route, pathParams, err := c.router.FindRoute(vreq)
	if err != nil {
		if !call.Undocumented {
			c.t.Errorf("%s: the OpenAPI document has no such operation (%v)", where, err)
		}
		c.validateProblem(where, res)
		return
	}
	if call.Undocumented {
		c.t.Errorf("%s: marked undocumented, but the document has operation %s %s", where, route.Method, route.Path)
	}

	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: pathParams, Route: route, Options: apiOptions}
	if !call.BreaksDocument {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("%s: the request does not match the document (a test that means to send a bad request sets BreaksDocument): %v", where, err)
		}
	} else if res.Status < 400 || res.Status >= 500 {
		c.t.Errorf("%s: the request breaks the document, yet the answer is %d; body: %s", where, res.Status, res.Body)
	}

	// ValidateResponse lets every 304 through; only operations that
	// document it may answer it.
	if res.Status == http.StatusNotModified && route.Operation.Responses.Status(http.StatusNotModified) == nil {
		c.t.Errorf("%s: answered 304, which the document does not describe for %s %s", where, route.Method, route.Path)
	}

	resIn := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                apiOptions,
	}
	resIn.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(ctx, resIn); err != nil {
		c.t.Errorf("%s: response %d does not match the document: %v\nbody: %s", where, res.Status, err, res.Body)
	}
	if res.Status >= 400 {
		c.validateProblem(where, res)
	}
}

// validateProblem holds an error response to the Problem schema, for
// answers the document cannot describe (unknown paths and methods).
func (c *apiClient) validateProblem(where string, res apiResponse) {
	c.t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		c.t.Errorf("%s: status %d has Content-Type %q, want application/problem+json", where, res.Status, ct)
		return
	}
	schema := c.doc.Components.Schemas["Problem"]
	if schema == nil || schema.Value == nil {
		c.t.Fatalf("the OpenAPI document has no Problem schema")
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		c.t.Errorf("%s: problem body is not JSON: %v: %s", where, err, res.Body)
		return
	}
	if err := schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()); err != nil {
		c.t.Errorf("%s: problem body does not match the Problem schema: %v\nbody: %s", where, err, res.Body)
	}
	var p httpx.Problem
	if err := json.Unmarshal(res.Body, &p); err == nil && p.Status != res.Status {
		c.t.Errorf("%s: problem says status %d, response is %d", where, p.Status, res.Status)
	}
}

// decode unmarshals the body into v.
func (r apiResponse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem+json body.
func (r apiResponse) problem(t testing.TB) httpx.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body: %s", ct, r.Body)
	}
	var p httpx.Problem
	r.decode(t, &p)
	return p
}

// errFieldNames lists the fields a problem names, in order.
func errFieldNames(p httpx.Problem) []string {
	names := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		names = append(names, e.Field)
	}
	return names
}

// withAPI runs fn on each engine with a fresh server and a client that
// validates against the served document.
func withAPI(t *testing.T, fn func(t *testing.T, srv *testServer, c *apiClient)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			fn(t, srv, validatingClient(t, srv, loadDocument(t, srv)))
		})
	}
}

// pathOf returns the path and query of an absolute or relative URL.
func pathOf(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return u.RequestURI()
}

// TestValidatingClientCatchesMismatches proves the validator is not
// vacuous: a stub server answers each documented operation wrongly, and
// the client must fail every one of them (and pass the one right answer).
func TestValidatingClientCatchesMismatches(t *testing.T) {
	doc := loadDocument(t, newTestServer(t, storetest.Engines()[0]))
	user := `{"id":1,"email":"a@example.com","name":"A","role":"admin","team_id":null,"locale":"en","time_zone":"Asia/Jakarta",` +
		`"disabled":false,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","version":1}`
	for _, tc := range []struct {
		name        string
		call        apiCall
		status      int
		contentType string
		body        string
		wantFail    bool
	}{
		{"a correct answer", apiCall{Method: "GET", Path: "/api/v1/me"}, 200, "application/json", user, false},
		{"a missing required field", apiCall{Method: "GET", Path: "/api/v1/me"}, 200, "application/json", strings.Replace(user, `"email":"a@example.com",`, "", 1), true},
		{"an extra field", apiCall{Method: "GET", Path: "/api/v1/me"}, 200, "application/json", strings.Replace(user, `"id":1,`, `"id":1,"password_hash":"x",`, 1), true},
		{"a wrong type", apiCall{Method: "GET", Path: "/api/v1/me"}, 200, "application/json", strings.Replace(user, `"version":1`, `"version":"1"`, 1), true},
		{"an undocumented status", apiCall{Method: "GET", Path: "/api/v1/me"}, 500, "application/problem+json", `{"type":"x","title":"x","status":500,"detail":"x"}`, true},
		{"a wrong content type", apiCall{Method: "GET", Path: "/api/v1/me"}, 200, "text/plain", user, true},
		{"an error that is not a problem", apiCall{Method: "GET", Path: "/api/v1/me"}, 401, "application/json", `{"error":"no"}`, true},
		{"an undocumented 304", apiCall{Method: "GET", Path: "/api/v1/users"}, 304, "", "", true},
		{"a documented 304", apiCall{Method: "GET", Path: "/api/v1/me"}, 304, "", "", false},
		{"a request that breaks the document", apiCall{Method: "GET", Path: "/api/v1/users?limit=0"}, 200, "application/json", `{"items":[]}`, true},
		{"a request to an undocumented path", apiCall{Method: "GET", Path: "/api/v1/nothing"}, 404, "application/problem+json", `{"type":"x","title":"x","status":404,"detail":"x"}`, true},
		{"an undocumented path answered in plain JSON", apiCall{Method: "GET", Path: "/api/v1/nothing", Undocumented: true}, 404, "application/json", `{}`, true},
		{"an undocumented path answered properly", apiCall{Method: "GET", Path: "/api/v1/nothing", Undocumented: true}, 404, "application/problem+json", `{"type":"x","title":"x","status":404,"detail":"x"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer stub.Close()
			rec := &recordingTB{TB: t}
			c := validatingClient(rec, &testServer{Server: stub}, doc)
			func() {
				defer func() {
					if p := recover(); p != nil && p != rec {
						panic(p)
					}
				}()
				c.do(tc.call)
			}()
			if failed := len(rec.failures) > 0; failed != tc.wantFail {
				t.Errorf("client failed: %v, want %v; failures: %q", failed, tc.wantFail, rec.failures)
			}
			for _, f := range rec.failures {
				t.Logf("client reported: %.300s", f)
			}
		})
	}
}

// recordingTB records failures instead of failing the test, for testing
// the test helper itself. Fatalf panics with the recorder to stop the call.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(r)
}
