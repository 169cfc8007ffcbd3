package imports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// hubspotContacts is a HubSpot contacts export: every lifecycle stage
// HubSpot has, two rows of "Other" (which nothing in Relasi means).
const hubspotContacts = `First Name,Last Name,Email,Phone Number,Lifecycle Stage,Lead Status,Contact owner
Ani,Wijaya,ani@contoh.co.id,0812-1111-0001,Subscriber,New,
Budi,Santoso,budi@contoh.co.id,0812-1111-0002,subscriber,Open,
Citra,Lestari,citra@contoh.co.id,0812-1111-0003,Lead,In Progress,
Dedi,Kusuma,dedi@contoh.co.id,0812-1111-0004,Marketing Qualified Lead,Connected,
Eka,Putri,eka@contoh.co.id,0812-1111-0005,Marketing Qualified Lead,Bad Timing,
Fajar,Hidayat,fajar@contoh.co.id,0812-1111-0006,Sales Qualified Lead,Open Deal,
Gita,Sari,gita@contoh.co.id,0812-1111-0007,Opportunity,Open Deal,
Hadi,Nugroho,hadi@contoh.co.id,0812-1111-0008,Customer,,
Indah,Halim,indah@contoh.co.id,0812-1111-0009,Customer,,
Joko,Siregar,joko@contoh.co.id,0812-1111-0010,Evangelist,,
Kiki,Nasution,kiki@contoh.co.id,0812-1111-0011,Other,Unqualified,
Lina,Gunawan,lina@contoh.co.id,0812-1111-0012,Other,Attempted to Contact,
`

// salesforceLeads is a Salesforce leads export.
const salesforceLeads = `First Name,Last Name,Company,Email,Phone,Lead Source,Lead Status,Rating
Ani,Wijaya,PT Maju,ani@maju.co.id,0812-2222-0001,Web,Open - Not Contacted,Hot
Budi,Santoso,PT Maju,budi@maju.co.id,0812-2222-0002,Phone Inquiry,Working - Contacted,Warm
Citra,Lestari,CV Jaya,citra@jaya.co.id,0812-2222-0003,Partner Referral,Working - Contacted,Cold
Dedi,Kusuma,CV Jaya,dedi@jaya.co.id,0812-2222-0004,Trade Show,Closed - Not Converted,Cold
Eka,Putri,PT Sinar,eka@sinar.co.id,0812-2222-0005,Purchased List,Open - Not Contacted,Warm
Fajar,Hidayat,PT Sinar,fajar@sinar.co.id,0812-2222-0006,Other,Open - Not Contacted,Hot
Gita,Sari,PT Terang,gita@terang.co.id,0812-2222-0007,Web,Closed - Converted,Hot
`

// configure uploads content and configures it with the guessed mapping,
// decisions for values and, when given, columns remapped by header.
func (c *crm) configure(t testing.TB, p auth.Principal, entity, content string, dryRun bool, values map[string]map[string]string) (imports.Import, error) {
	t.Helper()
	imp := c.upload(t, p, entity, entity+".csv", content)
	return c.M.Configure(context.Background(), p, imp.ID, imp.Mapping, imports.Options{OnDuplicate: imports.Skip, Values: values}, dryRun)
}

func (c *crm) runImport(t testing.TB, imp imports.Import) imports.Import {
	t.Helper()
	imp, err := c.M.Run(context.Background(), imp.ID, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return imp
}

func (c *crm) countsBy(t testing.TB, query string) map[string]int {
	t.Helper()
	rows, err := c.DB.Read().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// valuesOf reads an import's value columns as "value=count→decision" per
// field.
func (c *crm) valuesOf(t testing.TB, imp imports.Import) map[string][]string {
	t.Helper()
	cols, err := c.M.ValueColumns(context.Background(), imp)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, col := range cols {
		for _, v := range col.Values {
			out[col.Field] = append(out[col.Field], fmt.Sprintf("%s=%d→%s", v.Value, v.Count, v.Decision))
		}
		slices.Sort(out[col.Field])
	}
	return out
}

func TestHubSpotContactsImportWithGuessedValues(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.Admin.Principal()
		dry, err := c.configure(t, admin, "contacts", hubspotContacts, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.Index(dry.Headers, "Lifecycle Stage"); dry.Mapping[i] != "lifecycle_stage" {
			t.Fatalf("Lifecycle Stage is mapped to %q", dry.Mapping[i])
		}
		want := []string{"Customer=2→customer", "Evangelist=1→loyalty", "Lead=1→lead", "Marketing Qualified Lead=2→lead",
			"Opportunity=1→engagement", "Other=2→!reject", "Sales Qualified Lead=1→engagement", "Subscriber=2→awareness"}
		if got := c.valuesOf(t, dry)["lifecycle_stage"]; !reflect.DeepEqual(got, want) {
			t.Errorf("lifecycle values\n got %q\nwant %q", got, want)
		}
		dry = c.runImport(t, dry)
		if dry.Counts.Created != 10 || dry.Counts.Failed != 2 {
			t.Errorf("dry run: %+v %v", dry.Counts, c.failures(t, dry.ID))
		}

		real, err := c.M.Start(context.Background(), admin, dry.ID)
		if err != nil {
			t.Fatal(err)
		}
		real = c.runImport(t, real)
		if real.Counts.Created != 10 || real.Counts.Failed != 2 {
			t.Fatalf("import: %+v %v", real.Counts, c.failures(t, real.ID))
		}
		wantFail := []string{
			`row 12: field lifecycle_stage (column "Lifecycle Stage"): holds "Other", a value the import was told to reject`,
			`row 13: field lifecycle_stage (column "Lifecycle Stage"): holds "Other", a value the import was told to reject`,
		}
		if got := c.failures(t, real.ID); !reflect.DeepEqual(got, wantFail) {
			t.Errorf("failures\n got %q\nwant %q", got, wantFail)
		}
		got := c.countsBy(t, "SELECT lifecycle_stage, COUNT(*) FROM contacts GROUP BY lifecycle_stage")
		if w := map[string]int{"awareness": 2, "lead": 3, "engagement": 2, "customer": 2, "loyalty": 1}; !reflect.DeepEqual(got, w) {
			t.Errorf("stages %v, want %v", got, w)
		}
	})
}

func TestSalesforceLeadsImportWithGuessedValues(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.Admin.Principal()
		imp, err := c.configure(t, admin, "leads", salesforceLeads, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		mapped := imp.MappingByHeader()
		if mapped["Lead Source"] != "source" || mapped["Lead Status"] != "status" || mapped["Rating"] != "rating" {
			t.Fatalf("mapping %v", mapped)
		}
		imp = c.runImport(t, imp)
		// A lead becomes converted only by converting it: Relasi does not
		// create one converted, and says so.
		if imp.Counts.Created != 6 || imp.Counts.Failed != 1 {
			t.Fatalf("import: %+v %v", imp.Counts, c.failures(t, imp.ID))
		}
		if f := c.failures(t, imp.ID); len(f) != 1 || !strings.Contains(f[0], `row 8: field status (column "Lead Status"): becomes converted only by converting the lead`) {
			t.Errorf("failures %q", f)
		}
		if got, w := c.countsBy(t, "SELECT source, COUNT(*) FROM leads GROUP BY source"), map[string]int{"web_form": 1, "phone": 1, "partner": 1, "event": 1, "import": 1, "other": 1}; !reflect.DeepEqual(got, w) {
			t.Errorf("sources %v, want %v", got, w)
		}
		if got, w := c.countsBy(t, "SELECT status, COUNT(*) FROM leads GROUP BY status"), map[string]int{"new": 3, "contacted": 2, "unqualified": 1}; !reflect.DeepEqual(got, w) {
			t.Errorf("statuses %v, want %v", got, w)
		}
		if got, w := c.countsBy(t, "SELECT rating, COUNT(*) FROM leads GROUP BY rating"), map[string]int{"hot": 2, "warm": 2, "cold": 2}; !reflect.DeepEqual(got, w) {
			t.Errorf("ratings %v, want %v", got, w)
		}
	})
}

// Decisions given for some values win over the guesses; "leave empty"
// leaves the field empty and "reject" fails exactly those rows.
func TestAdjustedValuesAreHonoured(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.Admin.Principal()
		imp, err := c.configure(t, admin, "leads", salesforceLeads, false, map[string]map[string]string{
			"status": {"closed - converted": "qualified", "Working - Contacted": imports.ValueReject},
			"source": {"Purchased List": "", "Other": imports.ValueEmpty},
			"rating": {"Cold": "Hangat"}, // a label in Indonesian is read as its choice
		})
		if err != nil {
			t.Fatal(err)
		}
		imp = c.runImport(t, imp)
		if imp.Counts.Created != 5 || imp.Counts.Failed != 2 {
			t.Fatalf("import: %+v %v", imp.Counts, c.failures(t, imp.ID))
		}
		want := []string{
			`row 3: field status (column "Lead Status"): holds "Working - Contacted", a value the import was told to reject`,
			`row 4: field status (column "Lead Status"): holds "Working - Contacted", a value the import was told to reject`,
		}
		if got := c.failures(t, imp.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("failures\n got %q\nwant %q", got, want)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM leads WHERE source IS NULL"); n != 2 {
			t.Errorf("%d leads without a source, want 2 (left empty)", n)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM leads WHERE email = 'gita@terang.co.id' AND status = 'qualified'"); n != 1 {
			t.Error("Closed - Converted did not become qualified")
		}
		if n := c.count(t, "SELECT COUNT(*) FROM leads WHERE rating = 'warm'"); n != 2 { // Eka's, and Dedi's that was cold
			t.Errorf("%d warm leads, want 2", n)
		}

		// A decision that is no choice is refused beside the value.
		_, err = c.configure(t, admin, "leads", salesforceLeads, true, map[string]map[string]string{"status": {"Web": "hangus"}, "lifecycle_stage": {"x": "lead"}})
		e, _ := errs.As(err)
		if e == nil || !errs.Fields(e.Fields).Has("values[status][Web]") || !errs.Fields(e.Fields).Has("values") {
			t.Errorf("bad decisions: %v", err)
		}
	})
}

// "Add it as a new choice" adds the value to a custom select field through
// the field's own update: for an administrator, only once the import is
// real; anyone else is refused beside the value.
func TestAddValueAsNewChoice(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		admin := c.Admin.Principal()
		e := c.entity(t, "contacts")
		cf, err := c.Store.CreateCustomField(ctx, admin, e, records.CustomFieldInput{Key: "tier", Label: "Tier", Kind: records.Select, Choices: []string{"Gold", "Silver"}})
		if err != nil {
			t.Fatal(err)
		}
		file := "Nama,Surel,Tier\nAni,ani@contoh.co.id,gold\nBudi,budi@contoh.co.id,Platinum\nCitra,citra@contoh.co.id,platinum\nDedi,dedi@contoh.co.id,Bronze\n"
		add := map[string]map[string]string{"custom.tier": {"Platinum": imports.ValueAdd}}

		sales, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.configure(t, sales.Principal(), "contacts", file, true, add)
		if e, _ := errs.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "values[custom.tier][Platinum]" || e.Fields[0].Code != "value_add_admin" {
			t.Fatalf("a sales user adding a choice: %v", err)
		}
		if _, err := c.configure(t, admin, "contacts", file, true, map[string]map[string]string{"lifecycle_stage": {}}); err == nil {
			t.Error("values for an unmapped field accepted")
		}

		dry, err := c.configure(t, admin, "contacts", file, true, add)
		if err != nil {
			t.Fatal(err)
		}
		dry = c.runImport(t, dry)
		if dry.Counts.Created != 3 || dry.Counts.Failed != 1 {
			t.Fatalf("dry run: %+v %v", dry.Counts, c.failures(t, dry.ID))
		}
		if f := c.failures(t, dry.ID); len(f) != 1 || !strings.Contains(f[0], `row 5: field custom.tier (column "Tier"): holds "Bronze"`) {
			t.Errorf("failures %q", f)
		}
		if got, _ := c.Store.CustomFields(ctx, "contacts"); !reflect.DeepEqual(got[0].Choices, []string{"Gold", "Silver"}) || got[0].Version != cf.Version {
			t.Fatalf("the dry run changed the field: %v", got[0].Choices)
		}
		real, err := c.M.Start(ctx, admin, dry.ID)
		if err != nil {
			t.Fatal(err)
		}
		real = c.runImport(t, real)
		if real.Counts.Created != 3 || real.Counts.Failed != 1 {
			t.Fatalf("import: %+v %v", real.Counts, c.failures(t, real.ID))
		}
		if got, _ := c.Store.CustomFields(ctx, "contacts"); !reflect.DeepEqual(got[0].Choices, []string{"Gold", "Silver", "Platinum"}) {
			t.Errorf("choices after the import: %v", got[0].Choices)
		}
		custom := "custom"
		if c.DB.Engine == store.Postgres {
			custom = "custom::text"
		}
		if got := c.countsBy(t, "SELECT first_name, COUNT(*) FROM contacts WHERE "+custom+" LIKE '%\"Platinum\"%' GROUP BY first_name"); len(got) != 2 {
			t.Errorf("contacts with the new choice: %v", got)
		}
	})
}

// The decisions differing from the guesses are remembered for the user's
// next file into the entity, and one agreeing with the guess again forgets.
func TestValueDecisionsAreRemembered(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		admin := c.Admin.Principal()
		first, err := c.configure(t, admin, "contacts", hubspotContacts, true, map[string]map[string]string{
			"lifecycle_stage": {"Evangelist": "customer", "Other": imports.ValueEmpty}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.M.SaveValues(ctx, c.Admin.ID, first); err != nil {
			t.Fatal(err)
		}
		next, err := c.configure(t, admin, "contacts", "Email,Lifecycle Stage\nx@contoh.co.id,evangelist\ny@contoh.co.id,OTHER\nz@contoh.co.id,Lead\n", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Lead=1→lead", "OTHER=1→!empty", "evangelist=1→customer"}
		if got := c.valuesOf(t, next)["lifecycle_stage"]; !reflect.DeepEqual(got, want) {
			t.Errorf("remembered\n got %q\nwant %q", got, want)
		}
		// Another user has guesses only.
		sales, _ := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales})
		other, err := c.configure(t, sales.Principal(), "contacts", "Email,Lifecycle Stage\nx@contoh.co.id,evangelist\n", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.valuesOf(t, other)["lifecycle_stage"]; !reflect.DeepEqual(got, []string{"evangelist=1→loyalty"}) {
			t.Errorf("another user's suggestion %q", got)
		}
		// Back to the guess: forgotten.
		back, err := c.configure(t, admin, "contacts", "Email,Lifecycle Stage\nx@contoh.co.id,Evangelist\n", true, map[string]map[string]string{"lifecycle_stage": {"Evangelist": "loyalty"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.M.SaveValues(ctx, c.Admin.ID, back); err != nil {
			t.Fatal(err)
		}
		again, _ := c.configure(t, admin, "contacts", "Email,Lifecycle Stage\nx@contoh.co.id,Evangelist\ny@contoh.co.id,Other\n", true, nil)
		if got := c.valuesOf(t, again)["lifecycle_stage"]; !reflect.DeepEqual(got, []string{"Evangelist=1→loyalty", "Other=1→!empty"}) {
			t.Errorf("after going back to the guess %q", got)
		}
	})
}

// A column with more distinct values than are kept says so, and counts
// the rows with the others.
func TestDistinctValuesAreCapped(t *testing.T) {
	c := newCRM(t, storetest.Engines()[0])
	var b strings.Builder
	b.WriteString("Nama,Email,Lifecycle Stage\n")
	for i := range 260 {
		fmt.Fprintf(&b, "K%d,k%d@contoh.co.id,Tahap %d\n", i, i, i)
	}
	for i := range 40 {
		fmt.Fprintf(&b, "P%d,p%d@contoh.co.id,Pelanggan\n", i, i)
	}
	imp, err := c.configure(t, c.Admin.Principal(), "contacts", b.String(), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := c.M.ValueColumns(context.Background(), imp)
	if err != nil || len(cols) != 1 {
		t.Fatalf("%v %v", cols, err)
	}
	col := cols[0]
	if !col.Capped || len(col.Values) != 200 || col.Others != 100 {
		t.Errorf("capped %v, %d values, %d others", col.Capped, len(col.Values), col.Others)
	}
	// Values past the cap are guessed like the others ("Pelanggan" is the
	// label of customer), and rejected where nothing matches.
	imp = c.runImport(t, imp)
	if imp.Counts.Created != 40 || imp.Counts.Failed != 260 {
		t.Fatalf("counts %+v", imp.Counts)
	}
	f := c.failures(t, imp.ID)
	if want := `row 252: field lifecycle_stage (column "Lifecycle Stage"): holds "Tahap 250", which matches none of the field's choices`; f[250] != want {
		t.Errorf("failure %q, want %q", f[250], want)
	}
	if want := `row 2: field lifecycle_stage (column "Lifecycle Stage"): holds "Tahap 0", a value the import was told to reject`; f[0] != want {
		t.Errorf("failure %q, want %q", f[0], want)
	}
}

func TestValuesThroughTheAPI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			a := startAPI(t, string(engine))
			mapping := `{"Lifecycle Stage": {"field": "lifecycle_stage", "values": {"Evangelist": "customer", "Other": "!empty"}}, "Lead Status": ""}`
			res := a.upload(t, a.AdminToken, map[string]string{"entity": "contacts", "mapping": mapping}, "hubspot.csv", hubspotContacts).Want(t, http.StatusCreated)
			d := a.importOf(t, res)
			if c := d["counts"].(map[string]any); c["created"] != json.Number("12") || c["failed"] != json.Number("0") {
				t.Fatalf("import: %s", res.Body)
			}
			vals := d["values"].([]any)
			if len(vals) != 1 {
				t.Fatalf("values %v", vals)
			}
			col := vals[0].(map[string]any)
			decided := map[string]string{}
			for _, v := range col["values"].([]any) {
				v := v.(map[string]any)
				decided[v["value"].(string)+"="+string(v["count"].(json.Number))] = v["decision"].(string)
				if guessed := v["guessed"] == true; guessed != (v["value"] == "Subscriber" || v["value"] == "Lead" || v["value"] == "Customer" ||
					strings.Contains(v["value"].(string), "Qualified") || v["value"] == "Opportunity") {
					t.Errorf("guessed %v: %v", guessed, v)
				}
			}
			if col["column"] != "Lifecycle Stage" || col["field"] != "lifecycle_stage" || decided["Evangelist=1"] != "customer" ||
				decided["Other=2"] != "!empty" || decided["Subscriber=2"] != "awareness" {
				t.Errorf("values %v", col)
			}
			var stages = map[string]int{}
			rows, _ := a.DB.Read().Query("SELECT COALESCE(lifecycle_stage, ''), COUNT(*) FROM contacts GROUP BY 1")
			for rows.Next() {
				var s string
				var n int
				rows.Scan(&s, &n)
				stages[s] = n
			}
			rows.Close()
			if stages[""] != 2 || stages["customer"] != 3 || stages["loyalty"] != 0 {
				t.Errorf("stages %v", stages)
			}

			bad := a.upload(t, a.AdminToken, map[string]string{"entity": "contacts", "dry_run": "true",
				"mapping": `{"Lifecycle Stage": {"values": {"Other": "!add"}}}`}, "hubspot.csv", hubspotContacts)
			if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.Body), `values[lifecycle_stage][Other]`) {
				t.Errorf("adding a choice to a standard field: %d %s", bad.Status, bad.Body)
			}
			bad = a.upload(t, a.AdminToken, map[string]string{"entity": "contacts", "dry_run": "true",
				"mapping": `{"Email": {"values": {"x": "y"}}}`}, "hubspot.csv", hubspotContacts)
			if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.Body), `goes into no choice field`) {
				t.Errorf("values for a column of no choice field: %d %s", bad.Status, bad.Body)
			}
		})
	}
}

var valueRowPattern = regexp.MustCompile(`(?s)<tr data-testid="value-row">\s*<td><label for="(v_\d+)">([^<]*)</label>.*?data-testid="value-count">([^<]*)<.*?<select id="v_\d+"[^>]*>(.*?)</select>`)

// valueRows reads the values section of a mapping page: value → "count
// selected-decision", and the select of each.
func valueRows(body string) (map[string]string, map[string]string) {
	rows, names := map[string]string{}, map[string]string{}
	for _, m := range valueRowPattern.FindAllStringSubmatch(body, -1) {
		sel := ""
		if s := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[4]); s != nil {
			sel = s[1]
		}
		rows[m[2]] = m[3] + " " + sel
		names[m[2]] = m[1]
	}
	return rows, names
}

func TestMappingPageListsValues(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		if _, err := c.Store.CreateCustomField(ctx, c.Admin.Principal(), c.entity(t, "contacts"), records.CustomFieldInput{Key: "tier", Label: "Tier", Kind: records.Select, Choices: []string{"Gold"}}); err != nil {
			t.Fatal(err)
		}
		s := startWeb(t, c)
		b := s.signIn(t, "sari@example.co.id")
		file := strings.Replace(hubspotContacts, "Contact owner\n", "Tier\n", 1)
		file = strings.ReplaceAll(file, ",\n", ",Gold\n")
		mappingURL := wantRedirect(t, b.upload("contacts", "hubspot.csv", file), `/imports/\d+/mapping`)
		id := strings.Split(mappingURL, "/")[2]
		mp := b.get(mappingURL)
		wantPage(t, mp, "What the values of choice columns become", "Column Lifecycle Stage → Lifecycle stage", `data-testid="values-warning"`,
			"Rejected unless you choose otherwise: 2 row(s) holding 1 value(s) that match no choice", `<option value="!add">Add it as a new choice</option>`)
		rows, names := valueRows(mp.Body)
		want := map[string]string{"Subscriber": "2 awareness", "Marketing Qualified Lead": "2 lead", "Customer": "2 customer", "Evangelist": "1 loyalty",
			"Other": "2 !reject", "Lead": "1 lead", "Sales Qualified Lead": "1 engagement", "Opportunity": "1 engagement", "Gold": "12 Gold"}
		if !equalMaps(rows, want) {
			t.Errorf("value rows\n got %v\nwant %v", rows, want)
		}
		if !strings.Contains(mp.Body, `<option value="loyalty" selected>Loyalty</option>`) {
			t.Error("choices are not labelled")
		}

		form := url.Values{"on_duplicate": {"skip"}, "save_mapping": {"1"}}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(mp.Body, -1) {
			if m[1] != "csrf_token" {
				form.Set(m[1], m[2])
			}
		}
		for col, field := range mapped(mp.Body) {
			form.Set(col, field)
		}
		for v, r := range rows {
			form.Set(names[v], strings.SplitN(r, " ", 2)[1])
		}
		form.Set(names["Evangelist"], "customer")
		form.Set(names["Other"], "hangus")
		bad := b.post(mappingURL, mappingURL, form)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `name="`+names["Other"]+`" data-testid="value-`+strings.TrimPrefix(names["Other"], "v_")+`" aria-invalid="true"`) ||
			!strings.Contains(bad.Body, "is not one of this field&#39;s choices") {
			t.Fatalf("a decision that is no choice: %d\n%s", bad.Status, bad.Body)
		}
		if kept, _ := valueRows(bad.Body); kept["Evangelist"] != "1 customer" {
			t.Errorf("the page forgot what was chosen: %v", kept)
		}

		// A column mapped to a choice field just now is shown first.
		form.Set(names["Other"], "!empty")
		form.Set("values_shown", "lifecycle_stage")
		review := b.post(mappingURL, mappingURL, form)
		if review.Status != http.StatusUnprocessableEntity || !strings.Contains(review.Body, "this column now goes into a choice field") {
			t.Fatalf("a newly mapped choice column: %d", review.Status)
		}
		form.Set("values_shown", "lifecycle_stage,custom.tier")
		wantRedirect(t, b.post(mappingURL, mappingURL, form), "/imports/"+id)
		report := b.get("/imports/" + id)
		wantPage(t, report, `data-testid="count-created">12<`, `data-testid="count-failed">0<`)
		if strings.Contains(report.Body, `data-testid="value-warnings"`) {
			t.Error("a warning with nothing rejected")
		}

		// Remembered for the next file; a rejected value is in the check's report.
		next := wantRedirect(t, b.upload("contacts", "lagi.csv", "Nama,Email,Lifecycle Stage\nQori,q@contoh.co.id,Evangelist\nRani,r@contoh.co.id,Mantan\n"), `/imports/\d+/mapping`)
		nextPage := b.get(next)
		if rows, _ := valueRows(nextPage.Body); rows["Evangelist"] != "1 customer" || rows["Mantan"] != "1 !reject" {
			t.Errorf("remembered values %v", rows)
		}
		wantPage(t, nextPage, "no match")
		nextForm := url.Values{"on_duplicate": {"skip"}, "col_0": {"full_name"}, "col_1": {"emails"}, "col_2": {"lifecycle_stage"}, "values_shown": {"lifecycle_stage"}, "value_count": {"0"}}
		nextID := strings.Split(next, "/")[2]
		wantRedirect(t, b.post(next, next, nextForm), "/imports/"+nextID)
		wantPage(t, b.get("/imports/"+nextID), `data-testid="value-warnings"`, "Values that reject rows", "Mantan", `data-testid="count-failed">1<`,
			`holds &#34;Mantan&#34;, a value the import was told to reject`)
	})
}

// Only an administrator is offered "add it as a new choice"; anyone else
// who sends it is refused beside the value.
func TestMappingPageRefusesNewChoicesToOthers(t *testing.T) {
	c := newCRM(t, storetest.Engines()[0])
	ctx := context.Background()
	if _, err := c.Store.CreateCustomField(ctx, c.Admin.Principal(), c.entity(t, "contacts"), records.CustomFieldInput{Key: "tier", Label: "Tier", Kind: records.Select, Choices: []string{"Gold"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales}); err != nil {
		t.Fatal(err)
	}
	s := startWeb(t, c)
	b := s.signIn(t, "joko@example.co.id")
	mappingURL := wantRedirect(t, b.upload("contacts", "tier.csv", "Nama,Tier\nAni,Gold\nBudi,Platinum\n"), `/imports/\d+/mapping`)
	mp := b.get(mappingURL)
	rows, names := valueRows(mp.Body)
	if rows["Platinum"] != "1 !reject" || strings.Contains(mp.Body, `value="!add"`) {
		t.Fatalf("values %v; add offered: %v", rows, strings.Contains(mp.Body, `value="!add"`))
	}
	form := url.Values{"on_duplicate": {"skip"}, "col_0": {"full_name"}, "col_1": {"custom.tier"}, "values_shown": {"custom.tier"}, "value_count": {"2"}}
	for v, name := range names {
		k := strings.TrimPrefix(name, "v_")
		form.Set("vf_"+k, "custom.tier")
		form.Set("vv_"+k, v)
		form.Set(name, "Gold")
	}
	form.Set(names["Platinum"], imports.ValueAdd)
	bad := b.post(mappingURL, mappingURL, form)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `data-testid="value-`+strings.TrimPrefix(names["Platinum"], "v_")+`" aria-invalid="true"`) ||
		!strings.Contains(bad.Body, "only an administrator may add choices to a field") {
		t.Errorf("a sales user adding a choice: %d\n%s", bad.Status, bad.Body)
	}
	if got, _ := c.Store.CustomFields(ctx, "contacts"); len(got[0].Choices) != 1 {
		t.Errorf("choices %v", got[0].Choices)
	}
}
