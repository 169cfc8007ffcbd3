package leads

import (
	"bytes"
	_ "embed"
	"io"
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// OpenAPI documents the routes RegisterAPI adds; the lead records' own
// routes come from the records machinery.
//
//go:embed openapi.json
var OpenAPI []byte

// RegisterAPI adds the leads' own endpoints (the standard record routes
// are records.RegisterAPI's):
//
//	POST   /api/v1/leads/{id}/convert      convert a lead
//	GET    /api/v1/leads/response-times    speed-to-lead report (?days=30)
//	GET    /api/v1/lead-settings           speed-to-lead settings
//	PUT    /api/v1/lead-settings           change them (admin)
//	GET    /api/v1/lead-rules              assignment rules
//	POST   /api/v1/lead-rules              add one (admin)
//	DELETE /api/v1/lead-rules/{id}         remove one (admin)
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("POST /api/v1/leads/{id}/convert", m.apiConvert)
	rt.Handle("GET /api/v1/leads/response-times", m.apiResponseTimes)
	rt.Handle("GET /api/v1/lead-settings", m.apiSettings)
	rt.Handle("PUT /api/v1/lead-settings", m.apiSaveSettings)
	rt.Handle("GET /api/v1/lead-rules", m.apiRules)
	rt.Handle("POST /api/v1/lead-rules", m.apiAddRule)
	rt.Handle("DELETE /api/v1/lead-rules/{id}", m.apiDeleteRule)
}

func (m *Module) apiConvert(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	var in ConvertInput
	// No body converts into a contact alone.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes))
	if err != nil {
		return errs.E(errs.BadRequest, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	res, err := m.Convert(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (m *Module) apiResponseTimes(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	days := 30
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1 // reported as out of range
		}
		days = n
	}
	rep, err := m.ResponseTimes(r.Context(), p, days)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (m *Module) apiSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	st, err := m.Settings(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (m *Module) apiSaveSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	var in SettingsInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := m.SaveSettings(r.Context(), p, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (m *Module) apiRules(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rules, err := m.Rules(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": rules})
	return nil
}

func (m *Module) apiAddRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	var in RuleInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rule, err := m.AddRule(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/lead-rules/"+strconv.FormatInt(rule.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, rule)
	return nil
}

func (m *Module) apiDeleteRule(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := records.PathID(r)
	if err != nil {
		return err
	}
	if err := m.DeleteRule(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
