package deals

import (
	_ "embed"
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// OpenAPI documents the routes RegisterAPI adds: pipelines, stages, the
// board and moving a deal. The opportunities' own CRUD routes come from
// records.
//
//go:embed openapi.json
var OpenAPI []byte

// RegisterAPI adds the pipeline, stage, board and move endpoints:
//
//	GET    /api/v1/pipelines                 every pipeline with its stages
//	POST   /api/v1/pipelines                 add a pipeline (admin)
//	GET    /api/v1/pipelines/{id}            one pipeline with its stages (ETag)
//	PATCH  /api/v1/pipelines/{id}            rename, make default, reorder (admin, If-Match)
//	DELETE /api/v1/pipelines/{id}            remove an empty pipeline (admin)
//	POST   /api/v1/pipelines/{id}/stages     add a stage (admin)
//	PATCH  /api/v1/stages/{id}               rename, probability, kind, reorder (admin, If-Match)
//	DELETE /api/v1/stages/{id}               remove an empty stage (admin)
//	GET    /api/v1/pipelines/{id}/board      the board the caller may see
//	POST   /api/v1/opportunities/{id}/move   move a deal to a stage (If-Match)
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("GET /api/v1/pipelines", m.apiPipelineList)
	rt.Handle("POST /api/v1/pipelines", m.apiPipelineCreate)
	rt.Handle("GET /api/v1/pipelines/{id}", m.apiPipelineGet)
	rt.Handle("PATCH /api/v1/pipelines/{id}", m.apiPipelineUpdate)
	rt.Handle("DELETE /api/v1/pipelines/{id}", m.apiPipelineDelete)
	rt.Handle("POST /api/v1/pipelines/{id}/stages", m.apiStageCreate)
	rt.Handle("PATCH /api/v1/stages/{id}", m.apiStageUpdate)
	rt.Handle("DELETE /api/v1/stages/{id}", m.apiStageDelete)
	rt.Handle("GET /api/v1/pipelines/{id}/board", m.apiBoard)
	rt.Handle("POST /api/v1/"+EntityName+"/{id}/move", m.apiMove)
}

func (m *Module) apiPipelineList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	list, err := m.Pipelines.List(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (m *Module) apiPipelineCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in PipelineInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	pipe, err := m.Pipelines.Create(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/pipelines/"+strconv.FormatInt(pipe.ID, 10))
	w.Header().Set("ETag", httpx.ETag(pipe.Version))
	httpx.WriteJSON(w, http.StatusCreated, pipe)
	return nil
}

func (m *Module) apiPipelineGet(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	pipe, err := m.Pipelines.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if httpx.SetETag(w, r, pipe.Version) {
		httpx.WriteJSON(w, http.StatusOK, pipe)
	}
	return nil
}

func (m *Module) apiPipelineUpdate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	var in PipelineInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	pipe, err := m.Pipelines.Update(r.Context(), p, id, in, ifVersion)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(pipe.Version))
	httpx.WriteJSON(w, http.StatusOK, pipe)
	return nil
}

func (m *Module) apiPipelineDelete(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	if err := m.Pipelines.Delete(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiStageCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	var in StageInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := m.Pipelines.AddStage(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/stages/"+strconv.FormatInt(st.ID, 10))
	w.Header().Set("ETag", httpx.ETag(st.Version))
	httpx.WriteJSON(w, http.StatusCreated, st)
	return nil
}

func (m *Module) apiStageUpdate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	var in StageInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	st, err := m.Pipelines.UpdateStage(r.Context(), p, id, in, ifVersion)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(st.Version))
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (m *Module) apiStageDelete(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	if err := m.Pipelines.DeleteStage(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiBoard(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	filter, _ := ParseOwner(p, r.URL.Query().Get("owner"))
	b, err := m.Pipelines.Board(r.Context(), p, id, filter)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, b)
	return nil
}

// moveRequest is the body of POST /api/v1/opportunities/{id}/move.
type moveRequest struct {
	StageID    int64  `json:"stage_id"`
	LostReason string `json:"lost_reason"`
	WonReason  string `json:"won_reason"`
}

func (m *Module) apiMove(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	var body moveRequest
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.StageID < 1 {
		var fe errs.Fields
		fe.Add("stage_id", "required", "is required")
		return fe.Err()
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	reason := body.LostReason
	if st, err := m.Pipelines.Stage(r.Context(), body.StageID); err == nil && st.Kind == Won {
		reason = body.WonReason
	}
	rec, err := Move(r.Context(), m.store, p, id, body.StageID, reason, ifVersion)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(rec.Version))
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}
