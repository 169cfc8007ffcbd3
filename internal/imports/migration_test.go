package imports_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/people"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/web"
)

// hubspot is a contacts export as HubSpot writes it: the owner by name
// (Dewi's written in another case), by e-mail address, and one who is no
// Relasi user; creation times in three notations.
const hubspot = "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Lifecycle Stage,Create Date\n" +
	"1025,Budi,Santoso,budi@maju.co.id,0812-3456-7890,dewi LESTARI,customer,2021-03-05 09:12\n" +
	"1026,Rina,Wati,rina@maju.co.id,,sari@example.co.id,lead,2019-07-01T02:00:00Z\n" +
	"1027,Tono,Hadi,tono@maju.co.id,,Agus Salim,lead,03/05/2020 09:12 AM\n"

// migrate uploads a file and imports it with the guessed mapping (and
// the guessed external-ID system, unless opts names one) and opts.
func (c *crm) migrate(t *testing.T, p auth.Principal, entity, content string, opts imports.Options, dryRun bool) imports.Import {
	t.Helper()
	return c.runWith(t, p, entity, entity+".csv", content, opts, dryRun)
}

func (c *crm) contactID(t *testing.T, first string) int64 {
	t.Helper()
	var id int64
	if err := c.DB.Read().QueryRow("SELECT id FROM contacts WHERE first_name = $1 AND deleted_at IS NULL", first).Scan(&id); err != nil {
		t.Fatalf("contact %s: %v", first, err)
	}
	return id
}

func TestMigrationFromHubSpot(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
		c.Store.SetClock(func() time.Time { return now })
		dewi, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "dewi@example.co.id", Name: "Dewi Lestari", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		admin := c.Admin.Principal()

		up := c.upload(t, admin, "contacts", "hubspot.csv", hubspot)
		want := []string{imports.ExternalID, "first_name", "last_name", "emails", "phones", "owner_id", "lifecycle_stage", imports.CreatedAt}
		if strings.Join(up.Mapping, ",") != strings.Join(want, ",") || up.Options.ExternalSystem != "hubspot" {
			t.Fatalf("guessed %v for %s, want %v for hubspot", up.Mapping, up.Options.ExternalSystem, want)
		}
		owners, err := c.M.Owners(ctx, up, up.Mapping)
		if err != nil {
			t.Fatal(err)
		}
		if owners.Column != "Contact owner" || owners.Rows != 3 || owners.KnownRows != 2 || owners.UnknownRows != 1 ||
			len(owners.Unknown) != 1 || owners.Unknown[0] != (imports.OwnerCount{Name: "Agus Salim", Rows: 1}) {
			t.Errorf("owners before the import: %+v", owners)
		}
		c.M.Remove(ctx, admin, up.ID)

		imp := c.migrate(t, admin, "contacts", hubspot, imports.Options{}, false)
		if imp.Counts != (imports.Counts{Created: 3}) {
			t.Fatalf("%+v: %q", imp.Counts, c.failures(t, imp.ID))
		}
		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		e := c.entity(t, "contacts")
		for _, w := range []struct {
			first   string
			owner   int64
			created time.Time
			ext     string
		}{
			{"Budi", dewi.ID, time.Date(2021, 3, 5, 9, 12, 0, 0, jakarta), "1025"},
			{"Rina", c.Admin.ID, time.Date(2019, 7, 1, 2, 0, 0, 0, time.UTC), "1026"},
			{"Tono", c.Admin.ID, time.Date(2020, 3, 5, 9, 12, 0, 0, jakarta), "1027"}, // unknown: the importer's
		} {
			id := c.contactID(t, w.first)
			rec, err := c.Store.Get(ctx, admin, e, id)
			if err != nil {
				t.Fatal(err)
			}
			if rec.OwnerID != w.owner || !rec.CreatedAt.Equal(w.created) || !rec.UpdatedAt.Equal(now) {
				t.Errorf("%s: owner %d created %s updated %s, want %d, %s and the import's time", w.first, rec.OwnerID, rec.CreatedAt, rec.UpdatedAt, w.owner, w.created)
			}
			ids, err := records.ExternalIDsOf(ctx, c.DB.Read(), "contacts", id)
			if err != nil || len(ids) != 1 || ids[0].Label() != "hubspot:"+w.ext || ids[0].ImportID != imp.ID {
				t.Errorf("%s: external IDs %+v %v", w.first, ids, err)
			}
			// The history says when the record came in, and by whom, with
			// the original time as a change.
			h, err := c.Store.History(ctx, "contacts", id, 10)
			if err != nil || len(h) != 1 || h[0].Action != "created" || !h[0].At.Equal(now) || h[0].ActorID == nil || *h[0].ActorID != c.Admin.ID {
				t.Fatalf("%s: history %+v %v", w.first, h, err)
			}
			if got, _ := h[0].Changes["created_at"][1].(string); got != w.created.UTC().Format(time.RFC3339) {
				t.Errorf("%s: the history's created_at %v, want %s", w.first, h[0].Changes["created_at"], w.created.UTC().Format(time.RFC3339))
			}
		}

		// Lists sorted by creation put the imported records at their age.
		if _, err := c.Store.Create(ctx, admin, e, records.Input{"first_name": "Baru"}); err != nil {
			t.Fatal(err)
		}
		list, err := c.Store.List(ctx, admin, e, records.Query{Page: url.Values{"sort": {"-created_at"}}})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, r := range list.Items {
			order = append(order, r.String("first_name"))
		}
		if strings.Join(order, ",") != "Baru,Budi,Tono,Rina" {
			t.Errorf("newest first: %v", order)
		}
		page2, err := c.Store.List(ctx, admin, e, records.Query{Page: url.Values{"sort": {"-created_at"}, "limit": {"2"}}})
		if err != nil || len(page2.Items) != 2 || page2.NextCursor == "" {
			t.Fatalf("first page of two: %+v %v", page2, err)
		}
		rest, err := c.Store.List(ctx, admin, e, records.Query{Page: url.Values{"sort": {"-created_at"}, "limit": {"2"}, "cursor": {page2.NextCursor}}})
		if err != nil || len(rest.Items) != 2 || rest.Items[0].String("first_name") != "Tono" || rest.Items[1].String("first_name") != "Rina" {
			t.Errorf("second page: %+v %v", rest.Items, err)
		}

		// Search finds a contact by the ID it had.
		for _, q := range []string{"1025", "hubspot:1025"} {
			hits, err := search.Search(ctx, c.DB, admin, q, 10)
			if err != nil || len(hits) != 1 || hits[0].Entity != "contacts" || hits[0].ID != c.contactID(t, "Budi") {
				t.Errorf("search %q: %+v %v", q, hits, err)
			}
		}

		// The same export again: found by its IDs, nothing new.
		again := c.migrate(t, admin, "contacts", hubspot, imports.Options{OnDuplicate: imports.Update}, false)
		if again.Counts.Created != 0 || again.Counts.Updated+again.Counts.Skipped != 3 || again.Counts.Failed != 0 {
			t.Errorf("the same file again: %+v: %q", again.Counts, c.failures(t, again.ID))
		}
		// A later export, where Rina's e-mail address changed and every
		// stage moved on: the IDs find all three, and update them.
		later := strings.NewReplacer("rina@maju.co.id", "rina.wati@maju.co.id", ",customer,", ",loyalty,", ",lead,", ",customer,").Replace(hubspot)
		dry := c.migrate(t, admin, "contacts", later, imports.Options{OnDuplicate: imports.Update}, true)
		if dry.Counts != (imports.Counts{Updated: 3}) {
			t.Errorf("dry run of the later export: %+v: %q", dry.Counts, c.failures(t, dry.ID))
		}
		upd := c.migrate(t, admin, "contacts", later, imports.Options{OnDuplicate: imports.Update}, false)
		if upd.Counts != (imports.Counts{Updated: 3}) {
			t.Errorf("the later export: %+v: %q", upd.Counts, c.failures(t, upd.ID))
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts"); n != 4 {
			t.Errorf("%d contacts, want 4", n)
		}
		rina, _ := c.Store.Get(ctx, admin, e, c.contactID(t, "Rina"))
		if got := rina.Strings("emails"); len(got) != 2 || !rina.CreatedAt.Equal(time.Date(2019, 7, 1, 2, 0, 0, 0, time.UTC)) {
			t.Errorf("Rina after the update: %v, created %s", got, rina.CreatedAt)
		}
		// With on_duplicate=create an ID cannot be had twice.
		twice := c.migrate(t, admin, "contacts", hubspot, imports.Options{OnDuplicate: imports.Create}, false)
		if f := c.failures(t, twice.ID); twice.Counts.Created != 0 || len(f) != 3 ||
			!strings.Contains(f[0], `field external_id (column "Record ID"): holds "1025", the ID of contacts `) {
			t.Errorf("create twice: %+v %q", twice.Counts, f)
		}

		// Undo of the later import keeps the IDs (it attached none); a
		// trashed record's ID does not block a new import, which takes it.
		budi := c.contactID(t, "Budi")
		if err := c.Store.Delete(ctx, admin, e, budi); err != nil {
			t.Fatal(err)
		}
		if hits, _ := search.Search(ctx, c.DB, admin, "1025", 10); len(hits) != 0 {
			t.Errorf("a trashed contact is found: %+v", hits)
		}
		back := c.migrate(t, admin, "contacts", "Record ID,First Name,Create Date\n1025,Budi,2021-03-05\n", imports.Options{OnDuplicate: imports.Update, ExternalSystem: "hubspot"}, false)
		if back.Counts != (imports.Counts{Created: 1}) {
			t.Fatalf("re-import of a trashed record: %+v %q", back.Counts, c.failures(t, back.ID))
		}
		newBudi := c.contactID(t, "Budi")
		if n := c.count(t, "SELECT COUNT(*) FROM external_ids WHERE entity = 'contacts' AND external_id = '1025' AND record_id = $1", newBudi); n != 1 || newBudi == budi {
			t.Errorf("the new record does not hold the ID")
		}
		if _, err := c.M.Undo(ctx, admin, back.ID, nil); err != nil {
			t.Fatal(err)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM external_ids WHERE external_id = '1025'"); n != 0 {
			t.Errorf("undo left the ID it attached (%d)", n)
		}
		first, err := c.M.Undo(ctx, admin, imp.ID, nil)
		// Budi is in the trash already; Rina and Tono changed since.
		if err != nil || first.Counts.Undone != 0 || first.Counts.Kept != 2 {
			t.Fatalf("undo of the first import: %+v %v", first.Counts, err)
		}
		// Kept with their IDs.
		if n := c.count(t, "SELECT COUNT(*) FROM external_ids"); n != 2 {
			t.Errorf("%d external IDs after undoing the first import, want Rina's and Tono's", n)
		}
	})
}

// Unknown owners: the importer's, one user's, or rejected; and a sales
// user gives records to nobody else.
func TestUnknownOwners(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		dewi, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "dewi@example.co.id", Name: "Dewi Lestari", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		joko, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "joko@example.co.id", Name: "Joko", Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		file := func(first string) string {
			return "Nama,Pemilik\n" + first + " Satu,Agus Salim\n" + first + " Dua,Dewi Lestari\n"
		}
		owner := func(first string) int64 {
			var id int64
			c.DB.Read().QueryRow("SELECT COALESCE(owner_id, 0) FROM contacts WHERE first_name = $1 AND last_name = 'Satu'", first).Scan(&id)
			return id
		}
		admin := c.Admin.Principal()
		if imp := c.migrate(t, admin, "contacts", file("Ani"), imports.Options{}, false); imp.Counts.Created != 2 || owner("Ani") != c.Admin.ID {
			t.Errorf("default: %+v, owner %d", imp.Counts, owner("Ani"))
		}
		if imp := c.migrate(t, admin, "contacts", file("Bea"), imports.Options{UnknownOwner: imports.OwnerImporter}, false); imp.Counts.Created != 2 || owner("Bea") != c.Admin.ID {
			t.Errorf("importer: %+v, owner %d", imp.Counts, owner("Bea"))
		}
		if imp := c.migrate(t, admin, "contacts", file("Cici"), imports.Options{UnknownOwner: imports.OwnerUser, UnknownOwnerID: joko.ID}, false); imp.Counts.Created != 2 || owner("Cici") != joko.ID {
			t.Errorf("user: %+v, owner %d", imp.Counts, owner("Cici"))
		}
		imp := c.migrate(t, admin, "contacts", file("Dodi"), imports.Options{UnknownOwner: imports.OwnerReject}, false)
		if f := c.failures(t, imp.ID); imp.Counts.Created != 1 || len(f) != 1 || f[0] != `row 2: field owner_id (column "Pemilik"): no user has the e-mail address or name "Agus Salim"` {
			t.Errorf("reject: %+v %q", imp.Counts, f)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE first_name = 'Dodi' AND owner_id = $1", dewi.ID); n != 1 {
			t.Error("a known owner was not set")
		}

		// A sales user: unknown owners become theirs; a row naming another
		// user is rejected, with a reason in words.
		sales := joko.Principal()
		imp = c.migrate(t, sales, "contacts", file("Eka"), imports.Options{}, false)
		if f := c.failures(t, imp.ID); imp.Counts.Created != 1 || len(f) != 1 ||
			f[0] != `row 3: field owner_id (column "Pemilik"): names Dewi Lestari as the owner, and your role (sales) may not give records to other users` {
			t.Errorf("sales: %+v %q", imp.Counts, f)
		}
		if owner("Eka") != joko.ID {
			t.Errorf("Eka's owner %d, want the importer", owner("Eka"))
		}
		// Nor may a sales user send unknown owners to someone else.
		up := c.upload(t, sales, "contacts", "x.csv", file("Fani"))
		_, err = c.M.Configure(ctx, sales, up.ID, up.Mapping, imports.Options{UnknownOwner: imports.OwnerUser, UnknownOwnerID: dewi.ID}, false)
		if e, ok := errs.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "unknown_owner_id" || e.Fields[0].Code != "owner_not_yours" {
			t.Errorf("a sales user sent unknown owners to another user: %v", err)
		}
		// IDs of a system no header tells need the system named.
		up = c.upload(t, admin, "contacts", "y.csv", "ID Lama,Nama\n7,Ani\n")
		if up.Mapping[0] != imports.ExternalID || up.Options.ExternalSystem != "" {
			t.Fatalf("guessed %v, %q", up.Mapping, up.Options.ExternalSystem)
		}
		_, err = c.M.Configure(ctx, admin, up.ID, up.Mapping, imports.Options{}, false)
		if e, ok := errs.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "external_system" || e.Fields[0].Code != "required" {
			t.Errorf("IDs without a system: %v", err)
		}
		// Two users of one name: the row cannot tell which.
		if _, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "dewi2@example.co.id", Name: "Dewi Lestari", Password: "rahasia-123", Role: auth.Sales}); err != nil {
			t.Fatal(err)
		}
		imp = c.migrate(t, admin, "contacts", file("Gita"), imports.Options{}, false)
		if f := c.failures(t, imp.ID); len(f) != 1 || !strings.Contains(f[0], `2 users are named "Dewi Lestari"`) {
			t.Errorf("ambiguous: %q", f)
		}
	})
}

// A creation time in the future is refused, with the cell.
func TestCreatedInTheFuture(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		c.Store.SetClock(func() time.Time { return time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC) })
		imp := c.migrate(t, c.Admin.Principal(), "contacts", "Nama,Tanggal Dibuat\nAni,2026-05-03\nBea,2026-05-05\nCici,kemarin\nDodi,45356.5\n", imports.Options{}, false)
		f := c.failures(t, imp.ID)
		if imp.Counts.Created != 2 || len(f) != 2 ||
			f[0] != `row 3: field created_at (column "Tanggal Dibuat"): holds "2026-05-05", which is in the future: a record cannot have been created after now` ||
			f[1] != `row 4: field created_at (column "Tanggal Dibuat"): holds "kemarin", which is not a date and time` {
			t.Errorf("%+v %q", imp.Counts, f)
		}
		var created time.Time
		if err := c.DB.Read().QueryRow("SELECT created_at FROM contacts WHERE first_name = 'Dodi'").Scan(&created); err != nil ||
			!created.Equal(time.Date(2024, 3, 5, 5, 0, 0, 0, time.UTC)) { // 12:00 in Jakarta
			t.Errorf("an Excel serial: %s %v", created, err)
		}
	})
}

// The record page says where an imported record came from; the mapping
// page counts the unknown owners and offers the choice.
func TestMigrationPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		if _, err := c.Auth.CreateUser(ctx, auth.NewUser{Email: "dewi@example.co.id", Name: "Dewi Lestari", Password: "rahasia-123", Role: auth.Sales}); err != nil {
			t.Fatal(err)
		}
		catalog, _ := i18n.Load()
		assets, _ := web.LoadAssets()
		renderer, err := web.NewRenderer(catalog, assets, people.Templates(), records.Templates(), imports.Templates())
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		rt := web.NewRouter(mux, renderer, c.Auth, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		rt.RegisterSessionPages()
		c.M.RegisterWeb(rt)
		records.RegisterWeb(rt, c.Store, c.entity(t, "contacts"))
		rt.RegisterNotFound()
		s := &webCRM{crm: c, Server: httptest.NewServer(httpx.SecurityHeaders(false, mux))}
		t.Cleanup(s.Server.Close)
		b := s.signIn(t, "sari@example.co.id")

		mappingURL := wantRedirect(t, b.upload("contacts", "hubspot.csv", hubspot), `/imports/\d+/mapping`)
		mp := b.get(mappingURL)
		wantPage(t, mp, `data-testid="unknown-owner-count">1 rows name an owner in column “Contact owner” who is no Relasi user:`,
			"<li>Agus Salim", `name="unknown_owner" value="importer" checked`, `name="external_system" list="external-systems" value="hubspot"`)
		// values_shown: the page showed the lifecycle column's values (their
		// guessed decisions stand).
		form := url.Values{"on_duplicate": {"skip"}, "unknown_owner": {"reject"}, "external_system": {"hubspot"}, "values_shown": {"lifecycle_stage"}}
		for col, field := range []string{imports.ExternalID, "first_name", "last_name", "emails", "phones", "owner_id", "lifecycle_stage", imports.CreatedAt} {
			form.Set("col_"+itoa(int64(col)), field)
		}
		form.Set("external_system", "HubSpot")
		report := wantRedirect(t, b.post(mappingURL, mappingURL, form), `/imports/\d+`)
		wantPage(t, b.get(report), `data-testid="owner-report"`, "Those rows will be rejected.", `data-testid="count-failed">1<`)
		started := wantRedirect(t, b.post(report, report+"/start", url.Values{}), `/imports/\d+`)
		wantPage(t, b.get(started), `data-testid="count-created">2<`)

		id := c.contactID(t, "Budi")
		wantPage(t, b.get("/contacts/"+itoa(id)), `data-testid="external-id">Imported from HubSpot as 1025<`)
	})
}
