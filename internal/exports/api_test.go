package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// apiServer is the records API and the export endpoints of accounts and
// contacts, with the OpenAPI document the app would serve for them.
type apiServer struct {
	*recordstest.Server
	reg    *records.Registry
	router routers.Router
}

func newAPIServer(t *testing.T, engine store.Engine) *apiServer {
	t.Helper()
	var reg *records.Registry
	srv := recordstest.New(t, engine, func(s *recordstest.Server) {
		reg = records.NewRegistry(accounts.Entity(s.DB.Engine), contacts.Entity(s.DB.Engine))
		for _, e := range reg.All() {
			records.RegisterAPI(s.Router, s.Store, e)
		}
		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		New(s.Store, reg, catalog, s.Auth.UserPrefs, testLogger).RegisterAPI(s.Router)
	})
	entities, err := srv.Store.OpenAPI(context.Background(), reg.All())
	if err != nil {
		t.Fatal(err)
	}
	docJSON, err := api.BuildDocument("test", entities, OpenAPI(reg.All()))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(docJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Every export route is documented, and nothing more.
	for _, pattern := range srv.Router.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if strings.HasSuffix(path, "/export") && (doc.Paths.Value(path) == nil || doc.Paths.Value(path).GetOperation(method) == nil) {
			t.Errorf("route %s is not documented", pattern)
		}
	}
	return &apiServer{Server: srv, reg: reg, router: router}
}

// get sends a GET and holds the exchange against the OpenAPI document.
func (s *apiServer) get(t *testing.T, token, path string, header ...string) recordstest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	// The router matches on the path alone, as the server sees it.
	vreq, _ := http.NewRequest(http.MethodGet, path, nil)
	vreq.Header = req.Header
	route, params, err := s.router.FindRoute(vreq)
	if err != nil {
		t.Fatalf("GET %s: not in the document: %v", path, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("GET %s: request does not match the document: %v", path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("GET %s: response %d does not match the document: %v", path, res.StatusCode, err)
	}
	return recordstest.Response{Status: res.StatusCode, Header: res.Header, Body: body}
}

func TestExportAPI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			s := newAPIServer(t, engine)
			contactsEntity, _ := s.reg.Get("contacts")
			admin := s.Admin.Principal()
			for _, in := range []records.Input{
				{"first_name": "Budi", "last_name": "Santoso", "city": "Jakarta", "emails": []string{"budi@maju.co.id"}},
				{"first_name": "Wayan", "last_name": "Sudirta", "city": "Denpasar", "job_title": "=1+1"},
			} {
				if _, err := s.Store.Create(context.Background(), admin, contactsEntity, in); err != nil {
					t.Fatal(err)
				}
			}

			res := s.get(t, s.AdminToken, `/api/v1/contacts/export?filter=city+%3D+%22Denpasar%22&columns=first_name,job_title`)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename=contacts-`) || !strings.HasSuffix(cd, ".csv") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if want := bom + "first_name,job_title\nWayan,'=1+1\n"; string(res.Body) != want {
				t.Errorf("body %q, want %q", res.Body, want)
			}

			res = s.get(t, s.AdminToken, "/api/v1/contacts/export?format=xlsx&sort=first_name")
			if res.Status != http.StatusOK || res.Header.Get("Content-Type") != XLSXType {
				t.Fatalf("xlsx: %d %s", res.Status, res.Header.Get("Content-Type"))
			}
			f, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatalf("open the XLSX: %v", err)
			}
			rows, _ := f.GetRows("contacts")
			f.Close()
			if len(rows) != 3 || rows[1][1] != "Budi" || rows[2][1] != "Wayan" {
				t.Errorf("xlsx rows %v", rows)
			}

			// Date-times in the zone the caller names.
			res = s.get(t, s.AdminToken, "/api/v1/contacts/export?columns=created_at&sort=first_name", "X-Time-Zone", "Asia/Jayapura")
			if lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[1], "+09:00") {
				t.Errorf("created_at in Asia/Jayapura: %q", res.Body)
			}

			// The search result.
			res = s.get(t, s.AdminToken, "/api/v1/search/export?q=budi")
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "contacts,1,Budi Santoso,") {
				t.Errorf("search export %d: %q", res.Status, res.Body)
			}
			res = s.get(t, s.AdminToken, "/api/v1/search/export?q=budi&entity=contacts&format=xlsx")
			if res.Status != http.StatusOK || res.Header.Get("Content-Type") != XLSXType {
				t.Errorf("search xlsx %d", res.Status)
			}

			// Refusals are problems, before any of the file.
			for _, tt := range []struct {
				path   string
				status int
				field  string
			}{
				{"/api/v1/contacts/export?filter=kota+%3D+1", http.StatusUnprocessableEntity, "filter"},
				{"/api/v1/contacts/export?format=pdf", http.StatusUnprocessableEntity, "format"},
				{"/api/v1/contacts/export?columns=shoe_size", http.StatusUnprocessableEntity, "columns"},
				{"/api/v1/contacts/export?headers=fancy", http.StatusUnprocessableEntity, "headers"},
				{"/api/v1/contacts/export?view=0", http.StatusUnprocessableEntity, "view"},
				{"/api/v1/contacts/export?view=999", http.StatusNotFound, ""},
				{"/api/v1/search/export?q=budi&entity=kucing", http.StatusUnprocessableEntity, "entity"},
			} {
				res := s.get(t, s.AdminToken, tt.path)
				var p httpx.Problem
				if res.Status != tt.status || res.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(res.Body, &p) != nil {
					t.Errorf("%s: %d %s %s", tt.path, res.Status, res.Header.Get("Content-Type"), res.Body)
					continue
				}
				if res.Header.Get("Content-Disposition") != "" {
					t.Errorf("%s: a refusal carries Content-Disposition %q", tt.path, res.Header.Get("Content-Disposition"))
				}
				if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
					t.Errorf("%s: errors %v, want one about %s", tt.path, p.Errors, tt.field)
				}
			}
			if res := s.get(t, "rls_nonsense", "/api/v1/contacts/export"); res.Status != http.StatusUnauthorized {
				t.Errorf("without a valid token: %d", res.Status)
			}

			// A sales user's export holds only what they see.
			sales, salesToken := s.User(t, "sari.sales@maju.co.id", auth.Sales, 0)
			if _, err := s.Store.Create(context.Background(), sales.Principal(), contactsEntity, records.Input{"first_name": "Sari's own"}); err != nil {
				t.Fatal(err)
			}
			res = s.get(t, salesToken, "/api/v1/contacts/export?columns=first_name")
			if want := bom + "first_name\nSari's own\n"; string(res.Body) != want {
				t.Errorf("the sales user's export %q, want %q", res.Body, want)
			}
		})
	}
}

// An export that fails before its first byte is a problem; one that fails
// midway cuts the connection, so the client never holds a short file it
// could take for a whole one.
func TestSendCutsAFailedDownload(t *testing.T) {
	x := New(nil, records.NewRegistry(), nil, nil, testLogger)
	failing := func(after int) *Export {
		return &Export{Format: CSV, Filename: "contacts.csv", sheets: []sheet{{name: "contacts", header: []string{"first_name"},
			rows: func(ctx context.Context, emit func([]cell) error) error {
				for i := 0; i < after; i++ {
					if err := emit([]cell{textCell("Budi " + strconv.Itoa(i))}); err != nil {
						return err
					}
				}
				return errors.New("database went away")
			}}}}
	}
	after := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) {
		if err := x.send(w, r, failing(after)); err != nil {
			httpx.WriteError(w, r, testLogger, err)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	after = 3 // the file is still in the buffer when it fails
	res, err := http.Get(srv.URL + "/export")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Content-Type") != "application/problem+json" || res.Header.Get("Content-Disposition") != "" {
		t.Errorf("early failure: %d %v %s", res.StatusCode, res.Header, body)
	}

	after = 100_000 // megabytes have left when it fails
	res, err = http.Get(srv.URL + "/export")
	if err != nil {
		t.Fatal(err)
	}
	body, err = io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil {
		t.Errorf("a download that failed midway ended cleanly after %d bytes", len(body))
	}
	if res.StatusCode != http.StatusOK || !slices.Contains([]string{"text/csv; charset=utf-8"}, res.Header.Get("Content-Type")) {
		t.Errorf("midway failure: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
