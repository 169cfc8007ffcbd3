package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/app"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// relasi export writes CSV to standard output (XLSX only to a file), with
// the list's filter, sort and columns, as everyone or as one user.
func TestExportCommand(t *testing.T) {
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
			sales, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "sari@maju.co.id", Name: "Sari", Password: "rahasia-123", Role: auth.Sales})
			if err != nil {
				t.Fatal(err)
			}
			contacts, _ := a.Entities.Get("contacts")
			for _, c := range []struct {
				p  auth.Principal
				in records.Input
			}{
				{admin.Principal(), records.Input{"first_name": "Budi", "city": "Bandung"}},
				{admin.Principal(), records.Input{"first_name": "Wayan", "city": "Denpasar"}},
				{sales.Principal(), records.Input{"first_name": "Sari's own", "city": "Bandung"}},
			} {
				if _, err := a.Records.Create(ctx, c.p, contacts, c.in); err != nil {
					t.Fatal(err)
				}
			}
			a.Close()

			run := func(args ...string) (string, string, error) {
				var stdout, stderr bytes.Buffer
				err := runExport(ctx, append(args, storage...), &stdout, &stderr)
				return stdout.String(), stderr.String(), err
			}
			out, _, err := run("contacts", "--filter", `city = "Bandung"`, "--sort", "first_name", "--columns", "first_name,city")
			if want := "\uFEFFfirst_name,city\nBudi,Bandung\nSari's own,Bandung\n"; err != nil || out != want {
				t.Errorf("export: %v\n got %q\nwant %q", err, out, want)
			}
			out, _, err = run("contacts", "--columns", "first_name", "--as", "sari@maju.co.id")
			if want := "\uFEFFfirst_name\nSari's own\n"; err != nil || out != want {
				t.Errorf("export as the sales user: %v\n got %q\nwant %q", err, out, want)
			}

			file := filepath.Join(dir, "kontak.xlsx")
			out, errOut, err := run("contacts", "--format", "xlsx", "--out", file)
			if err != nil || out != "" || !strings.Contains(errOut, "Exported 3 contacts to "+file) {
				t.Fatalf("xlsx export: %v, stdout %q, stderr %q", err, out, errOut)
			}
			f, err := excelize.OpenFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("contacts")
			f.Close()
			if len(rows) != 4 || rows[0][0] != "id" || rows[0][1] != "first_name" {
				t.Errorf("xlsx rows %v", rows)
			}

			for _, tt := range []struct {
				args []string
				want string
			}{
				{[]string{}, "name what to export"},
				{[]string{"kucing"}, `cannot export "kucing"`},
				{[]string{"contacts", "--format", "xlsx"}, "--out"},
				{[]string{"contacts", "--format", "pdf"}, "csv or xlsx"},
				{[]string{"contacts", "--filter", "kota = 1"}, "filter"},
				{[]string{"contacts", "--as", "nobody@maju.co.id"}, "no user"},
				{[]string{"contacts", "extra"}, `unexpected argument "extra"`},
			} {
				out, _, err := run(tt.args...)
				if err == nil || !strings.Contains(err.Error(), tt.want) || out != "" {
					t.Errorf("relasi export %v: %v (stdout %q), want an error mentioning %q", tt.args, err, out, tt.want)
				}
			}
		})
	}
}
