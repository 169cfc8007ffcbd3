package duplicates_test

import (
	"reflect"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/records"
)

func TestNameKeys(t *testing.T) {
	for _, tc := range []struct{ in, person, company string }{
		{"Budi  Santoso", "budi santoso", "budi santoso"},
		{"José O'Neil", "jose o neil", "jose o neil"},
		{"PT. Sinar Jaya Abadi", "pt sinar jaya abadi", "sinar jaya abadi"},
		{"Sinar Jaya Abadi, Tbk.", "sinar jaya abadi tbk", "sinar jaya abadi"},
		{"CV Maju-Mundur", "cv maju mundur", "maju mundur"},
		{"UD Ã Ç", "ud a c", "a c"},
	} {
		if got := duplicates.PersonKey(tc.in); got != tc.person {
			t.Errorf("PersonKey(%q) = %q, want %q", tc.in, got, tc.person)
		}
		if got := duplicates.CompanyKey(tc.in); got != tc.company {
			t.Errorf("CompanyKey(%q) = %q, want %q", tc.in, got, tc.company)
		}
	}
}

func TestSimilarNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"budi santoso", "budi santoso", true},
		{"budi santoso", "santoso budi", true},  // order
		{"budi santoso", "budi santosa", true},  // a typo in a long name
		{"budi santoso", "budy santosa", false}, // four letters of a given name are not a typo apart: Budi, Budy, Rudi
		{"rudi tanjung", "budi tanjung", false}, // brothers
		{"sri tanoto", "siti tanoto", false},
		{"muhammad rizky", "muhammad rizki", true},
		{"budi santoso", "budi", false},          // a name is not its first word
		{"andi", "andy", false},                  // too short for a typo
		{"sinta", "sinto", true},                 // one typo from five letters
		{"sinta", "santo", false},                // two typos in five letters
		{"jose saragih", "jose saragi", true},    // a letter left out
		{"ani wijaya", "budi wijaya", false},     // another person of the same family
		{"siti rahayu", "siti rahmawati", false}, // not a typo
	} {
		if got := duplicates.Similar(tc.a, tc.b); got != tc.want {
			t.Errorf("Similar(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFindContactDuplicates(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		maju := c.create(t, admin, c.Accounts, records.Input{"name": "PT Maju Jaya"})
		sinar := c.create(t, admin, c.Accounts, records.Input{"name": "Sinar Abadi"})
		contact := func(in records.Input) int64 { return c.create(t, admin, c.Contacts, in).ID }

		byEmail1 := contact(records.Input{"first_name": "Budi", "last_name": "Santoso", "emails": []string{"budi@maju.co.id"}})
		byEmail2 := contact(records.Input{"first_name": "B.", "last_name": "Santoso", "emails": []string{"kantor@maju.co.id", "BUDI@maju.co.id"}})
		// The same number typed two ways is one E.164 number.
		byPhone1 := contact(records.Input{"first_name": "Rina", "phones": []string{"0812-3456-7890"}})
		byPhone2 := contact(records.Input{"first_name": "Rini", "last_name": "Kurnia", "phones": []string{"+62 812 3456 7890"}})
		// A typo in the name, at the same account.
		byName1 := contact(records.Input{"first_name": "José", "last_name": "Saragih", "account_id": maju.ID})
		byName2 := contact(records.Input{"first_name": "Jose", "last_name": "Saragi", "account_id": maju.ID})
		// The same name at another account is another person.
		contact(records.Input{"first_name": "Jose", "last_name": "Saragih", "account_id": sinar.ID})
		// Equal names without an account say nothing.
		contact(records.Input{"first_name": "Ani", "last_name": "Wijaya"})
		contact(records.Input{"first_name": "Ani", "last_name": "Wijaya"})
		// Different people of one family at one account.
		contact(records.Input{"first_name": "Ani", "last_name": "Wijaya", "account_id": sinar.ID})
		contact(records.Input{"first_name": "Budi", "last_name": "Wijaya", "account_id": sinar.ID})
		// One in the trash is no duplicate.
		gone := contact(records.Input{"first_name": "Rina", "phones": []string{"081234567890"}})
		if err := c.Store.Delete(t.Context(), admin, c.Contacts, gone); err != nil {
			t.Fatal(err)
		}

		want := map[string][]string{
			ids(byEmail1, byEmail2): {"email:budi@maju.co.id"},
			ids(byPhone1, byPhone2): {"phone:+6281234567890"},
			ids(byName1, byName2):   {"name:jose saragih ≈ jose saragi"},
		}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("groups:\n got %v\nwant %v", got, want)
		}

		// A renamed contact is compared under its new name.
		if _, err := c.Store.Update(t.Context(), admin, c.Contacts, byName2, records.Input{"first_name": "Josephine", "last_name": "Tan"}, 0); err != nil {
			t.Fatal(err)
		}
		delete(want, ids(byName1, byName2))
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("after a rename:\n got %v\nwant %v", got, want)
		}
		// An exact name, even in a different case and with accents.
		if _, err := c.Store.Update(t.Context(), admin, c.Contacts, byName2, records.Input{"first_name": "JOSÉ", "last_name": "saragih"}, 0); err != nil {
			t.Fatal(err)
		}
		want[ids(byName1, byName2)] = []string{"name:jose saragih"}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("after renaming back:\n got %v\nwant %v", got, want)
		}
	})
}

func TestFindAccountAndLeadDuplicates(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		account := func(in records.Input) int64 { return c.create(t, admin, c.Accounts, in).ID }
		a1 := account(records.Input{"name": "PT. Sinar Jaya Abadi"})
		a2 := account(records.Input{"name": "Sinar Jaya Abadi Tbk"})
		a3 := account(records.Input{"name": "Toko Makmur", "domain": "https://www.makmur.co.id/kontak"})
		a4 := account(records.Input{"name": "CV Makmur Sentosa", "domain": "makmur.co.id"})
		a5 := account(records.Input{"name": "Bengkel Jaya", "phone": "(021) 555-1234"})
		a6 := account(records.Input{"name": "Jaya Motor", "phone": "+62 21 5551234"})
		account(records.Input{"name": "Sinar Terang"})
		want := map[string][]string{
			ids(a1, a2): {"company_name:sinar jaya abadi"},
			ids(a3, a4): {"domain:makmur.co.id"},
			ids(a5, a6): {"phone:+62215551234"},
		}
		if got := c.groups(t, c.AdminToken, "accounts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("account groups:\n got %v\nwant %v", got, want)
		}

		lead := func(in records.Input) int64 { return c.create(t, admin, c.Leads, in).ID }
		l1 := lead(records.Input{"first_name": "Dewi", "email": "dewi@toko.id"})
		l2 := lead(records.Input{"first_name": "Dewi", "last_name": "Lestari", "email": "Dewi@Toko.id", "phone": "0811-111-2222"})
		l3 := lead(records.Input{"first_name": "Dewi", "last_name": "Lestari", "company": "PT Toko Dewi"})
		l4 := lead(records.Input{"first_name": "Dewi", "last_name": "Lestary", "company": "Toko Dewi"})
		l5 := lead(records.Input{"first_name": "Agus", "phone": "62811 111 2222"})
		want = map[string][]string{
			ids(l1, l2, l5): {"email:dewi@toko.id", "phone:+628111112222"},
			ids(l3, l4):     {"name:dewi lestari ≈ dewi lestary"},
		}
		if got := c.groups(t, c.AdminToken, "leads"); !reflect.DeepEqual(got, want) {
			t.Fatalf("lead groups:\n got %v\nwant %v", got, want)
		}
		c.Do(t, c.AdminToken, "GET", "/api/v1/duplicates?entity=opportunities", nil).Want(t, 422)
		c.Do(t, c.AdminToken, "GET", "/api/v1/duplicates?entity=leads&limit=0", nil).Want(t, 422)
	})
}

func TestDismissedPairsAreHidden(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		contact := func(email string) int64 {
			return c.create(t, admin, c.Contacts, records.Input{"first_name": "Sari", "emails": []string{email}}).ID
		}
		a, b := contact("sari@toko.id"), contact("sari@toko.id")
		x, y := contact("x@toko.id"), contact("x@toko.id")
		if got := c.groups(t, c.AdminToken, "contacts"); len(got) != 2 {
			t.Fatalf("groups before dismissing: %v", got)
		}
		c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{b, a}}).Want(t, 204)
		want := map[string][]string{ids(x, y): {"email:x@toko.id"}}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("after dismissing %d and %d:\n got %v\nwant %v", a, b, got, want)
		}
		// A third record like both still joins them: each pair but the
		// dismissed one is a likely duplicate.
		z := contact("sari@toko.id")
		want[ids(a, b, z)] = []string{"email:sari@toko.id"}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("with a third:\n got %v\nwant %v", got, want)
		}
		c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{a}}).Want(t, 422)
		c.Do(t, c.AdminToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{a, 9999}}).Want(t, 404)
	})
}

func TestDuplicatesStayWithinWhatTheCallerMaySee(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		ani, aniToken := c.User(t, "ani@example.co.id", auth.Sales, 0)
		bayu, _ := c.User(t, "bayu@example.co.id", auth.Sales, 0)
		_, readerToken := c.User(t, "baca@example.co.id", auth.ReadOnly, 0)
		mine1 := c.create(t, ani.Principal(), c.Contacts, records.Input{"first_name": "Citra", "emails": []string{"citra@x.id"}}).ID
		theirs := c.create(t, bayu.Principal(), c.Contacts, records.Input{"first_name": "Citra", "emails": []string{"citra@x.id"}}).ID
		if got := c.groups(t, aniToken, "contacts"); len(got) != 0 {
			t.Fatalf("a sales user sees duplicates of a colleague's contact: %v", got)
		}
		want := map[string][]string{ids(mine1, theirs): {"email:citra@x.id"}}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("admin's groups: got %v, want %v", got, want)
		}
		if got := c.groups(t, readerToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("a reader sees what they may read: got %v, want %v", got, want)
		}
		mine2 := c.create(t, ani.Principal(), c.Contacts, records.Input{"first_name": "Citra", "emails": []string{"citra@x.id"}}).ID
		want = map[string][]string{ids(mine1, mine2): {"email:citra@x.id"}}
		if got := c.groups(t, aniToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("own duplicates: got %v, want %v", got, want)
		}
		// Dismissing or merging a record one cannot see finds nothing.
		c.Do(t, aniToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{mine1, theirs}}).Want(t, 404)
		c.Do(t, readerToken, "POST", "/api/v1/duplicates/dismiss", map[string]any{"entity": "contacts", "ids": []int64{mine1, mine2}}).Want(t, 403)
	})
}
