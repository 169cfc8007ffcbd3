package imports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store/storetest"
)

// apiCRM is the imports API over contacts and accounts.
type apiCRM struct {
	*recordstest.Server
	M      *imports.Module
	schema *openapi3.Schema // the Import schema, to hold answers to
	// itemSchema is the ImportItem schema.
	itemSchema *openapi3.Schema
}

func startAPI(t *testing.T, engine string) *apiCRM {
	t.Helper()
	a := &apiCRM{}
	for _, e := range storetest.Engines() {
		if string(e) != engine {
			continue
		}
		a.Server = recordstest.New(t, e, func(s *recordstest.Server) {
			reg := records.NewRegistry(accounts.Entity(s.DB.Engine), contacts.Entity(s.DB.Engine))
			a.M = imports.New(s.Store, s.Auth, reg, imports.Config{DataDir: t.TempDir()})
			a.M.RegisterAPI(s.Router)
		})
	}
	t.Cleanup(func() { a.M.Close(context.Background()) })
	doc, err := api.BuildDocument("test", imports.OpenAPI, imports.ItemsOpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI fragment is invalid: %v", err)
	}
	a.schema = spec.Components.Schemas["Import"].Value
	a.itemSchema = spec.Components.Schemas["ImportItem"].Value
	return a
}

// upload posts a multipart form with a file part.
func (a *apiCRM) upload(t *testing.T, token string, fields map[string]string, fileName, content string) recordstest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile("file", fileName)
		io.WriteString(fw, content)
	}
	w.Close()
	req, _ := http.NewRequest("POST", a.URL+"/api/v1/imports", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return recordstest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// importOf decodes an Import answer and holds it to the documented schema.
func (a *apiCRM) importOf(t *testing.T, r recordstest.Response) map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	if err := a.schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("the answer does not match the Import schema: %v\n%s", err, r.Body)
	}
	return r.Map(t)
}

func TestImportAPI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			a := startAPI(t, string(engine))
			tok := a.AdminToken
			file := "Nama;E-mail;HP;Kantor;Catatan\nBudi Santoso;budi@contoh.co.id;0812-3456-7890;PT Maju;vip\nSiti;siti@;0813;PT Maju;\n"

			dry := a.upload(t, tok, map[string]string{"entity": "contacts", "dry_run": "true", "mapping": `{"Kantor": "account_name"}`}, "kontak.csv", file).Want(t, http.StatusCreated)
			d := a.importOf(t, dry)
			counts := d["counts"].(map[string]any)
			if d["status"] != "done" || d["dry_run"] != true || counts["created"] != json.Number("1") || counts["failed"] != json.Number("1") {
				t.Fatalf("dry run: %s", dry.Body)
			}
			fails := d["failures"].([]any)
			if len(fails) != 1 || fails[0].(map[string]any)["row"] != json.Number("3") ||
				!strings.Contains(fails[0].(map[string]any)["reason"].(string), `field emails (column "E-mail")`) {
				t.Errorf("dry-run failures: %v", fails)
			}
			cols := d["columns"].([]any)
			if cols[3].(map[string]any)["field"] != "account_name" || cols[4].(map[string]any)["field"] != "" {
				t.Errorf("columns %v", cols)
			}
			if n := countRows(t, a, "SELECT COUNT(*) FROM contacts"); n != 0 {
				t.Fatalf("the dry run created %d contacts", n)
			}

			res := a.upload(t, tok, map[string]string{"entity": "contacts", "mapping": `{"Kantor": "account_name"}`}, "kontak.csv", file).Want(t, http.StatusCreated)
			imp := a.importOf(t, res)
			id := imp["id"].(json.Number).String()
			if res.Header.Get("Location") != "/api/v1/imports/"+id || imp["status"] != "done" {
				t.Fatalf("import: %s", res.Body)
			}
			got := a.importOf(t, a.Do(t, tok, "GET", "/api/v1/imports/"+id, nil).Want(t, http.StatusOK))
			if got["progress"] != json.Number("1") || got["processed_rows"] != json.Number("2") {
				t.Errorf("GET: %v", got)
			}
			csv := a.Do(t, tok, "GET", "/api/v1/imports/"+id+"/errors", nil).Want(t, http.StatusOK)
			if ct := csv.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if lines := strings.Split(strings.TrimSpace(string(csv.Body)), "\n"); len(lines) != 2 ||
				lines[0] != "\ufeffrow;outcome;reason;Nama;E-mail;HP;Kantor;Catatan" || !strings.HasPrefix(lines[1], `3;failed;"field emails (column ""E-mail"")`) ||
				!strings.HasSuffix(lines[1], ";Siti;siti@;0813;PT Maju;") {
				t.Errorf("error report:\n%s", csv.Body)
			}
			if cd := csv.Header.Get("Content-Disposition"); !strings.Contains(cd, "rows-not-imported") {
				t.Errorf("Content-Disposition %q", cd)
			}
			var list struct {
				Items      []map[string]any `json:"items"`
				NextCursor string           `json:"next_cursor"`
			}
			a.Do(t, tok, "GET", "/api/v1/imports?limit=1", nil).Want(t, http.StatusOK).JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0]["id"] != json.Number(id) || list.NextCursor == "" {
				t.Errorf("list: %+v", list)
			}
			a.Do(t, tok, "GET", "/api/v1/imports?cursor="+list.NextCursor, nil).Want(t, http.StatusOK).JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0]["dry_run"] != true {
				t.Errorf("second page: %+v", list)
			}
			a.Do(t, tok, "GET", "/api/v1/imports?limit=0", nil).Want(t, http.StatusUnprocessableEntity)

			_, salesTok := a.User(t, "joko@example.co.id", auth.Sales, 0)
			a.Do(t, salesTok, "GET", "/api/v1/imports/"+id, nil).Want(t, http.StatusNotFound)
			a.Do(t, salesTok, "POST", "/api/v1/imports/"+id+"/undo", nil).Want(t, http.StatusNotFound)
			a.Do(t, tok, "GET", "/api/v1/imports/999", nil).Want(t, http.StatusNotFound)

			undone := a.importOf(t, a.Do(t, tok, "POST", "/api/v1/imports/"+id+"/undo", nil).Want(t, http.StatusOK))
			if undone["status"] != "undone" || undone["counts"].(map[string]any)["undone"] != json.Number("2") {
				t.Errorf("undo: %v", undone)
			}
			a.Do(t, tok, "POST", "/api/v1/imports/"+id+"/undo", nil).Want(t, http.StatusConflict)
			if n := countRows(t, a, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 0 {
				t.Errorf("%d contacts after the undo", n)
			}
		})
	}
}

func TestImportAPIRefusesBadUploads(t *testing.T) {
	a := startAPI(t, string(storetest.Engines()[0]))
	tok := a.AdminToken
	for _, tc := range []struct {
		name   string
		fields map[string]string
		file   string
		field  string
	}{
		{"no file", map[string]string{"entity": "contacts"}, "", "file"},
		{"no entity", map[string]string{}, "Nama\nA\n", "entity"},
		{"an entity that cannot be imported", map[string]string{"entity": "deals"}, "Nama\nA\n", "entity"},
		{"a bad on_duplicate", map[string]string{"entity": "contacts", "on_duplicate": "merge"}, "Nama\nA\n", "on_duplicate"},
		{"a mapping that is not JSON", map[string]string{"entity": "contacts", "mapping": "Nama=first_name"}, "Nama\nA\n", "mapping"},
		{"a mapping naming a column the file lacks", map[string]string{"entity": "contacts", "mapping": `{"Faks": "phones"}`}, "Nama\nA\n", "mapping"},
		{"a mapping to an unknown field", map[string]string{"entity": "contacts", "mapping": `{"Nama": "gaji"}`}, "Nama\nA\n", "mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "kontak.csv"
			if tc.file == "" {
				name = ""
			}
			res := a.upload(t, tok, tc.fields, name, tc.file).Want(t, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), `"field":"`+tc.field+`"`) {
				t.Errorf("the problem does not name %s: %s", tc.field, res.Body)
			}
		})
	}
	res := a.upload(t, tok, map[string]string{"entity": "contacts"}, "kosong.csv", "\n\n").Want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "empty") {
		t.Errorf("empty file: %s", res.Body)
	}
	if n := countRows(t, a, "SELECT COUNT(*) FROM imports"); n != 0 {
		t.Errorf("%d imports were left behind by refused uploads", n)
	}
}

// A file larger than the inline limit is queued as a River job; the
// worker then runs it.
func TestLargeImportRunsAsAJob(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			a := startAPI(t, string(engine))
			a.M.InlineRows = 2
			file := "Nama,Surel\nA,a@contoh.co.id\nB,b@contoh.co.id\nC,c@contoh.co.id\n"
			imp := a.importOf(t, a.upload(t, a.AdminToken, map[string]string{"entity": "contacts"}, "k.csv", file).Want(t, http.StatusCreated))
			if imp["status"] != "queued" {
				t.Fatalf("status %v, want queued", imp["status"])
			}
			if n := countRows(t, a, "SELECT COUNT(*) FROM river_job WHERE kind = 'imports.run'"); n != 1 {
				t.Fatalf("%d jobs queued", n)
			}
			id, _ := imp["id"].(json.Number).Int64()
			if err := a.M.Worker().Work(context.Background(), &river.Job[imports.RunArgs]{Args: imports.RunArgs{ImportID: id}}); err != nil {
				t.Fatal(err)
			}
			done := a.importOf(t, a.Do(t, a.AdminToken, "GET", "/api/v1/imports/"+imp["id"].(json.Number).String(), nil).Want(t, http.StatusOK))
			if done["status"] != "done" || done["counts"].(map[string]any)["created"] != json.Number("3") {
				t.Errorf("after the job: %v", done)
			}
			undo := a.importOf(t, a.Do(t, a.AdminToken, "POST", "/api/v1/imports/"+imp["id"].(json.Number).String()+"/undo", nil).Want(t, http.StatusOK))
			if undo["status"] != "undoing" {
				t.Fatalf("undo of a large import: %v", undo["status"])
			}
			if err := a.M.Worker().Work(context.Background(), &river.Job[imports.RunArgs]{Args: imports.RunArgs{ImportID: id, Undo: true, UserID: a.Admin.ID}}); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, a, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 0 {
				t.Errorf("%d contacts after the undo job", n)
			}
		})
	}
}

func countRows(t testing.TB, a *apiCRM, q string) int {
	t.Helper()
	var n int
	if err := a.DB.Read().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
