package duplicates_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// family is a contact and a duplicate of it, each with an activity, a
// deal, an order, a converted lead and history of its own.
type family struct {
	account, otherAccount             int64
	survivor, merged                  int64
	activity, mergedActivity          int64
	deal, mergedDeal, order, mergedOr int64
	lead                              int64
}

func (c *crm) family(t *testing.T) family {
	t.Helper()
	admin := c.admin()
	var f family
	f.account = c.create(t, admin, c.Accounts, records.Input{"name": "PT Maju Jaya"}).ID
	f.otherAccount = c.create(t, admin, c.Accounts, records.Input{"name": "CV Lain"}).ID
	f.survivor = c.create(t, admin, c.Contacts, records.Input{"first_name": "Budi", "last_name": "Santoso",
		"emails": []string{"budi@maju.co.id"}, "phones": []string{"0812-3456-7890"}, "tags": []string{"vip"},
		"city": "Jakarta", "account_id": f.account}).ID
	f.merged = c.create(t, admin, c.Contacts, records.Input{"first_name": "Budi", "last_name": "Santosa",
		"emails": []string{"budi.s@gmail.com", "budi@maju.co.id"}, "phones": []string{"0813-1111-2222"}, "tags": []string{"reseller"},
		"city": "Bandung", "account_id": f.otherAccount}).ID
	// The duplicate is the one kept up to date: its later edit makes its
	// values the newest.
	if _, err := c.Store.Update(t.Context(), admin, c.Contacts, f.merged, records.Input{"job_title": "Manajer Pembelian"}, 0); err != nil {
		t.Fatal(err)
	}
	f.activity = c.create(t, admin, c.Activities, records.Input{"kind": "call", "subject": "Tanya harga", "related_type": "contacts", "related_id": f.survivor}).ID
	f.mergedActivity = c.create(t, admin, c.Activities, records.Input{"kind": "meeting", "subject": "Demo produk", "done": true,
		"related_type": "contacts", "related_id": f.merged}).ID
	f.deal = c.create(t, admin, c.Deals, records.Input{"name": "Seragam 2026", "contact_id": f.survivor}).ID
	f.mergedDeal = c.create(t, admin, c.Deals, records.Input{"name": "Kaos event", "contact_id": f.merged, "account_id": f.otherAccount}).ID
	f.order = c.create(t, admin, c.Orders, records.Input{"contact_id": f.survivor}).ID
	f.mergedOr = c.create(t, admin, c.Orders, records.Input{"contact_id": f.merged}).ID
	f.lead = c.create(t, admin, c.Leads, records.Input{"first_name": "Budi", "last_name": "Santosa"}).ID
	c.exec(t, "UPDATE leads SET converted_contact_id = $1 WHERE id = $2", f.merged, f.lead)
	return f
}

// snapshot is every row a merge of contacts touches, as text, without
// versions and change times (an undo is a change of its own).
func (c *crm) snapshot(t *testing.T, lastChange int64) map[string][]string {
	t.Helper()
	return map[string][]string{
		"contacts": c.rows(t, `SELECT id, first_name, COALESCE(last_name, ''), CAST(emails AS TEXT), CAST(phones AS TEXT), CAST(tags AS TEXT),
			COALESCE(job_title, ''), COALESCE(city, ''), account_id, owner_id, deleted_at, last_activity_at, CAST(custom AS TEXT) FROM contacts`),
		"contact_emails": c.rows(t, "SELECT contact_id, email FROM contact_emails"),
		"contact_phones": c.rows(t, "SELECT contact_id, phone FROM contact_phones"),
		"activities":     c.rows(t, "SELECT id, contact_id, account_id, related_type, related_id, deleted_at FROM activities"),
		"deals":          c.rows(t, "SELECT id, contact_id, account_id, deleted_at FROM deals"),
		"orders":         c.rows(t, "SELECT id, contact_id, account_id, deleted_at FROM orders"),
		"leads":          c.rows(t, "SELECT id, converted_contact_id, converted_account_id FROM leads"),
		"accounts":       c.rows(t, "SELECT id, name, deleted_at, last_activity_at FROM accounts"),
		"history":        c.rows(t, "SELECT id, entity, record_id, action FROM record_changes WHERE id <= $1", lastChange),
		"search":         c.rows(t, "SELECT entity, record_id FROM search_docs"),
	}
}

// searchText is every search document's title and body.
func (c *crm) searchText(t *testing.T) []string {
	if c.DB.Engine == store.Postgres {
		return c.rows(t, "SELECT title, body FROM search_docs")
	}
	return c.rows(t, "SELECT title, body FROM search_fts")
}

func (c *crm) lastChange(t *testing.T) int64 {
	return int64(c.count(t, "SELECT COALESCE(MAX(id), 0) FROM record_changes"))
}

func TestMergeKeepsEveryRelatedRecordOnTheSurvivor(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		f := c.family(t)
		mergedHistory := c.count(t, "SELECT COUNT(*) FROM record_changes WHERE entity = 'contacts' AND record_id = $1", f.merged)
		if mergedHistory != 2 {
			t.Fatalf("the duplicate has %d history rows, want 2 (created, updated)", mergedHistory)
		}
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
			"entity": "contacts", "survivor_id": f.survivor, "merged_ids": []int64{f.merged},
			// The survivor's city, although the duplicate's is newer;
			// the record ID may be written as text too.
			"values": map[string]any{"city": fmt.Sprint(f.survivor), "account_id": f.survivor},
		}).Want(t, 201).Map(t)
		rec := res["record"].(map[string]any)
		mg := res["merge"].(map[string]any)

		check := func(field string, want any) {
			t.Helper()
			if got := fmt.Sprint(rec[field]); got != fmt.Sprint(want) {
				t.Errorf("survivor's %s = %s, want %v", field, got, want)
			}
		}
		check("city", "Jakarta")                              // chosen
		check("job_title", "Manajer Pembelian")               // the newest non-empty
		check("last_name", "Santosa")                         // the newest non-empty
		check("account_id", f.account)                        // chosen
		check("emails", "[budi@maju.co.id budi.s@gmail.com]") // unioned, survivor's first
		check("phones", "[+6281234567890 +6281311112222]")
		check("tags", "[vip reseller]")
		if got := num(t, mg["survivor_id"]); got != f.survivor {
			t.Errorf("merge's survivor_id = %d", got)
		}

		// Everything that was the duplicate's is the survivor's.
		for _, q := range []string{
			"SELECT contact_id FROM activities WHERE id = $1",
			"SELECT related_id FROM activities WHERE id = $1",
		} {
			if got := c.count(t, q, f.mergedActivity); int64(got) != f.survivor {
				t.Errorf("%s: %d, want the survivor %d", q, got, f.survivor)
			}
		}
		if got := c.count(t, "SELECT contact_id FROM deals WHERE id = $1", f.mergedDeal); int64(got) != f.survivor {
			t.Errorf("deal's contact: %d", got)
		}
		if got := c.count(t, "SELECT contact_id FROM orders WHERE id = $1", f.mergedOr); int64(got) != f.survivor {
			t.Errorf("order's contact: %d", got)
		}
		if got := c.count(t, "SELECT converted_contact_id FROM leads WHERE id = $1", f.lead); int64(got) != f.survivor {
			t.Errorf("lead's contact: %d", got)
		}
		// The deal still names its own account: a merge of contacts does
		// not rewrite which company a deal was with.
		if got := c.count(t, "SELECT account_id FROM deals WHERE id = $1", f.mergedDeal); int64(got) != f.otherAccount {
			t.Errorf("deal's account changed to %d", got)
		}
		// The duplicate's whole history is on the survivor's timeline.
		var history struct {
			Items []struct {
				Action  string
				Changes map[string][2]any
			}
		}
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d/history", f.survivor), nil).Want(t, 200).JSON(t, &history)
		actions := map[string]int{}
		for _, h := range history.Items {
			actions[h.Action]++
		}
		if actions["created"] != 2 || actions["merged"] != 1 || actions["updated"] < 2 {
			t.Errorf("survivor's history: %v; want both creations, the duplicate's edit and the merge", actions)
		}
		if h := history.Items[0]; h.Action != "merged" || !strings.Contains(fmt.Sprint(h.Changes["merged"][1]), fmt.Sprintf("Budi Santosa (#%d)", f.merged)) {
			t.Errorf("the survivor's newest history entry is %s %v; want merged, naming the duplicate", h.Action, h.Changes)
		}
		// The duplicate is in the trash, marked as merged into the survivor.
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", f.merged), nil).Want(t, 404)
		trash := c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?trash=true", nil).Want(t, 200).Map(t)
		if items := trash["items"].([]any); len(items) != 1 || num(t, items[0].(map[string]any)["id"]) != f.merged {
			t.Errorf("trash holds %v", items)
		}
		if got := c.rows(t, "SELECT action, CAST(changes AS TEXT) FROM record_changes WHERE entity = 'contacts' AND record_id = $1", f.merged); len(got) != 1 ||
			!strings.HasPrefix(got[0], "merged|") || !strings.Contains(got[0], fmt.Sprintf(`"survivor_id"`)) || !strings.Contains(got[0], "Budi Santoso") {
			t.Errorf("the duplicate's own history is %v; want one merged entry naming the survivor", got)
		}
		// Lookups and search follow.
		if got := c.rows(t, "SELECT contact_id, email FROM contact_emails"); !reflect.DeepEqual(got, []string{
			fmt.Sprintf("%d|budi.s@gmail.com", f.survivor), fmt.Sprintf("%d|budi@maju.co.id", f.survivor)}) {
			t.Errorf("contact_emails: %v", got)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM search_docs WHERE entity = 'contacts' AND record_id = $1", f.merged); n != 0 {
			t.Errorf("the merged contact is still in search")
		}
		// The survivor's last activity is the latest of both.
		if got := c.rows(t, "SELECT last_activity_at FROM contacts WHERE id = $1", f.survivor); got[0] == "NULL" {
			t.Errorf("survivor's last activity is empty")
		}
		if got := c.groups(t, c.AdminToken, "contacts"); len(got) != 0 {
			t.Errorf("after the merge, duplicates: %v", got)
		}
	})
}

func TestUndoRestoresEverythingExactly(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		f := c.family(t)
		last := c.lastChange(t)
		before := c.snapshot(t, last)
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
			"entity": "contacts", "survivor_id": f.survivor, "merged_ids": []int64{f.merged}}).Want(t, 201).Map(t)
		mergeID := num(t, res["merge"].(map[string]any)["id"])
		if reflect.DeepEqual(before, c.snapshot(t, last)) {
			t.Fatal("the merge changed nothing")
		}
		undone := c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), nil).Want(t, 200).Map(t)
		if undone["merge"].(map[string]any)["undone_at"] == nil {
			t.Error("the merge does not say it was undone")
		}
		after := c.snapshot(t, last)
		for table := range before {
			if !reflect.DeepEqual(before[table], after[table]) {
				t.Errorf("%s after the undo:\n got %v\nwant %v", table, after[table], before[table])
			}
		}
		for _, id := range []int64{f.survivor, f.merged} {
			if n := c.count(t, "SELECT COUNT(*) FROM record_changes WHERE entity = 'contacts' AND record_id = $1 AND action = 'merge_undone'", id); n != 1 {
				t.Errorf("contact %d has %d merge_undone entries", id, n)
			}
		}
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", f.merged), nil).Want(t, 200)
		// Once is enough.
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), nil).Want(t, 409)
		// And the two are offered as duplicates again.
		if got := c.groups(t, c.AdminToken, "contacts"); len(got[ids(f.survivor, f.merged)]) == 0 {
			t.Errorf("after the undo, duplicates: %v", got)
		}
	})
}

func TestUndoIsRefusedWhenItWouldLoseLaterWork(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		merge := func(survivor, merged int64) int64 {
			res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
				"entity": "contacts", "survivor_id": survivor, "merged_ids": []int64{merged}}).Want(t, 201).Map(t)
			return num(t, res["merge"].(map[string]any)["id"])
		}
		undo := func(id int64, status int, says string) {
			t.Helper()
			res := c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", id), nil).Want(t, status)
			if !strings.Contains(string(res.Body), says) {
				t.Errorf("undo answered %s; want it to say %q", res.Body, says)
			}
		}
		contact := func(name string) int64 {
			return c.create(t, admin, c.Contacts, records.Input{"first_name": name, "emails": []string{"sama@x.id"}}).ID
		}

		// The survivor edited after the merge.
		s1, m1 := contact("Eka"), contact("Eka")
		id1 := merge(s1, m1)
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", s1), map[string]any{"city": "Medan"}).Want(t, 200)
		undo(id1, 409, "changed after the merge")
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", m1), nil).Want(t, 404)

		// A merged record restored from the trash by hand.
		s2, m2 := contact("Dwi"), contact("Dwi")
		id2 := merge(s2, m2)
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/contacts/%d/restore", m2), nil).Want(t, 200)
		undo(id2, 409, "no longer in the trash")

		// A moved activity moved on to someone else.
		s3, m3 := contact("Tri"), contact("Tri")
		other := contact("Lain")
		act := c.create(t, admin, c.Activities, records.Input{"kind": "note", "subject": "Catatan", "related_type": "contacts", "related_id": m3}).ID
		id3 := merge(s3, m3)
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/activities/%d", act), map[string]any{"related_id": other}).Want(t, 200)
		undo(id3, 409, "point elsewhere now")

		undo(9999, 404, "No such merge")
	})
}

func TestMergeAccountsAndLeads(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		keep := c.create(t, admin, c.Accounts, records.Input{"name": "PT Sinar Jaya", "tags": []string{"distributor"}}).ID
		dup := c.create(t, admin, c.Accounts, records.Input{"name": "Sinar Jaya Tbk", "domain": "sinarjaya.co.id", "tags": []string{"jakarta"}}).ID
		person := c.create(t, admin, c.Contacts, records.Input{"first_name": "Wati", "account_id": dup}).ID
		deal := c.create(t, admin, c.Deals, records.Input{"name": "Kontrak", "account_id": dup}).ID
		act := c.create(t, admin, c.Activities, records.Input{"kind": "call", "subject": "Telepon", "related_type": "accounts", "related_id": dup}).ID
		last := c.lastChange(t)
		before := map[string][]string{
			"contacts":   c.rows(t, "SELECT id, account_id FROM contacts"),
			"deals":      c.rows(t, "SELECT id, account_id FROM deals"),
			"activities": c.rows(t, "SELECT id, account_id, related_id FROM activities"),
			"search":     c.searchText(t),
		}
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
			"entity": "accounts", "survivor_id": keep, "merged_ids": []int64{dup}, "values": map[string]any{"name": keep}}).Want(t, 201).Map(t)
		rec := res["record"].(map[string]any)
		if rec["name"] != "PT Sinar Jaya" || rec["domain"] != "sinarjaya.co.id" || fmt.Sprint(rec["tags"]) != "[distributor jakarta]" {
			t.Errorf("survivor: name %v, domain %v, tags %v", rec["name"], rec["domain"], rec["tags"])
		}
		for q, id := range map[string]int64{
			"SELECT account_id FROM contacts WHERE id = $1":   person,
			"SELECT account_id FROM deals WHERE id = $1":      deal,
			"SELECT account_id FROM activities WHERE id = $1": act,
			"SELECT related_id FROM activities WHERE id = $1": act,
		} {
			if got := c.count(t, q, id); int64(got) != keep {
				t.Errorf("%s (%d) = %d, want %d", q, id, got, keep)
			}
		}
		// The contact's search document names its new account.
		if got := c.searchText(t); !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "Wati|") && strings.Contains(s, "PT Sinar Jaya") }) {
			t.Errorf("the contact's search document does not name the kept account")
		}
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", num(t, res["merge"].(map[string]any)["id"])), nil).Want(t, 200)
		after := map[string][]string{
			"contacts":   c.rows(t, "SELECT id, account_id FROM contacts"),
			"deals":      c.rows(t, "SELECT id, account_id FROM deals"),
			"activities": c.rows(t, "SELECT id, account_id, related_id FROM activities"),
			"search":     c.searchText(t),
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("after the undo:\n got %v\nwant %v", after, before)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM record_changes WHERE id <= $1 AND entity = 'accounts' AND record_id = $2", last, dup); n != 1 {
			t.Errorf("the account's own history (created) is not back on it: %d rows", n)
		}

		// Leads: the survivor keeps its status, the duplicate's activities follow.
		l1 := c.create(t, admin, c.Leads, records.Input{"first_name": "Dewi", "email": "dewi@toko.id"}).ID
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/leads/%d", l1), map[string]any{"status": "contacted"}).Want(t, 200)
		l2 := c.create(t, admin, c.Leads, records.Input{"first_name": "Dewi", "last_name": "Lestari", "email": "dewi@toko.id", "company": "Toko Dewi"}).ID
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/leads/%d", l2), map[string]any{"status": "qualified"}).Want(t, 200)
		la := c.create(t, admin, c.Activities, records.Input{"kind": "email", "subject": "Penawaran", "related_type": "leads", "related_id": l2}).ID
		res = c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
			"entity": "leads", "survivor_id": l1, "merged_ids": []int64{l2}}).Want(t, 201).Map(t)
		rec = res["record"].(map[string]any)
		if rec["status"] != "contacted" || rec["company"] != "Toko Dewi" || rec["last_name"] != "Lestari" {
			t.Errorf("lead survivor: status %v, company %v, last name %v", rec["status"], rec["company"], rec["last_name"])
		}
		if got := c.count(t, "SELECT related_id FROM activities WHERE id = $1", la); int64(got) != l1 {
			t.Errorf("the lead activity is on %d", got)
		}
	})
}

func TestMergeNeedsTheRightToChangeEveryRecord(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, 0)
		mia, miaToken := c.User(t, "mia@example.co.id", auth.Marketing, 0)
		_, readerToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)
		anis := c.create(t, ani.Principal(), c.Contacts, records.Input{"first_name": "Fajar", "emails": []string{"f@x.id"}}).ID
		mias := c.create(t, mia.Principal(), c.Contacts, records.Input{"first_name": "Fajar", "emails": []string{"f@x.id"}}).ID
		body := map[string]any{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{anis}}
		// Marketing reads every contact but changes only its own.
		c.Do(t, miaToken, "POST", "/api/v1/duplicates/merge", body).Want(t, 403)
		// Sales does not even see the other's.
		c.Do(t, aniToken, "POST", "/api/v1/duplicates/merge", body).Want(t, 404)
		c.Do(t, readerToken, "POST", "/api/v1/duplicates/merge", body).Want(t, 403)
		if n := c.count(t, "SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL"); n != 2 {
			t.Fatalf("a refused merge left %d live contacts", n)
		}
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", body).Want(t, 201).Map(t)
		mergeID := num(t, res["merge"].(map[string]any)["id"])
		// The log shows a merge to those who may read the survivor.
		c.Do(t, miaToken, "GET", fmt.Sprintf("/api/v1/merges/%d", mergeID), nil).Want(t, 200)
		c.Do(t, aniToken, "GET", fmt.Sprintf("/api/v1/merges/%d", mergeID), nil).Want(t, 404)
		c.Do(t, aniToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), nil).Want(t, 404)
		// Mia owns the survivor but not the merged record in the trash.
		c.Do(t, miaToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), nil).Want(t, 403)

		for _, bad := range []map[string]any{
			{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{}},
			{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{mias}},
			{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{anis, anis}},
			{"entity": "deals", "survivor_id": mias, "merged_ids": []int64{anis}},
			{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{anis}, "values": map[string]any{"nope": mias}},
			{"entity": "contacts", "survivor_id": mias, "merged_ids": []int64{anis}, "values": map[string]any{"last_activity_at": mias}},
		} {
			c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", bad).Want(t, 422)
		}
	})
}

func TestMergeRefusesRecordsChangedMeanwhile(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		a := c.create(t, admin, c.Contacts, records.Input{"first_name": "Gita"})
		b := c.create(t, admin, c.Contacts, records.Input{"first_name": "Gita"})
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", b.ID), map[string]any{"city": "Solo"}).Want(t, 200)
		c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
			"entity": "contacts", "survivor_id": a.ID, "merged_ids": []int64{b.ID},
			"versions": map[string]any{fmt.Sprint(a.ID): a.Version, fmt.Sprint(b.ID): b.Version}}).Want(t, 412)
	})
}

func TestEveryLinkToAMergedRecordIsAReference(t *testing.T) {
	c := start(t, storetest.Engines()[0])
	reg := records.NewRegistry(c.Accounts, c.Contacts, c.Leads, c.Deals, c.Activities, c.Products, c.Orders)
	if missing := duplicates.MissingReferences(reg); len(missing) > 0 {
		t.Errorf("links a merge would leave behind; add them to duplicates.References: %v", missing)
	}
	// The check sees a new link.
	extra := &records.Entity{Name: "cases", Table: "cases", Fields: []records.Field{{Name: "contact_id", Kind: records.Ref, Ref: "contacts", Column: "contact_id"}}}
	if missing := duplicates.MissingReferences(records.NewRegistry(extra)); len(missing) != 1 || missing[0] != "cases.contact_id → contacts" {
		t.Errorf("missing for a new module: %v", missing)
	}
}

func TestMergesIntoOneRecordUndoInReverseOrder(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		contact := func(name, email string) int64 {
			return c.create(t, admin, c.Contacts, records.Input{"first_name": name, "emails": []string{email, "sama@x.id"}}).ID
		}
		s, m1, m2 := contact("Umi", "umi@x.id"), contact("Umi", "umi1@x.id"), contact("Umi", "umi2@x.id")
		c.create(t, admin, c.Activities, records.Input{"kind": "call", "subject": "Satu", "related_type": "contacts", "related_id": m1})
		c.create(t, admin, c.Activities, records.Input{"kind": "call", "subject": "Dua", "related_type": "contacts", "related_id": m2})
		last := c.lastChange(t)
		before := c.snapshot(t, last)
		merge := func(merged int64) int64 {
			res := c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/merge", map[string]any{
				"entity": "contacts", "survivor_id": s, "merged_ids": []int64{merged}}).Want(t, 201).Map(t)
			return num(t, res["merge"].(map[string]any)["id"])
		}
		first, second := merge(m1), merge(m2)
		// The first merge's values are gone from the survivor while the
		// second stands.
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", first), nil).Want(t, 409)
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", second), nil).Want(t, 200)
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", first), nil).Want(t, 200)
		after := c.snapshot(t, last)
		for table := range before {
			if !reflect.DeepEqual(before[table], after[table]) {
				t.Errorf("%s after both undos:\n got %v\nwant %v", table, after[table], before[table])
			}
		}
	})
}

// Saying records are not duplicates hides them from everyone's list, so
// it needs what a merge needs: the right to change every one of them.
func TestDismissNeedsTheRightToChangeEveryRecord(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, _ := c.User(t, "ani@example.co.id", auth.Sales, 0)
		mia, miaToken := c.User(t, "mia@example.co.id", auth.Marketing, 0)
		_, readerToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)
		anis := c.create(t, ani.Principal(), c.Contacts, records.Input{"first_name": "Fajar", "emails": []string{"f@x.id"}}).ID
		mias := c.create(t, mia.Principal(), c.Contacts, records.Input{"first_name": "Fajar", "emails": []string{"f@x.id"}}).ID
		body := map[string]any{"entity": "contacts", "ids": []int64{anis, mias}}
		// Marketing reads every contact but changes only its own.
		c.Do(t, miaToken, "POST", "/api/v1/duplicates/dismiss", body).Want(t, 403)
		c.Do(t, readerToken, "POST", "/api/v1/duplicates/dismiss", body).Want(t, 403)
		if n := c.count(t, "SELECT COUNT(*) FROM duplicate_dismissals"); n != 0 {
			t.Fatalf("a refused dismissal left %d rows", n)
		}
		want := map[string][]string{ids(anis, mias): {"email:f@x.id"}}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("after refused dismissals: got %v, want %v", got, want)
		}

		// The page offers neither merge nor dismissal of the group to
		// marketing, and a dismissal posted anyway changes nothing.
		b := c.browser(t, "mia@example.co.id")
		status, page := b.get("/duplicates?entity=contacts")
		wantPage(t, status, page, 200, "Groups of likely duplicates: 1")
		if strings.Contains(page, `action="/duplicates/dismiss"`) || strings.Contains(page, `data-testid="merge-link"`) {
			t.Error("marketing is offered to merge or dismiss records it may not change")
		}
		res, _ := b.submit("/duplicates?entity=contacts", "/duplicates/dismiss", url.Values{"entity": {"contacts"}, "ids": {ids(anis, mias)}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a dismissal posted by marketing: %d, want 403", res.StatusCode)
		}
		if n := c.count(t, "SELECT COUNT(*) FROM duplicate_dismissals"); n != 0 {
			t.Fatalf("a refused dismissal from the page left %d rows", n)
		}
		// Its own duplicates marketing may dismiss.
		own := c.create(t, mia.Principal(), c.Contacts, records.Input{"first_name": "Fajar", "emails": []string{"f@x.id"}}).ID
		c.Do(t, miaToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{mias, own}}).Want(t, 204)
	})
}
