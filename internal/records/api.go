package records

import (
	"net/http"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
)

// RegisterAPI adds the standard endpoints of an entity:
//
//	GET    /api/v1/{entity}               list (filter, sort, limit, cursor, trash)
//	POST   /api/v1/{entity}               create
//	GET    /api/v1/{entity}/{id}          get (ETag)
//	PATCH  /api/v1/{entity}/{id}          change (If-Match)
//	DELETE /api/v1/{entity}/{id}          move to the trash
//	POST   /api/v1/{entity}/{id}/restore  bring back from the trash
//	GET    /api/v1/{entity}/{id}/history  the record's changes
func RegisterAPI(rt *api.Router, s *Store, e *Entity) {
	s.Serve(e)
	base := api.Prefix + "/" + e.Name
	rt.Handle("GET "+base, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		list, err := s.List(r.Context(), p, e, Query{Filter: q.Get("filter"), Page: q, Trash: q.Get("trash") == "true", Location: userLocation(r)})
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	rt.Handle("POST "+base, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		body, err := httpx.DecodeObject(w, r)
		if err != nil {
			return err
		}
		rec, err := s.Create(r.Context(), p, e, body)
		if err != nil {
			return err
		}
		w.Header().Set("Location", base+"/"+strconv.FormatInt(rec.ID, 10))
		w.Header().Set("ETag", httpx.ETag(rec.Version))
		httpx.WriteJSON(w, http.StatusCreated, rec)
		return nil
	})
	rt.Handle("GET "+base+"/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		rec, err := s.Get(r.Context(), p, e, id)
		if err != nil {
			return err
		}
		if httpx.SetETag(w, r, rec.Version) {
			httpx.WriteJSON(w, http.StatusOK, rec)
		}
		return nil
	})
	rt.Handle("PATCH "+base+"/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		body, err := httpx.DecodeObject(w, r)
		if err != nil {
			return err
		}
		ifVersion, err := httpx.IfMatch(r)
		if err != nil {
			return err
		}
		rec, err := s.Update(r.Context(), p, e, id, body, ifVersion)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", httpx.ETag(rec.Version))
		httpx.WriteJSON(w, http.StatusOK, rec)
		return nil
	})
	rt.Handle("DELETE "+base+"/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		if err := s.Delete(r.Context(), p, e, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	rt.Handle("POST "+base+"/{id}/restore", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		rec, err := s.Restore(r.Context(), p, e, id)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", httpx.ETag(rec.Version))
		httpx.WriteJSON(w, http.StatusOK, rec)
		return nil
	})
	rt.Handle("GET "+base+"/{id}/history", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := PathID(r)
		if err != nil {
			return err
		}
		if _, err := s.Get(r.Context(), p, e, id); err != nil {
			return err
		}
		h, err := s.History(r.Context(), e.Name, id, 200)
		if err != nil {
			return err
		}
		if h == nil {
			h = []HistoryEntry{}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": h})
		return nil
	})
}

// PathID reads the {id} path value.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "%q is not a record ID.", r.PathValue("id"))
	}
	return id, nil
}

// userLocation is the zone relative dates in filters are read in: the
// X-Time-Zone header when a client sends one, else Asia/Jakarta.
func userLocation(r *http.Request) *time.Location {
	if tz := r.Header.Get("X-Time-Zone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return nil
}
