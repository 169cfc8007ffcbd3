package exports

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/web"
)

// The list and search pages' export links download the list as it is
// shown: its filter, sort and columns, within the user's scope.
func TestExportLinks(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			catalog, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			assets, err := web.LoadAssets()
			if err != nil {
				t.Fatal(err)
			}
			renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), search.Templates())
			if err != nil {
				t.Fatal(err)
			}
			authSvc, rs := auth.NewService(db), records.NewStore(db)
			reg := records.NewRegistry(accounts.Entity(db.Engine), contacts.Entity(db.Engine))
			mux := http.NewServeMux()
			rt := web.NewRouter(mux, renderer, authSvc, testLogger, false)
			rt.RegisterSessionPages()
			for _, e := range reg.All() {
				records.RegisterWeb(rt, rs, e)
			}
			search.RegisterWeb(rt, db)
			New(rs, reg, catalog, authSvc.UserPrefs, testLogger).RegisterWeb(rt)
			srv := httptest.NewServer(httpx.SecurityHeaders(false, mux))
			defer srv.Close()

			admin, err := authSvc.CreateFirstAdmin(context.Background(), auth.NewUser{Email: "sari@maju.co.id", Name: "Sari", Password: "rahasia-123"})
			if err != nil {
				t.Fatal(err)
			}
			contactsEntity, _ := reg.Get("contacts")
			for _, in := range []records.Input{
				{"first_name": "Budi", "city": "Bandung"}, {"first_name": "Wayan", "city": "Denpasar"}, {"first_name": "Ayu", "city": "Bandung"},
			} {
				if _, err := rs.Create(context.Background(), admin.Principal(), contactsEntity, in); err != nil {
					t.Fatal(err)
				}
			}

			// Sign in.
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			get := func(path string) (*http.Response, string) {
				t.Helper()
				res, err := client.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				return res, string(b)
			}
			get("/login")
			u, _ := url.Parse(srv.URL)
			var csrf string
			for _, ck := range jar.Cookies(u) {
				if ck.Name == "relasi_csrf" {
					csrf = ck.Value
				}
			}
			res, err := client.PostForm(srv.URL+"/login", url.Values{"email": {"sari@maju.co.id"}, "password": {"rahasia-123"}, "csrf_token": {csrf}})
			if err != nil || res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %v %v", err, res.Status)
			}
			res.Body.Close()

			// As the list page's link has it: empty parameters included.
			q := url.Values{"format": {"csv"}, "filter": {`city = "Bandung"`}, "sort": {"first_name"}, "columns": {"first_name,city"}}
			res, body := get("/contacts/export?" + q.Encode())
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; filename=contacts-") {
				t.Fatalf("export link: %d %v", res.StatusCode, res.Header)
			}
			if want := bom + "first_name,city\nAyu,Bandung\nBudi,Bandung\n"; body != want {
				t.Errorf("export %q, want %q", body, want)
			}
			res, body = get("/contacts/export?format=xlsx&filter=&sort=&columns=")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != XLSXType || !strings.HasPrefix(body, "PK") {
				t.Errorf("xlsx link: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			res, body = get("/search/export?format=csv&q=wayan")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "contacts,2,Wayan,") {
				t.Errorf("search export: %d %q", res.StatusCode, body)
			}

			// A filter the list would refuse gets the error page, not a file.
			res, body = get("/contacts/export?format=csv&filter=" + url.QueryEscape("kota = 1"))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Content-Disposition") != "" {
				t.Errorf("bad filter: %d %v", res.StatusCode, res.Header)
			}

			// Signed out, the link leads to sign-in.
			anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = anon.Get(srv.URL + "/contacts/export")
			if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("signed out: %v %v", err, res.Status)
			}
		})
	}
}
