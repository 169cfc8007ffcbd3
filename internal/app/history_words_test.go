package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store/storetest"
)

// A record's history stores facts and is worded for whoever reads it: in
// their language, fields by their labels (a custom field by the admin's),
// yes/no and choices as words, money in the deal's own currency, seeded
// stages translated, and a linked record by its name only for a viewer
// who may read that record.
func TestHistoryReadsInTheViewersLanguage(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			srv := newTestServer(t, engine)
			admin := setUpAdmin(t, srv)
			setLocale(t, srv, admin.Email, "id")
			sales := srv.createUser(t, "budi@example.co.id", auth.Sales)
			setLocale(t, srv, sales.Email, "id")
			token := srv.token(t, admin)
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
			secret := call("POST", "/api/v1/accounts", map[string]any{"name": "PT Rahasia Abadi"})
			open := call("POST", "/api/v1/accounts", map[string]any{"name": "PT Terbuka Jaya", "owner_id": sales.ID})
			call("POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "vip", "label": "Pelanggan VIP", "kind": "boolean"})
			contact := call("POST", "/api/v1/contacts", map[string]any{"first_name": "Ani", "owner_id": sales.ID, "account_id": open["id"]})
			contactPath := fmt.Sprintf("/contacts/%v", contact["id"])
			call("PATCH", "/api/v1"+contactPath, map[string]any{"custom": map[string]any{"vip": true}, "account_id": secret["id"]})
			deal := call("POST", "/api/v1/opportunities", map[string]any{"name": "Lisensi", "currency": "USD", "amount": 12000.5})
			dealPath := fmt.Sprintf("/opportunities/%v", deal["id"])
			pipeline := call("GET", fmt.Sprintf("/api/v1/pipelines/%v", deal["pipeline_id"]), nil)
			stages := pipeline["stages"].([]any)
			won := stages[len(stages)-2].(map[string]any)
			call("POST", "/api/v1"+dealPath+"/move", map[string]any{"stage_id": won["id"], "won_reason": "Harga"})

			history := func(b *formClient, path string) string {
				t.Helper()
				resp, body := b.get(path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
				_, after, ok := strings.Cut(body, "<h2>Riwayat</h2>")
				if !ok {
					t.Fatalf("GET %s: no history section", path)
				}
				return after
			}
			wantAll := func(where, text string, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(text, w) {
						t.Errorf("%s: history lacks %q", where, w)
					}
				}
			}
			wantNone := func(where, text string, unwanted ...string) {
				t.Helper()
				for _, w := range unwanted {
					if strings.Contains(text, w) {
						t.Errorf("%s: history shows %q", where, w)
					}
				}
			}

			ab := newFormClient(t, srv.URL)
			signIn(t, ab, admin.Email, "rahasia-123")
			h := history(ab, dealPath)
			wantAll("deal", h, "USD 12.000,50", "memindahkannya ke tahap lain", "Ditutup – Menang", "Prospeksi")
			wantNone("deal", h, "Rp 12.000", "stage_changed", "Closed Won", "Prospecting", "stage_id")
			h = history(ab, contactPath)
			wantAll("contact, admin", h, "Pelanggan VIP", "Ya", "PT Terbuka Jaya", "PT Rahasia Abadi")
			wantNone("contact, admin", h, "custom.vip", "true", "Akun #")

			// The salesperson owns the contact but not the account it was
			// moved to: its history names the account they may read and
			// only numbers the other.
			sb := newFormClient(t, srv.URL)
			signIn(t, sb, sales.Email, "rahasia-123")
			h = history(sb, contactPath)
			wantAll("contact, sales", h, "PT Terbuka Jaya", fmt.Sprintf("Akun #%v", secret["id"]))
			wantNone("contact, sales", h, "PT Rahasia Abadi")
		})
	}
}
