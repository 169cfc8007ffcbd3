package privacy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
)

// browser is a signed-in user's browser: cookies, no redirects followed.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (s *server) browser(t *testing.T, email string, role auth.Role, locale string) *browser {
	t.Helper()
	if _, err := s.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Name: email, Password: "rahasia-123", Role: role, Locale: locale}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if res, _ := b.submit("/login", "/login", url.Values{"email": {email}, "password": {"rahasia-123"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	return b
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var csrfToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads a page, takes its CSRF token and posts form to action.
func (b *browser) submit(page, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	_, body := b.get(page)
	m := csrfToken.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	form.Set("csrf_token", m[1])
	return b.post(action, form)
}

func (b *browser) post(action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.base+action, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPagesForAdministrators(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		p := s.person(t)
		record := fmt.Sprintf("/contacts/%d", p.contactID)
		page := record + "/privacy"

		sales := s.browser(t, "rina@maju.co.id", auth.Sales, "en")
		s.want(t, 200, s.admin, "PATCH", "/api/v1/contacts/"+fmt.Sprint(p.contactID), map[string]any{"owner_id": nil})
		if res, body := sales.get(record); res.StatusCode != 200 || strings.Contains(body, page) {
			t.Errorf("a salesperson sees the Personal data button (%d)", res.StatusCode)
		}
		if res, _ := sales.get(page); res.StatusCode != http.StatusForbidden {
			t.Errorf("a salesperson opens the privacy page: %d", res.StatusCode)
		}
		if res, _ := sales.get(page + "/export.json"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a salesperson downloads the export: %d", res.StatusCode)
		}
		if res, _ := sales.submit(record, page+"/erase", url.Values{"confirm": {"ERASE"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a salesperson erases: %d", res.StatusCode)
		}

		admin := s.browser(t, "kepala@maju.co.id", auth.Admin, "id")
		if _, body := admin.get(record); !strings.Contains(body, `href="`+page+`"`) || !strings.Contains(body, "Data pribadi") {
			t.Errorf("the record page has no Personal data button for an admin")
		}
		res, body := admin.get(page)
		if res.StatusCode != 200 || !strings.Contains(body, "Ketik ERASE atau nama orang itu") || !strings.Contains(body, fmt.Sprintf("/leads/%d", p.leadID)) {
			t.Fatalf("privacy page: %d\n%s", res.StatusCode, body)
		}
		res, body = admin.get(page + "/export.json")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(body, email) {
			t.Errorf("export download: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}

		// A form without its CSRF token is refused; a wrong confirmation
		// is shown beside the field, in the user's language.
		if res, _ := admin.post(page+"/erase", url.Values{"confirm": {"ERASE"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("erase without CSRF: %d", res.StatusCode)
		}
		res, body = admin.submit(page, page+"/erase", url.Values{"confirm": {"hapus"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Ketik ERASE atau nama orang itu dengan tepat.") || !strings.Contains(body, `value="hapus"`) {
			t.Errorf("wrong confirmation: %d\n%s", res.StatusCode, body)
		}
		if rec := s.want(t, 200, s.admin, "GET", "/api/v1/contacts/"+fmt.Sprint(p.contactID), nil); rec["first_name"] != "Budi" {
			t.Fatalf("a refused erasure changed the contact: %v", rec)
		}
		res, _ = admin.submit(page, page+"/erase", url.Values{"confirm": {"Budi Santoso"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != record {
			t.Fatalf("erase: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if _, body := admin.get(record); !strings.Contains(body, "Erased person") || !strings.Contains(body, "Data pribadi orang itu telah dihapus.") || strings.Contains(body, "Santoso") {
			t.Errorf("the record after erasure:\n%s", body)
		}
	})
}
