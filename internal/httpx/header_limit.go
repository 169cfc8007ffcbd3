package httpx

import (
	"log/slog"
	"net/http"

	"github.com/relasi/relasi/internal/errs"
)

// MaxHeaderBytes bounds a request's line and headers. LimitHeaders
// refuses a larger request with a 431 problem.
const MaxHeaderBytes = 64 << 10

// ServerMaxHeaderBytes is the limit to give http.Server.MaxHeaderBytes: far
// above MaxHeaderBytes, so that a request with large headers reaches
// LimitHeaders and is answered with problem+json. Go's server answers a
// request beyond this limit itself, with a plain-text 431, before any
// handler runs: the limit only bounds the memory one request can hold.
const ServerMaxHeaderBytes = 1 << 20

// LimitHeaders answers 431 Request Header Fields Too Large, as a problem
// document, to a request whose line and headers exceed MaxHeaderBytes.
func LimitHeaders(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headerSize(r) > MaxHeaderBytes {
			w.Header().Set("Connection", "close")
			WriteError(w, r, logger, errs.E(errs.HeadersTooLarge,
				"The request's headers are larger than %d bytes; send fewer or shorter headers (a large cookie, perhaps).", MaxHeaderBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headerSize is the size of the request line and headers as sent: what
// Go's server counts against its own MaxHeaderBytes.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 // spaces and CRLF
	if r.Host != "" && r.Header.Get("Host") == "" {
		n += len("Host: \r\n") + len(r.Host)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // ": " and CRLF
		}
	}
	return n
}
