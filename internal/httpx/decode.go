package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/relasi/relasi/internal/errs"
)

// MaxBodyBytes bounds a JSON request body.
const MaxBodyBytes = 1 << 20

// DecodeJSON reads one JSON object from the request into v. Unknown fields
// are refused (a typo must not be silently ignored), as is trailing data.
// Errors say where the body went wrong: a syntax error gives its byte
// offset, a wrong type names the field.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errs.E(errs.BadRequest, "The request body must be JSON (Content-Type: application/json), not %q.", ct)
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errs.E(errs.BadRequest, "The request body must hold exactly one JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(errs.BadRequest, "The request body must hold exactly one JSON object.")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errs.E(errs.BadRequest, "The request body is empty; send a JSON object.")
	case errors.As(err, &syntax):
		return errs.E(errs.BadRequest, "The request body is not valid JSON (error at byte %d: %s).", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.BadRequest, "The request body is not valid JSON (it ends too early).")
	case errors.As(err, &typ):
		var fe errs.Fields
		field := typ.Field
		if field == "" {
			return errs.E(errs.BadRequest, "The request body must be a JSON object.")
		}
		fe.Add(field, "wrong_type", "must be %s", jsonKind(typ.Type.Kind().String()))
		return fe.Err()
	case errors.As(err, &tooBig):
		return errs.E(errs.BadRequest, "The request body is larger than %d bytes.", MaxBodyBytes)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		var fe errs.Fields
		fe.Add(name, "unknown_field", "is not a field of this resource")
		return fe.Err()
	}
	return errs.E(errs.BadRequest, "The request body could not be read: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return fmt.Sprintf("of type %s", goKind)
}
