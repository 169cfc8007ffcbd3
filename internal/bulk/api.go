package bulk

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// operationJSON is an operation with the records it refused.
type operationJSON struct {
	Operation
	Failures []Failure `json:"failures"`
}

// RegisterAPI adds the endpoints:
//
//	POST /api/v1/{entity}/bulk      start a bulk change: 200 when done, 202 while it runs in the background
//	GET  /api/v1/bulk/{id}          how far it is, and the records it refused
//	POST /api/v1/bulk/{id}/undo     take it back
func (m *Module) RegisterAPI(rt *api.Router) {
	for _, e := range m.entities.All() {
		rt.Handle("POST "+api.Prefix+"/"+e.Name+"/bulk", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
			var req Request
			if err := httpx.DecodeJSON(w, r, &req); err != nil {
				return err
			}
			req.Entity = e.Name
			o, err := m.Start(r.Context(), p, req)
			if err != nil {
				return err
			}
			return m.writeOperation(w, r, p, o, http.StatusAccepted)
		})
	}
	rt.Handle("GET "+api.Prefix+"/bulk/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		o, err := m.Get(r.Context(), p, id)
		if err != nil {
			return err
		}
		return m.writeOperation(w, r, p, o, http.StatusOK)
	})
	rt.Handle("POST "+api.Prefix+"/bulk/{id}/undo", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		o, err := m.Undo(r.Context(), p, id)
		if err != nil {
			return err
		}
		return m.writeOperation(w, r, p, o, http.StatusAccepted)
	})
}

// writeOperation answers with the operation: 200 once it has finished,
// else running (202, with Location to follow it).
func (m *Module) writeOperation(w http.ResponseWriter, r *http.Request, p auth.Principal, o Operation, running int) error {
	failures, err := m.Failures(r.Context(), p, o, 100)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !o.Finished() {
		status = running
		w.Header().Set("Location", api.Prefix+"/bulk/"+strconv.FormatInt(o.ID, 10))
	}
	httpx.WriteJSON(w, status, operationJSON{Operation: o, Failures: failures})
	return nil
}
