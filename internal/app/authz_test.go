package app

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The authorisation matrix: every route the server registers — each
// operation of the served OpenAPI document and each page of the web router
// — is called as each of the six roles, on a record of each ownership case,
// and the answer must be the one testdata/authz.tsv states for that route
// and role. A route without a row fails the test with the row to add.
//
// The ownership cases, for a caller of role R in team Utara:
//
//	own      a record the caller owns
//	team     a record owned by a teammate (another user in Utara)
//	other    a record owned by a user of team Selatan
//	unowned  a record without an owner (records only)
//	missing  an ID that names nothing
//	none     the route names no record
//
// What counts as an answer:
//
//	ok         allowed: 2xx, a redirect other than to sign-in, or a 4xx
//	           about the input (400, 409, 412, 422) — the request got past
//	           authorisation; forbidden cases must never get one of these
//	forbidden  403
//	notfound   404
//	unauthorized  401 or a redirect to sign-in (public forms, wrong credentials)
//
// Any 5xx fails, whatever the table says.

const matrixTable = "testdata/authz.tsv"

// matrixCase is an ownership case.
type matrixCase string

const (
	caseOwn     matrixCase = "own"
	caseTeam    matrixCase = "team"
	caseOther   matrixCase = "other"
	caseUnowned matrixCase = "unowned"
	caseMissing matrixCase = "missing"
	caseShared  matrixCase = "shared" // the one object of a kind nobody owns (a pipeline, a custom field)
	caseNone    matrixCase = "none"
)

// Answers.
const (
	answerOK        = "ok"
	answerForbidden = "forbidden"
	answerNotFound  = "notfound"
	// unauthorized is 401, or a redirect to sign-in: what a public form
	// answers wrong credentials with.
	answerUnauthorized = "unauthorized"
)

// matrixRules are the words a table cell may hold besides an answer: each
// says, from the policy table in internal/auth/roles.go, what a role gets
// in each ownership case. A cell may also list the cases one by one:
// "own=ok,team=notfound,other=notfound,missing=notfound".
var matrixRules = map[string]func(pol auth.Policy, c matrixCase) string{
	// read: the record is there for roles whose read visibility reaches
	// it, and does not exist for the others.
	"read": func(pol auth.Policy, c matrixCase) string {
		if reachesCase(pol.Read, auth.Read, c) {
			return answerOK
		}
		return answerNotFound
	},
	// write: allowed where write visibility reaches; a record the role can
	// read but not change is forbidden; one it cannot read does not exist.
	"write": func(pol auth.Policy, c matrixCase) string {
		switch {
		case reachesCase(pol.Write, auth.Write, c):
			return answerOK
		case reachesCase(pol.Read, auth.Read, c):
			return answerForbidden
		}
		return answerNotFound
	},
	// writer: every role that writes records at all — creating one, or
	// changing a record nobody owns by design (a product of the catalogue).
	"writer": func(pol auth.Policy, c matrixCase) string {
		switch {
		case c == caseMissing:
			return answerNotFound
		case pol.Write == auth.VisibleNone:
			return answerForbidden
		}
		return answerOK
	},
	// manage: administration (users, teams, settings) — admins only,
	// refused to the others before anything is looked up.
	"manage": func(pol auth.Policy, c matrixCase) string {
		if !pol.Manage {
			return answerForbidden
		}
		return constantAnswer(answerOK, c)
	},
	// manage-lookup: manage, for a route that looks its object up first,
	// so an ID that names nothing is 404 to everyone.
	"manage-lookup": func(pol auth.Policy, c matrixCase) string {
		switch {
		case c == caseMissing:
			return answerNotFound
		case !pol.Manage:
			return answerForbidden
		}
		return answerOK
	},
	// profile: a user may change their own profile; anyone else's, and
	// anything about roles and teams, is for admins (auth.UpdateUser).
	"profile": func(pol auth.Policy, c matrixCase) string {
		switch {
		case pol.Manage:
			return constantAnswer(answerOK, c)
		case c == caseOwn:
			return answerOK
		}
		return answerForbidden
	},
	// mine: the caller's own things, which an admin reaches for everyone.
	"mine": func(pol auth.Policy, c matrixCase) string {
		if pol.Manage {
			return constantAnswer(answerOK, c)
		}
		return selfAnswer(c)
	},
	// self: the caller's own things (tokens, views, sessions, imports,
	// notifications); anyone else's do not exist.
	"self": func(pol auth.Policy, c matrixCase) string { return selfAnswer(c) },
}

func selfAnswer(c matrixCase) string {
	if c == caseOwn || c == caseNone {
		return answerOK
	}
	return answerNotFound
}

// reachesCase is the policy's rule (auth.Principal.Can) for the fixture's
// ownership cases, written again from docs/api.md so the test does not
// merely call the code it checks.
func reachesCase(v auth.Visibility, a auth.Action, c matrixCase) bool {
	switch c {
	case caseMissing:
		return false
	case caseNone, caseShared:
		return v != auth.VisibleNone
	}
	switch v {
	case auth.VisibleAll:
		return true
	case auth.VisibleTeam:
		return c == caseOwn || c == caseTeam || c == caseUnowned
	case auth.VisibleOwn:
		return c == caseOwn || (c == caseUnowned && a == auth.Read)
	}
	return false
}

// constantAnswer is a cell holding an answer: the same in every case,
// except that an allowed route answers 404 for an ID that names nothing.
func constantAnswer(answer string, c matrixCase) string {
	if answer == answerOK && c == caseMissing {
		return answerNotFound
	}
	return answer
}

// expected is what the cell says for a case.
func expected(cell string, role auth.Role, c matrixCase) (string, error) {
	switch cell {
	case answerOK, answerForbidden, answerNotFound, answerUnauthorized:
		return constantAnswer(cell, c), nil
	}
	if rule, ok := matrixRules[cell]; ok {
		return rule(auth.PolicyOf(role), c), nil
	}
	if strings.Contains(cell, "=") {
		for _, part := range strings.Split(cell, ",") {
			k, v, _ := strings.Cut(part, "=")
			if matrixCase(k) == c {
				return v, nil
			}
		}
		return "", fmt.Errorf("cell %q does not name case %s", cell, c)
	}
	return "", fmt.Errorf("cell %q is neither an answer (ok, forbidden, notfound), a rule (%s) nor a list of case=answer", cell, strings.Join(ruleNames(), ", "))
}

func ruleNames() []string {
	names := make([]string, 0, len(matrixRules))
	for n := range matrixRules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// matrixRow is one line of the table.
type matrixRow struct {
	line  int
	route string // "GET /api/v1/contacts/{id}"
	cells map[auth.Role]string
}

// loadMatrix reads the table: a header naming the roles in the order of
// auth.Roles, then one row per route (method, pattern, a cell per role).
func loadMatrix(t *testing.T) map[string]matrixRow {
	t.Helper()
	f, err := os.Open(matrixTable)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]matrixRow{}
	header := false
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if !header {
			want := append([]string{"method", "pattern"}, roleNames()...)
			if !slices.Equal(fields, want) {
				t.Fatalf("%s:%d: the header must be %q", matrixTable, n, strings.Join(want, "\t"))
			}
			header = true
			continue
		}
		if len(fields) != 2+len(auth.Roles) {
			t.Errorf("%s:%d: %d columns, want %d (method, pattern, one per role)", matrixTable, n, len(fields), 2+len(auth.Roles))
			continue
		}
		row := matrixRow{line: n, route: fields[0] + " " + fields[1], cells: map[auth.Role]string{}}
		for i, role := range auth.Roles {
			row.cells[role] = fields[2+i]
			for _, c := range []matrixCase{caseOwn, caseMissing} {
				if _, err := expected(fields[2+i], role, c); err != nil && !strings.Contains(err.Error(), "does not name") {
					t.Errorf("%s:%d: %s: %v", matrixTable, n, role, err)
				}
			}
		}
		if _, dup := rows[row.route]; dup {
			t.Errorf("%s:%d: a second row for %s", matrixTable, n, row.route)
		}
		rows[row.route] = row
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func roleNames() []string {
	out := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = string(r)
	}
	return out
}

// matrixRoute is a route as the server registers it.
type matrixRoute struct {
	method, pattern string
	api             bool
}

func (r matrixRoute) name() string { return r.method + " " + r.pattern }

// servedRoutes lists every operation of the served document and every
// page of the web router. A web pattern without a method (the not-found
// page) is listed as ANY.
func servedRoutes(t *testing.T, srv *testServer) []matrixRoute {
	t.Helper()
	doc := loadDocument(t, srv)
	var out []matrixRoute
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, matrixRoute{method: method, pattern: path, api: true})
		}
	}
	for _, p := range srv.App.WebRoutes {
		method, pattern, ok := strings.Cut(p, " ")
		if !ok {
			method, pattern = "ANY", p
		}
		out = append(out, matrixRoute{method: method, pattern: pattern})
	}
	slices.SortFunc(out, func(a, b matrixRoute) int { return strings.Compare(a.pattern+" "+a.method, b.pattern+" "+b.method) })
	return out
}

// matrixKinds names what fills {id} in a route, by the path segment before
// it. A route whose {id} names something new needs a line here (and a
// fixture in (*matrix).make).
var matrixKinds = map[string]string{
	"accounts": "accounts", "contacts": "contacts", "leads": "leads", "opportunities": "opportunities", "deals": "opportunities",
	"activities": "activities", "products": "products", "orders": "orders",
	"users": "users", "teams": "teams", "tokens": "tokens", "views": "views", "custom-fields": "customfields", "fields": "customfields",
	"pipelines": "pipelines", "stages": "stages", "lead-rules": "leadrules", "rules": "leadrules", "imports": "imports",
	"merges": "merges", "notifications": "notifications", "order-lines": "orderlines", "sessions": "sessions",
	"bulk": "bulk",
}

// matrixFields are the fields that fill {field} in an inline edit's route.
var matrixFields = map[string]string{"accounts": "name", "contacts": "city", "leads": "city", "opportunities": "name",
	"activities": "subject", "orders": "status", "products": "name"}

// pairRoutes name their records in the body or query instead of the path:
// two contacts of the case, to merge or to dismiss as duplicates.
var pairRoutes = map[string]bool{
	"POST /api/v1/duplicates/merge": true, "POST /api/v1/duplicates/dismiss": true,
	"GET /duplicates/merge": true, "POST /duplicates/merge": true, "POST /duplicates/dismiss": true,
}

// kindOf says what a route's {id} names: "" when it names nothing,
// "trash:ENTITY" for a trashed record (the routes of the trash, and
// restore), "pair" for two contacts named in the body (pairRoutes).
func kindOf(r matrixRoute) (string, error) {
	if pairRoutes[r.name()] {
		return "pair", nil
	}
	if !strings.Contains(r.pattern, "{id}") {
		return "", nil
	}
	if strings.Contains(r.pattern, "{entity}/{id}") || strings.HasSuffix(r.pattern, "/{id}/restore") {
		return "trash:" + trashedEntity(r.pattern), nil
	}
	before, _, _ := strings.Cut(r.pattern, "/{id}")
	seg := before[strings.LastIndex(before, "/")+1:]
	if k, ok := matrixKinds[seg]; ok {
		return k, nil
	}
	return "", fmt.Errorf("nothing fills {id} in %s: add its path segment %q to matrixKinds in authz_test.go, with a fixture in (*matrix).make", r.name(), seg)
}

// trashedEntity is the entity whose trashed record a trash route names.
func trashedEntity(pattern string) string {
	if strings.Contains(pattern, "{entity}") {
		return "contacts"
	}
	before, _, _ := strings.Cut(pattern, "/{id}")
	return before[strings.LastIndex(before, "/")+1:]
}

// casesOf are the ownership cases that apply to a kind of object.
func casesOf(kind string) []matrixCase {
	switch {
	case kind == "":
		return []matrixCase{caseNone}
	case kind == "teams":
		return []matrixCase{caseOwn, caseOther, caseMissing}
	case kind == "pipelines" || kind == "stages" || kind == "customfields" || kind == "leadrules":
		return []matrixCase{caseShared, caseMissing}
	case kind == "products" || kind == "trash:products":
		return []matrixCase{caseUnowned, caseMissing}
	case kind == "users" || kind == "tokens" || kind == "views" || kind == "imports" || kind == "notifications" || kind == "sessions" || kind == "bulk":
		return []matrixCase{caseOwn, caseTeam, caseOther, caseMissing}
	}
	return []matrixCase{caseOwn, caseTeam, caseOther, caseUnowned, caseMissing}
}

func TestAuthorizationMatrix(t *testing.T) {
	rows := loadMatrix(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			routes := servedRoutes(t, srv)
			m := newMatrix(t, srv)

			served := map[string]bool{}
			var missing []matrixRoute
			for _, r := range routes {
				served[r.name()] = true
				if _, ok := rows[r.name()]; !ok {
					missing = append(missing, r)
				}
			}
			for name, row := range rows {
				if !served[name] {
					t.Errorf("%s:%d: %s is not a route the server serves; remove the row", matrixTable, row.line, name)
				}
			}

			obs := m.run(t, routes, rows)

			if len(missing) > 0 {
				var b strings.Builder
				for _, r := range missing {
					fmt.Fprintf(&b, "%s\t%s", r.method, r.pattern)
					for _, cell := range summariseRow(obs[r.name()]) {
						b.WriteString("\t" + cell)
					}
					b.WriteString("\n")
				}
				t.Errorf("%d routes have no row in internal/app/%s. Add these rows — they say what the server answers now, "+
					"so check each against the policy (docs/api.md, internal/auth/roles.go) before you paste it:\n%s", len(missing), matrixTable, b.String())
			}
		})
	}
}

// summariseRow is the cells of a row that say what each role got: one
// answer or rule for the whole row where one fits every role, else the
// shortest cell for each.
func summariseRow(got map[auth.Role]map[matrixCase]string) []string {
	out := make([]string, len(auth.Roles))
	for _, cell := range append([]string{answerOK, answerForbidden, answerNotFound, answerUnauthorized}, "manage", "writer", "read", "write", "self", "mine", "manage-lookup", "profile") {
		fits := true
		for _, role := range auth.Roles {
			fits = fits && summarise(role, got[role], cell) == cell
		}
		if fits {
			for i := range out {
				out[i] = cell
			}
			return out
		}
	}
	for i, role := range auth.Roles {
		out[i] = summarise(role, got[role])
	}
	return out
}

// summarise is the shortest cell that says what a role got: an answer,
// a rule, or the cases one by one.
func summarise(role auth.Role, got map[matrixCase]string, only ...string) string {
	if len(got) == 0 {
		return "?"
	}
	cases := make([]matrixCase, 0, len(got))
	for c := range got {
		cases = append(cases, c)
	}
	slices.Sort(cases)
	candidates := append([]string{answerOK, answerForbidden, answerNotFound, answerUnauthorized}, "read", "write", "self", "mine", "manage", "writer")
	if len(only) > 0 {
		candidates = only
	}
	for _, cell := range candidates {
		fits := true
		for _, c := range cases {
			if want, err := expected(cell, role, c); err != nil || want != got[c] {
				fits = false
			}
		}
		if fits {
			return cell
		}
	}
	var parts []string
	for _, c := range cases {
		parts = append(parts, string(c)+"="+got[c])
	}
	return strings.Join(parts, ",")
}

// matrix is one server's users, sessions, tokens and records.
type matrix struct {
	srv      *testServer
	ctx      context.Context
	admin    auth.User
	adminTok string
	utara    int64
	selatan  int64
	callers  map[auth.Role]*matrixCaller
	teammate *matrixCaller // sales, Utara: owns the "team" records
	outsider *matrixCaller // sales, Selatan: owns the "other" records
	// shared holds the objects made once, for GET requests: kind → case → ID.
	mu     sync.Mutex
	shared map[string]map[matrixCase]int64
	seq    atomic.Int64
	http   *http.Client
	// product and stage are what writes of order lines and deal moves name.
	product, stage int64
}

// matrixCaller is a user of one role, signed in on the API and the web.
type matrixCaller struct {
	user    auth.User
	token   string
	session string
}

// csrfToken is the double-submitted CSRF value every web request sends as
// cookie and field.
const csrfToken = "matrix-csrf-token-0123456789abcdef0123456789"

func newMatrix(t *testing.T, srv *testServer) *matrix {
	t.Helper()
	ctx := context.Background()
	m := &matrix{srv: srv, ctx: ctx, callers: map[auth.Role]*matrixCaller{}, shared: map[string]map[matrixCase]int64{},
		http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	admin, err := srv.App.Auth.CreateFirstAdmin(ctx, auth.NewUser{Email: "admin@matrix.test", Name: "Admin", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	m.admin, m.adminTok = admin, srv.token(t, admin)
	for _, name := range []string{"Utara", "Selatan"} {
		team, err := srv.App.Auth.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if name == "Utara" {
			m.utara = team.ID
		} else {
			m.selatan = team.ID
		}
	}
	// The admin is in Utara too, so "team" means the same for every role.
	if m.admin, err = srv.App.Auth.UpdateUser(ctx, admin.Principal(), admin.ID, auth.UserUpdate{TeamID: &m.utara}, 0); err != nil {
		t.Fatal(err)
	}
	m.callers[auth.Admin] = m.caller(t, m.admin)
	for _, role := range auth.Roles[1:] {
		m.callers[role] = m.caller(t, m.newUser(t, string(role), role, m.utara))
	}
	m.teammate = m.caller(t, m.newUser(t, "teammate", auth.Sales, m.utara))
	m.outsider = m.caller(t, m.newUser(t, "outsider", auth.Sales, m.selatan))
	m.product = m.make(t, "products", m.callers[auth.Admin], caseUnowned, false)
	// A new deal starts in the default pipeline's first stage; moves go to its second.
	var pipelines struct {
		Items []struct {
			IsDefault bool `json:"is_default"`
			Stages    []struct {
				ID int64 `json:"id"`
			} `json:"stages"`
		} `json:"items"`
	}
	m.apiJSON(t, m.adminTok, "GET", "/api/v1/pipelines", nil, http.StatusOK, &pipelines)
	for _, p := range pipelines.Items {
		if p.IsDefault && len(p.Stages) > 1 {
			m.stage = p.Stages[1].ID
		}
	}
	if m.stage == 0 {
		t.Fatal("the default pipeline has no second stage to move deals to")
	}
	return m
}

func (m *matrix) newUser(t testing.TB, name string, role auth.Role, team int64) auth.User {
	t.Helper()
	u, err := m.srv.App.Auth.CreateUser(m.ctx, auth.NewUser{Email: name + "@matrix.test", Name: name, Password: "rahasia-123", Role: role, TeamID: &team})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func (m *matrix) caller(t testing.TB, u auth.User) *matrixCaller {
	t.Helper()
	secret, _, err := m.srv.App.Auth.CreateSession(m.ctx, u.ID, "127.0.0.1", "matrix")
	if err != nil {
		t.Fatal(err)
	}
	return &matrixCaller{user: u, token: m.srv.token(t, u), session: secret}
}

// owner is the user who owns the record of a case for a caller (nil: no owner).
func (m *matrix) owner(caller *matrixCaller, c matrixCase) *matrixCaller {
	switch c {
	case caseOwn:
		return caller
	case caseTeam:
		return m.teammate
	case caseOther:
		return m.outsider
	}
	return nil
}

// id fills {id} for a request. Reads share one object per kind, case and
// caller; every other request gets an object of its own, since it may
// change or remove it.
func (m *matrix) id(t testing.TB, kind string, caller *matrixCaller, c matrixCase, fresh bool) int64 {
	t.Helper()
	if c == caseMissing {
		return 987654321
	}
	if fresh || kind == "users" || kind == "teams" {
		return m.make(t, kind, caller, c, fresh)
	}
	key := kind
	if c == caseOwn {
		key = fmt.Sprintf("%s/%d", kind, caller.user.ID)
	}
	m.mu.Lock()
	id, ok := m.shared[key][c]
	m.mu.Unlock()
	if ok {
		return id
	}
	id = m.make(t, kind, caller, c, false)
	m.mu.Lock()
	if m.shared[key] == nil {
		m.shared[key] = map[matrixCase]int64{}
	}
	m.shared[key][c] = id
	m.mu.Unlock()
	return id
}

// make creates an object of the kind for the case, as the admin or (where
// the object belongs to whoever made it) as its owner. Users and teams are
// the fixture's own, except that a write to a team gets a new, empty one
// (a team can be deleted; the fixture's users stay where they are).
func (m *matrix) make(t testing.TB, kind string, caller *matrixCaller, c matrixCase, fresh bool) int64 {
	t.Helper()
	n := m.seq.Add(1)
	owner := m.owner(caller, c)
	var ownerID any
	if owner != nil {
		ownerID = owner.user.ID
	}
	if entity, ok := strings.CutPrefix(kind, "trash:"); ok {
		id := m.make(t, entity, caller, c, false)
		m.api(t, m.adminTok, "DELETE", fmt.Sprintf("/api/v1/%s/%d", entity, id), nil, http.StatusNoContent)
		return id
	}
	switch kind {
	case "accounts", "contacts", "leads", "opportunities", "activities", "products", "orders":
		in := recordInput(kind, n)
		if kind != "products" { // the company's catalogue: nobody owns a product
			in["owner_id"] = ownerID
		}
		e, ok := m.srv.App.Entities.Get(kind)
		if !ok {
			t.Fatalf("no entity %s", kind)
		}
		rec, err := m.srv.App.Records.Create(m.ctx, m.admin.Principal(), e, in)
		if err != nil {
			t.Fatalf("create %s for %s: %v", kind, c, err)
		}
		return rec.ID
	case "orderlines":
		order := m.make(t, "orders", caller, c, false)
		product := m.make(t, "products", caller, caseUnowned, false)
		return m.api(t, m.adminTok, "POST", fmt.Sprintf("/api/v1/orders/%d/lines", order), map[string]any{"product_id": product, "quantity": 1, "unit_price": 10000}, http.StatusCreated)
	case "users":
		return owner.user.ID
	case "teams":
		if fresh {
			team, err := m.srv.App.Auth.CreateTeam(m.ctx, m.admin.Principal(), auth.TeamInput{Name: fmt.Sprintf("Team %d", n)})
			if err != nil {
				t.Fatal(err)
			}
			return team.ID
		}
		if c == caseOwn {
			return m.utara
		}
		return m.selatan
	case "tokens":
		_, tok, err := m.srv.App.Auth.CreateToken(m.ctx, owner.user.Principal(), owner.user.ID, auth.NewToken{Name: fmt.Sprintf("matrix %d", n)})
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID
	case "sessions":
		_, sess, err := m.srv.App.Auth.CreateSession(m.ctx, owner.user.ID, "127.0.0.1", "matrix fixture")
		if err != nil {
			t.Fatal(err)
		}
		return sess.ID
	case "views":
		return m.api(t, owner.token, "POST", "/api/v1/views", map[string]any{"entity": "contacts", "name": fmt.Sprintf("View %d", n)}, http.StatusCreated)
	case "imports":
		if owner.user.Role == auth.ReadOnly {
			// A read-only user imports nothing; this import is one made
			// before the user became read-only.
			id := m.upload(t, m.adminTok, n)
			if _, err := m.srv.App.DB.Writer().ExecContext(m.ctx, "UPDATE imports SET created_by = $1 WHERE id = $2", owner.user.ID, id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		return m.upload(t, owner.token, n)
	case "notifications":
		return m.notify(t, owner.user.ID, n)
	case "bulk":
		// A bulk change of the owner's: a tag on a contact of theirs, made
		// as the administrator and then handed to them (a read-only user
		// changes nothing, but may have before becoming read-only).
		contact := m.make(t, "contacts", caller, c, false)
		id := m.api(t, m.adminTok, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "tag_add", "value": fmt.Sprintf("t%d", n), "ids": []int64{contact}}, http.StatusOK)
		if _, err := m.srv.App.DB.Writer().ExecContext(m.ctx, "UPDATE bulk_operations SET created_by = $1 WHERE id = $2", owner.user.ID, id); err != nil {
			t.Fatal(err)
		}
		return id
	case "merges":
		a, b := m.make(t, "contacts", caller, c, false), m.make(t, "contacts", caller, c, false)
		var res struct {
			Merge struct {
				ID int64 `json:"id"`
			} `json:"merge"`
		}
		m.apiJSON(t, m.adminTok, "POST", "/api/v1/duplicates/merge", map[string]any{"entity": "contacts", "survivor_id": a, "merged_ids": []int64{b}}, http.StatusCreated, &res)
		return res.Merge.ID
	case "pipelines":
		return m.api(t, m.adminTok, "POST", "/api/v1/pipelines", map[string]any{"name": fmt.Sprintf("Pipeline %d", n)}, http.StatusCreated)
	case "stages":
		p := m.make(t, "pipelines", caller, c, false)
		return m.api(t, m.adminTok, "POST", fmt.Sprintf("/api/v1/pipelines/%d/stages", p), map[string]any{"name": fmt.Sprintf("Stage %d", n)}, http.StatusCreated)
	case "customfields":
		return m.api(t, m.adminTok, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": fmt.Sprintf("f%d", n), "label": fmt.Sprintf("Field %d", n), "kind": "text"}, http.StatusCreated)
	case "leadrules":
		return m.api(t, m.adminTok, "POST", "/api/v1/lead-rules", map[string]any{"filter": fmt.Sprintf(`city = "Kota %d"`, n), "user_id": m.teammate.user.ID}, http.StatusCreated)
	}
	t.Fatalf("no fixture for %s: add one to (*matrix).make", kind)
	return 0
}

// recordInput is enough of a record of the entity to be valid.
func recordInput(entity string, n int64) records.Input {
	name := fmt.Sprintf("Matrix %d", n)
	switch entity {
	case "contacts":
		return records.Input{"first_name": name, "emails": []string{fmt.Sprintf("m%d@matrix.test", n)}}
	case "leads":
		return records.Input{"first_name": name, "email": fmt.Sprintf("m%d@matrix.test", n)}
	case "activities":
		return records.Input{"kind": "call", "subject": name}
	case "orders":
		return records.Input{}
	}
	return records.Input{"name": name}
}

func (m *matrix) notify(t testing.TB, userID, n int64) int64 {
	t.Helper()
	msg := fmt.Sprintf("matrix %d", n)
	err := m.srv.App.DB.WriteTx(m.ctx, func(tx *sql.Tx) error {
		return notifications.Create(m.ctx, tx, userID, "matrix", notifications.Message{Key: "notifications.text", Args: []notifications.Arg{notifications.Text(msg)}}, "/")
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := m.srv.App.DB.Read().QueryRowContext(m.ctx, "SELECT id FROM notifications WHERE user_id = $1 AND message_args LIKE $2", userID, "%\""+msg+"\"%").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (m *matrix) upload(t testing.TB, token string, n int64) int64 {
	t.Helper()
	status, resp := m.send(t, m.importRequest(t, token, nil))
	if status != http.StatusCreated {
		t.Fatalf("import fixture: %d %s", status, resp)
	}
	var imp struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(resp, &imp)
	return imp.ID
}

// api makes a fixture through the API and returns its "id".
func (m *matrix) api(t testing.TB, token, method, path string, body any, want int) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	m.apiJSON(t, token, method, path, body, want, &out)
	return out.ID
}

func (m *matrix) apiJSON(t testing.TB, token, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, m.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	status, resp := m.send(t, req)
	if status != want {
		t.Fatalf("fixture %s %s: %d %s", method, path, status, resp)
	}
	if out != nil && len(resp) > 0 {
		if err := json.Unmarshal(resp, out); err != nil {
			t.Fatalf("fixture %s %s: %v", method, path, err)
		}
	}
}

func (m *matrix) send(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	res, err := m.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusFound {
		if loc := res.Header.Get("Location"); strings.HasPrefix(loc, "/login") {
			return http.StatusUnauthorized, []byte("redirected to " + loc)
		}
	}
	return res.StatusCode, b
}

// answerOf classifies a status.
func answerOf(status int) string {
	switch {
	case status == http.StatusForbidden:
		return answerForbidden
	case status == http.StatusNotFound:
		return answerNotFound
	case status == http.StatusUnauthorized:
		return answerUnauthorized
	case status >= 200 && status < 400,
		status == http.StatusBadRequest, status == http.StatusConflict, status == http.StatusPreconditionFailed, status == http.StatusUnprocessableEntity:
		return answerOK
	}
	return strconv.Itoa(status)
}

// lastRoutes end or restrict a caller's sessions, so they run after everything else,
// on a session of their own.
var lastRoutes = map[string]bool{"POST /logout": true, "POST /profile/sessions/revoke-others": true,
	// Two-factor changes end or restrict the sessions of the user they are
	// about (the caller, in the own case).
	"POST /settings/two-factor": true, "POST /settings/users/{id}/two-factor/reset": true, "DELETE /api/v1/users/{id}/two-factor": true,
	"POST /profile/two-factor/enable": true, "POST /profile/two-factor/disable": true, "POST /profile/two-factor/recovery-codes": true}

// matrixCall is one request of the matrix.
type matrixCall struct {
	route matrixRoute
	kind  string
	role  auth.Role
	c     matrixCase
	want  string // "" when the route has no row
}

// run sends every call and checks it against its row; it returns what each
// role got on each route, for the rows that are missing.
func (m *matrix) run(t *testing.T, routes []matrixRoute, rows map[string]matrixRow) map[string]map[auth.Role]map[matrixCase]string {
	var reads, writes, last []matrixCall
	for _, r := range routes {
		kind, err := kindOf(r)
		if err != nil {
			t.Error(err)
			continue
		}
		row, hasRow := rows[r.name()]
		for _, role := range auth.Roles {
			for _, c := range casesOf(kind) {
				call := matrixCall{route: r, kind: kind, role: role, c: c}
				if hasRow {
					if call.want, err = expected(row.cells[role], role, c); err != nil {
						t.Errorf("%s:%d: %s: %v", matrixTable, row.line, role, err)
						continue
					}
				}
				switch {
				case lastRoutes[r.name()]:
					last = append(last, call)
				case r.method == "GET":
					reads = append(reads, call)
				default:
					writes = append(writes, call)
				}
			}
		}
	}
	obs := map[string]map[auth.Role]map[matrixCase]string{}
	var mu sync.Mutex
	for i, batch := range [][]matrixCall{reads, writes, last} {
		work := make(chan matrixCall)
		var wg sync.WaitGroup
		workers := 8
		if i == 2 {
			workers = 1 // one session-ending call must not end another's session
		}
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for call := range work {
					got, detail, ok := m.try(t, call)
					if !ok {
						continue
					}
					mu.Lock()
					if obs[call.route.name()] == nil {
						obs[call.route.name()] = map[auth.Role]map[matrixCase]string{}
					}
					if obs[call.route.name()][call.role] == nil {
						obs[call.route.name()][call.role] = map[matrixCase]string{}
					}
					obs[call.route.name()][call.role][call.c] = got
					mu.Unlock()
					if got != answerOK && got != answerForbidden && got != answerNotFound && got != answerUnauthorized {
						t.Errorf("%s as %s, %s: answered %s: %s", call.route.name(), call.role, call.c, got, detail)
					} else if call.want != "" && got != call.want {
						row := rows[call.route.name()]
						t.Errorf("%s as %s, %s record: got %s, want %s (%s:%d says %q): %s",
							call.route.name(), call.role, call.c, got, call.want, matrixTable, row.line, row.cells[call.role], detail)
					}
				}
			}()
		}
		for _, call := range batch {
			work <- call
		}
		close(work)
		wg.Wait()
	}
	return obs
}

// fixtureFailed stops one call whose fixture could not be made; the
// workers recover it, so one broken fixture does not stop the others.
type fixtureFailed struct{ msg string }

// callTB is the testing.TB of a call on a worker goroutine, where Fatal
// must not end the goroutine.
type callTB struct{ testing.TB }

func (c callTB) Helper()           {}
func (c callTB) Fatal(args ...any) { panic(fixtureFailed{fmt.Sprint(args...)}) }
func (c callTB) Fatalf(format string, args ...any) {
	panic(fixtureFailed{fmt.Sprintf(format, args...)})
}

// try is do on a worker: a fixture that fails is reported and the call skipped.
func (m *matrix) try(t *testing.T, call matrixCall) (answer, detail string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			f, isFixture := r.(fixtureFailed)
			if !isFixture {
				panic(r)
			}
			t.Errorf("%s as %s, %s: the fixture failed: %s", call.route.name(), call.role, call.c, f.msg)
			ok = false
		}
	}()
	answer, detail = m.do(callTB{t}, call)
	return answer, detail, true
}

// do sends one call and says which answer it got, with a detail for the
// failure message.
func (m *matrix) do(t testing.TB, call matrixCall) (answer, detail string) {
	caller := m.callers[call.role]
	path := call.route.pattern
	if call.kind != "" && call.kind != "pair" {
		id := m.id(t, call.kind, caller, call.c, call.route.method != "GET")
		path = strings.Replace(path, "{id}", strconv.FormatInt(id, 10), 1)
		if entity, ok := strings.CutPrefix(call.kind, "trash:"); ok {
			path = strings.Replace(path, "{entity}", entity, 1)
		}
	}
	var pair []int64
	if call.kind == "pair" {
		pair = []int64{m.id(t, "contacts", caller, call.c, true), m.id(t, "contacts", caller, call.c, true) + 1}
		if call.c != caseMissing {
			pair[1] = m.id(t, "contacts", caller, call.c, true)
		}
		if call.route.name() == "GET /duplicates/merge" {
			path += fmt.Sprintf("?entity=contacts&ids=%d,%d", pair[0], pair[1])
		}
	}
	if strings.Contains(path, "{field}") {
		// A field the entity's records may change inline.
		entity := strings.Split(strings.TrimPrefix(path, "/"), "/")[0]
		path = strings.Replace(path, "{field}", matrixFields[entity], 1)
	}
	path = strings.NewReplacer("{$}", "", "{lang}", "en").Replace(path)
	method := call.route.method
	if method == "ANY" {
		method, path = "GET", "/no-such-page"
	}
	var req *http.Request
	if call.route.api {
		var body io.Reader
		if method != "GET" && method != "DELETE" {
			b, _ := json.Marshal(m.apiBody(call.route.name(), pair))
			body = bytes.NewReader(b)
		}
		req, _ = http.NewRequest(method, m.srv.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+caller.token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if call.route.name() == "POST /api/v1/imports" {
			req = m.importRequest(t, caller.token, nil)
		}
	} else {
		session := caller.session
		if lastRoutes[call.route.name()] {
			session = m.caller(t, caller.user).session
		}
		var body io.Reader
		if method == "POST" {
			form := m.webForm(call.route, caller, m.owner(caller, call.c))
			if pair != nil {
				form.Set("entity", "contacts")
				form.Set("ids", fmt.Sprintf("%d,%d", pair[0], pair[1]))
			}
			form.Set("csrf_token", csrfToken)
			body = strings.NewReader(form.Encode())
		}
		req, _ = http.NewRequest(method, m.srv.URL+path, body)
		if call.route.name() == "POST /imports/new" {
			req = m.importRequest(t, "", url.Values{"csrf_token": {csrfToken}})
		}
		req.Header.Set("Cookie", "relasi_session="+session+"; relasi_csrf="+csrfToken)
		if body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	status, resp := m.send(t, req)
	return answerOf(status), fmt.Sprintf("%s %s → %d %.200s", method, path, status, strings.Join(strings.Fields(string(resp)), " "))
}

// importRequest uploads a one-row contacts file: to the API with a token,
// or to the web form with its fields.
func (m *matrix) importRequest(t testing.TB, token string, fields url.Values) *http.Request {
	n := m.seq.Add(1)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("entity", "contacts")
	for k := range fields {
		mw.WriteField(k, fields.Get(k))
	}
	fw, _ := mw.CreateFormFile("file", "kontak.csv")
	fmt.Fprintf(fw, "Nama Depan,Surel\nImpor %d,impor%d@matrix.test\n", n, n)
	mw.Close()
	path := "/api/v1/imports"
	if token == "" {
		path = "/imports/new"
	}
	req, _ := http.NewRequest("POST", m.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// The bodies of writes. A write gets past validation where that is cheap
// to arrange, so that its answer is about authorisation; a route not named
// here is sent {} or an empty form, and the 422 that brings counts as
// allowed — which is why a route that checks input before the caller's
// rights needs a body here to be held to its row.

// apiBody is the JSON body of an API write; pair are the records of a
// pairRoute.
func (m *matrix) apiBody(route string, pair []int64) any {
	n := m.seq.Add(1)
	if entity, ok := strings.CutPrefix(route, "POST /api/v1/"); ok && !strings.Contains(entity, "/") {
		if _, isEntity := m.srv.App.Entities.Get(entity); isEntity {
			return recordInput(entity, n)
		}
	}
	switch route {
	case "POST /api/v1/duplicates/merge":
		return map[string]any{"entity": "contacts", "survivor_id": pair[0], "merged_ids": pair[1:]}
	case "POST /api/v1/duplicates/dismiss":
		return map[string]any{"entity": "contacts", "ids": pair}
	case "POST /api/v1/opportunities/{id}/move":
		return map[string]any{"stage_id": m.stage}
	case "POST /api/v1/orders/{id}/lines":
		return map[string]any{"product_id": m.product, "quantity": 1, "unit_price": 10000}
	case "PATCH /api/v1/order-lines/{id}":
		return map[string]any{"quantity": 2}
	case "POST /api/v1/custom-fields":
		return map[string]any{"entity": "contacts", "key": fmt.Sprintf("k%d", n), "label": fmt.Sprintf("Kolom %d", n), "kind": "text"}
	case "POST /api/v1/pipelines":
		return map[string]any{"name": fmt.Sprintf("Pipeline %d", n)}
	case "POST /api/v1/pipelines/{id}/stages":
		return map[string]any{"name": fmt.Sprintf("Stage %d", n)}
	case "POST /api/v1/lead-rules":
		return map[string]any{"filter": fmt.Sprintf(`city = "Kota %d"`, n), "user_id": m.teammate.user.ID}
	case "POST /api/v1/users":
		return map[string]any{"email": fmt.Sprintf("baru%d@matrix.test", n), "name": "Baru", "password": "rahasia-123", "role": "sales"}
	case "POST /api/v1/teams":
		return map[string]any{"name": fmt.Sprintf("Tim %d", n)}
	case "POST /api/v1/tokens":
		return map[string]any{"name": fmt.Sprintf("Token %d", n)}
	case "POST /api/v1/views":
		return map[string]any{"entity": "contacts", "name": fmt.Sprintf("View %d", n)}
	}
	return map[string]any{}
}

// webForm is the form of a web write, besides its CSRF token; owner is the
// owner of the record it names (nil for none).
func (m *matrix) webForm(r matrixRoute, caller, owner *matrixCaller) url.Values {
	n := m.seq.Add(1)
	form := url.Values{}
	segs := strings.Split(strings.TrimPrefix(r.pattern, "/"), "/")
	if _, isEntity := m.srv.App.Entities.Get(segs[0]); isEntity && (r.pattern == "/"+segs[0]+"/new" || strings.HasSuffix(r.pattern, "/{id}/edit")) {
		for k, v := range recordInput(segs[0], n) {
			if s, ok := v.(string); ok {
				form.Set(k, s)
			}
		}
		// The form offers the owner: the caller for a new record (as the
		// form fills it in), the record's owner for an edit.
		form.Set("owner_id", strconv.FormatInt(caller.user.ID, 10))
		if strings.HasSuffix(r.pattern, "/edit") {
			form.Set("version", "1")
			form.Set("owner_id", "")
			if owner != nil {
				form.Set("owner_id", strconv.FormatInt(owner.user.ID, 10))
			}
		}
		return form
	}
	switch r.name() {
	case "POST /deals/{id}/move":
		form.Set("stage_id", strconv.FormatInt(m.stage, 10))
		form.Set("version", "1")
	case "POST /settings/leads":
		form.Set("response_minutes", "30")
		form.Set("assignment_mode", "none")
	case "POST /orders/{id}/lines":
		form.Set("product_id", strconv.FormatInt(m.product, 10))
		form.Set("quantity", "1")
		form.Set("unit_price", "10000")
	}
	return form
}
