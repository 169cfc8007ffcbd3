package imports_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The API takes the migration options and shows a dry run's unknown
// owners.
func TestImportAPIMigration(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			a := startAPI(t, string(engine))
			tok := a.AdminToken
			joko, _ := a.User(t, "joko@example.co.id", auth.Sales, 0)
			file := "Record ID,First Name,Email,Contact owner,Lifecycle Stage,Create Date\n" +
				"1025,Budi,budi@maju.co.id,joko@example.co.id,customer,2021-03-05 09:12\n" +
				"1026,Rina,rina@maju.co.id,Agus Salim,lead,2020-01-02\n" +
				"1027,Tono,tono@maju.co.id,agus salim,lead,2020-01-03\n"

			dry := a.importOf(t, a.upload(t, tok, map[string]string{"entity": "contacts", "dry_run": "true", "unknown_owner": "reject"}, "hubspot.csv", file).Want(t, http.StatusCreated))
			owners, _ := dry["owners"].(map[string]any)
			if dry["unknown_owner"] != "reject" || dry["external_system"] != "hubspot" || owners == nil || owners["unknown_rows"] != json.Number("2") ||
				len(owners["unknown"].([]any)) != 1 || owners["unknown"].([]any)[0].(map[string]any)["name"] != "Agus Salim" {
				t.Fatalf("dry run: %s", dry)
			}
			if c := dry["counts"].(map[string]any); c["created"] != json.Number("1") || c["failed"] != json.Number("2") {
				t.Errorf("dry run counts: %v", c)
			}

			imp := a.importOf(t, a.upload(t, tok, map[string]string{"entity": "contacts", "unknown_owner": "user", "unknown_owner_id": itoa(joko.ID)}, "hubspot.csv", file).Want(t, http.StatusCreated))
			if imp["unknown_owner"] != "user" || imp["unknown_owner_id"] != json.Number(itoa(joko.ID)) || imp["counts"].(map[string]any)["created"] != json.Number("3") {
				t.Fatalf("import: %v", imp)
			}
			if n := countRows(t, a, "SELECT COUNT(*) FROM contacts WHERE owner_id = "+itoa(joko.ID)); n != 3 {
				t.Errorf("%d contacts of Joko, want 3", n)
			}
			again := a.importOf(t, a.upload(t, tok, map[string]string{"entity": "contacts", "on_duplicate": "update", "unknown_owner": "joko@example.co.id"}, "hubspot.csv", file).Want(t, http.StatusCreated))
			if c := again["counts"].(map[string]any); c["created"] != json.Number("0") || c["failed"] != json.Number("0") {
				t.Errorf("the same file again: %v", again)
			}

			for fields, want := range map[string]string{
				"bogus":             "unknown_owner",
				"user":              "unknown_owner_id",
				"importer|Hub Spot": "external_system",
			} {
				choice, system, _ := strings.Cut(fields, "|")
				res := a.upload(t, tok, map[string]string{"entity": "contacts", "unknown_owner": choice, "external_system": system}, "hubspot.csv", file)
				if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), want) {
					t.Errorf("%s: %d %s", fields, res.Status, res.Body)
				}
			}
		})
	}
}
