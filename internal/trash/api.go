package trash

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// RegisterAPI adds the trash endpoints:
//
//	GET    /api/v1/trash                          deleted records of every entity (?entity=, limit, cursor)
//	POST   /api/v1/trash/{entity}/{id}/restore    bring one back
//	DELETE /api/v1/trash/{entity}/{id}            delete one forever (administrators)
//	GET    /api/v1/settings/trash                 the retention period
//	PUT    /api/v1/settings/trash                 set it (administrators)
func (t *Trash) RegisterAPI(rt *api.Router) {
	rt.Handle("GET "+api.Prefix+"/trash", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		in := Query{Entity: q.Get("entity"), Cursor: q.Get("cursor")}
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				n = -1 // List reports it
			}
			in.Limit = n
		}
		page, err := t.List(r.Context(), p, in)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, page)
		return nil
	})
	rt.Handle("POST "+api.Prefix+"/trash/{entity}/{id}/restore", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		rec, err := t.Restore(r.Context(), p, r.PathValue("entity"), id)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", httpx.ETag(rec.Version))
		httpx.WriteJSON(w, http.StatusOK, rec)
		return nil
	})
	rt.Handle("DELETE "+api.Prefix+"/trash/{entity}/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		if err := t.Purge(r.Context(), p, r.PathValue("entity"), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	rt.Handle("GET "+api.Prefix+"/settings/trash", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		s, err := t.Settings(r.Context())
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s)
		return nil
	})
	rt.Handle("PUT "+api.Prefix+"/settings/trash", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if err := p.CanManage(); err != nil {
			return err
		}
		var body struct {
			RetentionDays *int `json:"retention_days"`
		}
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			return err
		}
		if body.RetentionDays == nil {
			var fe errs.Fields
			fe.Add("retention_days", "required", "is required")
			return fe.Err()
		}
		s, err := t.SaveSettings(r.Context(), p, *body.RetentionDays)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s)
		return nil
	})
}
