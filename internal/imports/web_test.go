package imports_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// webCRM serves the import pages over a crm.
type webCRM struct {
	*crm
	*httptest.Server
}

func startWeb(t *testing.T, c *crm) *webCRM {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), imports.Templates())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/{path...}", assets)
	rt := web.NewRouter(mux, renderer, c.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	rt.RegisterSessionPages()
	c.M.RegisterWeb(rt)
	rt.RegisterNotFound()
	s := &webCRM{crm: c, Server: httptest.NewServer(httpx.SecurityHeaders(false, mux))}
	t.Cleanup(s.Server.Close)
	return s
}

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (s *webCRM) signIn(t *testing.T, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	p := b.post("/login", "/login", url.Values{"email": {email}, "password": {"rahasia-123"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, p.Status)
	}
	return b
}

func (b *browser) get(path string) page {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(body)}
}

func (b *browser) token(from string) string {
	b.t.Helper()
	m := csrfToken.FindStringSubmatch(b.get(from).Body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	return m[1]
}

// post submits a form taken from the page at from.
func (b *browser) post(from, action string, form url.Values) page {
	b.t.Helper()
	form.Set("csrf_token", b.token(from))
	res, err := b.c.PostForm(b.base+action, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(body)}
}

// upload submits the upload form with a file, as a browser does.
func (b *browser) upload(entity, name, content string) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", b.token("/imports/new"))
	w.WriteField("entity", entity)
	fw, _ := w.CreateFormFile("file", name)
	io.WriteString(fw, content)
	w.Close()
	res, err := b.c.Post(b.base+"/imports/new", w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(out)}
}

func wantRedirect(t *testing.T, p page, pattern string) string {
	t.Helper()
	loc := p.Header.Get("Location")
	if p.Status != http.StatusSeeOther || !regexp.MustCompile("^"+pattern+"$").MatchString(loc) {
		t.Fatalf("want 303 to %s, got %d to %q\n%s", pattern, p.Status, loc, p.Body)
	}
	return loc
}

func wantPage(t *testing.T, p page, wants ...string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.Status, p.Body)
	}
	for _, w := range wants {
		if !strings.Contains(p.Body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

var selectedOption = regexp.MustCompile(`(?s)<select id="(col_\d+)"[^>]*>.*?</select>`)

// mapped reads the field each column's select has chosen.
func mapped(body string) map[string]string {
	out := map[string]string{}
	for _, m := range selectedOption.FindAllStringSubmatch(body, -1) {
		if s := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[0]); s != nil {
			out[m[1]] = s[1]
		} else {
			out[m[1]] = ""
		}
	}
	return out
}

func TestImportPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		s := startWeb(t, c)
		b := s.signIn(t, "sari@example.co.id")
		wantPage(t, b.get("/imports"), "No imports yet.", `href="/imports/new"`)
		wantPage(t, b.get("/imports/new"), `enctype="multipart/form-data"`, `name="file"`, `<option value="contacts"`)

		file := "Nama Depan;Nama Belakang;Telepon;Surel;Kota;Hobi\nBudi;Santoso;0812-3456-7890;budi@contoh.co.id;Jakarta;catur\nSiti;;0813;siti@contoh.co.id;Bandung;\n"
		mappingURL := wantRedirect(t, b.upload("contacts", "kontak.csv", file), `/imports/\d+/mapping`)
		id := strings.Split(mappingURL, "/")[2]
		mp := b.get(mappingURL)
		wantPage(t, mp, "Map the columns of kontak.csv", "Budi", "0812-3456-7890", "Jakarta · Bandung")
		got := mapped(mp.Body)
		want := map[string]string{"col_0": "first_name", "col_1": "last_name", "col_2": "phones", "col_3": "emails", "col_4": "city", "col_5": ""}
		if !equalMaps(got, want) {
			t.Errorf("guessed mapping %v, want %v", got, want)
		}

		// Mapping two columns to one field is refused beside the column.
		form := url.Values{"col_0": {"first_name"}, "col_1": {"first_name"}, "col_2": {"phones"}, "col_3": {"emails"}, "col_4": {"province"}, "col_5": {""}, "on_duplicate": {"skip"}, "save_mapping": {"1"}}
		bad := b.post(mappingURL, mappingURL, form)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `aria-invalid="true"`) {
			t.Errorf("a doubly mapped field: %d", bad.Status)
		}
		form.Set("col_1", "last_name")
		wantRedirect(t, b.post(mappingURL, mappingURL, form), "/imports/"+id)
		report := b.get("/imports/" + id)
		wantPage(t, report, "If you import this file", `data-testid="count-created">1<`, `data-testid="count-failed">1<`,
			`field Phone numbers (column &#34;Telepon&#34;): holds &#34;0813&#34;, which is not a phone number`, `action="/imports/`+id+`/start"`)
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); n != 0 {
			t.Fatalf("the check created %d contacts", n)
		}

		started := wantRedirect(t, b.post("/imports/"+id, "/imports/"+id+"/start", url.Values{}), `/imports/\d+`)
		summary := b.get(started)
		wantPage(t, summary, "Result", `data-testid="count-created">1<`, `href="`+started+`/errors.csv"`, `action="`+started+`/undo"`)
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE province = 'Jakarta'"); n != 1 {
			t.Errorf("the import did not follow the mapping (Kota → province)")
		}
		csv := b.get(started + "/errors.csv")
		if csv.Status != http.StatusOK || !strings.Contains(csv.Body, "Row;Outcome;Reason;Nama Depan;Nama Belakang;Telepon;Surel;Kota;Hobi\n") ||
			!strings.Contains(csv.Body, `3;Rejected;"field Phone numbers (column ""Telepon""): holds ""0813"", which is not a phone number";Siti;;0813;siti@contoh.co.id;Bandung;`) {
			t.Errorf("error report %d:\n%s", csv.Status, csv.Body)
		}
		progress := b.get(started + "/progress")
		if progress.Header.Get("HX-Refresh") != "true" {
			t.Error("the progress of a finished import does not reload the page")
		}
		wantPage(t, b.get("/imports"), "kontak.csv", `data-testid="undo-`)

		undone := b.post(started, started+"/undo", url.Values{})
		wantRedirect(t, undone, started)
		wantPage(t, b.get(started), "The import was undone.", `data-testid="undone-note"`)
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 0 {
			t.Errorf("%d contacts after undo", n)
		}

		// The next file with such columns is mapped as chosen before.
		next := wantRedirect(t, b.upload("contacts", "lagi.csv", "Kota,Nama Depan\nMedan,Rudi\n"), `/imports/\d+/mapping`)
		if got := mapped(b.get(next).Body); got["col_0"] != "province" || got["col_1"] != "first_name" {
			t.Errorf("saved mapping not offered: %v", got)
		}
		nextID := strings.Split(next, "/")[2]
		wantRedirect(t, b.post(next, "/imports/"+nextID+"/delete", url.Values{}), "/imports")
		if p := b.get("/imports/" + nextID); p.Status != http.StatusNotFound {
			t.Errorf("a discarded check: %d", p.Status)
		}
	})
}

func TestImportPagesWhileRunningAndForOthers(t *testing.T) {
	c := newCRM(t, storetest.Engines()[0])
	s := startWeb(t, c)
	c.M.InlineRows = 1
	b := s.signIn(t, "sari@example.co.id")
	mappingURL := wantRedirect(t, b.upload("contacts", "k.csv", "Nama\nA\nB\n"), `/imports/\d+/mapping`)
	id := strings.Split(mappingURL, "/")[2]
	wantRedirect(t, b.post(mappingURL, mappingURL, url.Values{"col_0": {"full_name"}, "on_duplicate": {"skip"}}), "/imports/"+id)
	running := b.get("/imports/" + id)
	wantPage(t, running, `hx-get="/imports/`+id+`/progress"`, `hx-trigger="every 1s"`, "<progress")
	if strings.Contains(running.Body, "<script>") || strings.Contains(running.Body, "style=") {
		t.Error("inline script or style on the progress page")
	}
	frag := b.get("/imports/" + id + "/progress")
	if frag.Status != http.StatusOK || frag.Header.Get("HX-Refresh") != "" || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, "0 of 2 rows") {
		t.Errorf("progress fragment %d %q:\n%s", frag.Status, frag.Header.Get("HX-Refresh"), frag.Body)
	}

	// Resumed here, a queued import runs within the request.
	c.M.InlineRows = 1000
	wantRedirect(t, b.post("/imports/"+id, "/imports/"+id+"/resume", url.Values{}), "/imports/"+id)
	wantPage(t, b.get("/imports/"+id), `data-testid="count-created">2<`)

	empty := b.upload("contacts", "kosong.csv", "\n\n")
	if empty.Status != http.StatusUnprocessableEntity || !strings.Contains(empty.Body, "The file is empty") || !strings.Contains(empty.Body, `name="file" type="file"`) {
		t.Errorf("an empty file: %d", empty.Status)
	}

	ctx := context.Background()
	joko, _ := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales, Locale: "id"})
	_ = joko
	jb := s.signIn(t, "joko@example.co.id")
	if p := jb.get("/imports/" + id); p.Status != http.StatusNotFound {
		t.Errorf("another user sees the import: %d", p.Status)
	}
	wantPage(t, jb.get("/imports"), "Impor baru", "Belum ada impor.")
	c.Auth.CreateUser(ctx, auth.NewUser{Email: "ro@example.co.id", Name: "RO", Password: "rahasia-123", Role: auth.ReadOnly})
	if p := s.signIn(t, "ro@example.co.id").get("/imports/new"); p.Status != http.StatusForbidden {
		t.Errorf("a read-only user gets the upload form: %d", p.Status)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
