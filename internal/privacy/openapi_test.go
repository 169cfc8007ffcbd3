package privacy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/store/storetest"
)

// Every privacy route is in the OpenAPI document the app serves, and
// every answer, errors included, matches it.
func TestEveryAnswerMatchesTheDocument(t *testing.T) {
	s := start(t, storetest.Engines()[0])
	ctx := context.Background()
	a := s.do(t, "", "GET", "/api/v1/openapi.json", nil)
	doc, err := openapi3.NewLoader().LoadFromData(a.body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is invalid: %v", err)
	}
	for _, pattern := range s.App.APIRoutes {
		method, path, _ := strings.Cut(pattern, " ")
		if strings.Contains(path, "/privacy/") {
			if item := doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
				t.Errorf("route %s is not documented", pattern)
			}
		}
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	strict := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	check := func(token, method, path string, body any, want int) {
		t.Helper()
		res := s.do(t, token, method, path, body)
		if res.status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, res.status, want, res.body)
		}
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		req, _ := http.NewRequest(method, path, bytes.NewReader(raw))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: no such operation: %v", method, path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: strict}
		if want < 400 {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s %s: request does not match: %v", method, path, err)
			}
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.status,
			Header: http.Header{"Content-Type": {res.ctype}}, Options: strict}
		out.SetBodyBytes(res.body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s: response %d does not match: %v\n%s", method, path, res.status, err, res.body)
		}
	}
	p := s.person(t)
	contact := fmt.Sprintf("/api/v1/privacy/contacts/%d", p.contactID)
	check(s.admin, "GET", contact+"/export", nil, 200)
	check(s.admin, "GET", fmt.Sprintf("/api/v1/privacy/leads/%d/export", p.leadID), nil, 200)
	check(s.sales, "GET", contact+"/export", nil, 403)
	check(s.admin, "GET", "/api/v1/privacy/contacts/99999/export", nil, 404)
	check(s.admin, "POST", contact+"/erase", map[string]any{"confirm": "no"}, 422)
	check(s.sales, "POST", contact+"/erase", map[string]any{"confirm": "ERASE"}, 403)
	check(s.admin, "POST", contact+"/erase", map[string]any{"confirm": "ERASE"}, 200)
	check(s.admin, "GET", contact+"/export", nil, 200)
}
