package httpx

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
)

// compressMin is the smallest body worth compressing.
const compressMin = 1024

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

// Compress gzips text responses (HTML, JSON, CSS, JavaScript, SVG) for
// clients that accept it. Pages such as the pipeline board shrink about
// tenfold, which is what a phone on a slow connection notices.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		cw := &compressWriter{ResponseWriter: w}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

type compressWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
	status  int
	buf     []byte
}

func compressible(contentType string) bool {
	for _, t := range []string{"text/", "application/json", "application/problem+json", "application/javascript", "image/svg+xml"} {
		if strings.HasPrefix(contentType, t) {
			return true
		}
	}
	return false
}

func (c *compressWriter) WriteHeader(status int) {
	if c.decided || c.status != 0 {
		return
	}
	c.status = status
	// Bodiless answers and ones that already chose an encoding pass through.
	if status == http.StatusNoContent || status == http.StatusNotModified || status < 200 || c.Header().Get("Content-Encoding") != "" {
		c.decide(false)
	}
}

// decide commits to compressing or not and sends the header.
func (c *compressWriter) decide(gz bool) {
	c.decided = true
	if gz && c.Header().Get("Content-Encoding") == "" {
		c.Header().Set("Content-Encoding", "gzip")
		c.Header().Del("Content-Length")
		c.gz = gzipWriters.Get().(*gzip.Writer)
		c.gz.Reset(c.ResponseWriter)
	}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.ResponseWriter.WriteHeader(c.status)
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if !c.decided {
		// Hold the start of the body until it is clear whether it is big
		// enough to be worth compressing.
		c.buf = append(c.buf, p...)
		if len(c.buf) < compressMin {
			return len(p), nil
		}
		c.decide(compressible(c.Header().Get("Content-Type")))
		buf := c.buf
		c.buf = nil
		if _, err := c.write(buf); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.write(p)
}

func (c *compressWriter) write(p []byte) (int, error) {
	if c.gz != nil {
		return c.gz.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *compressWriter) close() {
	if !c.decided {
		// A small body: send it as it is.
		c.decide(false)
		if len(c.buf) > 0 {
			c.ResponseWriter.Write(c.buf)
		}
		return
	}
	if c.gz != nil {
		c.gz.Close()
		gzipWriters.Put(c.gz)
	}
}

// Flush lets streamed responses through.
func (c *compressWriter) Flush() {
	if !c.decided {
		c.decide(compressible(c.Header().Get("Content-Type")) && len(c.buf) >= compressMin)
		if len(c.buf) > 0 {
			c.write(c.buf)
			c.buf = nil
		}
	}
	if c.gz != nil {
		c.gz.Flush()
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
