package trash_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/trash"
)

func TestTrashListsDeletedRecordsOfEveryEntity(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		sari, sariToken := c.User(t, "sari@example.co.id", auth.Sales, 0)
		_, readerToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		budi := c.create(t, sariToken, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso"})
		lead := c.create(t, c.AdminToken, "leads", map[string]any{"first_name": "Rina", "company": "CV Sentosa"})
		deal := c.create(t, c.AdminToken, "opportunities", map[string]any{"name": "Kopi untuk kantor", "account_id": acc})
		call := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Telepon perkenalan", "related_type": "accounts", "related_id": acc})
		kopi := c.create(t, c.AdminToken, "products", map[string]any{"name": "Kopi Gayo 1 kg", "unit_price": 150000})
		order := c.create(t, c.AdminToken, "orders", map[string]any{"account_id": acc})
		alive := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Tetap"})

		c.at(day(2))
		c.delete(t, sariToken, "contacts", budi)
		c.at(day(3))
		c.delete(t, c.AdminToken, "leads", lead)
		c.delete(t, c.AdminToken, "opportunities", deal)
		c.delete(t, c.AdminToken, "activities", call)
		c.at(day(4))
		c.delete(t, c.AdminToken, "products", kopi)
		c.delete(t, c.AdminToken, "orders", order)
		c.delete(t, c.AdminToken, "accounts", acc)

		c.at(day(10))
		p := c.list(t, c.AdminToken, "")
		var orderNumber string
		c.DB.Read().QueryRow("SELECT number FROM orders WHERE id = $1", order).Scan(&orderNumber)
		// Newest deletion first; deletions at one instant by entity name,
		// descending.
		want := []string{"products Kopi Gayo 1 kg", "orders " + orderNumber, "accounts PT Maju Jaya",
			"opportunities Kopi untuk kantor", "leads Rina", "activities Telepon perkenalan", "contacts Budi Santoso"}
		if got := p.names(); !slices.Equal(got, want) {
			t.Fatalf("trash:\n got %q\nwant %q", got, want)
		}
		for _, it := range p.Items {
			if it.ID == alive {
				t.Errorf("a live contact is in the trash")
			}
		}
		budiItem := p.Items[6]
		if budiItem.DeletedBy != sari.Name || budiItem.DeletedByID == nil || *budiItem.DeletedByID != sari.ID {
			t.Errorf("Budi was deleted by %q (%v), want Sari", budiItem.DeletedBy, budiItem.DeletedByID)
		}
		// Deleted on day 2, kept 30 days: deleted forever on day 32, 22
		// days after day 10.
		if !budiItem.DeletedAt.Equal(day(2)) || !budiItem.PurgeAt.Equal(day(32)) || budiItem.DaysLeft != 22 {
			t.Errorf("Budi: deleted %v, purged %v, %d days left; want %v, %v, 22", budiItem.DeletedAt, budiItem.PurgeAt, budiItem.DaysLeft, day(2), day(32))
		}
		if p.Items[0].DeletedBy != c.Admin.Name || !p.Items[0].CanRestore {
			t.Errorf("the product: deleted by %q, can restore %v", p.Items[0].DeletedBy, p.Items[0].CanRestore)
		}

		// One entity.
		if got := c.list(t, c.AdminToken, "?entity=opportunities").names(); !slices.Equal(got, []string{"opportunities Kopi untuk kantor"}) {
			t.Errorf("opportunities only: %q", got)
		}
		// Sari sees her own contact and the unowned product, and may
		// restore both; a read-only user sees everything and restores nothing.
		sp := c.list(t, sariToken, "")
		if got := sp.names(); !slices.Equal(got, []string{"products Kopi Gayo 1 kg", "contacts Budi Santoso"}) {
			t.Errorf("Sari's trash: %q", got)
		}
		for _, it := range sp.Items {
			if !it.CanRestore {
				t.Errorf("Sari may not restore %s %d", it.Entity, it.ID)
			}
		}
		rp := c.list(t, readerToken, "")
		if len(rp.Items) != 7 || slices.ContainsFunc(rp.Items, func(it struct {
			Entity      string
			ID          int64
			Title       string
			DeletedAt   time.Time `json:"deleted_at"`
			DeletedByID *int64    `json:"deleted_by_id"`
			DeletedBy   string    `json:"deleted_by"`
			PurgeAt     time.Time `json:"purge_at"`
			DaysLeft    int       `json:"days_left"`
			CanRestore  bool      `json:"can_restore"`
		}) bool {
			return it.CanRestore
		}) {
			t.Errorf("the read-only user's trash: %d items, some restorable", len(rp.Items))
		}
	})
}

func TestTrashPagesAcrossEntitiesWithoutGapsOrRepeats(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		// Fourteen deletions at one instant and six later, over three
		// entities, so pages break inside ties and between entities.
		var want []string
		for i := range 20 {
			if i == 14 {
				c.at(day(2))
			}
			entity, body := "contacts", map[string]any{"first_name": fmt.Sprintf("Kontak %02d", i)}
			switch i % 3 {
			case 1:
				entity, body = "accounts", map[string]any{"name": fmt.Sprintf("Akun %02d", i)}
			case 2:
				entity, body = "products", map[string]any{"name": fmt.Sprintf("Produk %02d", i)}
			}
			c.delete(t, c.AdminToken, entity, c.create(t, c.AdminToken, entity, body))
		}
		all := c.list(t, c.AdminToken, "?limit=100")
		want = all.names()
		if len(want) != 20 {
			t.Fatalf("%d in the trash, want 20", len(want))
		}
		var got []string
		cursor := ""
		for range 10 {
			q := url.Values{"limit": {"3"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			p := c.list(t, c.AdminToken, "?"+q.Encode())
			got = append(got, p.names()...)
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged:\n got %q\nwant %q", got, want)
		}
		for _, bad := range []string{"?limit=0", "?limit=501", "?cursor=abc", "?entity=kontak"} {
			field := strings.TrimPrefix(strings.SplitN(bad, "=", 2)[0], "?")
			a := c.call(t, c.AdminToken, "GET", "/api/v1/trash"+bad, nil, http.StatusUnprocessableEntity, true)
			if got := a.problemFields(t); !slices.Equal(got, []string{field}) {
				t.Errorf("%s: problem names %q", bad, got)
			}
		}
	})
}

func TestRestoreFromTheTrash(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		_, sariToken := c.User(t, "sari@example.co.id", auth.Sales, 0)
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "emails": []string{"budi@maju.co.id"}})
		c.delete(t, c.AdminToken, "contacts", budi)
		// Sari may not see the admin's contact, so she cannot restore it.
		c.call(t, sariToken, "POST", fmt.Sprintf("/api/v1/trash/contacts/%d/restore", budi), nil, http.StatusNotFound)

		a := c.call(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/trash/contacts/%d/restore", budi), nil, http.StatusOK)
		var rec struct {
			ID        int64
			FirstName string     `json:"first_name"`
			DeletedAt *time.Time `json:"deleted_at"`
		}
		a.decode(t, &rec)
		if rec.ID != budi || rec.FirstName != "Budi" || rec.DeletedAt != nil || a.Header.Get("ETag") == "" {
			t.Errorf("restored: %+v, ETag %q", rec, a.Header.Get("ETag"))
		}
		if n := len(c.list(t, c.AdminToken, "").Items); n != 0 {
			t.Errorf("%d items left in the trash", n)
		}
		if got := actions(c.history(t, "contacts", budi)); !slices.Equal(got, []string{"restored", "deleted", "created"}) {
			t.Errorf("history %q", got)
		}
		// Restored with its e-mail lookup and search document.
		if n := c.count(t, "contact_emails WHERE contact_id = $1", budi); n != 1 {
			t.Errorf("%d e-mail lookups after the restore", n)
		}
		hits, err := search.Search(context.Background(), c.DB, c.Admin.Principal(), "budi", 10)
		if err != nil || len(hits) != 1 {
			t.Errorf("search finds %v (%v) after the restore", hits, err)
		}
		// A product whose SKU a live product took meanwhile cannot come back.
		old := c.create(t, c.AdminToken, "products", map[string]any{"name": "Kopi Gayo", "sku": "KG-1"})
		c.delete(t, c.AdminToken, "products", old)
		c.create(t, c.AdminToken, "products", map[string]any{"name": "Kopi Gayo baru", "sku": "KG-1"})
		c.call(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/trash/products/%d/restore", old), nil, http.StatusConflict)

		// Not in the trash (any more), or no such type: not found.
		c.call(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/trash/contacts/%d/restore", budi), nil, http.StatusNotFound)
		c.call(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/trash/kontak/%d/restore", budi), nil, http.StatusNotFound)
	})
}

// timelineOf reads the first page of a contact's timeline as "kind title".
func (c *crm) timelineOf(t *testing.T, contact int64, want int) []string {
	t.Helper()
	res := c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d/timeline", contact), nil).Want(t, want)
	if want != http.StatusOK {
		return nil
	}
	var p struct {
		Items []struct{ Kind, Title string }
	}
	res.JSON(t, &p)
	var out []string
	for _, it := range p.Items {
		if it.Kind != "change" {
			out = append(out, it.Kind+" "+it.Title)
		}
	}
	return out
}

func TestRestoringAContactBringsBackItsRelationsOnTheTimeline(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Telepon perkenalan", "related_type": "contacts", "related_id": budi})
		deal := c.create(t, c.AdminToken, "opportunities", map[string]any{"name": "Kopi untuk kantor", "contact_id": budi})
		var qualification int64
		if err := c.DB.Read().QueryRow("SELECT id FROM stages WHERE key = 'qualification'").Scan(&qualification); err != nil {
			t.Fatal(err)
		}
		c.at(day(2))
		c.Do(t, c.AdminToken, "PATCH", fmt.Sprintf("/api/v1/opportunities/%d", deal), map[string]any{"stage_id": qualification}).Want(t, http.StatusOK)
		order := c.create(t, c.AdminToken, "orders", map[string]any{"contact_id": budi})
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/orders/%d/lines", order), map[string]any{"description": "Kopi", "unit_price": 150000, "quantity": 2}).Want(t, http.StatusCreated)

		before := c.timelineOf(t, budi, http.StatusOK)
		if len(before) != 4 {
			t.Fatalf("before the delete the timeline has %q; want the activity, the deal, its stage change and the order", before)
		}
		c.at(day(3))
		c.delete(t, c.AdminToken, "contacts", budi)
		c.timelineOf(t, budi, http.StatusNotFound)
		// In the trash, the contact's relations are kept as they were.
		for _, q := range []string{"activities WHERE contact_id = $1 AND related_id = $1", "deals WHERE contact_id = $1", "orders WHERE contact_id = $1"} {
			if n := c.count(t, q, budi); n != 1 {
				t.Errorf("%s: %d rows while the contact is in the trash", q, n)
			}
		}

		c.at(day(4))
		c.call(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/trash/contacts/%d/restore", budi), nil, http.StatusOK)
		if after := c.timelineOf(t, budi, http.StatusOK); !slices.Equal(after, before) {
			t.Errorf("after the restore the timeline has %q, want %q as before", after, before)
		}
	})
}

func TestPurgeHappensOnlyAfterTheRetentionPeriod(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso", "phones": []string{"081234567890"}})
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		call := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Telepon", "related_type": "contacts", "related_id": budi})
		deal := c.create(t, c.AdminToken, "opportunities", map[string]any{"name": "Kopi untuk kantor", "contact_id": budi, "account_id": acc})
		lead := c.create(t, c.AdminToken, "leads", map[string]any{"first_name": "Budi"})
		if _, err := c.DB.Writer().Exec("UPDATE leads SET converted_contact_id = $1 WHERE id = $2", budi, lead); err != nil {
			t.Fatal(err)
		}
		order := c.create(t, c.AdminToken, "orders", map[string]any{"account_id": acc})
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/orders/%d/lines", order), map[string]any{"description": "Kopi", "unit_price": 150000, "quantity": 2}).Want(t, http.StatusCreated)

		c.at(day(1).Add(time.Hour))
		c.delete(t, c.AdminToken, "contacts", budi)
		c.delete(t, c.AdminToken, "orders", order)
		// A search document left behind (an old index) goes with the purge.
		err := c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return search.Index(ctx, tx, c.DB.Engine, search.Doc{Entity: "contacts", ID: budi, Title: "Budi Santoso"})
		})
		if err != nil {
			t.Fatal(err)
		}
		historyBefore := len(c.history(t, "contacts", budi))

		// 30 days later, to the hour: still in the trash.
		c.at(day(31).Add(time.Hour))
		if n, err := c.Trash.PurgeExpired(ctx); err != nil || n != 0 {
			t.Fatalf("on the 30th day the purge took %d records (%v), want none", n, err)
		}
		if n := len(c.list(t, c.AdminToken, "").Items); n != 2 {
			t.Fatalf("%d records left in the trash on the 30th day, want 2", n)
		}
		// A second later: deleted forever.
		c.at(day(31).Add(time.Hour + time.Second))
		if n, err := c.Trash.PurgeExpired(ctx); err != nil || n != 2 {
			t.Fatalf("after 30 days the purge took %d records (%v), want 2", n, err)
		}
		if n := len(c.list(t, c.AdminToken, "").Items); n != 0 {
			t.Errorf("%d records left in the trash after the purge", n)
		}
		gone := []string{
			"contacts WHERE id = $1", "contact_phones WHERE contact_id = $1", "contact_emails WHERE contact_id = $1",
			"search_docs WHERE entity = 'contacts' AND record_id = $1",
		}
		for _, q := range gone {
			if n := c.count(t, q, budi); n != 0 {
				t.Errorf("%s: %d rows after the purge", q, n)
			}
		}
		if n := c.count(t, "order_lines WHERE order_id = $1", order); n != 0 {
			t.Errorf("the purged order's %d lines are left", n)
		}
		// Its history stays, with who purged it (nobody: the job) and its name.
		h := c.history(t, "contacts", budi)
		if len(h) != historyBefore+1 || h[0].Action != "purged" || h[0].ActorID != nil || h[0].Changes["title"][0] != "Budi Santoso" {
			t.Errorf("history after the purge: %d rows (had %d), newest %+v", len(h), historyBefore, h[0])
		}
		// What linked to it links to nothing now, and says so in its history.
		var relType, relID, contactID sql.NullString
		if err := c.DB.Read().QueryRow("SELECT related_type, related_id, contact_id FROM activities WHERE id = $1", call).Scan(&relType, &relID, &contactID); err != nil {
			t.Fatal(err)
		}
		if relType.Valid || relID.Valid || contactID.Valid {
			t.Errorf("the call still points at the purged contact: %v %v %v", relType, relID, contactID)
		}
		ah := c.history(t, "activities", call)
		if ah[0].Action != "unlinked" || ah[0].Changes["related_type"][0] != "contacts" || fmt.Sprint(ah[0].Changes["contact_id"][0]) != fmt.Sprint(budi) {
			t.Errorf("the call's last history row: %+v", ah[0])
		}
		var dealContact sql.NullInt64
		var dealAccount int64
		c.DB.Read().QueryRow("SELECT contact_id, account_id FROM deals WHERE id = $1", deal).Scan(&dealContact, &dealAccount)
		if dealContact.Valid || dealAccount != acc {
			t.Errorf("the deal: contact %v, account %d; want no contact and account %d", dealContact, dealAccount, acc)
		}
		if dh := c.history(t, "opportunities", deal); dh[0].Action != "unlinked" {
			t.Errorf("the deal's last history row is %q, want unlinked", dh[0].Action)
		}
		if n := c.count(t, "leads WHERE id = $1 AND converted_contact_id IS NULL", lead); n != 1 {
			t.Error("the lead still names the purged contact as converted")
		}
		// The live deal, activity and lead are still there.
		for _, path := range []string{fmt.Sprintf("opportunities/%d", deal), fmt.Sprintf("activities/%d", call), fmt.Sprintf("leads/%d", lead)} {
			c.Do(t, c.AdminToken, "GET", "/api/v1/"+path, nil).Want(t, http.StatusOK)
		}
	})
}

func TestPurgeFollowsTheRetentionSetting(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		c.delete(t, c.AdminToken, "contacts", budi)
		c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", map[string]any{"retention_days": 7}, http.StatusOK)
		p := c.list(t, c.AdminToken, "")
		if p.Items[0].DaysLeft != 7 || !p.Items[0].PurgeAt.Equal(day(8)) {
			t.Errorf("with 7 days: %d days left, purged %v", p.Items[0].DaysLeft, p.Items[0].PurgeAt)
		}
		c.at(day(8))
		if n, _ := c.Trash.PurgeExpired(ctx); n != 0 {
			t.Fatal("purged exactly at the end of the period, not after it")
		}
		c.at(day(9))
		// The daily job does the same.
		w := &trash.PurgeWorker{Trash: c.Trash}
		if err := w.Work(ctx, &river.Job[trash.PurgeArgs]{JobRow: &rivertype.JobRow{ID: 1}}); err != nil {
			t.Fatal(err)
		}
		if n := c.count(t, "contacts WHERE id = $1", budi); n != 0 {
			t.Error("the job did not purge a record deleted 8 days ago with a retention of 7 days")
		}
		// A run out of time snoozes, to go on at once, rather than fail.
		c.delete(t, c.AdminToken, "contacts", c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Wati"}))
		c.at(day(30))
		w.Budget = time.Nanosecond
		var snooze *rivertype.JobSnoozeError
		if err := w.Work(ctx, &river.Job[trash.PurgeArgs]{JobRow: &rivertype.JobRow{ID: 2}}); !errors.As(err, &snooze) {
			t.Errorf("a run out of time answers %v, want a snooze", err)
		}
		if trash.PurgePeriodic() == nil || (trash.PurgeArgs{}).Kind() != "trash.purge" {
			t.Error("the purge is not a periodic job of kind trash.purge")
		}
	})
}

func TestPurgeOneRecordForever(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		_, managerToken := c.User(t, "manajer@example.co.id", auth.Manager, 0)
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		path := fmt.Sprintf("/api/v1/trash/contacts/%d", budi)
		// A live record is not in the trash.
		c.call(t, c.AdminToken, "DELETE", path, nil, http.StatusNotFound)
		c.delete(t, c.AdminToken, "contacts", budi)
		c.call(t, managerToken, "DELETE", path, nil, http.StatusForbidden)
		c.call(t, c.AdminToken, "DELETE", fmt.Sprintf("/api/v1/trash/kontak/%d", budi), nil, http.StatusNotFound)
		// Deleted forever at once, whatever the retention period.
		c.call(t, c.AdminToken, "DELETE", path, nil, http.StatusNoContent)
		if n := c.count(t, "contacts WHERE id = $1", budi); n != 0 {
			t.Error("the contact is still there")
		}
		h := c.history(t, "contacts", budi)
		if h[0].Action != "purged" || h[0].ActorID == nil || *h[0].ActorID != c.Admin.ID {
			t.Errorf("the purge is recorded as %q by %v, want purged by the admin", h[0].Action, h[0].ActorID)
		}
		c.call(t, c.AdminToken, "DELETE", path, nil, http.StatusNotFound)
		c.call(t, c.AdminToken, "POST", path+"/restore", nil, http.StatusNotFound)
	})
}

func TestRetentionSetting(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		_, managerToken := c.User(t, "manajer@example.co.id", auth.Manager, 0)
		var s struct {
			RetentionDays int        `json:"retention_days"`
			UpdatedAt     *time.Time `json:"updated_at"`
		}
		c.call(t, managerToken, "GET", "/api/v1/settings/trash", nil, http.StatusOK).decode(t, &s)
		if s.RetentionDays != 30 || s.UpdatedAt != nil {
			t.Errorf("default: %+v, want 30 days, never set", s)
		}
		for _, bad := range []map[string]any{{"retention_days": 0}, {"retention_days": 3651}, {"retention_days": -5}} {
			a := c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", bad, http.StatusUnprocessableEntity, true)
			if got := a.problemFields(t); !slices.Equal(got, []string{"retention_days"}) {
				t.Errorf("%v: problem names %q", bad, got)
			}
		}
		c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", map[string]any{}, http.StatusUnprocessableEntity, true)
		c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", map[string]any{"retention_days": "30"}, http.StatusUnprocessableEntity, true)
		c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", map[string]any{"retention_days": 30, "days": 1}, http.StatusUnprocessableEntity, true)
		c.call(t, managerToken, "PUT", "/api/v1/settings/trash", map[string]any{"retention_days": 90}, http.StatusForbidden)

		for _, days := range []int{1, 3650, 45} {
			c.at(day(days % 28))
			c.call(t, c.AdminToken, "PUT", "/api/v1/settings/trash", map[string]any{"retention_days": days}, http.StatusOK).decode(t, &s)
			if s.RetentionDays != days || s.UpdatedAt == nil || !s.UpdatedAt.Equal(day(days%28)) {
				t.Errorf("set %d: %+v", days, s)
			}
		}
		c.call(t, managerToken, "GET", "/api/v1/settings/trash", nil, http.StatusOK).decode(t, &s)
		if s.RetentionDays != 45 {
			t.Errorf("read back %d days, want 45", s.RetentionDays)
		}
		// Each change is in the history, with who made it.
		h := c.history(t, trash.SettingsEntity, 0)
		if len(h) != 3 || fmt.Sprint(h[0].Changes["trash_retention_days"]) != "[3650 45]" || h[2].ActorID == nil || *h[2].ActorID != c.Admin.ID {
			t.Errorf("settings history: %+v", h)
		}
	})
}

// A record keeps the IDs it had in the system it was imported from while
// in the trash, where search does not find it; restored, it is found by
// them again; purged, they go with it.
func TestExternalIDsFollowTheRecord(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		budi := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		if _, err := c.DB.Writer().Exec("INSERT INTO external_ids (entity, record_id, system, external_id, created_at) VALUES ('contacts', $1, 'hubspot', '88123', $2)", budi, day(1)); err != nil {
			t.Fatal(err)
		}
		found := func() int {
			hits, err := search.Search(context.Background(), c.DB, c.Admin.Principal(), "88123", 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(hits)
		}
		c.delete(t, c.AdminToken, "contacts", budi)
		if found() != 0 {
			t.Error("search finds a trashed record by its external ID")
		}
		path := fmt.Sprintf("/api/v1/trash/contacts/%d", budi)
		c.call(t, c.AdminToken, "POST", path+"/restore", nil, http.StatusOK)
		if found() != 1 {
			t.Error("search does not find the restored record by its external ID")
		}
		c.delete(t, c.AdminToken, "contacts", budi)
		c.call(t, c.AdminToken, "DELETE", path, nil, http.StatusNoContent)
		if n := c.count(t, "external_ids WHERE record_id = $1", budi); n != 0 {
			t.Errorf("%d external IDs outlived the purge", n)
		}
	})
}
