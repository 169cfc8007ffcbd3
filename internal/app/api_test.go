package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/store/storetest"
)

// API tests: what a client of the REST API sees, on each engine, every
// exchange validated against the OpenAPI document by apiClient.

func TestAPIMe(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		admin := srv.createUser(t, "admin@example.com", auth.Admin)
		sales := srv.createUser(t, "sari@example.com", auth.Sales)
		salesToken := srv.token(t, sales)

		t.Run("with a token", func(t *testing.T) {
			res := c.get("/api/v1/me", salesToken)
			var u auth.User
			res.decode(t, &u)
			if u.ID != sales.ID || u.Email != "sari@example.com" || u.Role != auth.Sales {
				t.Errorf("GET /api/v1/me = %d %s %s, want %d sari@example.com sales", u.ID, u.Email, u.Role, sales.ID)
			}
			if got := res.Header.Get("ETag"); got != `"v1"` {
				t.Errorf("ETag %q, want \"v1\"", got)
			}
		})

		t.Run("without a token", func(t *testing.T) {
			res := c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Want: http.StatusUnauthorized})
			p := res.problem(t)
			if !strings.Contains(p.Detail, "Authorization: Bearer") {
				t.Errorf("detail %q does not say how to authenticate", p.Detail)
			}
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", got)
			}
		})

		for name, header := range map[string]string{
			"garbage token":      "Bearer rls_not-a-real-token",
			"token without rls_": "Bearer abc",
			"basic auth":         "Basic YWRtaW46cGFzc3dvcmQ=",
			"bearer alone":       "Bearer",
		} {
			t.Run(name, func(t *testing.T) {
				res := c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Header: map[string]string{"Authorization": header},
					Want: http.StatusUnauthorized})
				res.problem(t)
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}

		t.Run("revoked token", func(t *testing.T) {
			secret, tok, err := srv.App.Auth.CreateToken(context.Background(), sales.Principal(), sales.ID, auth.NewToken{Name: "old"})
			if err != nil {
				t.Fatal(err)
			}
			c.get("/api/v1/me", secret)
			if _, err := srv.App.Auth.RevokeToken(context.Background(), sales.Principal(), tok.ID); err != nil {
				t.Fatal(err)
			}
			c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Token: secret, Want: http.StatusUnauthorized}).problem(t)
		})

		t.Run("disabled user", func(t *testing.T) {
			victim := srv.createUser(t, "dewi@example.com", auth.Support)
			victimToken := srv.token(t, victim)
			c.get("/api/v1/me", victimToken)
			c.do(apiCall{Method: http.MethodPatch, Path: userPath(victim.ID), Token: srv.token(t, admin),
				Body: map[string]any{"disabled": true}, Want: http.StatusOK})
			c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Token: victimToken, Want: http.StatusUnauthorized}).problem(t)
		})
	})
}

func TestAPIUnknownRoutes(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		token := srv.token(t, srv.createUser(t, "admin@example.com", auth.Admin))

		res := c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/no-such-thing", Token: token, Want: http.StatusNotFound, Undocumented: true})
		if p := res.problem(t); !strings.Contains(p.Detail, "/api/v1/no-such-thing") {
			t.Errorf("404 detail %q does not name the path", p.Detail)
		}

		res = c.do(apiCall{Method: http.MethodDelete, Path: "/api/v1/me", Token: token, Want: http.StatusMethodNotAllowed, Undocumented: true})
		res.problem(t)
		if got := res.Header.Get("Allow"); got != "GET, HEAD, PATCH" {
			t.Errorf("Allow %q, want \"GET, PATCH\"", got)
		}
	})
}

func TestAPICreateUser(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		admin := srv.createUser(t, "admin@example.com", auth.Admin)
		adminToken := srv.token(t, admin)
		salesToken := srv.token(t, srv.createUser(t, "sari@example.com", auth.Sales))
		post := func(token string, body any) apiCall {
			return apiCall{Method: http.MethodPost, Path: "/api/v1/users", Token: token, Body: body}
		}
		newUser := map[string]any{"email": "Budi@Example.com", "name": "Budi", "password": "rahasia-123", "role": "sales"}

		t.Run("as admin", func(t *testing.T) {
			call := post(adminToken, newUser)
			call.Want = http.StatusCreated
			res := c.do(call)
			var u auth.User
			res.decode(t, &u)
			if u.Email != "budi@example.com" || u.Role != auth.Sales || u.Version != 1 {
				t.Errorf("created %s %s v%d, want budi@example.com (normalised) sales v1", u.Email, u.Role, u.Version)
			}
			if got, want := res.Header.Get("Location"), userPath(u.ID); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
			if got := res.Header.Get("ETag"); got != `"v1"` {
				t.Errorf("ETag %q, want \"v1\"", got)
			}
			c.get(res.Header.Get("Location"), adminToken)
		})

		t.Run("as sales", func(t *testing.T) {
			body := map[string]any{"email": "eko@example.com", "name": "Eko", "password": "rahasia-123", "role": "admin"}
			call := post(salesToken, body)
			call.Want = http.StatusForbidden
			c.do(call).problem(t)
			if _, err := srv.App.Auth.GetUserByEmail(context.Background(), "eko@example.com"); err == nil {
				t.Error("a sales user created a user")
			}
		})

		t.Run("duplicate e-mail", func(t *testing.T) {
			before := countUsers(t, srv)
			body := map[string]any{"email": "BUDI@example.COM", "name": "Budi Lain", "password": "rahasia-456", "role": "support"}
			call := post(adminToken, body)
			call.Want = http.StatusConflict
			p := c.do(call).problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != "email" {
				t.Errorf("409 errors %+v, want the email field first", p.Errors)
			}
			if after := countUsers(t, srv); after != before {
				t.Errorf("user count went from %d to %d", before, after)
			}
		})

		t.Run("invalid fields", func(t *testing.T) {
			call := post(adminToken, map[string]any{"email": "not-an-email", "name": "X", "password": "short", "role": "boss"})
			call.Want, call.BreaksDocument = http.StatusUnprocessableEntity, true
			p := c.do(call).problem(t)
			if got, want := errFieldNames(p), []string{"email", "password", "role"}; !slices.Equal(got, want) {
				t.Errorf("422 names fields %v, want %v", got, want)
			}
		})

		t.Run("malformed JSON", func(t *testing.T) {
			call := apiCall{Method: http.MethodPost, Path: "/api/v1/users", Token: adminToken,
				RawBody: `{"email": "a@example.com" "name": "x"}`, Want: http.StatusBadRequest, BreaksDocument: true}
			p := c.do(call).problem(t)
			if !strings.Contains(p.Detail, "byte 27") {
				t.Errorf("400 detail %q does not name byte 27", p.Detail)
			}
		})

		t.Run("unknown field", func(t *testing.T) {
			body := map[string]any{"email": "eko@example.com", "name": "Eko", "password": "rahasia-123", "role": "sales", "nickname": "ek"}
			call := post(adminToken, body)
			call.Want, call.BreaksDocument = http.StatusUnprocessableEntity, true
			p := c.do(call).problem(t)
			if got := errFieldNames(p); !slices.Equal(got, []string{"nickname"}) {
				t.Errorf("422 names fields %v, want [nickname]", got)
			}
		})

		t.Run("a key spelled in another case", func(t *testing.T) {
			body := map[string]any{"EMAIL": "eko@example.com", "name": "Eko", "password": "rahasia-123", "role": "sales"}
			call := post(adminToken, body)
			call.Want, call.BreaksDocument = http.StatusUnprocessableEntity, true
			if got := errFieldNames(c.do(call).problem(t)); !slices.Equal(got, []string{"EMAIL"}) {
				t.Errorf("422 names fields %v, want [EMAIL]", got)
			}
		})

		t.Run("null body", func(t *testing.T) {
			call := apiCall{Method: http.MethodPost, Path: "/api/v1/users", Token: adminToken, RawBody: "null",
				Want: http.StatusBadRequest, BreaksDocument: true}
			if p := c.do(call).problem(t); !strings.Contains(p.Detail, "not null") {
				t.Errorf("400 detail %q should say the body must not be null", p.Detail)
			}
		})

		t.Run("wrong type", func(t *testing.T) {
			body := map[string]any{"email": "eko@example.com", "name": 5, "password": "rahasia-123", "role": "sales"}
			call := post(adminToken, body)
			call.Want, call.BreaksDocument = http.StatusUnprocessableEntity, true
			p := c.do(call).problem(t)
			if got := errFieldNames(p); !slices.Equal(got, []string{"name"}) {
				t.Errorf("422 names fields %v, want [name]", got)
			}
		})

		t.Run("not JSON", func(t *testing.T) {
			call := apiCall{Method: http.MethodPost, Path: "/api/v1/users", Token: adminToken, RawBody: "email=eko@example.com",
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Want: http.StatusBadRequest, BreaksDocument: true}
			c.do(call).problem(t)
		})
	})
}

func TestAPIETags(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		token := srv.token(t, srv.createUser(t, "admin@example.com", auth.Admin))
		u := srv.createUser(t, "budi@example.com", auth.Sales)
		path := userPath(u.ID)

		res := c.get(path, token)
		etag := res.Header.Get("ETag")
		if etag != `"v1"` {
			t.Fatalf("ETag %q, want \"v1\"", etag)
		}

		res = c.do(apiCall{Method: http.MethodGet, Path: path, Token: token, Header: map[string]string{"If-None-Match": etag}, Want: http.StatusNotModified})
		if len(res.Body) != 0 {
			t.Errorf("304 with a body: %s", res.Body)
		}
		// "*" matches any current version (RFC 9110 13.1.2).
		c.do(apiCall{Method: http.MethodGet, Path: path, Token: token, Header: map[string]string{"If-None-Match": "*"}, Want: http.StatusNotModified})

		patch := func(ifMatch, name string, want int) apiResponse {
			return c.do(apiCall{Method: http.MethodPatch, Path: path, Token: token, Header: map[string]string{"If-Match": ifMatch},
				Body: map[string]any{"name": name}, Want: want})
		}
		res = patch(etag, "Budi Pertama", http.StatusOK)
		if got := res.Header.Get("ETag"); got != `"v2"` {
			t.Errorf("ETag after the change %q, want \"v2\"", got)
		}

		res = patch(etag, "Budi Kedua", http.StatusPreconditionFailed)
		res.problem(t)
		var now auth.User
		res = c.get(path, token)
		res.decode(t, &now)
		if now.Name != "Budi Pertama" || res.Header.Get("ETag") != `"v2"` {
			t.Errorf("after a stale write: %q %s, want the first change at \"v2\"", now.Name, res.Header.Get("ETag"))
		}

		for _, bad := range []string{"v2", `"2"`, `"v0"`, `"vx"`, `"v"`} {
			p := patch(bad, "Budi Ketiga", http.StatusBadRequest).problem(t)
			if got := errFieldNames(p); !slices.Equal(got, []string{"If-Match"}) {
				t.Errorf("If-Match %s: errors name %v, want [If-Match]", bad, got)
			}
		}
		// W/ prefixes are tolerated, and * means "whatever the version".
		patch(`W/"v2"`, "Budi Lemah", http.StatusOK)
		patch("*", "Budi Bintang", http.StatusOK)
	})
}

func TestAPIPatchUsers(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		srv.createUser(t, "admin@example.com", auth.Admin)
		sales := srv.createUser(t, "sari@example.com", auth.Sales)
		token := srv.token(t, sales)

		t.Run("me", func(t *testing.T) {
			res := c.do(apiCall{Method: http.MethodPatch, Path: "/api/v1/me", Token: token,
				Body: map[string]any{"name": "Sari Dewi", "locale": "id"}, Want: http.StatusOK})
			var u auth.User
			res.decode(t, &u)
			if u.Name != "Sari Dewi" || u.Locale != "id" || u.Version != 2 {
				t.Errorf("after PATCH /api/v1/me: %q %q v%d, want \"Sari Dewi\" \"id\" v2", u.Name, u.Locale, u.Version)
			}
			res = c.get("/api/v1/me", token)
			res.decode(t, &u)
			if u.Name != "Sari Dewi" || u.Locale != "id" {
				t.Errorf("GET /api/v1/me after the change: %q %q", u.Name, u.Locale)
			}
		})

		t.Run("me with an invalid locale", func(t *testing.T) {
			call := apiCall{Method: http.MethodPatch, Path: "/api/v1/me", Token: token, Body: map[string]any{"locale": "fr"},
				Want: http.StatusUnprocessableEntity, BreaksDocument: true}
			if got := errFieldNames(c.do(call).problem(t)); !slices.Equal(got, []string{"locale"}) {
				t.Errorf("errors name %v, want [locale]", got)
			}
		})

		t.Run("promote self", func(t *testing.T) {
			c.do(apiCall{Method: http.MethodPatch, Path: userPath(sales.ID), Token: token,
				Body: map[string]any{"role": "admin"}, Want: http.StatusForbidden}).problem(t)
			if u, _ := srv.App.Auth.GetUser(context.Background(), sales.ID); u.Role != auth.Sales {
				t.Errorf("role is %s after a refused promotion", u.Role)
			}
		})
	})
}

func TestAPITeams(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		admin := srv.createUser(t, "admin@example.com", auth.Admin)
		token := srv.token(t, admin)
		manager := srv.createUser(t, "maya@example.com", auth.Manager)
		member := srv.createUser(t, "budi@example.com", auth.Sales)

		res := c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/teams", Token: token,
			Body: map[string]any{"name": "Jakarta", "manager_id": manager.ID}, Want: http.StatusCreated})
		var team auth.Team
		res.decode(t, &team)
		if team.ManagerID == nil || *team.ManagerID != manager.ID || team.ManagerName != manager.Name {
			t.Errorf("created team manager %v %q, want %d", team.ManagerID, team.ManagerName, manager.ID)
		}
		teamPath := "/api/v1/teams/" + strconv.FormatInt(team.ID, 10)
		if got := res.Header.Get("Location"); got != teamPath {
			t.Errorf("Location %q, want %q", got, teamPath)
		}
		c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/teams", Token: srv.token(t, member),
			Body: map[string]any{"name": "Bandung"}, Want: http.StatusForbidden}).problem(t)
		c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/teams", Token: token,
			Body: map[string]any{"name": "jakarta"}, Want: http.StatusConflict}).problem(t)

		c.do(apiCall{Method: http.MethodPatch, Path: userPath(member.ID), Token: token,
			Body: map[string]any{"team_id": team.ID}, Want: http.StatusOK})

		var list struct{ Items []auth.Team }
		c.get("/api/v1/teams", token).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].Name != "Jakarta" || list.Items[0].MemberCount != 1 {
			t.Errorf("GET /api/v1/teams = %+v, want Jakarta with 1 member", list.Items)
		}

		c.do(apiCall{Method: http.MethodPatch, Path: teamPath, Token: srv.token(t, manager),
			Body: map[string]any{"name": "Jakarta Raya"}, Want: http.StatusForbidden}).problem(t)
		res = c.do(apiCall{Method: http.MethodPatch, Path: teamPath, Token: token, Header: map[string]string{"If-Match": `"v1"`},
			Body: map[string]any{"name": "Jakarta Pusat", "manager_id": nil}, Want: http.StatusOK})
		res.decode(t, &team)
		if team.ManagerID != nil || team.Name != "Jakarta Pusat" || team.Version != 2 {
			t.Errorf("after PATCH: manager %v name %q v%d, want no manager, Jakarta Pusat, v2", team.ManagerID, team.Name, team.Version)
		}
		if got := res.Header.Get("ETag"); got != `"v2"` {
			t.Errorf("ETag %q, want \"v2\"", got)
		}
		c.do(apiCall{Method: http.MethodPatch, Path: teamPath, Token: token, Header: map[string]string{"If-Match": `"v1"`},
			Body: map[string]any{"name": "Jakarta Lama"}, Want: http.StatusPreconditionFailed}).problem(t)

		c.do(apiCall{Method: http.MethodDelete, Path: teamPath, Token: token, Want: http.StatusNoContent})
		c.do(apiCall{Method: http.MethodGet, Path: teamPath, Token: token, Want: http.StatusNotFound}).problem(t)
		c.do(apiCall{Method: http.MethodDelete, Path: teamPath, Token: token, Want: http.StatusNotFound}).problem(t)

		var u auth.User
		c.get(userPath(member.ID), token).decode(t, &u)
		if u.TeamID != nil || u.Disabled {
			t.Errorf("member after the team was deleted: team %v disabled %v, want no team and still active", u.TeamID, u.Disabled)
		}
		// Leaving the team is a change of the member: an edit made against
		// the version before it is refused.
		if u.Version != 3 {
			t.Errorf("member at version %d after create, join and team deletion; want 3", u.Version)
		}
		c.do(apiCall{Method: http.MethodPatch, Path: userPath(member.ID), Token: token, Header: map[string]string{"If-Match": `"v2"`},
			Body: map[string]any{"name": "Budi Santoso"}, Want: http.StatusPreconditionFailed}).problem(t)
	})
}

// createdToken is the body of POST /api/v1/tokens.
type createdToken struct {
	auth.Token
	Secret string `json:"secret"`
}

func TestAPITokens(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		admin := srv.createUser(t, "admin@example.com", auth.Admin)
		adminToken := srv.token(t, admin)
		sales := srv.createUser(t, "sari@example.com", auth.Sales)
		salesToken := srv.token(t, sales)

		res := c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/tokens", Token: salesToken,
			Body: map[string]any{"name": "Laptop"}, Want: http.StatusCreated})
		bad := c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/tokens", Token: salesToken,
			Body: map[string]any{"name": "Laptop", "expires_at": "tomorrow"}, Want: http.StatusUnprocessableEntity, BreaksDocument: true})
		if got := errFieldNames(bad.problem(t)); !slices.Equal(got, []string{"expires_at"}) {
			t.Errorf("a bad expires_at: errors name %v, want [expires_at]", got)
		}
		var created createdToken
		res.decode(t, &created)
		if !strings.HasPrefix(created.Secret, "rls_") || created.UserID != sales.ID || !strings.HasPrefix(created.Secret, created.Prefix) {
			t.Fatalf("created token %+v, want a secret starting rls_ for user %d", created, sales.ID)
		}

		var me auth.User
		c.get("/api/v1/me", created.Secret).decode(t, &me)
		if me.ID != sales.ID {
			t.Errorf("the new secret authenticates user %d, want %d", me.ID, sales.ID)
		}

		for _, tc := range []struct{ path, token string }{
			{"/api/v1/tokens", salesToken},
			{"/api/v1/tokens?all=true", adminToken},
		} {
			res := c.get(tc.path, tc.token)
			if strings.Contains(string(res.Body), created.Secret) || strings.Contains(string(res.Body), created.Secret[len("rls_"):]) ||
				strings.Contains(string(res.Body), `"secret"`) {
				t.Errorf("GET %s reveals a secret: %s", tc.path, res.Body)
			}
			var list struct{ Items []auth.Token }
			res.decode(t, &list)
			if !slices.ContainsFunc(list.Items, func(k auth.Token) bool { return k.ID == created.ID }) {
				t.Errorf("GET %s does not list token %d", tc.path, created.ID)
			}
		}

		c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/tokens?all=true", Token: salesToken, Want: http.StatusForbidden}).problem(t)

		// Another user's token is not even visible to a non-admin.
		laptop, laptopToken, err := srv.App.Auth.CreateToken(context.Background(), admin.Principal(), admin.ID, auth.NewToken{Name: "admin laptop"})
		if err != nil {
			t.Fatal(err)
		}
		c.do(apiCall{Method: http.MethodDelete, Path: tokenPath(laptopToken.ID), Token: salesToken, Want: http.StatusNotFound}).problem(t)
		c.get("/api/v1/me", laptop)

		c.do(apiCall{Method: http.MethodPost, Path: "/api/v1/tokens", Token: salesToken,
			Body: map[string]any{"name": "for the boss", "user_id": admin.ID}, Want: http.StatusForbidden}).problem(t)

		c.do(apiCall{Method: http.MethodDelete, Path: tokenPath(created.ID), Token: salesToken, Want: http.StatusNoContent})
		c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Token: created.Secret, Want: http.StatusUnauthorized}).problem(t)
		c.get("/api/v1/me", salesToken)
	})
}

func TestAPIUserPagination(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		admin := srv.createUser(t, "admin@example.com", auth.Admin)
		token := srv.token(t, admin)
		want := []string{admin.Email}
		for _, name := range []string{"citra", "agus", "fajar", "bayu", "eka", "dian"} {
			want = append(want, srv.createUser(t, name+"@example.com", auth.Sales).Email)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(want)))

		var got []string
		path, pages := "/api/v1/users?limit=3&sort=-email", 0
		for {
			var list struct {
				Items      []auth.User
				NextCursor string `json:"next_cursor"`
			}
			c.get(path, token).decode(t, &list)
			pages++
			if len(list.Items) > 3 {
				t.Fatalf("page %d has %d users, limit is 3", pages, len(list.Items))
			}
			for _, u := range list.Items {
				got = append(got, u.Email)
			}
			if list.NextCursor == "" {
				break
			}
			if pages > len(want) {
				t.Fatalf("still paging after %d pages: %v", pages, got)
			}
			path = "/api/v1/users?limit=3&sort=-email&cursor=" + list.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged users\n got %v\nwant %v (each once, e-mail descending)", got, want)
		}
		if pages != 3 {
			t.Errorf("%d pages, want 3 for 7 users at 3 a page", pages)
		}

		for _, tc := range []struct {
			query, field string
			breaks       bool
		}{
			{"limit=0", "limit", true},
			{"limit=501", "limit", true},
			{"limit=many", "limit", true},
			{"sort=password", "sort", false},
			{"sort=email,email", "sort", false},
			{"cursor=garbage", "cursor", false},
			{"sort=-email&cursor=" + pageCursor(t, c, token, "name,created_at"), "cursor", false},
			// Same number of values, other sort: still refused, not a wrong page.
			{"sort=-email&cursor=" + pageCursor(t, c, token, "name"), "cursor", false},
			{"role=boss", "role", true},
		} {
			call := apiCall{Method: http.MethodGet, Path: "/api/v1/users?" + tc.query, Token: token,
				Want: http.StatusUnprocessableEntity, BreaksDocument: tc.breaks}
			if got := errFieldNames(c.do(call).problem(t)); !slices.Equal(got, []string{tc.field}) {
				t.Errorf("?%s: errors name %v, want [%s]", tc.query, got, tc.field)
			}
		}
	})
}

// pageCursor returns the next_cursor of the first one-user page sorted by sort.
func pageCursor(t testing.TB, c *apiClient, token, sort string) string {
	t.Helper()
	var list struct {
		NextCursor string `json:"next_cursor"`
	}
	c.get("/api/v1/users?limit=1&sort="+sort, token).decode(t, &list)
	if list.NextCursor == "" {
		t.Fatal("a one-user page has no next_cursor")
	}
	return list.NextCursor
}

func TestAPISecurityHeaders(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		token := srv.token(t, srv.createUser(t, "admin@example.com", auth.Admin))
		check := func(where string, h http.Header) {
			t.Helper()
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %s %q, want %q", where, name, got, want)
				}
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: Content-Security-Policy %q", where, csp)
			}
		}
		check("GET /api/v1/me", c.get("/api/v1/me", token).Header)
		check("GET /api/v1/me without a token", c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Want: http.StatusUnauthorized}).Header)
		res, _ := plainGet(t, srv, "/healthz")
		check("GET /healthz", res.Header)
	})
}

func TestHealthzNamesTheEngine(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			res, body := plainGet(t, srv, "/healthz")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("GET /healthz: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			var h map[string]string
			apiResponse{Body: body}.decode(t, &h)
			if h["status"] != "ok" || h["database"] != string(engine) {
				t.Errorf("GET /healthz = %s, want status ok and database %s", body, engine)
			}
		})
	}
}

func TestMetricsAfterAPICalls(t *testing.T) {
	withAPI(t, func(t *testing.T, srv *testServer, c *apiClient) {
		token := srv.token(t, srv.createUser(t, "admin@example.com", auth.Admin))
		c.get("/api/v1/me", token)
		c.do(apiCall{Method: http.MethodGet, Path: "/api/v1/me", Want: http.StatusUnauthorized})

		runner, err := jobs.New(srv.App.DB, jobs.Config{Workers: srv.App.workers, InsertOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runner.Insert(context.Background(), jobs.HousekeepingArgs{}, nil); err != nil {
			t.Fatalf("insert a housekeeping job: %v", err)
		}
		runner.Stop(context.Background())

		res, body := plainGet(t, srv, "/metrics")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %d %s", res.StatusCode, body)
		}
		metrics := parseMetrics(string(body))
		for _, want := range []struct {
			name   string
			labels map[string]string
		}{
			{"relasi_http_requests_total", map[string]string{"method": "GET", "route": "/api/v1/me", "status": "200"}},
			{"relasi_http_requests_total", map[string]string{"method": "GET", "route": "/api/v1/me", "status": "401"}},
			{"relasi_http_request_duration_seconds_count", map[string]string{"method": "GET", "route": "/api/v1/me"}},
			{"relasi_http_request_duration_seconds_bucket", map[string]string{"method": "GET", "route": "/api/v1/me", "le": "+Inf"}},
			{"go_sql_open_connections", map[string]string{"db_name": "read"}},
			{"go_sql_max_open_connections", map[string]string{"db_name": "read"}},
			{"go_sql_wait_count_total", map[string]string{"db_name": "read"}},
			{"relasi_jobs", map[string]string{"kind": "housekeeping", "state": "available"}},
		} {
			if !slices.ContainsFunc(metrics, func(m metricSample) bool { return m.matches(want.name, want.labels) }) {
				t.Errorf("/metrics has no %s%v", want.name, want.labels)
			}
		}
		if !slices.ContainsFunc(metrics, func(m metricSample) bool {
			return m.matches("relasi_http_requests_total", map[string]string{"route": "/api/v1/me", "status": "200"}) && m.value >= 1
		}) {
			t.Error("relasi_http_requests_total for GET /api/v1/me 200 is not at least 1")
		}
		if slices.ContainsFunc(metrics, func(m metricSample) bool {
			return m.name == "relasi_http_requests_total" && strings.Contains(m.labels["route"], "/1")
		}) {
			t.Error("relasi_http_requests_total is labelled with a raw path instead of the route pattern")
		}
	})
}

// metricSample is one line of the Prometheus text format.
type metricSample struct {
	name   string
	labels map[string]string
	value  float64
}

func (m metricSample) matches(name string, labels map[string]string) bool {
	if m.name != name {
		return false
	}
	for k, v := range labels {
		if m.labels[k] != v {
			return false
		}
	}
	return true
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// parseMetrics reads the samples of a Prometheus text exposition, so that
// assertions do not depend on label order.
func parseMetrics(text string) []metricSample {
	var out []metricSample
	for _, line := range strings.Split(text, "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := metricSample{name: m[1], labels: map[string]string{}}
		for _, l := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[l[1]] = l[2]
		}
		s.value, _ = strconv.ParseFloat(m[3], 64)
		out = append(out, s)
	}
	return out
}

// plainGet fetches a page outside the API (health, metrics), which the
// OpenAPI document does not describe.
func plainGet(t testing.TB, srv *testServer, path string) (*http.Response, []byte) {
	t.Helper()
	res, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

func countUsers(t testing.TB, srv *testServer) int {
	t.Helper()
	n, err := srv.App.Auth.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func userPath(id int64) string  { return fmt.Sprintf("/api/v1/users/%d", id) }
func tokenPath(id int64) string { return fmt.Sprintf("/api/v1/tokens/%d", id) }
