package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The saved views API, every exchange held against records.ViewsOpenAPI.
func TestViewsAPI(t *testing.T) {
	doc := viewsDocument(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			reg := records.NewRegistry(accounts.Entity(engine), contacts.Entity(engine))
			srv := recordstest.New(t, engine, func(s *recordstest.Server) {
				records.RegisterViewsAPI(s.Router, s.Store, reg)
			})
			for _, route := range srv.Router.Routes() {
				method, path, _ := strings.Cut(route, " ")
				if item := doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
					t.Errorf("route %s is not in ViewsOpenAPI", route)
				}
			}
			_, salesToken := srv.User(t, "agus@example.co.id", auth.Sales, 0)
			call := func(token, method, path string, body any, want int) map[string]any {
				t.Helper()
				return viewsCall(t, doc, srv, token, method, path, body, want)
			}

			saved := call(srv.AdminToken, "POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": "Jakarta VIP",
				"filter": `city = "Jakarta" and tags contains "vip"`, "sort": "-created_at", "columns": []string{"first_name", "city"}, "shared": true}, http.StatusCreated)
			if saved["name"] != "Jakarta VIP" || saved["shared"] != true || fmt.Sprint(saved["columns"]) != "[first_name city]" {
				t.Errorf("saved view %v", saved)
			}
			call(srv.AdminToken, "POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": "Mine only"}, http.StatusCreated)
			bad := call(srv.AdminToken, "POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": "Broken",
				"filter": "city = ", "sort": "shoe_size", "columns": []string{"nope"}}, http.StatusUnprocessableEntity)
			if got := fmt.Sprint(bad["errors"]); !strings.Contains(got, "position 7") || !strings.Contains(got, "sort") || !strings.Contains(got, "columns") {
				t.Errorf("a broken view's errors: %s", got)
			}
			call(srv.AdminToken, "POST", "/api/v1/views", map[string]any{"entity": "planets", "name": "X"}, http.StatusUnprocessableEntity)

			list := call(srv.AdminToken, "GET", "/api/v1/views?entity=contacts", nil, http.StatusOK)
			if items := list["items"].([]any); len(items) != 2 {
				t.Errorf("the admin's views: %d, want 2", len(items))
			}
			list = call(salesToken, "GET", "/api/v1/views?entity=contacts", nil, http.StatusOK)
			items := list["items"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["name"] != "Jakarta VIP" {
				t.Fatalf("another user's views: %v, want only the shared one", items)
			}
			id := items[0].(map[string]any)["id"]
			call(salesToken, "DELETE", fmt.Sprintf("/api/v1/views/%v", id), nil, http.StatusForbidden)
			call(srv.AdminToken, "DELETE", fmt.Sprintf("/api/v1/views/%v", id), nil, http.StatusNoContent)
			call(srv.AdminToken, "DELETE", fmt.Sprintf("/api/v1/views/%v", id), nil, http.StatusNotFound)
			if items := call(salesToken, "GET", "/api/v1/views?entity=contacts", nil, http.StatusOK)["items"].([]any); len(items) != 0 {
				t.Errorf("views after the delete: %v", items)
			}
		})
	}
}

func viewsDocument(t *testing.T) *openapi3.T {
	t.Helper()
	b, err := api.BuildDocument("test", records.ViewsOpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("ViewsOpenAPI makes an invalid document: %v", err)
	}
	return doc
}

// viewsCall sends a request and validates request and response against doc.
func viewsCall(t *testing.T, doc *openapi3.T, srv *recordstest.Server, token, method, path string, body any, want int) map[string]any {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, got)
	}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	vreq, _ := http.NewRequest(method, path, bytes.NewReader(raw))
	vreq.Header = req.Header.Clone()
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		t.Fatalf("%s %s is not documented: %v", method, path, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	resIn := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
	resIn.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), resIn); err != nil {
		t.Errorf("%s %s: the %d answer does not match ViewsOpenAPI: %v", method, path, res.StatusCode, err)
	}
	var out map[string]any
	if len(got) > 0 {
		json.Unmarshal(got, &out)
	}
	return out
}
