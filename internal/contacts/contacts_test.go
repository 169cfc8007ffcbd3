package contacts_test

import (
	"context"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// env is a database with the contacts and accounts entities.
type env struct {
	*recordstest.Server
	contacts, accounts *records.Entity
	admin              auth.Principal
}

func eachEngine(t *testing.T, fn func(t *testing.T, e env)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := recordstest.New(t, engine, func(*recordstest.Server) {})
			fn(t, env{Server: s, contacts: contacts.Entity(engine), accounts: accounts.Entity(engine), admin: s.Admin.Principal()})
		})
	}
}

func (e env) create(t *testing.T, ent *records.Entity, in records.Input) records.Record {
	t.Helper()
	r, err := e.Store.Create(t.Context(), e.admin, ent, in)
	if err != nil {
		t.Fatalf("create %s %v: %v", ent.Name, in, err)
	}
	return r
}

// lookups returns the contact's rows in contact_emails and contact_phones.
func (e env) lookups(t *testing.T, id int64) (emails, phones []string) {
	t.Helper()
	ctx := context.Background()
	collect := func(q string) []string {
		out, err := store.Collect(ctx, e.DB.Read(), func(row store.Scanner) (string, error) {
			var s string
			return s, row.Scan(&s)
		}, q, id)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	return collect("SELECT email FROM contact_emails WHERE contact_id = $1"), collect("SELECT phone FROM contact_phones WHERE contact_id = $1")
}

func TestLookupTablesFollowTheContact(t *testing.T) {
	eachEngine(t, func(t *testing.T, e env) {
		ctx := t.Context()
		c := e.create(t, e.contacts, records.Input{"first_name": "Ani", "emails": []any{"Ani@Maju.co.id", "ani@rumah.id"}, "phones": []any{"0812-3456-7890", "021 555 1234"}})
		emails, phones := e.lookups(t, c.ID)
		if !slices.Equal(emails, []string{"ani@maju.co.id", "ani@rumah.id"}) || !slices.Equal(phones, []string{"+62215551234", "+6281234567890"}) {
			t.Errorf("after create: %v %v", emails, phones)
		}
		if _, err := e.Store.Update(ctx, e.admin, e.contacts, c.ID, records.Input{"emails": []string{"ani@baru.id"}, "phones": nil}, 0); err != nil {
			t.Fatal(err)
		}
		emails, phones = e.lookups(t, c.ID)
		if !slices.Equal(emails, []string{"ani@baru.id"}) || len(phones) != 0 {
			t.Errorf("after update: %v %v", emails, phones)
		}
		if err := e.Store.Delete(ctx, e.admin, e.contacts, c.ID); err != nil {
			t.Fatal(err)
		}
		if emails, phones = e.lookups(t, c.ID); len(emails)+len(phones) != 0 {
			t.Errorf("a contact in the trash keeps lookups: %v %v", emails, phones)
		}
		if _, err := e.Store.Restore(ctx, e.admin, e.contacts, c.ID); err != nil {
			t.Fatal(err)
		}
		if emails, _ = e.lookups(t, c.ID); !slices.Equal(emails, []string{"ani@baru.id"}) {
			t.Errorf("after restore: %v", emails)
		}
	})
}

func TestSearchDocument(t *testing.T) {
	eachEngine(t, func(t *testing.T, e env) {
		acc := e.create(t, e.accounts, records.Input{"name": "PT Karya Abadi"})
		e.create(t, e.contacts, records.Input{"first_name": "Rina", "last_name": "Kartika", "account_id": acc.ID,
			"job_title": "Kepala Gudang", "city": "Cirebon", "emails": []string{"rina@karya.co.id"}, "phones": []string{"0812 7777 8888"}})
		for _, q := range []string{"Rina Kartika", "Karya Abadi", "Gudang", "Cirebon", "rina@karya.co.id", "0812-7777-8888", "6281277778888"} {
			hits, err := search.Search(t.Context(), e.DB, e.admin, q, 10)
			if err != nil {
				t.Fatal(err)
			}
			var contactsFound []string
			for _, h := range hits {
				if h.Entity == "contacts" {
					contactsFound = append(contactsFound, h.Title)
				}
			}
			if !slices.Equal(contactsFound, []string{"Rina Kartika"}) {
				t.Errorf("search %q finds contacts %v, want [Rina Kartika]", q, contactsFound)
			}
		}
	})
}

func TestAccountOfAContact(t *testing.T) {
	eachEngine(t, func(t *testing.T, e env) {
		ctx := t.Context()
		acc := e.create(t, e.accounts, records.Input{"name": "CV Sumber Air", "employees": 12, "industry": "retail", "city": "Malang"})
		c := e.create(t, e.contacts, records.Input{"first_name": "Dodi", "account_id": acc.ID})
		if c.Titles["account_id"] != "CV Sumber Air" {
			t.Errorf("display %v", c.Titles)
		}
		for _, f := range []string{`account.name = "cv sumber air"`, `account.employees < 20`, `account.industry = "retail"`, `account.city startswith "Mal"`} {
			list, err := e.Store.List(ctx, e.admin, e.contacts, records.Query{Filter: f})
			if err != nil || len(list.Items) != 1 {
				t.Errorf("filter %s: %d contacts (err %v), want Dodi", f, len(list.Items), err)
			}
		}
		// An account in the trash is no longer named on its contacts.
		if err := e.Store.Delete(ctx, e.admin, e.accounts, acc.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.Store.Get(ctx, e.admin, e.contacts, c.ID)
		if err != nil || got.Titles["account_id"] != "" {
			t.Errorf("display after the account's deletion: %v (err %v)", got.Titles, err)
		}
		// The contact can still be edited while its account is in the trash.
		if _, err := e.Store.Update(ctx, e.admin, e.contacts, c.ID, records.Input{"job_title": "Pemilik"}, 0); err != nil {
			t.Errorf("editing a contact whose account is in the trash: %v", err)
		}
		if _, err := e.Store.Restore(ctx, e.admin, e.accounts, acc.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ = e.Store.Get(ctx, e.admin, e.contacts, c.ID); got.Titles["account_id"] != "CV Sumber Air" {
			t.Errorf("display after restore: %v", got.Titles)
		}
	})
}

func TestEntity(t *testing.T) {
	e := contacts.Entity(store.SQLite)
	for _, name := range []string{"first_name", "last_name", "emails", "phones", "job_title", "contact_role", "account_id", "city", "source", "lifecycle_stage", "owner_id", "tags"} {
		if _, ok := e.Field(name); !ok && name != "owner_id" {
			t.Errorf("contacts have no field %s", name)
		}
	}
	if !e.Owned {
		t.Error("contacts are not owned")
	}
	role, _ := e.Field("contact_role")
	if !slices.Equal(role.Choices, []string{"decision_maker", "buyer", "influencer", "user", "other"}) {
		t.Errorf("contact roles %v", role.Choices)
	}
	if f, _ := e.Field("first_name"); !f.Required {
		t.Error("first_name is not required")
	}
}
