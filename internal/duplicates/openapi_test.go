package duplicates_test

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

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// TestEveryAnswerMatchesTheDocument holds the duplicates endpoints and
// their answers to the OpenAPI document the app serves with this
// package's fragment.
func TestEveryAnswerMatchesTheDocument(t *testing.T) {
	c := start(t, storetest.Engines()[0])
	ctx := context.Background()
	entities, err := c.Store.OpenAPI(ctx, []*records.Entity{c.Contacts, c.Accounts, c.Leads, c.Activities})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := api.BuildDocument("test", duplicates.OpenAPI, entities)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is invalid: %v", err)
	}
	for _, pattern := range c.Router.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if item := doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
			if strings.Contains(path, "duplicates") || strings.Contains(path, "merges") {
				t.Errorf("route %s is not documented", pattern)
			}
		}
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	strict := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	do := func(token, method, path string, body any, want int) map[string]any {
		t.Helper()
		res := c.Do(t, token, method, path, body).Want(t, want)
		var rawBody []byte
		if body != nil {
			rawBody, _ = json.Marshal(body)
		}
		req, _ := http.NewRequest(method, path, bytes.NewReader(rawBody))
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
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header, Options: strict}
		out.SetBodyBytes(res.Body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s: response %d does not match: %v\n%s", method, path, res.Status, err, res.Body)
		}
		if len(res.Body) == 0 {
			return nil
		}
		return res.Map(t)
	}

	admin := c.admin()
	a := c.create(t, admin, c.Contacts, records.Input{"first_name": "Nina", "emails": []string{"nina@x.id"}}).ID
	b := c.create(t, admin, c.Contacts, records.Input{"first_name": "Nina", "emails": []string{"nina@x.id"}, "phones": []string{"0812-9999-0000"}}).ID
	x := c.create(t, admin, c.Contacts, records.Input{"first_name": "Oki", "phones": []string{"0812-7777-0000"}}).ID
	y := c.create(t, admin, c.Contacts, records.Input{"first_name": "Oka", "phones": []string{"+6281277770000"}}).ID
	_, readerToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)

	do(c.AdminToken, "GET", "/api/v1/duplicates?entity=contacts", nil, 200)
	do(c.AdminToken, "GET", "/api/v1/duplicates?entity=contacts&limit=1", nil, 200)
	do(c.AdminToken, "GET", "/api/v1/duplicates?entity=nope", nil, 422)
	do(c.AdminToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{x, y}}, 204)
	do(readerToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{x, y}}, 403)
	do(c.AdminToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{x, 999}}, 404)
	do(c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{"entity": "contacts", "survivor_id": a}, 422)
	res := do(c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{"entity": "contacts", "survivor_id": a, "merged_ids": []int64{b},
		"values": map[string]any{"first_name": b}, "versions": map[string]any{fmt.Sprint(a): 1}}, 201)
	id := res["merge"].(map[string]any)["id"]
	do(c.AdminToken, "GET", "/api/v1/merges?entity=contacts", nil, 200)
	do(c.AdminToken, "GET", fmt.Sprintf("/api/v1/merges?entity=contacts&record_id=%d&limit=5", a), nil, 200)
	do(c.AdminToken, "GET", "/api/v1/merges?entity=contacts&record_id=x", nil, 422)
	do(c.AdminToken, "GET", fmt.Sprintf("/api/v1/merges/%v", id), nil, 200)
	do(c.AdminToken, "GET", "/api/v1/merges/999", nil, 404)
	do(readerToken, "POST", fmt.Sprintf("/api/v1/merges/%v/undo", id), nil, 403)
	do(c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%v/undo", id), nil, 200)
	do(c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%v/undo", id), nil, 409)
}
