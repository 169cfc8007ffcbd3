// Package errs defines the one error type Relasi's packages return when the
// caller (a person or an API client) must be told what went wrong. Every
// layer wraps with fmt.Errorf("…: %w", err) as usual; at the edge, httpx
// turns an *Error into the right status and problem+json body, and anything
// else into a logged 500 with a plain message.
package errs

import (
	"errors"
	"fmt"
	"sort"
)

// Code classifies an error for the caller. Each code maps to one HTTP status.
type Code string

const (
	Invalid            Code = "invalid"             // 422: input failed validation
	BadRequest         Code = "bad_request"         // 400: request could not be read at all
	NotFound           Code = "not_found"           // 404
	MethodNotAllowed   Code = "method_not_allowed"  // 405
	Conflict           Code = "conflict"            // 409: e.g. a duplicate e-mail
	Unauthorized       Code = "unauthorized"        // 401: who you are is unknown
	Forbidden          Code = "forbidden"           // 403: known, but not allowed
	PreconditionFailed Code = "precondition_failed" // 412: stale If-Match
	TooManyRequests    Code = "too_many_requests"   // 429: e.g. login throttling
	HeadersTooLarge    Code = "headers_too_large"   // 431: the request's headers are too large
	Internal           Code = "internal"            // 500
)

// FieldError says what is wrong with one input field. Field uses the JSON
// (snake_case) name, which is also the form field's name in the UI.
//
// Code is a stable machine-readable reason ("required", "too_long",
// "invalid_email", …); the UI translates "validation.<code>" from its message
// catalog with Args, API clients may branch on it, and Message is the English
// text for everyone else.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Args    []any  `json:"-"`
}

// Error is an error meant to be shown to the caller.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Key, when set, is the message catalog key the UI shows instead of
	// Message, formatted with Args.
	Key  string
	Args []any
	// RetryAfterSeconds is set on TooManyRequests errors.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d field errors)", e.Code, e.Message, len(e.Fields))
}

// Field returns the message for one field, or "" when that field is fine.
// Templates use it to print an error beside its input.
func (e *Error) Field(name string) string {
	for _, f := range e.Fields {
		if f.Field == name {
			return f.Message
		}
	}
	return ""
}

// E builds an error with a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, Internal for any
// other non-nil error and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Fields collects field errors during validation:
//
//	var v errs.Fields
//	if name == "" { v.Add("name", "required", "is required") }
//	if err := v.Err(); err != nil { return err }
type Fields []FieldError

// Add records a problem with a field. message is an English format string
// for args; the catalog key "validation.<code>" takes the same args.
func (f *Fields) Add(field, code, message string, args ...any) {
	*f = append(*f, FieldError{Field: field, Code: code, Message: fmt.Sprintf(message, args...), Args: args})
}

// Has reports whether the field already has a problem recorded.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid error listing the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	out := make([]FieldError, len(f))
	copy(out, f)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	msg := "One field is invalid."
	if len(out) > 1 {
		msg = fmt.Sprintf("%d fields are invalid.", len(out))
	}
	return &Error{Code: Invalid, Message: msg, Fields: out}
}

// WithKey sets the catalog key the UI shows for this error.
func (e *Error) WithKey(key string, args ...any) *Error {
	e.Key, e.Args = key, args
	return e
}
