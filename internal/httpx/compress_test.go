package httpx

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCompress(t *testing.T) {
	big := strings.Repeat("<p>Selamat datang di Relasi</p>\n", 200)
	h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, big)
		case "/small":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<p>ok</p>")
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte(big))
		case "/304":
			w.WriteHeader(http.StatusNotModified)
		case "/encoded":
			// A handler that compresses on its own (promhttp does).
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, big)
			zw.Close()
		}
	}))
	get := func(path string, gz bool) *http.Response {
		req := httptest.NewRequest("GET", path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	res := get("/big", true)
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("a large HTML page is not compressed")
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if string(body) != big {
		t.Fatal("the compressed page does not decompress to the original")
	}
	// An already compressed body is not compressed again.
	if zr, err := gzip.NewReader(get("/encoded", true).Body); err != nil {
		t.Fatal(err)
	} else if b, _ := io.ReadAll(zr); string(b) != big {
		t.Fatal("a body the handler compressed itself came out compressed twice")
	}
	for _, tc := range []struct {
		path string
		gz   bool
	}{{"/big", false}, {"/small", true}, {"/png", true}, {"/304", true}} {
		res := get(tc.path, tc.gz)
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s (accepts gzip: %v) was compressed", tc.path, tc.gz)
		}
	}
	if b, _ := io.ReadAll(get("/small", true).Body); string(b) != "<p>ok</p>" {
		t.Errorf("small body = %q", b)
	}
}
