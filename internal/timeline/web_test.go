package timeline_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
	"github.com/relasi/relasi/internal/timeline"
	"github.com/relasi/relasi/internal/web"
)

// browser signs in as a user and sends page requests with the session and
// CSRF cookies, without following redirects.
type browser struct {
	t      *testing.T
	base   string
	cookie string
}

const testCSRF = "csrf-token-for-the-web-tests-0123456789"

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", testCSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Cookie", "relasi_session="+b.cookie+"; relasi_csrf="+testCSRF)
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

func (b *browser) page(path string) string {
	b.t.Helper()
	res, body := b.do("GET", path, nil)
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body)
	}
	return body
}

// newWebCRM serves the record pages of contacts, accounts, activities and
// orders with the panels, sections and forms of activities, orders and
// timeline, as the app wires them.
func newWebCRM(t *testing.T, engine store.Engine) (*recordstest.Server, func(u auth.User) *browser) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := web.NewRenderer(catalog, assets, records.Templates(), activities.Templates(), orders.Templates(), timeline.Templates())
	if err != nil {
		t.Fatal(err)
	}
	srv := recordstest.New(t, engine, func(s *recordstest.Server) {
		cons, accs := contacts.Entity(engine), accounts.Entity(engine)
		acts := activities.Entity(engine, activities.Hooks{})
		ords := orders.OrderEntity(engine)
		lines := orders.NewLines(s.Store, ords)
		dls := deals.Entity(engine)
		tl := timeline.New(s.Store, cons, accs, timeline.Sources{Deals: true})
		tl.AddOwn(dls)
		cons.Panels = append(slices.Insert(tl.ContactPanels(), 1, activities.LogPanel("contacts")), orders.ContactPurchasesPanel(s.DB))
		accs.Panels = append(slices.Insert(tl.AccountPanels(), 1, activities.LogPanel("accounts")), orders.AccountPurchasesPanel(s.DB))
		dls.Panels = []records.Panel{activities.LogPanel(deals.EntityName), tl.OwnPanel(dls)}
		ords.Panels = []records.Panel{orders.LinesPanel(lines)}

		rt := web.NewRouter(s.Mux, renderer, s.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		rt.RegisterSessionPages()
		for _, e := range []*records.Entity{accs, cons, acts, orders.ProductEntity(engine), ords, dls} {
			records.RegisterAPI(s.Router, s.Store, e)
			records.RegisterWeb(rt, s.Store, e)
		}
		activities.RegisterWeb(rt, s.Store, acts)
		orders.RegisterWeb(rt, lines)
		tl.RegisterWeb(rt)
	})
	signIn := func(u auth.User) *browser {
		secret, _, err := srv.Auth.CreateSession(context.Background(), u.ID, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		return &browser{t: t, base: srv.URL, cookie: secret}
	}
	return srv, signIn
}

func TestPages(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			s, signIn := newWebCRM(t, engine)
			b := signIn(s.Admin)
			create := func(entity string, body map[string]any) map[string]any {
				return s.Do(t, s.AdminToken, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
			}
			acc := create("accounts", map[string]any{"name": "PT Maju Jaya"})
			con := create("contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"], "lifecycle_stage": "customer"})
			task := create("activities", map[string]any{"kind": "task", "subject": "<script>alert(1)</script> follow up",
				"due_at": "2020-01-01T09:00:00Z", "related_type": "contacts", "related_id": con["id"]})
			kopi := create("products", map[string]any{"name": "Kopi Toraja", "sku": "KOPI", "unit_price": 150000})
			order := create("orders", map[string]any{"contact_id": con["id"], "status": "paid"})

			// Home: my open tasks, escaped, with a "done" button.
			home := b.page("/")
			if !strings.Contains(home, `data-testid="my-open-tasks"`) || !strings.Contains(home, "&lt;script&gt;alert(1)&lt;/script&gt; follow up") ||
				strings.Contains(home, "<script>alert(1)") || !strings.Contains(home, "Overdue") {
				t.Errorf("home page lacks the overdue task, escaped:\n%s", section(home, "my-open-tasks"))
			}

			// The order's lines panel: add a line as a person types it.
			orderPage := fmt.Sprintf("/orders/%v", order["id"])
			if body := b.page(orderPage); !strings.Contains(body, `data-testid="add-line-form"`) || !strings.Contains(body, "Kopi Toraja (KOPI)") {
				t.Fatalf("order page lacks the add-line form with the product:\n%s", section(body, "order-lines"))
			}
			res, body := b.do("POST", orderPage+"/lines", url.Values{"product_id": {fmt.Sprint(kopi["id"])}, "quantity": {"2"}, "discount_percent": {"10"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != orderPage {
				t.Fatalf("adding a line: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
			}
			res, body = b.do("POST", orderPage+"/lines", url.Values{"description": {"Ongkos kirim"}, "unit_price": {"abc"}, "quantity": {"1"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Ongkos kirim"`) || !strings.Contains(body, `<p class="field-error" role="alert">Enter an amount like 150,000,000.00</p>`) {
				t.Errorf("a bad price: %d; want 422 with the error beside the field, an example amount as English writes it, and the description kept\n%s", res.StatusCode, body)
			}
			if body := b.page(orderPage); !strings.Contains(body, `data-testid="order-total">IDR 270,000<`) {
				t.Errorf("order total after 2 × 150,000 − 10 %%, want IDR 270,000:\n%s", section(body, "order-lines"))
			}

			// A deal for the contact, written as the deals module would.
			if _, err := s.DB.Writer().Exec(`INSERT INTO deals (name, contact_id, amount, currency, pipeline_id, stage_id, owner_id, created_at, updated_at)
				VALUES ('Kopi for the office', $1, 500000000, 'IDR', (SELECT id FROM pipelines WHERE key = 'sales'), (SELECT id FROM stages WHERE key = 'prospecting'), $2, $3, $3)`,
				con["id"], s.Admin.ID, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}

			// The contact's page: summary, timeline and purchase history.
			body = b.page(fmt.Sprintf("/contacts/%v", con["id"]))
			if summary := section(body, "customer-summary"); !strings.Contains(summary, "Customer") || !strings.Contains(summary, "IDR 270,000") {
				t.Errorf("summary lacks the lifecycle stage and lifetime value:\n%s", summary)
			}
			for _, want := range []string{`data-kind="order"`, `data-kind="activity"`, `data-kind="deal"`, "New deal", "Kopi for the office", "IDR 5,000,000", "&lt;script&gt;alert(1)&lt;/script&gt; follow up", fmt.Sprint(order["number"]), `data-testid="purchase-history"`} {
				if !strings.Contains(body, want) {
					t.Errorf("contact page lacks %q", want)
				}
			}
			if strings.Contains(body, "<script>alert(1)") {
				t.Error("contact page shows the task's subject unescaped")
			}
			if body := b.page(fmt.Sprintf("/accounts/%v", acc["id"])); !strings.Contains(body, `data-kind="order"`) || !strings.Contains(body, `data-testid="purchase-history"`) {
				t.Errorf("account page lacks its timeline and purchases")
			}
			full := b.page(fmt.Sprintf("/contacts/%v/timeline", con["id"]))
			if !strings.Contains(full, `data-kind="activity"`) || strings.Contains(full, `data-testid="timeline-more"`) {
				t.Errorf("full timeline page: want the items and no further page")
			}

			// Done: the task leaves the list.
			res, _ = b.do("POST", fmt.Sprintf("/activities/%v/done", task["id"]), url.Values{"next": {"/"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
				t.Fatalf("done: %d to %q, want back home", res.StatusCode, res.Header.Get("Location"))
			}
			if home := b.page("/"); strings.Contains(home, "follow up") {
				t.Errorf("the done task is still on the home page")
			}
			got := s.Do(t, s.AdminToken, "GET", fmt.Sprintf("/api/v1/activities/%v", task["id"]), nil).Want(t, http.StatusOK).Map(t)
			if got["done"] != true {
				t.Errorf("task done %v after the button, want true", got["done"])
			}
			// Someone else's task cannot be ticked off.
			sari, _ := s.User(t, "sari@example.co.id", auth.Sales, 0)
			if res, _ := signIn(sari).do("POST", fmt.Sprintf("/activities/%v/done", task["id"]), url.Values{}); res.StatusCode != http.StatusNotFound {
				t.Errorf("another user's done button: %d, want 404", res.StatusCode)
			}
		})
	}
}

// section returns the part of a page around a data-testid, for failure
// messages.
func section(page, testID string) string {
	i := strings.Index(page, `data-testid="`+testID+`"`)
	if i < 0 {
		return "(no " + testID + " on the page)"
	}
	end := min(len(page), i+1500)
	return html.UnescapeString(page[i:end])
}

// An activity is logged from the page of the record it concerns: with
// htmx the form comes back fresh and the timeline is told to reload; a
// refused one comes back with the error beside the field and what was
// typed; without JavaScript the user returns to the record's page.
func TestLogActivityFromRecord(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s, signIn := newWebCRM(t, engine)
		sari, _ := s.User(t, "sari@example.co.id", auth.Sales, 0)
		tono, _ := s.User(t, "tono@example.co.id", auth.Sales, 0)
		b := signIn(sari)
		con := s.Do(t, s.AdminToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Budi", "owner_id": sari.ID}).Want(t, http.StatusCreated).Map(t)
		contactPage := fmt.Sprintf("/contacts/%v", con["id"])

		if body := b.page(contactPage); !strings.Contains(body, `data-testid="log-activity"`) || !strings.Contains(body, `action="`+contactPage+`/activities"`) {
			t.Fatalf("the contact's page lacks the log form posting to it:\n%s", section(body, "log-activity"))
		}

		htmx := func(path string, form url.Values) (*http.Response, string) {
			form.Set("csrf_token", testCSRF)
			req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			req.Header.Set("Cookie", "relasi_session="+b.cookie+"; relasi_csrf="+testCSRF)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			out, _ := io.ReadAll(res.Body)
			return res, string(out)
		}

		res, body := htmx(contactPage+"/activities", url.Values{"kind": {"call"}, "subject": {"Called about the Toraja order"}, "body": {"Wants 20 kg"}, "done": {"1"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("HX-Trigger") != "activity-logged" || !strings.Contains(body, `data-testid="activity-logged"`) {
			t.Fatalf("logging a call: %d, HX-Trigger %q; want 200, activity-logged and the saved notice\n%s", res.StatusCode, res.Header.Get("HX-Trigger"), body)
		}
		if strings.Contains(body, "<html") || strings.Contains(body, "Called about the Toraja order") {
			t.Errorf("the answer should be a fresh form alone, not a page or the typed values:\n%s", body)
		}
		var list struct{ Items []map[string]any }
		s.Do(t, s.AdminToken, "GET", "/api/v1/activities", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0]["kind"] != "call" || list.Items[0]["related_type"] != "contacts" || num(t, list.Items[0]["related_id"]) != num(t, con["id"]) ||
			list.Items[0]["done"] != true || num(t, list.Items[0]["owner_id"]) != sari.ID {
			t.Fatalf("logged activities: %v; want one done call of Sari's related to the contact", list.Items)
		}
		// The timeline the panel reloads lists it.
		req, _ := http.NewRequest("GET", s.URL+contactPage+"/timeline", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Cookie", "relasi_session="+b.cookie)
		tres, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		refreshed, _ := io.ReadAll(tres.Body)
		tres.Body.Close()
		if tres.StatusCode != http.StatusOK || !strings.Contains(string(refreshed), "Called about the Toraja order") || strings.Contains(string(refreshed), "<html") {
			t.Errorf("the timeline's refresh: %d, want the items alone with the call\n%s", tres.StatusCode, refreshed)
		}

		// A refused activity keeps what was typed, the error beside the field.
		res, body = htmx(contactPage+"/activities", url.Values{"kind": {"meeting"}, "subject": {""}, "body": {"Kopi tasting at their office"}, "due_at": {"tomorrow"}})
		if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("HX-Trigger") != "" {
			t.Fatalf("a meeting without a subject: %d (HX-Trigger %q), want 422 and no event\n%s", res.StatusCode, res.Header.Get("HX-Trigger"), body)
		}
		for _, want := range []string{"Kopi tasting at their office", `value="meeting" checked`, `aria-invalid="true" data-testid="log-subject"`, `class="field-error"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q:\n%s", want, body)
			}
		}

		// Without JavaScript: back to the record's page, with a flash.
		res, _ = b.do("POST", contactPage+"/activities", url.Values{"kind": {"task"}, "subject": {"Send the price list"}, "due_at": {"2026-03-05T10:00"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != contactPage {
			t.Errorf("a logged task without JavaScript: %d to %q, want back to %s", res.StatusCode, res.Header.Get("Location"), contactPage)
		}
		res, body = b.do("POST", contactPage+"/activities", url.Values{"kind": {"task"}, "subject": {""}, "body": {"keep me"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "keep me") || !strings.Contains(body, "<html") {
			t.Errorf("a refused task without JavaScript: %d, want the form on a page of its own keeping the text", res.StatusCode)
		}

		// Someone else's contact is not there to log on; a read-only user may not log.
		if res, _ := signIn(tono).do("POST", contactPage+"/activities", url.Values{"kind": {"call"}, "subject": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("logging on another salesperson's contact: %d, want 404", res.StatusCode)
		}
		viewer, _ := s.User(t, "vera@example.co.id", auth.ReadOnly, 0)
		if res, _ := signIn(viewer).do("POST", contactPage+"/activities", url.Values{"kind": {"call"}, "subject": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a read-only user logging: %d, want 403", res.StatusCode)
		}
		if body := signIn(viewer).page(contactPage); strings.Contains(body, `data-testid="log-activity"`) {
			t.Error("a read-only user is offered the log form")
		}

		// A deal's page has a timeline of its own, listing what is logged on it.
		var dealID int64
		if err := s.DB.Writer().QueryRow(`INSERT INTO deals (name, contact_id, amount, currency, pipeline_id, stage_id, owner_id, created_at, updated_at)
			VALUES ('Toraja 20 kg', $1, 0, 'IDR', (SELECT id FROM pipelines WHERE key = 'sales'), (SELECT id FROM stages WHERE key = 'prospecting'), $2, $3, $3) RETURNING id`,
			con["id"], sari.ID, time.Now().UTC()).Scan(&dealID); err != nil {
			t.Fatal(err)
		}
		dealPage := fmt.Sprintf("/opportunities/%d", dealID)
		res, _ = htmx(dealPage+"/activities", url.Values{"kind": {"email"}, "subject": {"Sent the quote"}, "done": {"1"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("logging on the deal: %d", res.StatusCode)
		}
		if body := b.page(dealPage); !strings.Contains(section(body, "timeline"), "Sent the quote") {
			t.Errorf("the deal's timeline lacks the e-mail logged on it:\n%s", section(body, "timeline"))
		}
		// ... and the contact's timeline gathers it too, through the deal's contact.
		if body := b.page(contactPage + "/timeline"); !strings.Contains(body, "Sent the quote") {
			t.Errorf("the contact's timeline lacks the e-mail logged on its deal")
		}
	})
}
