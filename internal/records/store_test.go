package records_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

func TestStoreTransactions(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		admin := c.Admin.Principal()

		// An account and its contact in one transaction: the contact may
		// link the account created moments before.
		var accID, conID int64
		err := c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			acc, err := c.Store.CreateTx(ctx, tx, admin, c.Accounts, records.Input{"name": "PT Baru"})
			if err != nil {
				return err
			}
			con, err := c.Store.CreateTx(ctx, tx, admin, c.Contacts, records.Input{"first_name": "Ani", "account_id": acc.ID})
			accID, conID = acc.ID, con.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		con, err := c.Store.Get(ctx, admin, c.Contacts, conID)
		if err != nil || con.Int("account_id") != accID || con.Titles["account_id"] != "PT Baru" {
			t.Fatalf("contact %+v (err %v), want linked to PT Baru", con, err)
		}

		// A failed transaction leaves nothing: no record, no history, no search document.
		abort := errors.New("abort")
		err = c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			r, err := c.Store.CreateTx(ctx, tx, admin, c.Contacts, records.Input{"first_name": "Hantu", "emails": []string{"hantu@contoh.co.id"}})
			if err != nil {
				return err
			}
			if _, err := c.Store.UpdateTx(ctx, tx, admin, c.Contacts, r.ID, records.Input{"city": "Bogor"}, 1); err != nil {
				return err
			}
			got, err := c.Store.GetTx(ctx, tx, admin, c.Contacts, r.ID)
			if err != nil || got.String("city") != "Bogor" || got.Version != 2 {
				t.Errorf("inside the transaction: %+v (err %v)", got, err)
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("WriteTx: %v", err)
		}
		list, err := c.Store.List(ctx, admin, c.Contacts, records.Query{})
		if err != nil || len(list.Items) != 1 {
			t.Errorf("contacts after the rollback: %d (err %v), want 1", len(list.Items), err)
		}
		hits, err := search.Search(ctx, c.DB, admin, "hantu", 10)
		if err != nil || len(hits) != 0 {
			t.Errorf("search after the rollback: %v (err %v)", hits, err)
		}
		var n int
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM record_changes WHERE entity = 'contacts'").Scan(&n); err != nil || n != 1 {
			t.Errorf("%d history rows (err %v), want only the kept contact's", n, err)
		}
	})
}

func TestStoreQueryWhere(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		sales, _ := c.user(t, "sales", auth.Sales, 0)
		for _, in := range []records.Input{
			{"first_name": "Ani", "city": "Medan", "owner_id": sales.ID},
			{"first_name": "Budi", "city": "Medan", "owner_id": sales.ID},
			{"first_name": "Ani", "city": "Medan"}, // the admin's: sales does not see it
			{"first_name": "Ani", "city": "Padang", "owner_id": sales.ID},
		} {
			if _, err := c.Store.Create(ctx, c.Admin.Principal(), c.Contacts, in); err != nil {
				t.Fatal(err)
			}
		}
		// Domain code adds its own condition with $1…; the store numbers it
		// after the scope's arguments and before the filter's.
		list, err := c.Store.List(ctx, sales.Principal(), c.Contacts, records.Query{
			Where: "c.city = $1 AND c.first_name <> $2", Args: []any{"Medan", "Zaki"},
			Filter: `first_name = "ani"`, Page: url.Values{"limit": {"1"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].String("city") != "Medan" || list.Items[0].OwnerID != sales.ID || list.NextCursor != "" {
			t.Errorf("list %+v, want sales's one Ani in Medan and no next page", list)
		}
	})
}

func TestStoreHooksAndSystemFields(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		admin := c.Admin.Principal()
		e := *c.Contacts
		var seen []string
		e.BeforeSave = func(ctx context.Context, tx *sql.Tx, ch *records.Change) error {
			seen = append(seen, ch.Action)
			if ch.Action == "updated" && ch.Old == nil {
				t.Error("an update's Change has no Old")
			}
			if strings.EqualFold(ch.New.String("first_name"), "larang") {
				var fe errs.Fields
				fe.Add("first_name", "forbidden_name", "may not be %s", "Larang")
				return fe.Err()
			}
			ch.New.Set("city", strings.ToUpper(ch.New.String("city")))
			return nil
		}
		r, err := c.Store.Create(ctx, admin, &e, records.Input{"first_name": "Ani", "city": "medan"})
		if err != nil || r.String("city") != "MEDAN" {
			t.Fatalf("create: %+v (err %v), want the hook's MEDAN", r, err)
		}
		_, err = c.Store.Update(ctx, admin, &e, r.ID, records.Input{"first_name": "Larang"}, 0)
		if fe, ok := errs.As(err); !ok || fe.Code != errs.Invalid || fe.Field("first_name") != "may not be Larang" {
			t.Errorf("update refused by the hook: %v", err)
		}
		if !slices.Equal(seen, []string{"created", "updated"}) {
			t.Errorf("BeforeSave saw %v", seen)
		}

		// SetSystem writes read-only fields and records why.
		err = c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return c.Store.SetSystem(ctx, tx, admin, c.Contacts, r.ID, map[string]any{"last_activity_at": c.Store.Now()}, "activity_logged")
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Store.Get(ctx, admin, c.Contacts, r.ID)
		if err != nil || got.Get("last_activity_at") == nil || got.Version != 2 {
			t.Errorf("after SetSystem: %+v (err %v)", got, err)
		}
		h, err := c.Store.History(ctx, "contacts", r.ID, 10)
		if err != nil || len(h) != 2 || h[0].Action != "activity_logged" || h[0].Changes["last_activity_at"][1] == nil {
			t.Errorf("history %+v (err %v)", h, err)
		}
		err = c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return c.Store.SetSystem(ctx, tx, admin, c.Contacts, r.ID, map[string]any{"no_such_field": 1}, "")
		})
		if err == nil {
			t.Error("SetSystem accepted an unknown field")
		}
	})
}

func TestStoreFields(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		ctx := t.Context()
		c.customField(t, "contacts", "second", records.Text, map[string]any{"position": 2})
		c.customField(t, "contacts", "first", records.Number, map[string]any{"position": 1})
		fields, err := c.Store.Fields(ctx, c.Contacts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fields {
			got = append(got, f.Name)
		}
		n := len(c.Contacts.Fields)
		if !slices.Equal(got[n:], []string{"owner_id", "custom.first", "custom.second"}) || got[0] != "first_name" {
			t.Errorf("fields %v: want standard, owner, then custom fields by position", got)
		}
		schema, err := c.Store.Schema(ctx, c.Contacts)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"custom.first", "custom.second", "account.employees", "created_at", "id"} {
			if _, ok := schema.Lookup(name); !ok {
				t.Errorf("filter schema lacks %s", name)
			}
		}
		cols := c.Store.SortColumns(c.Contacts, fields)
		for _, name := range []string{"custom.first", "first_name", "created_at", "owner_id"} {
			if _, ok := cols[name]; !ok {
				t.Errorf("cannot sort by %s", name)
			}
		}
		for _, name := range []string{"emails", "tags", "phones"} {
			if _, ok := cols[name]; ok {
				t.Errorf("can sort by the list %s", name)
			}
		}
	})
}
