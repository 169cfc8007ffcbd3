package httpx_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/httpx"
)

// Over a real TCP connection to a real http.Server, configured as the app
// configures it: headers too large are a 431 problem document, not Go's
// plain-text answer.
func TestOversizedHeadersAreAProblem(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := &http.Server{Handler: httpx.LimitHeaders(slog.New(slog.DiscardHandler), ok), MaxHeaderBytes: httpx.ServerMaxHeaderBytes}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	send := func(cookie string) *http.Response {
		t.Helper()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "GET /api/v1/contacts HTTP/1.1\r\nHost: relasi.test\r\nCookie: %s\r\n\r\n", cookie)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}

	if res := send("a=" + strings.Repeat("x", 1000)); res.StatusCode != http.StatusOK {
		t.Errorf("a request with ordinary headers: %d", res.StatusCode)
	}
	res := send("a=" + strings.Repeat("x", httpx.MaxHeaderBytes))
	var p httpx.Problem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatalf("431 body is not JSON: %v", err)
	}
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge || res.Header.Get("Content-Type") != "application/problem+json" ||
		p.Status != 431 || p.Type != "urn:relasi:problem:headers_too_large" || !strings.Contains(p.Detail, "headers") {
		t.Errorf("oversized headers: %d %s %+v; want a 431 problem", res.StatusCode, res.Header.Get("Content-Type"), p)
	}
	if !res.Close {
		t.Error("the connection stays open after refusing a request's headers")
	}
}
