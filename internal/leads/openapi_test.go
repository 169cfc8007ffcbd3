package leads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// contract holds the exchanges of a test against the OpenAPI document the
// app would serve with the leads and notification fragments.
type contract struct {
	c      *crm
	doc    *openapi3.T
	router routers.Router
}

func newContract(t *testing.T, c *crm) *contract {
	t.Helper()
	ctx := context.Background()
	entities, err := c.Store.OpenAPI(ctx, []*records.Entity{c.Leads.Entity(), contacts.Entity(c.DB.Engine), accounts.Entity(c.DB.Engine)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := api.BuildDocument("test", leads.OpenAPI, notifications.OpenAPI, entities)
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
			t.Errorf("route %s is not documented", pattern)
		}
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{c: c, doc: doc, router: router}
}

var strict = &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

// do sends a request and holds request and response to the document.
func (k *contract) do(t *testing.T, token, method, path string, body any, want int) map[string]any {
	t.Helper()
	res := k.c.Do(t, token, method, path, body).Want(t, want)
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no such operation: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: strict}
	if want < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: request does not match: %v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header, Options: strict}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: response %d does not match: %v\n%s", method, path, res.Status, err, res.Body)
	}
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(t)
}

func TestEveryAnswerMatchesTheDocument(t *testing.T) {
	c := start(t, storetest.Engines()[0])
	k := newContract(t, c)
	team := c.team(t, "Tim", 0)
	ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, team)
	c.settings(t, 5, leads.ModeNone, 0)

	k.do(t, c.AdminToken, "GET", "/api/v1/lead-settings", nil, 200)
	k.do(t, c.AdminToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 7, "assignment_mode": "rules", "default_team_id": team}, 200)
	k.do(t, aniToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 7}, 403)
	k.do(t, c.AdminToken, "PUT", "/api/v1/lead-settings", map[string]any{"response_minutes": 0}, 422)
	rule := k.do(t, c.AdminToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": `city = "Medan"`, "user_id": ani.ID}, 201)
	k.do(t, c.AdminToken, "POST", "/api/v1/lead-rules", map[string]any{"filter": `city ==`, "team_id": team}, 422)
	k.do(t, c.AdminToken, "GET", "/api/v1/lead-rules", nil, 200)

	lead := k.do(t, c.AdminToken, "POST", "/api/v1/leads", map[string]any{"first_name": "Budi", "city": "Medan", "company": "PT Medan Jaya"}, 201)
	id := itoa(num(t, lead["id"]))
	k.do(t, c.AdminToken, "GET", "/api/v1/leads/"+id, nil, 200)
	k.do(t, c.AdminToken, "GET", "/api/v1/leads?filter=overdue%20%3D%20false", nil, 200)
	k.do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=7", nil, 200)
	k.do(t, c.AdminToken, "GET", "/api/v1/leads/response-times?days=0", nil, 422)
	k.do(t, c.AdminToken, "POST", "/api/v1/leads/"+id+"/convert", map[string]any{"account": map[string]any{"mode": "existing"}}, 422)
	k.do(t, c.AdminToken, "POST", "/api/v1/leads/"+id+"/convert", map[string]any{
		"account": map[string]any{"mode": "new"}, "deal": map[string]any{"create": true, "amount": 2500000, "close_date": "2026-05-01"}}, 200)
	k.do(t, c.AdminToken, "POST", "/api/v1/leads/"+id+"/convert", map[string]any{}, 409)
	k.do(t, c.AdminToken, "POST", "/api/v1/leads/999/convert", map[string]any{}, 404)
	k.do(t, c.AdminToken, "GET", "/api/v1/leads/"+id, nil, 200)
	k.do(t, c.AdminToken, "DELETE", "/api/v1/lead-rules/"+itoa(num(t, rule["id"])), nil, 204)
	k.do(t, c.AdminToken, "DELETE", "/api/v1/lead-rules/"+itoa(num(t, rule["id"])), nil, 404)

	k.do(t, aniToken, "GET", "/api/v1/notifications?unread=true&limit=10", nil, 200)
	k.do(t, aniToken, "POST", "/api/v1/notifications/1/read", nil, 404)
	k.do(t, aniToken, "POST", "/api/v1/notifications/read-all", nil, 200)
}
