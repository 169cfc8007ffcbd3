package exports

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
)

// parseList reads an export request from a URL's query: format, filter,
// sort, columns, view, headers.
func parseList(q url.Values, e *records.Entity) (Request, error) {
	req := Request{Entity: e, Filter: q.Get("filter"), Sort: q.Get("sort"), Columns: splitColumns(q.Get("columns"))}
	var fe errs.Fields
	req.Format, req.Labels = parseFormat(q, &fe)
	if v := q.Get("view"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			fe.Add("view", "invalid", "must be the ID of a saved view")
		}
		req.ViewID = id
	}
	return req, fe.Err()
}

// parseSearch reads a search export request: q, entity, columns, format, headers.
func parseSearch(q url.Values) (SearchRequest, error) {
	req := SearchRequest{Query: q.Get("q"), Entity: q.Get("entity"), Columns: splitColumns(q.Get("columns"))}
	var fe errs.Fields
	req.Format, req.Labels = parseFormat(q, &fe)
	return req, fe.Err()
}

func parseFormat(q url.Values, fe *errs.Fields) (Format, bool) {
	f := Format(strings.ToLower(q.Get("format")))
	switch f {
	case "":
		f = CSV
	case CSV, XLSX:
	default:
		fe.Add("format", "invalid_choice", "must be csv or xlsx")
	}
	labels := false
	switch q.Get("headers") {
	case "", "names":
	case "labels":
		labels = true
	default:
		fe.Add("headers", "invalid_choice", "must be names or labels")
	}
	return f, labels
}

func splitColumns(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// send writes an export as a download. Until the first byte leaves, an
// error is returned for the caller to show as it shows errors (problem+json,
// the error page). After that the connection is cut, so that no client
// takes a file that ends early for a whole one.
func (x *Exporter) send(w http.ResponseWriter, r *http.Request, ex *Export) error {
	h := w.Header()
	h.Set("Content-Type", ex.ContentType())
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ex.Filename}))
	h.Set("Cache-Control", "no-store")
	out := &download{w: w, rc: http.NewResponseController(w)}
	err := ex.WriteTo(r.Context(), out)
	if err == nil {
		return nil
	}
	if !out.started {
		h.Del("Content-Disposition")
		return err
	}
	if r.Context().Err() != nil || errors.Is(err, out.err) {
		x.logger.InfoContext(r.Context(), "export download abandoned", "path", r.URL.Path, "err", err)
	} else {
		x.logger.ErrorContext(r.Context(), "export failed midway", "path", r.URL.Path, "err", err)
	}
	panic(http.ErrAbortHandler)
}

// download is the response body of an export.
type download struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
	err     error // the client's write error, when the client went away
}

func (d *download) Write(p []byte) (int, error) {
	d.started = true
	// A large export outlasts the server's write timeout, which is meant
	// for pages: every write gets a minute of its own instead.
	_ = d.rc.SetWriteDeadline(time.Now().Add(time.Minute))
	n, err := d.w.Write(p)
	if err != nil {
		d.err = err
	}
	return n, err
}

// requestLocation is the zone an API call names in X-Time-Zone, as the
// list API reads it, or nil for the user's own.
func requestLocation(r *http.Request) *time.Location {
	if tz := r.Header.Get("X-Time-Zone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return nil
}
