package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/errs"
)

// MaxBodyBytes bounds a JSON request body.
const MaxBodyBytes = 1 << 20

// DecodeJSON reads one JSON object from the request into v. Unknown fields
// are refused (a typo must not be silently ignored), as is trailing data.
// Errors say where the body went wrong: a syntax error gives its byte
// offset, a wrong type names the field.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	// One object, with keys spelled exactly as documented: Go's decoder
	// would also accept null and match keys case-insensitively.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		return jsonError(err)
	}
	if keys == nil {
		return errs.E(errs.BadRequest, "The request body must be a JSON object, not null.")
	}
	allowed := jsonFieldNames(reflect.TypeOf(v))
	var fe errs.Fields
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !allowed[k] {
			fe.Add(k, "unknown_field", "is not a field of this resource")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

// readJSON reads a request body that must be JSON: the content type says
// so (or nothing), it is not empty, and it is UTF-8, as RFC 8259 requires —
// Go's decoder would quietly turn a bad byte into U+FFFD, and the record
// would be stored with a character the client never sent.
func readJSON(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errs.E(errs.BadRequest, "The request body must be JSON (Content-Type: application/json), not %q.", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, jsonError(err)
	}
	if at := invalidUTF8(body); at >= 0 {
		return nil, errs.E(errs.BadRequest, "The request body is not valid UTF-8 (bad byte at offset %d).", at)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, jsonError(io.EOF)
	}
	return body, nil
}

// invalidUTF8 returns the offset of the first byte of b that is not valid
// UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// Number is a JSON number kept as its decimal text, for amounts that must
// not pass through a float. Unlike json.Number it refuses a JSON string:
// "amount": "1500000" is a wrong_type, as it is for every other number.
type Number json.Number

// UnmarshalJSON takes a JSON number; null leaves n as it is.
func (n *Number) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*n = Number(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeFor[float64]()}
}

// fieldNames caches the JSON field names of request types.
var fieldNames sync.Map // reflect.Type → map[string]bool

// jsonFieldNames returns the JSON names of a struct's fields, including
// those of embedded structs.
func jsonFieldNames(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if m, ok := fieldNames.Load(t); ok {
		return m.(map[string]bool)
	}
	names := map[string]bool{}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case tag == "-":
			case f.Anonymous && tag == "":
				for k := range jsonFieldNames(f.Type) {
					names[k] = true
				}
			case !f.IsExported():
			case tag != "":
				names[tag] = true
			default:
				names[f.Name] = true
			}
		}
	}
	fieldNames.Store(t, names)
	return names
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errs.E(errs.BadRequest, "The request body is empty; send a JSON object.")
	case errors.As(err, &syntax) && strings.Contains(syntax.Error(), "after top-level value"):
		return errs.E(errs.BadRequest, "The request body must hold exactly one JSON object (extra data at byte %d).", syntax.Offset)
	case errors.As(err, &syntax) && strings.Contains(syntax.Error(), "unexpected end of JSON input"):
		return errs.E(errs.BadRequest, "The request body is not valid JSON (it ends too early).")
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
	return errs.E(errs.BadRequest, "The request body could not be read: a value does not have the expected format.")
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

// DecodeObject reads a JSON object into a map, keeping numbers as
// json.Number so that amounts and IDs lose no precision. For bodies whose
// fields are known only at run time (records with custom fields).
func DecodeObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	body, err := readJSON(w, r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, jsonError(err)
	}
	if m == nil {
		return nil, errs.E(errs.BadRequest, "The request body must be a JSON object, not null.")
	}
	if dec.More() {
		return nil, errs.E(errs.BadRequest, "The request body must hold exactly one JSON object.")
	}
	return m, nil
}
