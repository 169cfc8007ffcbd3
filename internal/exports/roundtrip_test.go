package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// An export holds everything an import needs to recreate the records in
// an empty database: read back the way the import reads it (Undefuse, then
// each field's Accept), every cell gives the stored value, and every
// reference is named the way an import finds it again (the account by
// name, the owner by e-mail). roundtrip_import_test.go imports the files
// for real.
func TestExportReadsBackAsStored(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := filledCRM(t, engine)
			ctx := context.Background()
			users, err := userEmails(ctx, c.db)
			if err != nil {
				t.Fatal(err)
			}
			accountNames := map[string]bool{}
			for _, e := range []*records.Entity{c.accounts, c.contacts} {
				fields, err := c.store.Fields(ctx, e)
				if err != nil {
					t.Fatal(err)
				}
				stored := listAll(t, c, e)
				byID := map[string]records.Record{}
				for _, r := range stored {
					byID[strconv.FormatInt(r.ID, 10)] = r
				}

				for _, format := range []Format{CSV, XLSX} {
					rows := decode(t, format, c.export(t, c.admin, Request{Entity: e, Format: format}), fields)
					if len(rows) != len(stored) || len(stored) < 300/10 {
						t.Fatalf("%s %s: %d rows exported, %d stored", e.Name, format, len(rows), len(stored))
					}
					for _, row := range rows {
						r, ok := byID[row["id"]]
						if !ok {
							t.Fatalf("%s %s: exported id %q is not a stored record", e.Name, format, row["id"])
						}
						for _, f := range fields {
							switch {
							case f.Kind == records.Ref || f.Kind == records.User:
								continue // by name, below
							case format == XLSX && f.Kind == records.DateTime:
								continue // Excel has no zones: XLSX date-times are the exporting user's wall clock
							}
							cell, present := row[f.Name]
							if !present {
								t.Fatalf("%s %s: no column %s", e.Name, format, f.Name)
							}
							got, err := f.Accept(records.FormText(cell), row[f.CurrencyField])
							if err != nil {
								t.Errorf("%s %d %s: %s = %q does not read back: %v", e.Name, r.ID, format, f.Name, cell, err)
								continue
							}
							want := r.Get(f.Name)
							if w, ok := want.(time.Time); ok {
								want = w.Truncate(time.Second)
							}
							if !reflect.DeepEqual(got, want) {
								t.Errorf("%s %d %s: %s reads back as %#v, stored %#v (cell %q)", e.Name, r.ID, format, f.Name, got, want, cell)
							}
						}
						// References by what an import into an empty database finds them by.
						if e == c.accounts {
							accountNames[row["name"]] = true
						} else if name := row["account_name"]; name != r.Titles["account_id"] || name != "" && !accountNames[name] {
							t.Errorf("contact %d %s: account_name %q, but the account is %q", r.ID, format, name, r.Titles["account_id"])
						}
						if want := users[r.OwnerID]; row["owner_email"] != want {
							t.Errorf("%s %d %s: owner_email %q, want %q", e.Name, r.ID, format, row["owner_email"], want)
						}
					}
				}
			}
		})
	}
}

// filledCRM is a database with a few hundred demo contacts and their
// accounts, custom fields with values, and the sample's hard cases:
// Indonesian names, emoji, line breaks, text that looks like a formula.
func filledCRM(t testing.TB, engine store.Engine) *crm {
	t.Helper()
	c := newCRM(t, engine)
	ctx := context.Background()
	if _, err := demo.Fill(ctx, c.db, demo.Options{Contacts: 300, Seed: 7, Logger: testLogger}); err != nil {
		t.Fatal(err)
	}
	c.sample(t)
	for i, r := range listAll(t, c, c.contacts) {
		if i%7 != 0 {
			continue
		}
		in := records.Input{"custom": map[string]any{"budget": json.Number(fmt.Sprintf("%d.%02d", 1000*i, i%100)), "renewal": "2027-01-15",
			"vip": i%2 == 0, "score": float64(i) / 8, "channels": []string{"call", "wa"}}, "job_title": "=SUM(A1:A9) 🙂 " + strconv.Itoa(i)}
		if _, err := c.store.Update(ctx, c.admin, c.contacts, r.ID, in, r.Version); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// listAll reads every record of an entity through Store.List.
func listAll(t testing.TB, c *crm, e *records.Entity) []records.Record {
	t.Helper()
	var out []records.Record
	q := url.Values{"limit": {"500"}}
	for {
		list, err := c.store.List(context.Background(), c.admin, e, records.Query{Page: q})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list.Items...)
		if list.NextCursor == "" {
			return out
		}
		q.Set("cursor", list.NextCursor)
	}
}

// decode reads an export as the import reads it: CSV text with the
// formula apostrophe undone; XLSX cells as their raw values — numbers as
// numbers — except dates, whose cells show them as YYYY-MM-DD.
func decode(t testing.TB, format Format, b []byte, fields []records.Field) []map[string]string {
	t.Helper()
	if format == CSV {
		tb := readCSV(t, b)
		for _, row := range tb.rows {
			for k, v := range row {
				row[k] = Undefuse(v)
			}
		}
		return tb.rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]records.Kind{}
	for _, fl := range fields {
		kinds[fl.Name] = fl.Kind
	}
	header := raw[0]
	var out []map[string]string
	for i, cells := range raw[1:] {
		row := map[string]string{}
		for j, h := range header {
			v := ""
			if j < len(cells) {
				v = cells[j]
			}
			if kinds[h] == records.Date && j < len(shown[i+1]) {
				v = shown[i+1][j]
			}
			row[h] = v
		}
		out = append(out, row)
	}
	return out
}
