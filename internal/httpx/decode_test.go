package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// contactInput stands in for any resource's JSON body.
type contactInput struct {
	Name   string       `json:"name"`
	Amount httpx.Number `json:"amount"`
	Age    *int         `json:"age"`
	Tags   []string     `json:"tags"`
	Active bool         `json:"active"`
	Score  float64      `json:"score"`
	Due    *time.Time   `json:"due"`
}

func decode(t *testing.T, contentType, body string) (contactInput, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var v contactInput
	err := httpx.DecodeJSON(httptest.NewRecorder(), r, &v)
	return v, err
}

func TestDecodeJSONAccepts(t *testing.T) {
	for _, tc := range []struct{ name, contentType, body string }{
		{"plain", "application/json", `{"name": "Budi", "age": 30}`},
		{"charset parameter", "application/json; charset=utf-8", `{"name": "Budi", "age": 30}`},
		{"+json media type", "application/merge-patch+json", `{"name": "Budi", "age": 30}`},
		{"no content type", "", `{"name": "Budi", "age": 30}`},
		{"trailing whitespace", "application/json", "{\"name\": \"Budi\", \"age\": 30}\n\t "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decode(t, tc.contentType, tc.body)
			if err != nil {
				t.Fatalf("DecodeJSON(%q): %v", tc.body, err)
			}
			if v.Name != "Budi" || v.Age == nil || *v.Age != 30 {
				t.Errorf("decoded %+v", v)
			}
		})
	}
}

func TestDecodeJSONRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
		code                    errs.Code
		field                   string // the one field named, for Invalid
		detail                  string // part of the message
	}{
		{"empty body", "application/json", "", errs.BadRequest, "", "empty"},
		{"only whitespace", "application/json", "  \n", errs.BadRequest, "", "empty"},
		{"trailing object", "application/json", `{"name": "a"}{"name": "b"}`, errs.BadRequest, "", "exactly one JSON object"},
		{"trailing garbage", "application/json", `{"name": "a"} x`, errs.BadRequest, "", "exactly one JSON object"},
		{"trailing brace", "application/json", `{"name": "a"}}`, errs.BadRequest, "", "exactly one JSON object"},
		{"syntax error", "application/json", `{"name" "a"}`, errs.BadRequest, "", "byte 9"},
		{"syntax error later", "application/json", `{"name": "a", "age": 3,}`, errs.BadRequest, "", "byte 24"},
		{"cut short", "application/json", `{"name": "a"`, errs.BadRequest, "", "ends too early"},
		{"not an object", "application/json", `["a"]`, errs.BadRequest, "", "must be a JSON object"},
		{"a bare string", "application/json", `"a"`, errs.BadRequest, "", "must be a JSON object"},
		{"wrong type string", "application/json", `{"name": 5}`, errs.Invalid, "name", "a string"},
		{"wrong type number", "application/json", `{"age": "thirty"}`, errs.Invalid, "age", "a whole number"},
		{"wrong type list", "application/json", `{"tags": "vip"}`, errs.Invalid, "tags", "a list"},
		{"wrong type bool", "application/json", `{"active": "yes"}`, errs.Invalid, "active", "true or false"},
		{"wrong type float", "application/json", `{"score": "high"}`, errs.Invalid, "score", "a number"},
		{"unknown field", "application/json", `{"name": "a", "nmae": "b"}`, errs.Invalid, "nmae", "not a field"},
		{"wrong content type", "text/plain", `{"name": "a"}`, errs.BadRequest, "", "must be JSON"},
		{"form content type", "application/x-www-form-urlencoded", `name=a`, errs.BadRequest, "", "must be JSON"},
		{"unparsable content type", "application/json; =", `{"name": "a"}`, errs.BadRequest, "", "must be JSON"},
		{"too large", "application/json", `{"name": "` + strings.Repeat("a", httpx.MaxBodyBytes) + `"}`, errs.BadRequest, "", "larger than"},
		// Go's decoder would store U+FFFD for the bad byte.
		{"invalid UTF-8", "application/json", "{\"name\": \"Bud\xffi\"}", errs.BadRequest, "", "not valid UTF-8 (bad byte at offset 13)"},
		{"cut UTF-8 sequence", "application/json", "{\"name\": \"\xe2\x82\"}", errs.BadRequest, "", "not valid UTF-8"},
		{"amount as a string", "application/json", `{"amount": "1500000"}`, errs.Invalid, "amount", "a number"},
		{"amount as a bool", "application/json", `{"amount": true}`, errs.Invalid, "amount", "a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(t, tc.contentType, tc.body)
			e, ok := errs.As(err)
			if !ok {
				t.Fatalf("DecodeJSON(%.60q) = %v, want an *errs.Error", tc.body, err)
			}
			if e.Code != tc.code {
				t.Errorf("code %s, want %s (%v)", e.Code, tc.code, e)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
				if !strings.Contains(f.Message, tc.detail) {
					t.Errorf("field %s message %q does not contain %q", f.Field, f.Message, tc.detail)
				}
			}
			if tc.field != "" {
				if !slices.Equal(fields, []string{tc.field}) {
					t.Errorf("fields %v, want [%s]", fields, tc.field)
				}
			} else {
				if len(fields) != 0 {
					t.Errorf("fields %v, want none", fields)
				}
				if !strings.Contains(e.Message, tc.detail) {
					t.Errorf("message %q does not contain %q", e.Message, tc.detail)
				}
			}
			if p := httpx.ProblemOf(err); p.Status != httpx.Status(tc.code) {
				t.Errorf("problem status %d, want %d", p.Status, httpx.Status(tc.code))
			}
		})
	}
}

func TestDecodeObjectRefusesInvalidUTF8(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{\"first_name\": \"Bud\xc3i\"}"))
	_, err := httpx.DecodeObject(httptest.NewRecorder(), r)
	if e, ok := errs.As(err); !ok || e.Code != errs.BadRequest || !strings.Contains(e.Message, "UTF-8") {
		t.Errorf("DecodeObject of invalid UTF-8 = %v, want a bad request naming UTF-8", err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"first_name": "Ēkō 🌺"}`))
	if m, err := httpx.DecodeObject(httptest.NewRecorder(), r); err != nil || m["first_name"] != "Ēkō 🌺" {
		t.Errorf("DecodeObject of valid UTF-8 = %v, %v", m, err)
	}
}

func TestNumberKeepsTheDecimal(t *testing.T) {
	v, err := decode(t, "application/json", `{"amount": 92233720368547.75}`)
	if err != nil || v.Amount != "92233720368547.75" {
		t.Errorf("amount %q (err %v), want the decimal as sent", v.Amount, err)
	}
	if v, err = decode(t, "application/json", `{"amount": null}`); err != nil || v.Amount != "" {
		t.Errorf("null amount %q (err %v), want empty", v.Amount, err)
	}
}
