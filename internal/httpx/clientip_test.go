package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relasi/relasi/internal/httpx"
)

func TestClientAddr(t *testing.T) {
	proxies, err := httpx.ParseTrustedProxies("10.0.0.0/8, 192.168.1.5 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		proxies httpx.TrustedProxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies configured: the header is ignored", nil, "10.1.2.3:5000", []string{"203.0.113.9"}, "10.1.2.3"},
		{"direct client", proxies, "198.51.100.7:5000", nil, "198.51.100.7"},
		{"untrusted peer cannot forge", proxies, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"one trusted proxy", proxies, "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"a forged entry left of the real one", proxies, "10.1.2.3:5000", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of trusted proxies", proxies, "10.1.2.3:5000", []string{"203.0.113.9, 192.168.1.5", "10.9.9.9"}, "203.0.113.9"},
		{"everyone trusted: the leftmost", proxies, "10.1.2.3:5000", []string{"10.7.7.7, 10.8.8.8"}, "10.7.7.7"},
		{"trusted proxy without the header", proxies, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"garbage stops the walk", proxies, "10.1.2.3:5000", []string{"203.0.113.9, nonsense, 10.8.8.8"}, "10.8.8.8"},
		{"IPv6 proxy and client", proxies, "[fd00::1]:443", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4-mapped peer", proxies, "[::ffff:10.1.2.3]:443", []string{"203.0.113.9"}, "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := c.proxies.ClientAddr(r); got != c.want {
				t.Fatalf("ClientAddr = %q, want %q", got, c.want)
			}
			var seen string
			httpx.RealIP(c.proxies, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = httpx.ClientIP(r) })).ServeHTTP(httptest.NewRecorder(), r)
			if seen != c.want {
				t.Fatalf("ClientIP behind RealIP = %q, want %q", seen, c.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0/8"} {
		if _, err := httpx.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	got, err := httpx.ParseTrustedProxies(" ")
	if err != nil || len(got) != 0 {
		t.Fatalf("blank: %v, %v", got, err)
	}
}
