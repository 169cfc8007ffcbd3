package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

func TestETag(t *testing.T) {
	if got := httpx.ETag(7); got != `"v7"` {
		t.Errorf(`ETag(7) = %s, want "v7"`, got)
	}
}

func TestIfMatch(t *testing.T) {
	for _, tc := range []struct {
		header  string
		set     bool
		version int64
		bad     bool
	}{
		{set: false, version: 0},
		{header: "", set: true, version: 0},
		{header: "*", set: true, version: 0},
		{header: `"v1"`, set: true, version: 1},
		{header: ` "v42" `, set: true, version: 42},
		{header: `W/"v3"`, set: true, version: 3},
		{header: `"v9223372036854775807"`, set: true, version: 9223372036854775807},
		{header: `v3`, set: true, bad: true},
		{header: `"3"`, set: true, bad: true},
		{header: `"v"`, set: true, bad: true},
		{header: `"v0"`, set: true, bad: true},
		{header: `"v-1"`, set: true, bad: true},
		{header: `"vx"`, set: true, bad: true},
		{header: `"v3`, set: true, bad: true},
		{header: `"v99999999999999999999"`, set: true, bad: true},
		{header: `"abc"`, set: true, bad: true},
	} {
		r := httptest.NewRequest(http.MethodPatch, "/", nil)
		if tc.set {
			r.Header.Set("If-Match", tc.header)
		}
		v, err := httpx.IfMatch(r)
		if tc.bad {
			e, ok := errs.As(err)
			if !ok || e.Code != errs.BadRequest || len(e.Fields) != 1 || e.Fields[0].Field != "If-Match" {
				t.Errorf("IfMatch(%q) = %d, %v; want a bad request naming If-Match", tc.header, v, err)
			}
			if p := httpx.ProblemOf(err); p.Status != http.StatusBadRequest {
				t.Errorf("IfMatch(%q): status %d, want 400", tc.header, p.Status)
			}
			continue
		}
		if err != nil || v != tc.version {
			t.Errorf("IfMatch(%q) = %d, %v; want %d", tc.header, v, err, tc.version)
		}
	}
}

func TestSetETag(t *testing.T) {
	for _, tc := range []struct {
		ifNoneMatch string
		writeBody   bool
	}{
		{"", true},
		{`"v2"`, true},
		{`"v3"`, false},
		{`W/"v3"`, false},
		{`"v1", "v3"`, false},
		{`"v1","v2"`, true},
		{`"v30"`, true},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.ifNoneMatch != "" {
			r.Header.Set("If-None-Match", tc.ifNoneMatch)
		}
		w := httptest.NewRecorder()
		write := httpx.SetETag(w, r, 3)
		if write != tc.writeBody {
			t.Errorf("If-None-Match %q: SetETag = %v, want %v", tc.ifNoneMatch, write, tc.writeBody)
		}
		if got := w.Header().Get("ETag"); got != `"v3"` {
			t.Errorf("If-None-Match %q: ETag %q, want \"v3\"", tc.ifNoneMatch, got)
		}
		if !tc.writeBody && (w.Code != http.StatusNotModified || w.Body.Len() != 0) {
			t.Errorf("If-None-Match %q: %d with %d bytes, want an empty 304", tc.ifNoneMatch, w.Code, w.Body.Len())
		}
		if tc.writeBody && w.Code != http.StatusOK {
			t.Errorf("If-None-Match %q: wrote status %d before the body", tc.ifNoneMatch, w.Code)
		}
	}
}
