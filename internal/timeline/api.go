package timeline

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// RegisterAPI adds the 360° endpoints:
//
//	GET /api/v1/contacts/{id}/timeline   ?cursor=&limit=
//	GET /api/v1/accounts/{id}/timeline   ?cursor=&limit=
//	GET /api/v1/contacts/{id}/summary
//	GET /api/v1/accounts/{id}/summary
func RegisterAPI(rt *api.Router, t *Timeline) {
	rt.Handle("GET /api/v1/contacts/{id}/timeline", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		return t.serveTimeline(w, r, p, t.ForContact)
	})
	rt.Handle("GET /api/v1/accounts/{id}/timeline", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		return t.serveTimeline(w, r, p, t.ForAccount)
	})
	rt.Handle("GET /api/v1/contacts/{id}/summary", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		s, err := t.ContactSummary(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s)
		return nil
	})
	rt.Handle("GET /api/v1/accounts/{id}/summary", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		s, err := t.AccountSummary(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s)
		return nil
	})
}

// serveTimeline answers a timeline request with read, ForContact or
// ForAccount.
func (t *Timeline) serveTimeline(w http.ResponseWriter, r *http.Request, p auth.Principal, read func(ctx context.Context, p auth.Principal, id int64, cursor string, limit int) (Page, error)) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	limit, err := parseLimit(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := read(r.Context(), p, id, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// parseLimit reads ?limit=, DefaultLimit when absent.
func parseLimit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		var fe errs.Fields
		fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
		return 0, fe.Err()
	}
	return n, checkLimit(n)
}
