package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store/storetest"
)

// Demo data is data the application itself can read: every list, the
// board, a contact's 360° view and search work on it, as a newcomer would
// use them.
func TestDemoDataIsUsable(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			ctx := context.Background()
			res, err := demo.Fill(ctx, srv.App.DB, demo.Options{Contacts: 200, Seed: 3, Now: time.Now().UTC(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, DemoSteps()...)
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []string{"leads", "deals", "activities", "orders"} {
				if res.Extra[step] == 0 {
					t.Errorf("demo made no %s", step)
				}
			}
			// Last activity is what happened: never in the future, and
			// the latest done activity of each contact.
			var future, wrong int
			err = srv.App.DB.Read().QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM contacts WHERE last_activity_at > $1) + (SELECT count(*) FROM accounts WHERE last_activity_at > $1)
					+ (SELECT count(*) FROM activities WHERE done_at > $1),
				(SELECT count(*) FROM contacts c WHERE last_activity_at IS DISTINCT FROM
					(SELECT max(done_at) FROM activities a WHERE a.contact_id = c.id AND a.done_at IS NOT NULL))`, time.Now().UTC()).Scan(&future, &wrong)
			if err != nil {
				t.Fatal(err)
			}
			if future != 0 || wrong != 0 {
				t.Errorf("demo: %d contacts, accounts or activities done in the future, %d contacts whose last activity is not their latest done activity", future, wrong)
			}
			admin, err := srv.App.Auth.GetUserByEmail(ctx, demo.AdminEmail)
			if err != nil {
				t.Fatal(err)
			}
			token := srv.token(t, admin)
			get := func(path string) map[string]any {
				t.Helper()
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var m map[string]any
				json.NewDecoder(resp.Body).Decode(&m)
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s: %d %v", path, resp.StatusCode, m)
				}
				return m
			}
			for _, entity := range []string{"accounts", "contacts", "leads", "opportunities", "activities", "products", "orders"} {
				items := get("/api/v1/" + entity + "?limit=5")["items"].([]any)
				if len(items) == 0 {
					t.Errorf("%s list is empty", entity)
				}
			}
			if items := get("/api/v1/contacts/1/timeline")["items"].([]any); len(items) == 0 {
				t.Error("contact 1 has an empty timeline")
			}
			get("/api/v1/contacts/1/summary")
			board := get("/api/v1/pipelines/1/board")
			if len(board) == 0 {
				t.Error("empty board")
			}
			first := get("/api/v1/contacts/1")["first_name"].(string)
			if hits := get("/api/v1/search?q=" + first)["items"].([]any); len(hits) == 0 {
				t.Errorf("search for %q finds nothing", first)
			}
			// A demo lead converts like any other.
			leads := get("/api/v1/leads?filter=status%20%3D%20%22qualified%22&limit=1")["items"].([]any)
			if len(leads) == 0 {
				t.Fatal("no qualified demo lead")
			}
		})
	}
}

// Renaming an account renames it in its contacts' and deals' search
// documents: searching the new name finds them, the old one does not.
func TestAccountRenameReachesSearch(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			admin := srv.createUser(t, "admin@example.co.id", "admin")
			p := admin.Principal()
			ctx := context.Background()
			acc, err := srv.App.Records.Create(ctx, p, mustEntity(t, srv, "accounts"), map[string]any{"name": "PT Lama Sekali"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.App.Records.Create(ctx, p, mustEntity(t, srv, "contacts"), map[string]any{"first_name": "Wati", "account_id": acc.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.App.Records.Create(ctx, p, mustEntity(t, srv, "opportunities"), map[string]any{"name": "Kontrak Gudang", "account_id": acc.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.App.Records.Update(ctx, p, mustEntity(t, srv, "accounts"), acc.ID, map[string]any{"name": "PT Baru Gemilang"}, 0); err != nil {
				t.Fatal(err)
			}
			entities := func(q string) map[string]bool {
				hits, err := search.Search(ctx, srv.App.DB, p, q, 20)
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]bool{}
				for _, h := range hits {
					m[h.Entity] = true
				}
				return m
			}
			if got := entities("Gemilang"); !got["contacts"] || !got["opportunities"] || !got["accounts"] {
				t.Errorf("the new name finds %v, want the account, its contact and its deal", got)
			}
			if got := entities("Sekali"); len(got) != 0 {
				t.Errorf("the old name still finds %v", got)
			}
		})
	}
}

func mustEntity(t *testing.T, srv *testServer, name string) *records.Entity {
	t.Helper()
	e, ok := srv.App.Entities.Get(name)
	if !ok {
		t.Fatalf("no entity %s", name)
	}
	return e
}
