package records_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
)

// htmxPost posts form as htmx does, with the page's CSRF token.
func (b *webBrowser) htmxPost(pagePath, action string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	m := webCSRFToken.FindStringSubmatch(b.get(pagePath).Body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", pagePath)
	}
	form.Set("csrf_token", m[1])
	req, _ := http.NewRequest("POST", b.base+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

// One field changes in place on the record's page and in a list's cell,
// with the form's checks and the record's version.
func TestWebInlineEdit(t *testing.T) {
	eachEngineWeb(t, func(t *testing.T, s *webCRM) {
		r := s.contact(t, s.Admin.Principal(), records.Input{"first_name": "Budi", "city": "Padang"})
		page := fmt.Sprintf("/contacts/%d", r.ID)
		edit := page + "/fields/city/edit"
		b := s.signIn(t, "sari@example.co.id")
		wantWebPage(t, b.get(page), http.StatusOK, `<dd>Padang<a class="inline-edit" href="`+edit+`"`)
		wantWebPage(t, b.get("/contacts"), http.StatusOK, fmt.Sprintf(`title="Padang">Padang<a class="inline-edit" href="%s"`, edit))

		form := b.get(edit, "HX-Request", "true")
		wantWebPage(t, form, http.StatusOK, `data-testid="inline-form"`, `name="version" value="1"`, `name="city" value="Padang"`)
		if strings.Contains(form.Body, "<html") {
			t.Error("the inline form came as a whole page")
		}

		status, h, body := b.htmxPost(page, edit, url.Values{"version": {"1"}, "city": {"Makassar"}})
		if status != http.StatusOK || h.Get("HX-Trigger") != "record-saved" || !strings.HasPrefix(body, "Makassar<a class=\"inline-edit\"") {
			t.Fatalf("saving the city: %d %q\n%s", status, h.Get("HX-Trigger"), body)
		}
		got, _ := s.Store.Get(t.Context(), s.Admin.Principal(), s.Contacts, r.ID)
		if got.String("city") != "Makassar" || got.Version != 2 {
			t.Fatalf("after the inline save: city %q, version %d", got.String("city"), got.Version)
		}

		// A form opened before that save is stale: refused, the typed value kept.
		status, _, body = b.htmxPost(page, edit, url.Values{"version": {"1"}, "city": {"Bogor"}})
		if status != http.StatusPreconditionFailed || !strings.Contains(body, `data-testid="inline-stale"`) || !strings.Contains(body, `value="Bogor"`) {
			t.Errorf("a stale inline save: %d, want 412 with the typed value\n%s", status, body)
		}
		// A value the field refuses: the error beside it, what was typed kept.
		status, _, body = b.htmxPost(page, page+"/fields/first_name/edit", url.Values{"version": {"2"}, "first_name": {""}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field-error"`) {
			t.Errorf("an empty first name inline: %d, want 422 with the error beside the field\n%s", status, body)
		}
		// Without JavaScript: the one-field page, and back to the record.
		wantWebPage(t, b.get(edit), http.StatusOK, "<html", `name="city" value="Makassar"`)
		res, _ := b.submit(edit, edit, url.Values{"version": {"2"}, "city": {"Medan"}})
		wantWebRedirect(t, res, page)
		// Read-only fields and other people's records are not edited here.
		wantWebPage(t, b.get(page+"/fields/last_activity_at/edit"), http.StatusNotFound)
		s.user(t, "vera@example.co.id", auth.ReadOnly)
		viewer := s.signIn(t, "vera@example.co.id")
		if p := viewer.get(page); strings.Contains(p.Body, `data-testid="inline-edit"`) {
			t.Error("a read-only user is offered inline edit")
		}
		wantWebPage(t, viewer.get(edit), http.StatusForbidden)
	})
}
