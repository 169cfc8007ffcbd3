package audit

import (
	"net/http"
	"time"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// RegisterAPI adds the audit endpoint (administrators only):
//
//	GET /api/v1/audit   entries newest first; filters entity, record_id,
//	                    actor_id, action, field, from, to; limit and cursor;
//	                    format=csv streams every matching entry as CSV
func (l *Log) RegisterAPI(rt *api.Router) {
	rt.Handle("GET "+api.Prefix+"/audit", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if err := p.CanManage(); err != nil {
			return err
		}
		q := r.URL.Query()
		f, err := l.ParseFilter(q, requestLocation(r))
		if err != nil {
			return err
		}
		switch q.Get("format") {
		case "", "json":
		case "csv":
			return l.ServeCSV(w, r, p, f)
		default:
			var fe errs.Fields
			fe.Add("format", "invalid_choice", "must be one of: %s", "json, csv")
			return fe.Err()
		}
		page, err := l.List(r.Context(), p, f)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, page)
		return nil
	})
}

// requestLocation is the zone whole-day filters are read in: the
// X-Time-Zone header when a client sends one, else Asia/Jakarta, where
// Relasi's users mostly are.
func requestLocation(r *http.Request) *time.Location {
	if tz := r.Header.Get("X-Time-Zone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return jakarta()
}

func jakarta() *time.Location {
	if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*3600)
}
