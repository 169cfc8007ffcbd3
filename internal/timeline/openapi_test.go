package timeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/timeline"
)

// The order line and timeline endpoints are documented by the fragments
// orders.OpenAPI and timeline.OpenAPI; their answers must match them, as
// the app's own OpenAPI tests demand.
func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			ctx := context.Background()
			entities, err := c.Store.OpenAPI(ctx, c.Entities)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := api.BuildDocument("test", orders.OpenAPI, timeline.OpenAPI, entities)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := openapi3.NewLoader().LoadFromData(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(ctx); err != nil {
				t.Fatalf("the document is invalid: %v", err)
			}
			for _, route := range c.Router.Routes() {
				method, path, _ := strings.Cut(route, " ")
				if item := doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
					t.Errorf("route %s is not documented", route)
				}
			}
			router, err := legacy.NewRouter(doc)
			if err != nil {
				t.Fatal(err)
			}
			check := func(method, path string, body any, want int) []byte {
				t.Helper()
				res := c.Do(t, c.AdminToken, method, path, body).Want(t, want)
				var payload []byte
				if body != nil {
					payload, _ = json.Marshal(body)
				}
				req, _ := http.NewRequest(method, path, bytes.NewReader(payload))
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				route, params, err := router.FindRoute(req)
				if err != nil {
					t.Fatalf("%s %s: not in the document: %v", method, path, err)
				}
				opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
				in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
				if want < 400 {
					if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
						t.Errorf("%s %s: the request does not match the document: %v", method, path, err)
					}
				}
				out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header, Options: opts}
				out.SetBodyBytes(res.Body)
				if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
					t.Errorf("%s %s: the %d answer does not match the document: %v\n%s", method, path, res.Status, err, res.Body)
				}
				return res.Body
			}

			acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
			con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})
			c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Intro", "related_type": "contacts", "related_id": con["id"]})
			kopi := c.create(t, c.AdminToken, "products", map[string]any{"name": "Kopi", "unit_price": 150000})
			order := c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": con["id"]})
			c.history(t, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), "contacts", num(t, con["id"]), "converted", map[string][2]any{"lead_id": {nil, 7}})

			lines := recPath("orders", order["id"]) + "/lines"
			var line map[string]any
			json.Unmarshal(check("POST", lines, map[string]any{"product_id": num(t, kopi["id"]), "quantity": 2, "discount_percent": 5}, http.StatusCreated), &line)
			check("POST", lines, map[string]any{"description": "Ongkos kirim", "unit_price": json.Number("25000.50")}, http.StatusCreated)
			check("POST", lines, map[string]any{"quantity": 0}, http.StatusUnprocessableEntity)
			check("GET", lines, nil, http.StatusOK)
			check("PATCH", recPath("order-lines", line["id"]), map[string]any{"quantity": 3}, http.StatusOK)
			check("DELETE", recPath("order-lines", line["id"]), nil, http.StatusNoContent)
			check("DELETE", recPath("order-lines", line["id"]), nil, http.StatusNotFound)

			for _, entity := range []string{"contacts", "accounts"} {
				id := con["id"]
				if entity == "accounts" {
					id = acc["id"]
				}
				check("GET", recPath(entity, id)+"/timeline?limit=2", nil, http.StatusOK)
				check("GET", recPath(entity, id)+"/timeline?limit=0", nil, http.StatusUnprocessableEntity)
				check("GET", recPath(entity, id)+"/summary", nil, http.StatusOK)
				check("GET", recPath(entity, 999999)+"/summary", nil, http.StatusNotFound)
			}
		})
	}
}
