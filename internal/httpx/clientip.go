package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the networks of the reverse proxies in front of
// Relasi, whose X-Forwarded-For headers are believed.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of CIDRs (10.0.0.0/8,
// fd00::/8) or single addresses (127.0.0.1).
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", f)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address a request came from. When the connection
// comes from a trusted proxy, it is the rightmost address in
// X-Forwarded-For that is not itself a trusted proxy: each proxy appends
// the address it was reached from, so everything to the left of that
// point was written by the client and may be forged. Without trusted
// proxies, X-Forwarded-For is ignored.
func (t TrustedProxies) ClientAddr(r *http.Request) string {
	peer := remoteHost(r.RemoteAddr)
	a, err := netip.ParseAddr(peer)
	if err != nil || len(t) == 0 || !t.trusts(a.Unmap()) {
		return peer
	}
	client := a.Unmap()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Garbage a trusted proxy passed on from the client: the
			// last address vouched for is as far as we can see.
			break
		}
		client = hop.Unmap()
		if !t.trusts(client) {
			break
		}
	}
	return client.String()
}

type clientIPKey struct{}

// RealIP resolves each request's client address once, as ClientAddr
// says, for ClientIP to return. It must wrap everything that calls
// ClientIP (Instrument logs it).
func RealIP(t TrustedProxies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, t.ClientAddr(r))))
	})
}

// ClientIP is the address the request came from: as RealIP resolved it,
// or else the connection's peer. Relasi believes X-Forwarded-For only
// from trusted proxies, since any client can set it.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return remoteHost(r.RemoteAddr)
}

func remoteHost(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
