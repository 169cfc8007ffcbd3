// Package api is the REST API's frame: bearer-token authentication, the
// JSON error for unknown routes and methods, and the OpenAPI document
// assembled from the fragments each domain package contributes. Domain
// packages register their own routes on a Router.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Handler is an API handler for an authenticated caller. A returned error
// is written as problem+json.
type Handler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// Router registers API routes on a ServeMux and remembers them, so a test
// can hold every route against the OpenAPI document.
type Router struct {
	mux    *http.ServeMux
	auth   *auth.Service
	logger *slog.Logger
	routes []string
}

// NewRouter returns a Router and installs the catch-all that answers
// unknown API paths with 404 and wrong methods with 405, as problem+json.
func NewRouter(mux *http.ServeMux, authSvc *auth.Service, logger *slog.Logger) *Router {
	rt := &Router{mux: mux, auth: authSvc, logger: logger}
	mux.HandleFunc(Prefix+"/", rt.notFound)
	return rt
}

// Handle registers an authenticated route, e.g. "GET /api/v1/teams/{id}".
func (rt *Router) Handle(pattern string, h Handler) {
	rt.routes = append(rt.routes, pattern)
	rt.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := rt.authenticate(r)
		if err != nil {
			httpx.WriteError(w, r, rt.logger, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		if err := h(w, r, p); err != nil {
			httpx.WriteError(w, r, rt.logger, err)
		}
	})
}

// Public registers a route that needs no token (the OpenAPI document).
func (rt *Router) Public(pattern string, h http.HandlerFunc) {
	rt.routes = append(rt.routes, pattern)
	rt.mux.HandleFunc(pattern, h)
}

// Routes returns every registered pattern.
func (rt *Router) Routes() []string { return slices.Clone(rt.routes) }

type principalKey struct{}

// PrincipalFrom returns the caller stored by Handle.
func PrincipalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(auth.Principal)
	return p, ok
}

func (rt *Router) authenticate(r *http.Request) (auth.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return auth.Principal{}, errs.E(errs.Unauthorized, "This API needs an API token: send the header \"Authorization: Bearer <token>\". Create a token with `relasi token create` or under Settings → API tokens.")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return auth.Principal{}, errs.E(errs.Unauthorized, "The Authorization header must be \"Bearer <token>\".")
	}
	return rt.auth.AuthenticateToken(r.Context(), strings.TrimSpace(token))
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// notFound answers requests no route matched: 405 with Allow when the path
// exists for other methods, 404 otherwise.
func (rt *Router) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "" && pattern != Prefix+"/" {
			allow = append(allow, m)
		}
	}
	if i := slices.Index(allow, http.MethodGet); i >= 0 {
		allow = slices.Insert(allow, i+1, http.MethodHead) // GET routes answer HEAD too
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		httpx.WriteError(w, r, rt.logger, errs.E(errs.MethodNotAllowed, "%s is not allowed on %s; allowed: %s.", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	httpx.WriteError(w, r, rt.logger, errs.E(errs.NotFound, "There is no API endpoint %s %s. See %s/openapi.json.", r.Method, r.URL.Path, Prefix))
}
