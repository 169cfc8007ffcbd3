package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// minimalRecords is the smallest valid API body of each entity; "%s" is
// replaced by a marker that ends up in the record's title. An entity
// missing here fails TestNoLinkLeaksAHiddenRecord, so a new entity is
// covered from its first day.
var minimalRecords = map[string]map[string]any{
	"accounts":      {"name": "%s"},
	"contacts":      {"first_name": "%s"},
	"leads":         {"first_name": "%s"},
	"opportunities": {"name": "%s"},
	"activities":    {"kind": "note", "subject": "%s"},
	"products":      {"name": "%s"},
	"orders":        {"notes": "%s"},
}

// TestNoLinkLeaksAHiddenRecord goes through every reference field of every
// entity the app serves. A salesperson may not link a record to one of
// another team's (the API answers 422 on the field, as for a record that
// does not exist), and a link someone else made shows the linked record's
// ID but never its name, in the record or in its list.
func TestNoLinkLeaksAHiddenRecord(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			testNoLinkLeaks(t, engine)
		})
	}
}

func testNoLinkLeaks(t *testing.T, engine store.Engine) {
	srv := newTestServer(t, engine)
	ctx := context.Background()
	admin := srv.createUser(t, "admin@contoh.co.id", auth.Admin)
	adminTok := srv.token(t, admin)
	team := func(name string) *int64 {
		tm, err := srv.App.Auth.CreateTeam(ctx, admin.Principal(), auth.TeamInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return &tm.ID
	}
	utara, selatan := team("Utara"), team("Selatan")
	user := func(email string, team *int64) (auth.User, string) {
		u, err := srv.App.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: email, Password: "rahasia-123", Role: auth.Sales, TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		return u, srv.token(t, u)
	}
	sales, salesTok := user("sales@contoh.co.id", utara)
	south, _ := user("selatan@contoh.co.id", selatan)

	call := func(token, method, path string, body any) (int, string) {
		t.Helper()
		return srv.call(t, token, method, path, body)
	}
	create := func(entity, marker string, owner int64, extra map[string]any) int64 {
		t.Helper()
		body := map[string]any{"owner_id": owner}
		for k, v := range minimalRecords[entity] {
			if s, ok := v.(string); ok {
				v = strings.ReplaceAll(s, "%s", marker)
			}
			body[k] = v
		}
		for k, v := range extra {
			body[k] = v
		}
		status, res := call(adminTok, "POST", "/api/v1/"+entity, body)
		if status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", entity, status, res)
		}
		var rec struct{ ID int64 }
		json.Unmarshal([]byte(res), &rec)
		return rec.ID
	}

	// One hidden record of each entity a link may point at, owned by the
	// other team's salesperson and named so that a leak is easy to spot.
	hidden := map[string]int64{}
	for _, e := range srv.App.Entities.All() {
		if _, ok := minimalRecords[e.Name]; !ok {
			t.Fatalf("entity %s has no minimal record in minimalRecords", e.Name)
		}
		if e.Owned {
			hidden[e.Name] = create(e.Name, "RAHASIA "+e.Name, south.ID, nil)
		}
	}

	checked := 0
	for _, e := range srv.App.Entities.All() {
		fields, err := srv.App.Records.Fields(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			target, ok := hidden[f.Ref]
			if f.Kind != records.Ref || !ok {
				continue
			}
			checked++
			t.Run(e.Name+"."+f.Name, func(t *testing.T) {
				marker := "RAHASIA " + f.Ref
				if !f.ReadOnly {
					body := map[string]any{}
					for k, v := range minimalRecords[e.Name] {
						body[k] = strings.ReplaceAll(fmt.Sprint(v), "%s", "baru")
					}
					body[f.Name] = target
					status, res := call(salesTok, "POST", "/api/v1/"+e.Name, body)
					if status != http.StatusUnprocessableEntity || !strings.Contains(res, `"field":"`+f.Name+`"`) {
						t.Errorf("linking to another team's %s: %d %s, want 422 on %s", f.Ref, status, res, f.Name)
					}
					if strings.Contains(res, marker) {
						t.Errorf("the refusal names the hidden record: %s", res)
					}
				}
				// A link made by someone else (or before the owner changed):
				// set in the database, as any path to it would leave it.
				id := create(e.Name, "milik sales", sales.ID, nil)
				if _, err := srv.App.Records.DB().Writer().ExecContext(ctx,
					fmt.Sprintf("UPDATE %s SET %s = $1 WHERE id = $2", e.Table, f.Column), target, id); err != nil {
					t.Fatal(err)
				}
				for _, path := range []string{fmt.Sprintf("/api/v1/%s/%d", e.Name, id), "/api/v1/" + e.Name + "?limit=100"} {
					status, res := call(salesTok, "GET", path, nil)
					if status != http.StatusOK {
						t.Fatalf("GET %s: %d %s", path, status, res)
					}
					if strings.Contains(res, marker) {
						t.Errorf("GET %s shows the hidden %s's name: %s", path, f.Ref, res)
					}
				}
				if _, res := call(adminTok, "GET", fmt.Sprintf("/api/v1/%s/%d", e.Name, id), nil); !strings.Contains(res, marker) {
					t.Errorf("the admin does not see the linked %s's name: %s", f.Ref, res)
				}
			})
		}
	}
	if checked < 8 {
		t.Errorf("checked %d reference fields; the entities have more", checked)
	}
}
