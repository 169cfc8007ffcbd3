package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// An admin whose language is Bahasa Indonesia sees no English: the test
// signs in, follows every link and htmx URL from the home page (lists,
// details, forms, settings, import/export, duplicates, trash, audit,
// search) plus a few pages no link reaches (a search, a 404), on a fresh
// database and on demo data with a history of real changes.
//
// How English is told from Indonesian without a dictionary: the catalogs
// are the dictionary. Each visible text node (tag contents, and the title,
// placeholder, aria-label and alt attributes; <script>, <style>, <code>
// and <pre> are skipped) fails the test when
//   - it is an English catalog message whose Indonesian differs (a message
//     rendered in the wrong language, such as a stage called "Won");
//   - it holds a word that only English messages use — a word of the en
//     catalog that no id message contains — unless the word is also in the
//     database, because the records' own values (an English first name, a
//     company called "Global") are user data, not interface;
//   - it shows a raw key: "!key!" from a missing message, or a snake_case
//     name (merge_id, stage_changed, custom.cf_x) where a label belongs.
//
// English that is in neither catalog and uses no catalog-only word still
// passes; the word list is long enough (several hundred words) that such a
// sentence is rare, and checking against the catalogs keeps the test free
// of false alarms from names and brands.
func TestIndonesianUIShowsNoEnglish(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines() {
		t.Run(string(engine)+"/fresh", func(t *testing.T) {
			srv := newTestServer(t, engine)
			admin := setUpAdmin(t, srv)
			setLocale(t, srv, admin.Email, "id")
			b := newFormClient(t, srv.URL)
			signIn(t, b, admin.Email, "rahasia-123")
			crawlForEnglish(t, srv, b, cat)
		})
		t.Run(string(engine)+"/demo", func(t *testing.T) {
			srv := newTestServer(t, engine)
			ctx := context.Background()
			if _, err := demo.Fill(ctx, srv.App.DB, demo.Options{Contacts: 60, Seed: 7, Now: time.Now().UTC(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, DemoSteps()...); err != nil {
				t.Fatal(err)
			}
			admin, err := srv.App.Auth.GetUserByEmail(ctx, demo.AdminEmail)
			if err != nil {
				t.Fatal(err)
			}
			changed := makeHistory(t, srv, srv.token(t, admin))
			setLocale(t, srv, demo.AdminEmail, "id")
			b := newFormClient(t, srv.URL)
			signIn(t, b, demo.AdminEmail, demo.AdminPassword)
			crawlForEnglish(t, srv, b, cat, changed...)
		})
	}
}

// makeHistory changes demo records through the API the way people do —
// custom fields, a deal moved to another currency and stage, a merge, a
// conversion, an import with rejected rows — so detail pages, the audit
// log and the import report have lines of every kind to show.
// It returns the pages of the records it changed.
func makeHistory(t *testing.T, srv *testServer, token string) []string {
	t.Helper()
	call := func(method, path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, m)
		}
		return m
	}
	call("POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "vip", "label": "Pelanggan VIP", "kind": "boolean"})
	call("POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "segmen", "label": "Segmen", "kind": "select", "choices": []string{"Ritel", "Korporat"}})
	call("PATCH", "/api/v1/contacts/1", map[string]any{"custom": map[string]any{"vip": true, "segmen": "Ritel"}, "account_id": 2})
	deal := call("GET", "/api/v1/opportunities?limit=1", nil)["items"].([]any)[0].(map[string]any)
	dealPath := fmt.Sprintf("/api/v1/opportunities/%v", deal["id"])
	call("PATCH", dealPath, map[string]any{"currency": "USD", "amount": 12000.5, "close_date": "2026-03-31"})
	board := call("GET", fmt.Sprintf("/api/v1/pipelines/%v", deal["pipeline_id"]), nil)
	stages := board["stages"].([]any)
	call("POST", dealPath+"/move", map[string]any{"stage_id": stages[len(stages)-1].(map[string]any)["id"], "lost_reason": "Harga"})
	call("POST", "/api/v1/duplicates/merge", map[string]any{"entity": "contacts", "survivor_id": 3, "merged_ids": []int64{4}})
	lead := call("GET", "/api/v1/leads?filter=status%20%3D%20%22qualified%22&limit=1", nil)["items"].([]any)[0].(map[string]any)
	call("POST", fmt.Sprintf("/api/v1/leads/%v/convert", lead["id"]), map[string]any{})

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("entity", "contacts")
	fw, _ := mw.CreateFormFile("file", "kontak.csv")
	io.WriteString(fw, "Nama Depan,Surel,Telepon\nAni,ani@contoh.co.id,0812-1111-2222\n,tanpa-nama@contoh.co.id,\nBudi,bukan-surel,123\n")
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/imports", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	return []string{"/contacts/1", "/contacts/3", fmt.Sprintf("/opportunities/%v", deal["id"]), fmt.Sprintf("/leads/%v", lead["id"])}
}

func setLocale(t *testing.T, srv *testServer, email, lang string) {
	t.Helper()
	if _, err := srv.App.DB.Writer().ExecContext(context.Background(), "UPDATE users SET locale = $1 WHERE email = $2", lang, email); err != nil {
		t.Fatal(err)
	}
}

// crawlLimit bounds the pages one crawl visits; perShape how many pages of
// the same shape (path with numbers replaced, query keys) it opens.
const (
	crawlLimit = 700
	perShape   = 3
)

func crawlForEnglish(t *testing.T, srv *testServer, b *formClient, cat *i18n.Catalog, first ...string) {
	t.Helper()
	data := databaseWords(t, srv.App.DB)
	detector := newEnglishDetector(cat, data)
	queue := append(first, "/", "/search?q=a", "/settings", "/no-such-page", "/contacts/999999")
	seen := map[string]bool{}
	shapes := map[string]int{}
	leaks := map[string][]string{} // finding -> pages
	visited := 0
	for len(queue) > 0 && visited < crawlLimit {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		shape := pageShape(path)
		if shapes[shape] >= perShape {
			continue
		}
		shapes[shape]++
		resp, body := b.get(path)
		visited++
		if dump := os.Getenv("CRAWL_DUMP"); dump != "" && strings.Contains(path, dump) {
			t.Logf("%s:\n%s", path, strings.Join(textNodes(body), "\n"))
		}
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		if resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
			// net/http's own "See Other" body is not a page.
			if loc := resp.Header.Get("Location"); loc != "" {
				queue = append(queue, loc)
			}
			continue
		}
		for _, finding := range detector.check(body) {
			leaks[finding] = append(leaks[finding], path)
		}
		queue = append(queue, crawlLinks(body)...)
	}
	if visited < 20 {
		t.Fatalf("crawled only %d pages", visited)
	}
	t.Logf("crawled %d pages", visited)
	findings := make([]string, 0, len(leaks))
	for f := range leaks {
		findings = append(findings, f)
	}
	slices.Sort(findings)
	for _, f := range findings {
		pages := leaks[f]
		more := ""
		if len(pages) > 3 {
			more = fmt.Sprintf(" and %d more", len(pages)-3)
			pages = pages[:3]
		}
		t.Errorf("%s — on %s%s", f, strings.Join(pages, ", "), more)
	}
}

var linkAttr = regexp.MustCompile(`(?:href|hx-get)="([^"]+)"`)

// crawlLinks returns the site's own GET URLs a page links to, leaving out
// assets, language switches and downloads.
func crawlLinks(body string) []string {
	var out []string
	for _, m := range linkAttr.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
			continue
		}
		p := u.Path
		if strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/lang/") || strings.HasPrefix(p, "/api/") ||
			p == "/metrics" || p == "/healthz" {
			continue
		}
		out = append(out, u.RequestURI())
	}
	return out
}

var digits = regexp.MustCompile(`[0-9]+`)

// pageShape groups URLs that show the same page for another record.
func pageShape(path string) string {
	u, _ := url.Parse(path)
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return digits.ReplaceAllString(u.Path, "N") + "?" + strings.Join(keys, "&")
}

// englishDetector finds interface English in a page; see
// TestIndonesianUIShowsNoEnglish for the rules.
type englishDetector struct {
	messages []*regexp.Regexp // en messages whose id differs, as whole-node patterns
	texts    []string         // the same messages as text, for the report
	idOnly   []*regexp.Regexp // the id message of each, which a node may equal instead
	words    map[string]bool  // words only English messages use
	names    map[string]bool  // snake_case names the id catalog itself shows (filter examples)
	idTexts  map[string]bool  // every id message, which a node may be though an en one reads the same ("Filter")
}

var (
	wordRE  = regexp.MustCompile(`\p{L}+`)
	verbRE  = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z]`)
	rawKey  = regexp.MustCompile(`![a-z_.]+!|\b[a-z]+_[a-z0-9_]+\b|\bcustom\.[a-z]`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// typedWords are tokens a form asks the user to type as they are, in any
// language: the privacy erase form's confirmation word.
var typedWords = map[string]bool{"erase": true}

func newEnglishDetector(cat *i18n.Catalog, data map[string]bool) *englishDetector {
	d := &englishDetector{words: map[string]bool{}, names: map[string]bool{}, idTexts: map[string]bool{}}
	idWords := map[string]bool{}
	for _, key := range cat.Keys() {
		msg := cat.T("id", key)
		d.idTexts[strings.TrimSpace(spaceRE.ReplaceAllString(msg, " "))] = true
		for _, w := range wordRE.FindAllString(msg, -1) {
			idWords[strings.ToLower(w)] = true
		}
		for _, n := range rawKey.FindAllString(msg, -1) {
			d.names[n] = true
		}
	}
	for _, key := range cat.Keys() {
		en, id := cat.T("en", key), cat.T("id", key)
		if en == id {
			continue
		}
		for _, w := range wordRE.FindAllString(verbRE.ReplaceAllString(en, " "), -1) {
			lw := strings.ToLower(w)
			if len([]rune(lw)) >= 3 && !idWords[lw] && !data[lw] && !typedWords[lw] {
				d.words[lw] = true
			}
		}
		// A message of only a verb or two ("%s %s") says nothing about
		// its language.
		if len(wordRE.FindAllString(verbRE.ReplaceAllString(en, " "), -1)) == 0 {
			continue
		}
		d.messages = append(d.messages, messagePattern(en))
		d.texts = append(d.texts, key)
		d.idOnly = append(d.idOnly, messagePattern(id))
	}
	return d
}

// messagePattern matches a whole text node that is msg, with anything in
// place of its fmt verbs.
func messagePattern(msg string) *regexp.Regexp {
	msg = strings.TrimSpace(spaceRE.ReplaceAllString(msg, " "))
	parts := verbRE.Split(strings.ReplaceAll(msg, "%%", "%"), -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^` + strings.Join(parts, `.+`) + `$`)
}

func (d *englishDetector) check(page string) []string {
	var out []string
	for _, node := range textNodes(page) {
		if _, err := time.LoadLocation(node); err == nil && strings.Contains(node, "/") {
			continue // a time zone's name, such as America/New_York
		}
		for i, re := range d.messages {
			if d.idTexts[node] {
				break
			}
			if re.MatchString(node) && !d.idOnly[i].MatchString(node) {
				out = append(out, fmt.Sprintf("English message %s: %q", d.texts[i], node))
			}
		}
		for _, w := range wordRE.FindAllString(node, -1) {
			if d.words[strings.ToLower(w)] {
				out = append(out, fmt.Sprintf("English word %q in %q", w, node))
				break
			}
		}
		for _, m := range rawKey.FindAllString(node, -1) {
			if !d.names[m] {
				out = append(out, fmt.Sprintf("raw key %q in %q", m, node))
				break
			}
		}
	}
	return out
}

var (
	skipped   = regexp.MustCompile(`(?is)<(script|style|code|pre|textarea)\b.*?</(script|style|code|pre|textarea)>`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	visibleRE = regexp.MustCompile(`(?i)\s(?:title|placeholder|aria-label|alt)="([^"]*)"`)
)

// textNodes returns the visible text of a page, node by node, with
// whitespace collapsed.
func textNodes(page string) []string {
	page = skipped.ReplaceAllString(page, " ")
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(s), " "))
		if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
			out = append(out, s)
		}
	}
	for _, tag := range tagRE.FindAllString(page, -1) {
		for _, m := range visibleRE.FindAllStringSubmatch(tag, -1) {
			add(m[1])
		}
	}
	for _, s := range tagRE.Split(page, -1) {
		add(s)
	}
	return out
}

// userTables hold what users typed (or demo data stands in for): their
// words may show on a page in any language. Tables the system writes —
// history, notifications, stages seeded at setup, import reports — are
// left out, so English stored there is found.
var userTables = []string{"accounts", "contacts", "contact_emails", "contact_phones", "leads", "deals", "activities",
	"products", "orders", "order_lines", "users", "teams", "custom_fields", "saved_views", "api_tokens", "sessions", "imports"}

// systemColumns are columns of those tables that the system fills.
var systemColumns = map[string]bool{"score_reasons": true, "status": true, "error": true, "reason": true, "kind": true}

// databaseWords returns every word of every text value users typed: the
// user data a page may show in any language.
func databaseWords(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	words := map[string]bool{}
	for _, table := range userTables {
		collectWords(t, db.Read(), table, words)
	}
	return words
}

func collectWords(t *testing.T, db *sql.DB, table string, words map[string]bool) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for i, v := range vals {
			var s string
			switch x := v.(type) {
			case string:
				s = x
			case []byte:
				s = string(x)
			default:
				continue
			}
			if systemColumns[cols[i]] {
				continue
			}
			for _, w := range wordRE.FindAllString(s, -1) {
				words[strings.ToLower(w)] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
}

// The not-found page is a public page, yet a signed-in user reads it in
// the language of their profile, whatever the browser or an old language
// cookie says; a visitor gets the cookie's or the browser's language.
func TestNotFoundPageSpeaksTheUsersLanguage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, store.SQLite)
	admin := setUpAdmin(t, srv)
	setLocale(t, srv, admin.Email, "id")
	b := newFormClient(t, srv.URL)
	signIn(t, b, admin.Email, "rahasia-123")
	u, _ := url.Parse(srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "relasi_lang", Value: "en", Path: "/"}})
	get := func(c *http.Client) string {
		req, _ := http.NewRequest("GET", srv.URL+"/no-such-page", nil)
		req.Header.Set("Accept-Language", "en-US")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
		return string(body)
	}
	if body := get(b.c); !strings.Contains(body, html.EscapeString(cat.T("id", "error.not_found"))) {
		t.Errorf("signed-in user with language id got a 404 page without %q", cat.T("id", "error.not_found"))
	}
	if body := get(http.DefaultClient); !strings.Contains(body, html.EscapeString(cat.T("en", "error.not_found"))) {
		t.Errorf("an English-speaking visitor got a 404 page without %q", cat.T("en", "error.not_found"))
	}
}
