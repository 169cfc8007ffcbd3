package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relasi/relasi/internal/records"
)

// listedRecords returns the rows of the list table the browser shows: for
// each record's ID, its cells by column heading, as the user reads them.
func (s *crmSession) listedRecords() map[int64]map[string]string {
	s.t.Helper()
	rows := chromeEval[map[string]map[string]string](s.chromeTab, `(() => {
		const heads = Array.from(document.querySelectorAll('[data-testid=records-table] thead th'), th => th.textContent.trim());
		return Object.fromEntries(Array.from(document.querySelectorAll('[data-testid=records-table] tbody tr[data-id]'), tr =>
			[tr.dataset.id, Object.fromEntries(Array.from(tr.cells, (td, i) => [heads[i], td.innerText.trim()]))]));
	})()`)
	out := make(map[int64]map[string]string, len(rows))
	for id, cells := range rows {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			s.t.Fatalf("a row of the list has the ID %q: %v", id, err)
		}
		out[n] = cells
	}
	return out
}

// listedNames returns the names (first and last) of the records the list
// shows, sorted.
func (s *crmSession) listedNames() []string {
	s.t.Helper()
	var names []string
	for _, cells := range s.listedRecords() {
		names = append(names, strings.TrimSpace(cells["First name"]+" "+cells["Last name"]))
	}
	slices.Sort(names)
	return names
}

// tableRows returns the text of each cell of each body row of the table
// matching sel.
func (s *crmSession) tableRows(sel string) [][]string {
	s.t.Helper()
	return chromeEval[[][]string](s.chromeTab, fmt.Sprintf(`Array.from(document.querySelectorAll('%s tbody tr'),
		tr => Array.from(tr.cells, td => td.innerText.trim()))`, sel))
}

// pathID reads the number in the path the browser shows, which must be
// prefix, a number, then suffix: /imports/12/mapping.
func (s *crmSession) pathID(prefix, suffix string) int64 {
	s.t.Helper()
	path := s.location().Path
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, prefix), suffix), 10, 64)
	if err != nil || fmt.Sprintf("%s%d%s", prefix, n, suffix) != path {
		s.t.Fatalf("the browser is on %s, want %s<id>%s", path, prefix, suffix)
	}
	return n
}

// importCounts reads the counts of an import's summary.
func (s *crmSession) importCounts() map[string]string {
	s.t.Helper()
	return map[string]string{
		"created": s.text("[data-testid=count-created]"),
		"updated": s.text("[data-testid=count-updated]"),
		"skipped": s.text("[data-testid=count-skipped]"),
		"failed":  s.text("[data-testid=count-failed]"),
	}
}

// TestBrowserImportUndo: a salesperson brings in the visitors of a trade
// fair from a spreadsheet saved with Indonesian headers and semicolons. The
// columns are recognised, the check tells which row is rejected and why and
// which row repeats another, the import makes the contacts with their
// phone numbers in international form, and Undo takes them all back.
func TestBrowserImportUndo(t *testing.T) {
	s := newCRMSession(t, "en")
	const fileName = "pengunjung-pameran.csv"
	file := filepath.Join(t.TempDir(), fileName)
	content := "Nama Depan;Nama Belakang;No. HP;Surel;Kota\n" +
		"Budi;Santoso;0812-3456-7890;budi.santoso@contoh.co.id;Bandung\n" +
		"Siti;Rahayu;0813 2222 3333;siti@@contoh;Jakarta\n" +
		"Budi;Santoso;0812-3456-7890;budi.santoso@contoh.co.id;Bandung\n" +
		"Agus;Wijaya;0857 1111 2222;agus.wijaya@contoh.co.id;Surabaya\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatalf("write the file to import: %v", err)
	}

	// 1. Contacts → Import: the upload form, already set to contacts.
	s.open("/contacts")
	if got := s.text("[data-testid=import-link]"); got != "Import" {
		t.Errorf("the contacts list's import button reads %q, want Import", got)
	}
	s.click("[data-testid=import-link]")
	s.wantPath("open the import", "/imports/new")
	if got := s.value("#entity"); got != "contacts" {
		t.Errorf("the upload form imports into %q, want contacts, the list it was opened from", got)
	}
	s.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	s.click("[data-testid=upload]")
	checkID := s.pathID("/imports/", "/mapping")

	// 2. The mapping: every column recognised from its Indonesian header.
	if got, want := s.text("#main h1"), "Map the columns of "+fileName; got != want {
		t.Errorf("mapping heading = %q, want %q", got, want)
	}
	headers := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('[data-testid=mapping] tbody th'), th => th.textContent.trim())`)
	if want := []string{"Nama Depan", "Nama Belakang", "No. HP", "Surel", "Kota"}; !slices.Equal(headers, want) {
		t.Errorf("the mapping lists the columns %q, want %q", headers, want)
	}
	guessed := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('[data-testid=mapping] select'), sel => sel.value)`)
	if want := []string{"first_name", "last_name", "phones", "emails", "city"}; !slices.Equal(guessed, want) {
		t.Errorf("the guessed fields are %q, want %q", guessed, want)
	}
	shown := chromeEval[[]string](s.chromeTab, `Array.from(document.querySelectorAll('[data-testid=mapping] select'), sel => sel.selectedOptions[0].textContent.trim())`)
	if want := []string{"First name", "Last name", "Phone numbers", "E-mail addresses", "City"}; !slices.Equal(shown, want) {
		t.Errorf("the mapping's menus read %q, want %q", shown, want)
	}
	if got := chromeEval[string](s.chromeTab, `document.querySelector('input[name=on_duplicate]:checked').value`); got != "skip" {
		t.Errorf("rows matching a record are by default %q, want skip", got)
	}

	// 3. Check the file: nothing imported yet, and the report says what
	// would happen to each row.
	s.click("[data-testid=check]")
	s.wantPath("check the file", fmt.Sprintf("/imports/%d", checkID))
	if got := s.text("[data-testid=import-summary] h2"); got != "If you import this file" {
		t.Errorf("the check's summary is headed %q, want If you import this file", got)
	}
	wantCounts := map[string]string{"created": "2", "updated": "0", "skipped": "1", "failed": "1"}
	if got := s.importCounts(); !maps.Equal(got, wantCounts) {
		t.Errorf("the check's counts = %v, want %v", got, wantCounts)
	}
	failures := s.tableRows("[data-testid=failures]")
	if len(failures) != 1 || len(failures[0]) != 2 || failures[0][0] != "3" ||
		!strings.Contains(failures[0][1], "siti@@contoh") || !strings.Contains(failures[0][1], "Surel") {
		t.Errorf("rejected rows = %q, want row 3 (Siti), its reason naming the column Surel and the address siti@@contoh", failures)
	}
	skipped := s.tableRows("[data-testid=skipped]")
	if len(skipped) != 1 || len(skipped[0]) != 2 || skipped[0][0] != "4" ||
		skipped[0][1] != "same e-mail (budi.santoso@contoh.co.id) as row 2 of this file" {
		t.Errorf("skipped rows = %q, want row 4, the same e-mail as Budi's row 2", skipped)
	}
	s.open("/contacts")
	if got := s.listedNames(); len(got) != 0 {
		t.Fatalf("after the check alone the contacts list shows %q, want it empty", got)
	}

	// 4. Import now: a new import, with the same counts.
	s.open(fmt.Sprintf("/imports/%d", checkID))
	s.click("[data-testid=start]")
	importID := s.pathID("/imports/", "")
	if importID == checkID {
		t.Errorf("Import now stayed on the check (%d), want a new import", checkID)
	}
	if got, want := s.text("#main h1"), "Import of "+fileName; got != want {
		t.Errorf("import heading = %q, want %q", got, want)
	}
	if got := s.textContent("[data-testid=import-status]"); got != "done" {
		t.Errorf("the import's status = %q, want done", got)
	}
	if got := s.text("[data-testid=import-summary] h2"); got != "Result" {
		t.Errorf("the import's summary is headed %q, want Result", got)
	}
	if got := s.importCounts(); !maps.Equal(got, wantCounts) {
		t.Errorf("the import's counts = %v, want %v", got, wantCounts)
	}

	// 5. The contacts list has the two new contacts, phones stored in
	// E.164 and shown grouped.
	s.open("/contacts")
	listed := s.listedRecords()
	byName := map[string]map[string]string{}
	for _, cells := range listed {
		byName[cells["First name"]+" "+cells["Last name"]] = cells
	}
	if len(listed) != 2 || byName["Budi Santoso"] == nil || byName["Agus Wijaya"] == nil {
		t.Fatalf("after the import the contacts list shows %v, want Budi Santoso and Agus Wijaya", listed)
	}
	for name, want := range map[string][3]string{
		"Budi Santoso": {"0812-3456-7890", "budi.santoso@contoh.co.id", "Bandung"},
		"Agus Wijaya":  {"0857-1111-2222", "agus.wijaya@contoh.co.id", "Surabaya"},
	} {
		got := byName[name]
		if got["Phone numbers"] != want[0] || got["E-mail addresses"] != want[1] || got["City"] != want[2] {
			t.Errorf("%s in the contacts list: phone %q, e-mail %q, city %q; want %q", name, got["Phone numbers"], got["E-mail addresses"], got["City"], want)
		}
	}

	// 6. Undo, from the import's page: the contacts are gone.
	s.open(fmt.Sprintf("/imports/%d", importID))
	s.click("[data-testid=undo]")
	s.wantPath("undo the import", fmt.Sprintf("/imports/%d", importID))
	if got := s.text(".flash"); got != "The import was undone." {
		t.Errorf("flash after the undo = %q, want The import was undone.", got)
	}
	if got := s.textContent("[data-testid=import-status]"); got != "undone" {
		t.Errorf("the import's status after the undo = %q, want undone", got)
	}
	if got := s.text("[data-testid=count-undone]"); got != "2" {
		t.Errorf("undone count = %q, want 2", got)
	}
	if n := chromeEval[int](s.chromeTab, `document.querySelectorAll('[data-testid=undo]').length`); n != 0 {
		t.Errorf("the undone import still offers Undo")
	}
	s.open("/contacts")
	if got := s.listedNames(); len(got) != 0 {
		t.Errorf("after the undo the contacts list shows %q, want it empty", got)
	}
	if got := s.text("[data-testid=no-records]"); got == "" {
		t.Errorf("the empty contacts list says nothing")
	}

	s.checkConsole()
}

// fetchedFile is what fetch() in the page got for a download link.
type fetchedFile struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// TestBrowserExportFilteredList: a salesperson filters the contacts to one
// city and exports them; the file holds those contacts and no others.
func TestBrowserExportFilteredList(t *testing.T) {
	s := newCRMSession(t, "en")
	budi := s.seed("contacts", records.Input{"first_name": "Budi", "last_name": "Santoso", "city": "Bandung",
		"emails": []string{"budi@contoh.co.id"}, "phones": []string{"0812-3456-7890"}})
	siti := s.seed("contacts", records.Input{"first_name": "Siti", "last_name": "Rahayu", "city": "Bandung"})
	s.seed("contacts", records.Input{"first_name": "Agus", "last_name": "Wijaya", "city": "Jakarta"})
	s.seed("contacts", records.Input{"first_name": "Rina", "last_name": "Kartika", "city": "Bandung Barat"})
	s.seed("contacts", records.Input{"first_name": "Joko", "last_name": "Susilo"})
	const cityFilter = `city = "Bandung"`

	// 1. Filter the list.
	s.open("/contacts")
	if n := len(s.listedRecords()); n != 5 {
		t.Fatalf("the contacts list shows %d contacts before the filter, want 5", n)
	}
	s.typeInto("[data-testid=filter]", cityFilter)
	s.click("[data-testid=filter-form] button[type=submit]")
	// The address bar holds a URL worth bookmarking: the filter, without
	// the empty quick-filter selects the form also submitted.
	if loc := s.location(); loc.Path != "/contacts" || loc.Query().Get("filter") != cityFilter || strings.Contains(loc.RawQuery, "qf.") {
		t.Fatalf("the filter led to %s, want /contacts?filter=%s", loc.RequestURI(), cityFilter)
	}
	if got, want := s.listedNames(), []string{"Budi Santoso", "Siti Rahayu"}; !slices.Equal(got, want) {
		t.Fatalf("the filtered list shows %q, want %q", got, want)
	}

	// 2. The Export CSV link carries the filter.
	if got := s.text("[data-testid=export-csv]"); got != "Export CSV" {
		t.Errorf("the export link reads %q, want Export CSV", got)
	}
	href := chromeEval[string](s.chromeTab, `document.querySelector('[data-testid=export-csv]').href`)
	link, err := url.Parse(href)
	if err != nil {
		t.Fatalf("parse the export link %q: %v", href, err)
	}
	if q := link.Query(); link.Path != "/contacts/export" || q.Get("format") != "csv" || q.Get("filter") != cityFilter {
		t.Errorf("the export link is %s, want /contacts/export with format=csv and filter=%s", href, cityFilter)
	}

	// 3. Download it as the signed-in browser does, with its cookie.
	got := chromeRun(s.chromeTab, "fetch the export", chromedp.Evaluate[fetchedFile](fmt.Sprintf(`fetch(%q).then(async r => ({
		status: r.status, type: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || '', body: await r.text()}))`, href),
		chromedp.EvalAwaitPromise))
	if got.Status != 200 || !strings.HasPrefix(got.Type, "text/csv") {
		t.Fatalf("the export answered %d %q, want 200 text/csv; body:\n%s", got.Status, got.Type, got.Body)
	}
	if !strings.HasPrefix(got.Disposition, "attachment;") || !strings.Contains(got.Disposition, ".csv") {
		t.Errorf("the export's Content-Disposition = %q, want an attachment named .csv", got.Disposition)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(got.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("read the exported CSV: %v\n%s", err, got.Body)
	}
	if len(rows) != 3 {
		t.Fatalf("the export has %d rows, want a header and the 2 contacts of Bandung:\n%s", len(rows), got.Body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"id", "first_name", "last_name", "emails", "phones", "city"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("the export's header %q lacks %s", rows[0], h)
		}
	}
	exported := map[string][]string{}
	for _, r := range rows[1:] {
		exported[r[col["id"]]] = []string{r[col["first_name"]], r[col["last_name"]], r[col["city"]], r[col["emails"]], r[col["phones"]]}
	}
	want := map[string][]string{
		strconv.FormatInt(budi.ID, 10): {"Budi", "Santoso", "Bandung", "budi@contoh.co.id", "+6281234567890"},
		strconv.FormatInt(siti.ID, 10): {"Siti", "Rahayu", "Bandung", "", ""},
	}
	if !maps.EqualFunc(exported, want, slices.Equal) {
		t.Errorf("the exported contacts (id → first, last, city, e-mails, phones) = %q, want %q", exported, want)
	}

	s.checkConsole()
}

// TestBrowserDuplicatesMerge: the same customer was entered twice, once
// with the address in capitals. The duplicates page finds the pair; the
// salesperson merges them, keeping the second record's job title, and finds
// one contact left with that title. Undo from the merge history brings
// both records back as they were.
func TestBrowserDuplicatesMerge(t *testing.T) {
	s := newCRMSession(t, "en")
	first := s.seed("contacts", records.Input{"first_name": "Dewi", "last_name": "Lestari", "emails": []string{"dewi.lestari@contoh.co.id"},
		"job_title": "Staf Pembelian", "city": "Bandung"})
	second := s.seed("contacts", records.Input{"first_name": "Dewi", "last_name": "Lestari", "emails": []string{"DEWI.LESTARI@contoh.co.id"},
		"job_title": "Manajer Pembelian", "phones": []string{"0812-7777-8888"}})
	other := s.seed("contacts", records.Input{"first_name": "Rudi", "last_name": "Hartono", "emails": []string{"rudi@contoh.co.id"}})
	// She moved: the first record is now the one changed last, so the merge
	// form proposes its values, and taking the second's is the user's choice.
	if _, err := s.srv.App.Records.Update(context.Background(), s.user.Principal(), s.entity("contacts"), first.ID, records.Input{"city": "Cimahi"}, 0); err != nil {
		t.Fatalf("move the first Dewi to Cimahi: %v", err)
	}
	ids := fmt.Sprintf("%d,%d", first.ID, second.ID)
	jobTitle := "[data-testid=record-fields] [data-field=job_title] dd"

	// 1. Contacts → Find duplicates: the pair, for the same e-mail.
	s.open("/contacts")
	if got := s.text("[data-testid=duplicates-link]"); got != "Find duplicates" {
		t.Errorf("the contacts list's duplicates button reads %q, want Find duplicates", got)
	}
	s.click("[data-testid=duplicates-link]")
	if loc := s.location(); loc.Path != "/duplicates" || loc.Query().Get("entity") != "contacts" {
		t.Fatalf("Find duplicates led to %s, want /duplicates?entity=contacts", loc.RequestURI())
	}
	if got := s.text("[data-testid=duplicate-count]"); got != "Groups of likely duplicates: 1" {
		t.Errorf("duplicate count = %q, want one group", got)
	}
	group := fmt.Sprintf(`[data-testid=duplicate-group][data-ids="%s"]`, ids)
	if got := s.text(group + " .duplicates-reasons"); got != "Same e-mail: dewi.lestari@contoh.co.id" {
		t.Errorf("the pair's reason reads %q, want Same e-mail: dewi.lestari@contoh.co.id", got)
	}
	inGroup := chromeEval[[]string](s.chromeTab, fmt.Sprintf(`Array.from(document.querySelectorAll('%s tbody tr'), tr => tr.dataset.id)`, group))
	if want := []string{fmt.Sprint(first.ID), fmt.Sprint(second.ID)}; !slices.Equal(inGroup, want) {
		t.Errorf("the group holds records %q, want %q", inGroup, want)
	}

	// 2. Merge: the first record survives; take the second's job title.
	s.click(group + " [data-testid=merge-link]")
	if loc := s.location(); loc.Path != "/duplicates/merge" || loc.Query().Get("ids") != ids {
		t.Fatalf("Merge led to %s, want /duplicates/merge?ids=%s", loc.RequestURI(), ids)
	}
	survivor := chromeEval[string](s.chromeTab, `document.querySelector('input[name=survivor]:checked').value`)
	if survivor != fmt.Sprint(first.ID) {
		t.Errorf("the record kept by default is %s, want the older one, %d", survivor, first.ID)
	}
	radio := func(field string, id int64) string {
		return fmt.Sprintf(`[data-testid=merge-form] tr[data-field=%s]:not([data-union]) input[type=radio][value="%d"]`, field, id)
	}
	checked := func(sel string) bool {
		return chromeEval[bool](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).checked`, sel))
	}
	if !checked(radio("job_title", first.ID)) {
		t.Errorf("the job title proposed is not the first record's, the one changed last")
	}
	if got := chromeEval[string](s.chromeTab, fmt.Sprintf(`document.querySelector(%q).parentElement.textContent.trim()`, radio("job_title", second.ID))); got != "Manajer Pembelian" {
		t.Errorf("the second record's job title reads %q on the merge form, want Manajer Pembelian", got)
	}
	s.do("choose the second record's job title", chromedp.Click(chromedp.CSS(radio("job_title", second.ID))))
	if !checked(radio("job_title", second.ID)) || checked(radio("job_title", first.ID)) {
		t.Fatalf("clicking the second record's job title did not choose it")
	}
	s.click("[data-testid=merge-submit]")
	s.wantPath("merge", fmt.Sprintf("/contacts/%d", first.ID))
	if got := s.text(".flash"); !strings.HasPrefix(got, "Merged.") {
		t.Errorf("flash after the merge = %q, want it to start with Merged.", got)
	}
	if got := s.text(jobTitle); got != "Manajer Pembelian" {
		t.Errorf("the merged contact's job title = %q, want the chosen Manajer Pembelian", got)
	}
	if got := s.text("[data-testid=record-fields] [data-field=city] dd"); got != "Cimahi" {
		t.Errorf("the merged contact's city = %q, want Cimahi, the value proposed", got)
	}
	if got := s.text("[data-testid=record-fields] [data-field=phones] dd"); got != "0812-7777-8888" {
		t.Errorf("the merged contact's phones = %q, want the second record's 0812-7777-8888", got)
	}

	// 3. The second record is in no list, only in the trash.
	s.open("/contacts")
	listed := slices.Sorted(maps.Keys(s.listedRecords()))
	if want := []int64{first.ID, other.ID}; !slices.Equal(listed, want) {
		t.Errorf("after the merge the contacts list shows records %v, want %v", listed, want)
	}
	s.openURI("/contacts?filter=" + url.QueryEscape(`first_name = "Dewi"`))
	if got := slices.Collect(maps.Keys(s.listedRecords())); !slices.Equal(got, []int64{first.ID}) {
		t.Errorf("contacts named Dewi after the merge = %v, want only %d", got, first.ID)
	}
	s.click("[data-testid=trash-link]")
	if got := slices.Collect(maps.Keys(s.listedRecords())); !slices.Equal(got, []int64{second.ID}) {
		t.Errorf("the contacts' trash after the merge holds %v, want the merged record %d", got, second.ID)
	}
	s.openURI("/duplicates?entity=contacts")
	if got := s.text("[data-testid=no-duplicates]"); got == "" {
		t.Errorf("the duplicates page after the merge does not say there are none")
	}

	// 4. Undo from the merge history: both records back, as they were.
	s.click("[data-testid=merge-log]")
	if loc := s.location(); loc.Path != "/duplicates/merges" || loc.Query().Get("entity") != "contacts" {
		t.Fatalf("the merge history link led to %s, want /duplicates/merges?entity=contacts", loc.RequestURI())
	}
	merges := s.tableRows("[data-testid=merges]")
	if len(merges) != 1 || merges[0][1] != "Dewi Lestari" || merges[0][2] != fmt.Sprintf("Dewi Lestari (#%d)", second.ID) {
		t.Fatalf("the merge history = %q, want the one merge of #%d into Dewi Lestari", merges, second.ID)
	}
	s.click("[data-testid=merges] tbody tr[data-merge] button[type=submit]")
	s.wantPath("undo the merge", fmt.Sprintf("/contacts/%d", first.ID))
	if got := s.text(".flash"); !strings.HasPrefix(got, "The merge was undone") {
		t.Errorf("flash after the undo = %q, want it to start with The merge was undone", got)
	}
	if got := s.text(jobTitle); got != "Staf Pembelian" {
		t.Errorf("the first contact's job title after the undo = %q, want its own Staf Pembelian back", got)
	}
	s.open(fmt.Sprintf("/contacts/%d", second.ID))
	if got := s.text(jobTitle); got != "Manajer Pembelian" {
		t.Errorf("the second contact's job title after the undo = %q, want Manajer Pembelian", got)
	}
	s.open("/contacts")
	listed = slices.Sorted(maps.Keys(s.listedRecords()))
	if want := []int64{first.ID, second.ID, other.ID}; !slices.Equal(listed, want) {
		t.Errorf("after the undo the contacts list shows records %v, want %v", listed, want)
	}
	s.openURI("/duplicates/merges?entity=contacts")
	if got := s.textContent("[data-testid=merges] tbody tr[data-merge] .badge"); !strings.HasPrefix(got, "Undone") {
		t.Errorf("the merge history marks the merge %q, want Undone …", got)
	}
	s.openURI("/duplicates?entity=contacts")
	if got := s.text("[data-testid=duplicate-count]"); got != "Groups of likely duplicates: 1" {
		t.Errorf("after the undo the duplicates page says %q, want the pair found again", got)
	}

	s.checkConsole()
}
