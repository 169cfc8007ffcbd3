package httpx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

func TestStatus(t *testing.T) {
	for code, want := range map[errs.Code]int{
		errs.Invalid:            422,
		errs.BadRequest:         400,
		errs.NotFound:           404,
		errs.MethodNotAllowed:   405,
		errs.Conflict:           409,
		errs.Unauthorized:       401,
		errs.Forbidden:          403,
		errs.PreconditionFailed: 412,
		errs.TooManyRequests:    429,
		errs.Internal:           500,
		errs.Code("made_up"):    500,
		errs.Code(""):           500,
	} {
		if got := httpx.Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestProblemOf(t *testing.T) {
	t.Run("internal error text stays hidden", func(t *testing.T) {
		err := fmt.Errorf("list users: %w", errors.New(`pq: relation "users" does not exist at /var/lib/relasi/relasi.db`))
		p := httpx.ProblemOf(err)
		if p.Status != 500 || p.Type != "urn:relasi:problem:internal" || p.Title != "Internal Server Error" {
			t.Errorf("problem %+v, want a 500 internal", p)
		}
		for _, secret := range []string{"relation", "users", "/var/lib", "pq:"} {
			if strings.Contains(p.Detail, secret) {
				t.Errorf("detail %q reveals %q", p.Detail, secret)
			}
		}
		if p.Detail == "" || len(p.Errors) != 0 {
			t.Errorf("problem %+v, want a plain message and no field errors", p)
		}
	})

	t.Run("wrapped errors keep their code", func(t *testing.T) {
		var fe errs.Fields
		fe.Add("email", "taken", "is already used by another user")
		e, _ := errs.As(fe.Err())
		e.Code = errs.Conflict
		p := httpx.ProblemOf(fmt.Errorf("create user: %w", e))
		if p.Status != 409 || p.Type != "urn:relasi:problem:conflict" || p.Title != "Conflict" {
			t.Errorf("problem %+v, want a 409 conflict", p)
		}
		if len(p.Errors) != 1 || p.Errors[0].Field != "email" || p.Errors[0].Code != "taken" {
			t.Errorf("errors %+v, want email taken", p.Errors)
		}
	})

	t.Run("shown errors keep their message", func(t *testing.T) {
		p := httpx.ProblemOf(errs.E(errs.NotFound, "No such user."))
		if p.Status != 404 || p.Detail != "No such user." {
			t.Errorf("problem %+v", p)
		}
	})
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		header map[string]string
	}{
		{"unauthorized", errs.E(errs.Unauthorized, "no token"), 401, map[string]string{"WWW-Authenticate": `Bearer realm="relasi"`}},
		{"throttled", &errs.Error{Code: errs.TooManyRequests, Message: "slow down", RetryAfterSeconds: 30}, 429, map[string]string{"Retry-After": "30"}},
		{"invalid", func() error { var f errs.Fields; f.Add("name", "required", "is required"); return f.Err() }(), 422, nil},
		{"internal", errors.New("disk full"), 500, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged strings.Builder
			logger := slog.New(slog.NewTextHandler(&logged, nil))
			w := httptest.NewRecorder()
			httpx.WriteError(w, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil), logger, tc.err)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			for k, v := range tc.header {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s %q, want %q", k, got, v)
				}
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			for _, k := range []string{"type", "title", "status", "detail"} {
				if _, ok := body[k]; !ok {
					t.Errorf("body %s lacks %q", w.Body, k)
				}
			}
			if body["status"] != float64(tc.status) {
				t.Errorf("body status %v, want %d", body["status"], tc.status)
			}
			if _, ok := body["errors"]; ok != (tc.status == 422) {
				t.Errorf("body %s: errors present %v", w.Body, ok)
			}
			if l := logged.String(); (tc.status >= 500) != strings.Contains(l, "request failed") {
				t.Errorf("log %q: internal errors, and only they, must be logged", l)
			} else if tc.status >= 500 && !strings.Contains(l, "disk full") {
				t.Errorf("log %q lacks the internal error's text", l)
			}
			if strings.Contains(w.Body.String(), "disk full") {
				t.Errorf("body reveals the internal error: %s", w.Body)
			}
		})
	}
}

func TestInstrumentRecoversPanics(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom/{id}", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	reg := prometheus.NewRegistry()
	h := httpx.Instrument(slog.New(slog.NewTextHandler(io.Discard, nil)), httpx.NewMetrics(reg), mux)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom/1", nil))
	if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("a panic gave %d %s, want a 500 problem", w.Code, w.Header().Get("Content-Type"))
	}
	if strings.Contains(w.Body.String(), "kaboom") {
		t.Errorf("the panic value reached the client: %s", w.Body)
	}

	// The request is counted by its route pattern, not its raw path.
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counted []string
	for _, mf := range families {
		if mf.GetName() != "relasi_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counted = append(counted, fmt.Sprintf("%s %s %s = %v", labels["method"], labels["route"], labels["status"], m.GetCounter().GetValue()))
		}
	}
	if want := []string{"GET /boom/{id} 500 = 1"}; !slices.Equal(counted, want) {
		t.Errorf("relasi_http_requests_total %v, want %v", counted, want)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, hsts := range []bool{false, true} {
		w := httptest.NewRecorder()
		httpx.SecurityHeaders(hsts, ok).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		h := w.Header()
		if h.Get("Content-Security-Policy") != httpx.ContentSecurityPolicy || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("headers %v", h)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != hsts {
			t.Errorf("hsts=%v: Strict-Transport-Security set: %v", hsts, got)
		}
	}
}
