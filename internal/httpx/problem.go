// Package httpx holds what every Relasi HTTP handler shares: problem+json
// errors (RFC 9457) with per-field details, strict JSON decoding, ETags and
// If-Match, security headers and request instrumentation. It knows nothing
// about any CRM domain.
package httpx

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/errs"
)

// Problem is an RFC 9457 problem details body, with Relasi's per-field errors.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors []errs.FieldError `json:"errors,omitempty"`
}

// Status maps an error code to its HTTP status.
func Status(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.BadRequest:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.PreconditionFailed:
		return http.StatusPreconditionFailed
	case errs.TooManyRequests:
		return http.StatusTooManyRequests
	case errs.HeadersTooLarge:
		return http.StatusRequestHeaderFieldsTooLarge
	}
	return http.StatusInternalServerError
}

// ProblemOf turns any error into the problem a client is shown. Errors that
// are not *errs.Error are internal: their text may hold SQL or paths, so the
// client gets a plain message and the caller is expected to log the error.
func ProblemOf(err error) Problem {
	e, ok := errs.As(err)
	if !ok {
		e = &errs.Error{Code: errs.Internal, Message: "Something went wrong on our side. It has been logged; please try again."}
	}
	status := Status(e.Code)
	return Problem{
		Type:   "urn:relasi:problem:" + string(e.Code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: e.Message,
		Errors: e.Fields,
	}
}

// WriteError writes err as application/problem+json and logs internal errors.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	p := ProblemOf(err)
	if p.Status >= 500 {
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e, ok := errs.As(err); ok && e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="relasi"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
