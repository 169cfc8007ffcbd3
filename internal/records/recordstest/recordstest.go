// Package recordstest starts a real Relasi API — on a fresh database of
// either engine — serving the entities a test names, so a domain package
// can test its records end to end without the whole app.
package recordstest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// Server is a running API over a test database.
type Server struct {
	*httptest.Server
	DB     *store.DB
	Auth   *auth.Service
	Store  *records.Store
	Mux    *http.ServeMux
	Router *api.Router
	// Admin is an administrator with an API token.
	Admin      auth.User
	AdminToken string
}

// New starts a server on a fresh database of engine. register is called
// with the router before the server starts, to add the entities' routes
// (records.RegisterAPI) and any domain routes.
func New(tb testing.TB, engine store.Engine, register func(s *Server)) *Server {
	tb.Helper()
	db := storetest.Open(tb, engine)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Server{DB: db, Auth: auth.NewService(db), Store: records.NewStore(db), Mux: http.NewServeMux()}
	s.Router = api.NewRouter(s.Mux, s.Auth, logger)
	register(s)
	s.Server = httptest.NewServer(httpx.SecurityHeaders(false, s.Mux))
	tb.Cleanup(s.Server.Close)
	s.Admin, s.AdminToken = s.User(tb, "admin@example.co.id", auth.Admin, 0)
	return s
}

// User creates a user with a role (and team, when not 0) and returns it
// with an API token.
func (s *Server) User(tb testing.TB, email string, role auth.Role, team int64) (auth.User, string) {
	tb.Helper()
	in := auth.NewUser{Email: email, Name: email, Password: "rahasia-123", Role: role}
	if team != 0 {
		in.TeamID = &team
	}
	u, err := s.Auth.CreateUser(context.Background(), in)
	if err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	tok, _, err := s.Auth.CreateToken(context.Background(), u.Principal(), u.ID, auth.NewToken{Name: "test"})
	if err != nil {
		tb.Fatalf("token for %s: %v", email, err)
	}
	return u, tok
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as an object.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request with a bearer token and a JSON body (nil for none).
func (s *Server) Do(tb testing.TB, token, method, path string, body any) Response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Want fails the test unless the response has the status.
func (r Response) Want(tb testing.TB, status int) Response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}
