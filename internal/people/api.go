package people

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/page"
)

// RegisterAPI adds the people endpoints.
func (m *Module) RegisterAPI(rt *api.Router) {
	rt.Handle("GET /api/v1/me", m.apiGetMe)
	rt.Handle("PATCH /api/v1/me", m.apiPatchMe)

	rt.Handle("GET /api/v1/users", m.apiListUsers)
	rt.Handle("POST /api/v1/users", m.apiCreateUser)
	rt.Handle("GET /api/v1/users/{id}", m.apiGetUser)
	rt.Handle("PATCH /api/v1/users/{id}", m.apiPatchUser)
	rt.Handle("DELETE /api/v1/users/{id}/two-factor", m.apiResetTwoFactor)

	rt.Handle("GET /api/v1/teams", m.apiListTeams)
	rt.Handle("POST /api/v1/teams", m.apiCreateTeam)
	rt.Handle("GET /api/v1/teams/{id}", m.apiGetTeam)
	rt.Handle("PATCH /api/v1/teams/{id}", m.apiPatchTeam)
	rt.Handle("DELETE /api/v1/teams/{id}", m.apiDeleteTeam)

	rt.Handle("GET /api/v1/tokens", m.apiListTokens)
	rt.Handle("POST /api/v1/tokens", m.apiCreateToken)
	rt.Handle("DELETE /api/v1/tokens/{id}", m.apiRevokeToken)
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "%q is not a record ID.", r.PathValue("id"))
	}
	return id, nil
}

func writeUser(w http.ResponseWriter, r *http.Request, status int, u auth.User) error {
	if status == http.StatusOK && r.Method == http.MethodGet && !httpx.SetETag(w, r, u.Version) {
		return nil
	}
	w.Header().Set("ETag", httpx.ETag(u.Version))
	httpx.WriteJSON(w, status, u)
	return nil
}

func (m *Module) apiGetMe(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	u, err := m.auth.GetUser(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

// userPatch is the PATCH body of a user. Pointers tell "not sent" from
// "sent"; team_id is raw so that null (leave the team) differs from absent.
type userPatch struct {
	Name     *string         `json:"name"`
	Role     *auth.Role      `json:"role"`
	TeamID   json.RawMessage `json:"team_id"`
	Locale   *string         `json:"locale"`
	TimeZone *string         `json:"time_zone"`
	Disabled *bool           `json:"disabled"`
}

func (b userPatch) update() (auth.UserUpdate, error) {
	up := auth.UserUpdate{Name: b.Name, Role: b.Role, Locale: b.Locale, TimeZone: b.TimeZone, Disabled: b.Disabled}
	if len(b.TeamID) > 0 {
		var team *int64
		if err := json.Unmarshal(b.TeamID, &team); err != nil {
			var fe errs.Fields
			fe.Add("team_id", "wrong_type", "must be a team ID or null")
			return up, fe.Err()
		}
		zero := int64(0)
		if team == nil {
			team = &zero
		}
		up.TeamID = team
	}
	return up, nil
}

func (m *Module) apiPatchMe(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var body struct {
		Name     *string `json:"name"`
		Locale   *string `json:"locale"`
		TimeZone *string `json:"time_zone"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	u, err := m.auth.UpdateUser(r.Context(), p, p.UserID, auth.UserUpdate{Name: body.Name, Locale: body.Locale, TimeZone: body.TimeZone}, ifVersion)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

func (m *Module) apiListUsers(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	pr, err := page.Parse(q, auth.UserSort, "name", "u.id")
	if err != nil {
		return err
	}
	f := auth.UserFilter{Query: q.Get("q"), Role: auth.Role(q.Get("role")), IncludeDisabled: q.Get("include_disabled") == "true"}
	var fe errs.Fields
	if f.Role != "" && !f.Role.Valid() {
		fe.Add("role", "invalid_choice", "must be one of: admin, manager, sales, support, marketing, readonly")
	}
	if s := q.Get("team_id"); s != "" {
		if f.TeamID, err = strconv.ParseInt(s, 10, 64); err != nil {
			fe.Add("team_id", "wrong_type", "must be a whole number")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := m.auth.ListUsers(r.Context(), f, pr)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (m *Module) apiCreateUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	var in auth.NewUser
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := m.auth.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeUser(w, r, http.StatusCreated, u)
}

func (m *Module) apiGetUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := m.auth.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

func (m *Module) apiPatchUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body userPatch
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	up, err := body.update()
	if err != nil {
		return err
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	u, err := m.auth.UpdateUser(r.Context(), p, id, up, ifVersion)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

func writeTeam(w http.ResponseWriter, r *http.Request, status int, t auth.Team) error {
	if status == http.StatusOK && r.Method == http.MethodGet && !httpx.SetETag(w, r, t.Version) {
		return nil
	}
	w.Header().Set("ETag", httpx.ETag(t.Version))
	httpx.WriteJSON(w, status, t)
	return nil
}

func (m *Module) apiListTeams(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	pr, err := page.Parse(r.URL.Query(), auth.TeamSort, "name", "t.id")
	if err != nil {
		return err
	}
	list, err := m.auth.ListTeams(r.Context(), pr)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (m *Module) apiCreateTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in auth.TeamInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := m.auth.CreateTeam(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/teams/"+strconv.FormatInt(t.ID, 10))
	return writeTeam(w, r, http.StatusCreated, t)
}

func (m *Module) apiGetTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := m.auth.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	return writeTeam(w, r, http.StatusOK, t)
}

func (m *Module) apiPatchTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := p.CanManage(); err != nil {
		return err
	}
	cur, err := m.auth.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	var body struct {
		Name      *string         `json:"name"`
		ManagerID json.RawMessage `json:"manager_id"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	in := auth.TeamInput{Name: cur.Name, ManagerID: cur.ManagerID}
	if body.Name != nil {
		in.Name = *body.Name
	}
	if len(body.ManagerID) > 0 {
		in.ManagerID = nil
		if err := json.Unmarshal(body.ManagerID, &in.ManagerID); err != nil {
			var fe errs.Fields
			fe.Add("manager_id", "wrong_type", "must be a user ID or null")
			return fe.Err()
		}
	}
	ifVersion, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if ifVersion == 0 {
		// The body was merged onto the version read above; make the write
		// conditional on it so a concurrent change is not overwritten.
		ifVersion = cur.Version
	}
	t, err := m.auth.UpdateTeam(r.Context(), p, id, in, ifVersion)
	if err != nil {
		return err
	}
	return writeTeam(w, r, http.StatusOK, t)
}

func (m *Module) apiDeleteTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := m.auth.DeleteTeam(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiListTokens(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	pr, err := page.Parse(r.URL.Query(), auth.TokenSort, "-created_at", "k.id")
	if err != nil {
		return err
	}
	list, err := m.auth.ListTokens(r.Context(), p, r.URL.Query().Get("all") == "true", pr)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, list)
	return nil
}

// createdToken is the one response that carries a token's secret.
type createdToken struct {
	auth.Token
	Secret string `json:"secret"`
}

func (m *Module) apiCreateToken(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var body struct {
		Name      string  `json:"name"`
		ExpiresAt *string `json:"expires_at"`
		UserID    *int64  `json:"user_id"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		return err
	}
	var expires *time.Time
	if body.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *body.ExpiresAt)
		if err != nil {
			var fe errs.Fields
			fe.Add("expires_at", "invalid_time", "must be a date and time like 2027-01-31T17:00:00+07:00")
			return fe.Err()
		}
		expires = &t
	}
	userID := p.UserID
	if body.UserID != nil {
		userID = *body.UserID
	}
	secret, t, err := m.auth.CreateToken(r.Context(), p, userID, auth.NewToken{Name: body.Name, ExpiresAt: expires})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
	return nil
}

func (m *Module) apiRevokeToken(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := m.auth.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiResetTwoFactor(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := m.auth.ResetTwoFactor(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
