package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// relasi privacy export writes the person's JSON; relasi privacy erase
// wants --confirm, runs as an administrator and leaves the record
// anonymised.
func TestPrivacyCommand(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			dsn := storetest.DSN(t, engine)
			storage := []string{"--db", dsn, "--data-dir", filepath.Join(dir, "data")}
			a, err := app.Open(ctx, app.Config{DB: dsn, DataDir: filepath.Join(dir, "data"), LogFormat: "text", Version: "test"}, app.NewLogger("text", io.Discard))
			if err != nil {
				t.Fatal(err)
			}
			admin, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "admin@maju.co.id", Name: "Admin", Password: "rahasia-123", Role: auth.Admin})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "sari@maju.co.id", Name: "Sari", Password: "rahasia-123", Role: auth.Sales}); err != nil {
				t.Fatal(err)
			}
			contacts, _ := a.Entities.Get("contacts")
			c, err := a.Records.Create(ctx, admin.Principal(), contacts, records.Input{"first_name": "Wayan", "last_name": "Sudarma", "emails": []any{"wayan@sudarma.id"}})
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
			id := strconv.FormatInt(c.ID, 10)

			run := func(args ...string) (string, string, error) {
				var stdout, stderr bytes.Buffer
				err := runPrivacy(ctx, append(args, storage...), &stdout, &stderr)
				return stdout.String(), stderr.String(), err
			}
			out := filepath.Join(dir, "wayan.json")
			if _, _, err := run("export", "contacts", id, "--out", out); err != nil {
				t.Fatal(err)
			}
			var x struct {
				Format  string
				Records []struct{ Record map[string]any }
			}
			b, _ := os.ReadFile(out)
			if err := json.Unmarshal(b, &x); err != nil || x.Format != "relasi.personal-data.v1" || len(x.Records) != 1 || x.Records[0].Record["last_name"] != "Sudarma" {
				t.Fatalf("export file: %v %s", err, b)
			}
			stdout, _, err := run("export", "contacts", id)
			if err != nil || !strings.Contains(stdout, "wayan@sudarma.id") {
				t.Fatalf("export to standard output: %v %s", err, stdout)
			}

			if _, _, err := run("erase", "contacts", id); err == nil || !strings.Contains(err.Error(), "--confirm ERASE") {
				t.Errorf("erase without --confirm: %v", err)
			}
			if _, _, err := run("erase", "contacts", id, "--confirm", "ERASE", "--as", "sari@maju.co.id"); err == nil || !strings.Contains(err.Error(), "administrator") {
				t.Errorf("erase as a salesperson: %v", err)
			}
			if _, _, err := run("erase", "contacts", "99999", "--confirm", "ERASE"); err == nil {
				t.Errorf("erasing a record that does not exist succeeded")
			}
			stdout, _, err = run("erase", "contacts", id, "--confirm", "ERASE")
			if err != nil || !strings.Contains(stdout, "Erased contacts "+id+": 1 records") {
				t.Fatalf("erase: %v %s", err, stdout)
			}
			stdout, _, err = run("export", "contacts", id)
			if err != nil || strings.Contains(stdout, "Sudarma") || strings.Contains(stdout, "wayan@") || !strings.Contains(stdout, `"action": "erased"`) {
				t.Errorf("after the erasure: %v %s", err, stdout)
			}
		})
	}
}
