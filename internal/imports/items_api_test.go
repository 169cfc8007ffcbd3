package imports_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The items endpoint says what became of every row — skipped ones with
// the record they repeat — a page at a time.
func TestImportItemsAPI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			a := startAPI(t, string(engine))
			tok := a.AdminToken
			budi, err := a.Store.Create(t.Context(), a.Admin.Principal(), contacts.Entity(a.DB.Engine), records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []any{"budi@contoh.co.id"}})
			if err != nil {
				t.Fatal(err)
			}
			file := "Nama;E-mail;HP\nBudi;budi@contoh.co.id;\nSiti;siti@contoh.co.id;0813 1111 2222 ext. 5\nAndi;andi@;\n"
			res := a.upload(t, tok, map[string]string{"entity": "contacts", "new_leads": "true"}, "kontak.csv", file).Want(t, http.StatusCreated)
			imp := a.importOf(t, res)
			if imp["new_leads"] != true {
				t.Errorf("new_leads not kept: %s", res.Body)
			}
			id := imp["id"].(json.Number).String()

			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			body := a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/items", nil).Want(t, http.StatusOK)
			body.JSON(t, &page)
			if len(page.Items) != 3 || page.NextCursor != "" {
				t.Fatalf("items: %s", body.Body)
			}
			for _, it := range page.Items {
				if err := a.itemSchema.VisitJSON(jsonValue(t, it), openapi3.EnableJSONSchema2020()); err != nil {
					t.Errorf("an item does not match the ImportItem schema: %v\n%v", err, it)
				}
			}
			skipped, created, failed := page.Items[0], page.Items[1], page.Items[2]
			rec, _ := skipped["record"].(map[string]any)
			if skipped["action"] != "skipped" || skipped["row"] != json.Number("2") || rec["id"] != json.Number(itoa(budi.ID)) || rec["title"] != "Budi Santoso" ||
				skipped["reason"] != "same e-mail (budi@contoh.co.id) as contact #"+itoa(budi.ID) {
				t.Errorf("the skipped row: %v", skipped)
			}
			if created["action"] != "created" || created["reason"] != "" || created["record"].(map[string]any)["title"] != "Siti" {
				t.Errorf("the created row: %v", created)
			}
			fields, _ := failed["fields"].([]any)
			if failed["action"] != "failed" || failed["record"] != nil || len(fields) != 1 || fields[0].(map[string]any)["code"] != "invalid_email" ||
				!strings.Contains(failed["reason"].(string), `holds "andi@"`) {
				t.Errorf("the failed row: %v", failed)
			}

			// Only the rows not imported, one at a time.
			a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/items?action=skipped,failed&limit=1", nil).Want(t, http.StatusOK).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0]["row"] != json.Number("2") || page.NextCursor == "" {
				t.Fatalf("first page: %+v", page)
			}
			next := page.NextCursor
			page.NextCursor = ""
			a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/items?action=skipped,failed&limit=1&cursor="+next, nil).Want(t, http.StatusOK).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0]["row"] != json.Number("4") || page.NextCursor != "" {
				t.Errorf("second page: %+v", page)
			}
			a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/items?action=merged", nil).Want(t, http.StatusUnprocessableEntity)
			a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/items?cursor=x", nil).Want(t, http.StatusUnprocessableEntity)
			a.upload(t, tok, map[string]string{"entity": "contacts", "new_leads": "maybe"}, "kontak.csv", file).Want(t, http.StatusUnprocessableEntity)

			// A sales user sees another's import as missing.
			_, salesTok := a.User(t, "joko@example.co.id", "sales", 0)
			a.Do(t, salesTok, "GET", "/api/v1/imports/"+id+"/items", nil).Want(t, http.StatusNotFound)
		})
	}
}

// jsonValue turns a decoded JSON object (json.Number for numbers) into
// what the schema validator takes.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
