package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relasi/relasi/internal/store"
)

// The "done when": two relasi serve processes on one PostgreSQL
// database behind a round-robin load balancer without sticky sessions serve
// one browser and one API client as if they were one server — sign-in,
// forms with their CSRF token, API tokens, a background import — and keep
// serving after one of them dies.
//
// Both processes share one data directory, as docs/operations.md asks of
// several instances (an uploaded import file must be readable by whichever
// process runs the import).
func TestScaleOutBehindALoadBalancer(t *testing.T) {
	t.Parallel()
	const email, password = "ayu@example.co.id", "rahasia-panjang-1"
	in := newInstallation(t, store.Postgres)
	in.mustRun(t, "migrate")
	servers := []*server{in.serve(t), in.serve(t)}
	lb := newRoundRobin(t, servers...)

	// First-run setup through the balancer: the form from one process, the
	// answer to the other. The CSRF token is a cookie the browser sends
	// back (double submit), so no process needs to remember it.
	admin := newBrowserBehind(t, lb)
	page := admin.do(t, http.MethodGet, "/setup", nil)
	formFrom := lb.last()
	if page.status != http.StatusOK {
		t.Fatalf("GET /setup: status %d\n%s", page.status, page.body)
	}
	res := admin.do(t, http.MethodPost, "/setup", url.Values{"csrf_token": {csrfToken(t, page)}, "name": {"Ayu Lestari"}, "email": {email},
		"password": {password}, "password_confirm": {password}, "locale": {"en"}, "time_zone": {"Asia/Jakarta"}})
	if res.status != http.StatusSeeOther || res.location != "/" {
		t.Fatalf("POST /setup: status %d, Location %q; want 303 to /\n%s", res.status, res.location, res.body)
	}
	if lb.last() == formFrom {
		t.Fatalf("the set-up form and its answer were served by the same server %d; the balancer should alternate", formFrom)
	}

	// The session made by one process opens pages on both, and a form
	// fetched from one is accepted by the other.
	for _, path := range []string{"/", "/contacts", "/"} {
		wantSignedIn(t, admin, path, "Ayu Lestari")
	}
	page = admin.do(t, http.MethodGet, "/contacts/new", nil)
	formFrom = lb.last()
	if page.status != http.StatusOK {
		t.Fatalf("GET /contacts/new: status %d\n%s", page.status, page.body)
	}
	res = admin.do(t, http.MethodPost, "/contacts/new", url.Values{"csrf_token": {csrfToken(t, page)},
		"first_name": {"Dewi"}, "last_name": {"Kusuma"}, "emails": {"dewi@contoh.co.id"}})
	if res.status != http.StatusSeeOther || !regexp.MustCompile(`^/contacts/\d+$`).MatchString(res.location) {
		t.Fatalf("POST /contacts/new: status %d, Location %q; want 303 to the new contact\n%s", res.status, res.location, res.body)
	}
	if lb.last() == formFrom {
		t.Fatalf("the contact form and its answer were served by the same server %d", formFrom)
	}
	wantSignedIn(t, admin, res.location, "Dewi Kusuma")

	// A second browser signs in with the sign-in form, also split across
	// the two processes.
	other := newBrowserBehind(t, lb)
	if ok, page := other.signIn(t, email, password); !ok {
		t.Fatalf("sign-in through the balancer failed:\n%s", page)
	}
	for _, path := range []string{"/", "/contacts"} {
		wantSignedIn(t, other, path, "Ayu Lestari")
	}

	// An API token made on the command line works on both processes.
	token := strings.TrimSpace(in.mustRun(t, "token", "create", "--email", email, "--name", "scale-out test"))
	tokenUsedOn := map[int]bool{}
	for range 2 {
		resp, body := get(t, lb.URL+"/api/v1/me", "Bearer "+token)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), email) {
			t.Fatalf("GET /api/v1/me with the token through the balancer: status %d, body %s", resp.StatusCode, body)
		}
		tokenUsedOn[lb.last()] = true
	}
	if len(tokenUsedOn) != 2 {
		t.Errorf("the token was used on servers %v; want both", tokenUsedOn)
	}

	// A file of more than 2,000 rows is imported by a background job: the
	// process that takes the upload queues it, and River hands it to one
	// of the two.
	csvFile, want := bigContactsFile(2500)
	imp := uploadImport(t, lb.URL, token, "kontak-besar.csv", csvFile, `{"Nama": "full_name", "Surel": "emails"}`)
	queuedBy := lb.last()
	if imp.Status == "done" || imp.Status == "failed" {
		t.Fatalf("an import of %d rows answered with status %q; want it queued for a background job", imp.TotalRows, imp.Status)
	}
	start := time.Now()
	imp = waitForImport(t, lb.URL, token, imp.ID, 45*time.Second)
	took := time.Since(start)
	if imp.Status != "done" || imp.Counts != want || imp.ProcessedRows != 2500 {
		t.Fatalf("import: status %q, %d rows processed, counts %+v (error %q); want done, 2500 rows, counts %+v",
			imp.Status, imp.ProcessedRows, imp.Counts, imp.Error, want)
	}
	client := wantRanOnce(t, in.dsn, imp.ID, 2500, want.Created+1) // +1: the contact made with the form
	ranOn := riverClientOf(servers, client)
	if ranOn < 0 {
		t.Errorf("the import job ran on River client %s, which is neither server's", client)
	}
	t.Logf("import of %d rows: queued by server %d, run by server %d, done within %s", imp.TotalRows, queuedBy, ranOn, took.Round(time.Millisecond))

	// One process dies without a word. The balancer passes over it, and
	// the same browser session, CSRF cookie and token go on working.
	dead := 0
	if err := servers[dead].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill server %d: %v", dead, err)
	}
	<-servers[dead].done
	before := lb.count()
	for _, path := range []string{"/", "/contacts"} {
		wantSignedIn(t, admin, path, "Ayu Lestari")
	}
	page = admin.do(t, http.MethodGet, "/contacts/new", nil)
	if page.status != http.StatusOK {
		t.Fatalf("GET /contacts/new after the kill: status %d\n%s", page.status, page.body)
	}
	res = admin.do(t, http.MethodPost, "/contacts/new", url.Values{"csrf_token": {csrfToken(t, page)},
		"first_name": {"Rudi"}, "last_name": {"Hartono"}, "emails": {"rudi@contoh.co.id"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("POST /contacts/new after the kill: status %d, want 303\n%s", res.status, res.body)
	}
	wantSignedIn(t, admin, res.location, "Rudi Hartono")
	wantSignedIn(t, other, "/", "Ayu Lestari")
	if resp, body := get(t, lb.URL+"/api/v1/me", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/me after the kill: status %d, body %s", resp.StatusCode, body)
	}

	// Background jobs go on too: the same file again is all duplicates
	// now, and the survivor runs it, whether or not the dead server was
	// River's leader.
	again := uploadImport(t, lb.URL, token, "kontak-besar.csv", csvFile, `{"Nama": "full_name", "Surel": "emails"}`)
	again = waitForImport(t, lb.URL, token, again.ID, 45*time.Second)
	wantAgain := importCounts{Skipped: want.Skipped + want.Created, Failed: want.Failed}
	if again.Status != "done" || again.Counts != wantAgain {
		t.Fatalf("the same import after the kill: status %q, counts %+v (error %q); want done with %+v", again.Status, again.Counts, again.Error, wantAgain)
	}
	client = wantRanOnce(t, in.dsn, again.ID, 2500, want.Created+2)
	if ranOn := riverClientOf(servers, client); ranOn != 1-dead {
		t.Errorf("the import after the kill ran on server %d; want the survivor %d", ranOn, 1-dead)
	}

	if used := lb.servedSince(before); used[dead] != 0 || used[1-dead] == 0 {
		t.Errorf("after server %d died, requests were served %v times by each server; want all by the survivor", dead, used)
	}
	if !lb.isDown(dead) {
		t.Errorf("the balancer never found server %d down", dead)
	}
	t.Logf("requests per server: %v", lb.servedSince(0))
	servers[1-dead].stop(t)
}

// roundRobin is the load balancer of the test: a reverse proxy that sends
// each request to the next server in turn, without sticky sessions, and
// takes a server out once connecting to it is refused — what nginx or
// HAProxy do with round robin and passive health checks.
type roundRobin struct {
	URL       string // where clients connect
	backends  []string
	transport http.RoundTripper

	mu     sync.Mutex
	next   int
	down   []bool
	served []int // the backend that answered each request, in order
}

func newRoundRobin(t *testing.T, servers ...*server) *roundRobin {
	t.Helper()
	lb := &roundRobin{
		// A connection per request, so that a dead server shows as a
		// refused connection rather than as a broken idle one.
		transport: &http.Transport{DisableKeepAlives: true},
		down:      make([]bool, len(servers)),
	}
	for _, s := range servers {
		lb.backends = append(lb.backends, strings.TrimPrefix(s.URL, "http://"))
	}
	proxy := &httputil.ReverseProxy{
		// The Host header stays the one the client sent, as nginx's
		// "proxy_set_header Host $host" keeps it: Relasi's cross-origin
		// check compares it with the Origin of form posts.
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.Out.URL.Scheme = "http" },
		Transport: lb,
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	lb.URL = front.URL
	return lb
}

// RoundTrip sends a request to the next server that is up. A request
// without a body is tried on the next server when the connection is
// refused; nothing of it has reached the dead one.
func (lb *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	for {
		i, ok := lb.pick()
		if !ok {
			return nil, errors.New("load balancer: no server is up")
		}
		out := req.Clone(req.Context())
		out.URL.Host = lb.backends[i]
		resp, err := lb.transport.RoundTrip(out)
		if err == nil {
			lb.mu.Lock()
			lb.served = append(lb.served, i)
			lb.mu.Unlock()
			return resp, nil
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, err
		}
		lb.mu.Lock()
		lb.down[i] = true
		lb.mu.Unlock()
		if req.Body != nil {
			return nil, err
		}
	}
}

func (lb *roundRobin) pick() (int, bool) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for range lb.backends {
		i := lb.next
		lb.next = (lb.next + 1) % len(lb.backends)
		if !lb.down[i] {
			return i, true
		}
	}
	return 0, false
}

// last returns the server that answered the latest request.
func (lb *roundRobin) last() int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.served[len(lb.served)-1]
}

// count returns how many requests have been answered.
func (lb *roundRobin) count() int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return len(lb.served)
}

// servedSince counts, per server, the requests answered after the first n.
func (lb *roundRobin) servedSince(n int) []int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	per := make([]int, len(lb.backends))
	for _, i := range lb.served[n:] {
		per[i]++
	}
	return per
}

func (lb *roundRobin) isDown(i int) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.down[i]
}

// newBrowserBehind returns a browser pointed at the balancer that, like a
// real one, sends an Origin header with form posts.
func newBrowserBehind(t *testing.T, lb *roundRobin) *browser {
	t.Helper()
	b := newBrowser(t, lb.URL)
	b.client.Transport = withOrigin{origin: lb.URL}
	return b
}

type withOrigin struct{ origin string }

func (o withOrigin) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", o.origin)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func csrfToken(t *testing.T, page response) string {
	t.Helper()
	m := csrfFieldRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no csrf_token field in the page\n%s", page.body)
	}
	return m[1]
}

// wantSignedIn opens a page and checks that it is shown to a signed-in
// user and holds want.
func wantSignedIn(t *testing.T, b *browser, path, want string) {
	t.Helper()
	page := b.do(t, http.MethodGet, path, nil)
	if page.status != http.StatusOK {
		t.Fatalf("GET %s: status %d (Location %q); want 200 for a signed-in user\n%s", path, page.status, page.location, page.body)
	}
	if !strings.Contains(page.body, `data-testid="user-name"`) || !strings.Contains(page.body, want) {
		t.Fatalf("GET %s: the page is not a signed-in page holding %q\n%s", path, want, page.body)
	}
}

// importCounts is the counts object of GET /api/v1/imports/{id}.
type importCounts struct {
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
	Skipped int64 `json:"skipped"`
	Failed  int64 `json:"failed"`
	Related int64 `json:"related_created"`
	Undone  int64 `json:"undone"`
	Kept    int64 `json:"kept"`
}

type importStatus struct {
	ID            int64        `json:"id"`
	Status        string       `json:"status"`
	TotalRows     int64        `json:"total_rows"`
	ProcessedRows int64        `json:"processed_rows"`
	Counts        importCounts `json:"counts"`
	Error         string       `json:"error"`
}

// bigContactsFile returns a CSV file of n contacts (n a multiple of 50)
// and the counts importing it gives: the first row repeats the e-mail of
// the contact made with the form, one row in 50 repeats the e-mail of the
// row before it (both skipped as duplicates), and one in 50 has a broken
// e-mail address (failed).
func bigContactsFile(n int) (string, importCounts) {
	var b strings.Builder
	b.WriteString("Nama,Surel\n")
	want := importCounts{}
	for i := 1; i <= n; i++ {
		switch {
		case i == 1:
			fmt.Fprintf(&b, "Dewi Kusuma,dewi@contoh.co.id\n")
			want.Skipped++
		case i%50 == 0:
			fmt.Fprintf(&b, "Orang %d,orang-%d@\n", i, i)
			want.Failed++
		case i%50 == 25:
			fmt.Fprintf(&b, "Orang %d,orang-%d@contoh.co.id\n", i, i-1)
			want.Skipped++
		default:
			fmt.Fprintf(&b, "Orang %d,orang-%d@contoh.co.id\n", i, i)
			want.Created++
		}
	}
	return b.String(), want
}

// uploadImport posts a file to POST /api/v1/imports as contacts.
func uploadImport(t *testing.T, base, token, name, content, mapping string) importStatus {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("entity", "contacts")
	w.WriteField("mapping", mapping)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(fw, content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/imports", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /api/v1/imports: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST /api/v1/imports: read body: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/imports: status %d, want 201\n%s", resp.StatusCode, raw)
	}
	var imp importStatus
	if err := json.Unmarshal(raw, &imp); err != nil {
		t.Fatalf("POST /api/v1/imports: %v in %s", err, raw)
	}
	return imp
}

// waitForImport follows GET /api/v1/imports/{id} until the import has
// finished or failed.
func waitForImport(t *testing.T, base, token string, id int64, limit time.Duration) importStatus {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		resp, body := get(t, fmt.Sprintf("%s/api/v1/imports/%d", base, id), "Bearer "+token)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/imports/%d: status %d\n%s", id, resp.StatusCode, body)
		}
		var imp importStatus
		if err := json.Unmarshal(body, &imp); err != nil {
			t.Fatalf("GET /api/v1/imports/%d: %v in %s", id, err, body)
		}
		if imp.Status == "done" || imp.Status == "failed" {
			return imp
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %d still %s after %s (%d of %d rows)", id, imp.Status, limit, imp.ProcessedRows, imp.TotalRows)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wantRanOnce checks in the database that the import was one River job,
// completed at its first attempt, and that each row of the file was
// imported once. It returns the River client that ran the job.
func wantRanOnce(t *testing.T, dsn string, importID, rows, contacts int64) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	defer pool.Close()

	// River records a job's completion a moment after the work returns,
	// so the import can be done while its job still shows as running.
	var jobs, attempt int64
	var state string
	var attemptedBy []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = pool.QueryRow(ctx, `SELECT count(*) OVER (), state, attempt, COALESCE(attempted_by, '{}') FROM river_job
			WHERE kind = 'imports.run' AND (args->>'import_id')::bigint = $1`, importID).Scan(&jobs, &state, &attempt, &attemptedBy)
		if err != nil {
			t.Fatalf("read the import's job: %v", err)
		}
		if state != "running" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if jobs != 1 || state != "completed" || attempt != 1 || len(attemptedBy) != 1 {
		t.Fatalf("import %d: %d jobs, state %s, attempt %d, attempted by %v; want one job, completed at its first attempt by one client",
			importID, jobs, state, attempt, attemptedBy)
	}

	var items, distinctRows, live int64
	err = pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT row_number) FROM import_items WHERE import_id = $1", importID).Scan(&items, &distinctRows)
	if err != nil {
		t.Fatalf("read import items: %v", err)
	}
	if items != rows || distinctRows != rows {
		t.Errorf("import %d recorded %d items for %d distinct rows; want each of the %d rows once", importID, items, distinctRows, rows)
	}
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM contacts WHERE deleted_at IS NULL").Scan(&live); err != nil {
		t.Fatalf("count contacts: %v", err)
	}
	if live != contacts {
		t.Errorf("%d contacts in the database, want %d", live, contacts)
	}
	return attemptedBy[0]
}

// riverClientOf returns which server logged that it started the River
// client with that ID, or -1.
func riverClientOf(servers []*server, clientID string) int {
	for i, s := range servers {
		if strings.Contains(s.stderr.String(), "client_id="+clientID) {
			return i
		}
	}
	return -1
}
