package duplicates_test

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/duplicates"
	"github.com/relasi/relasi/internal/records"
)

func TestNameSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b     string
		from, to float64 // the similarity lies within [from, to]
	}{
		{"budi tanjung", "budi tanjung", 1, 1},
		{"budi tanjung", "tanjung budi", 0.95, 0.95},    // order
		{"nurhayati", "nur hayati", 0.95, 0.95},         // the same letters split
		{"muhammad rizky", "muhammad rizki", 0.9, 0.93}, // a spelling of the last letter
		{"jose saragih", "jose saragi", 0.96, 0.98},     // a letter left out
		{"hendra hidayat", "hendra hidayta", 0.96, 0.98},
		{"rudi tanjung", "budi tanjung", 0.8, 0.85}, // another given name: the least similar word counts
		{"sri tanoto", "siti tanoto", 0.7, 0.8},
		{"fitri purnomo", "putri purnomo", 0.7, 0.75},
		{"arif hutapea", "sari hutapea", 0.8, 0.85},
		{"budi", "budi santoso", 0, 0}, // a name is not its first word
		{"budi", "", 0, 0},
	} {
		got := duplicates.NameSimilarity(tc.a, tc.b)
		if got < tc.from-1e-9 || got > tc.to+1e-9 {
			t.Errorf("NameSimilarity(%q, %q) = %.3f, want %.2f to %.2f", tc.a, tc.b, got, tc.from, tc.to)
		}
		if back := duplicates.NameSimilarity(tc.b, tc.a); math.Abs(back-got) > 1e-9 {
			t.Errorf("NameSimilarity(%q, %q) = %.3f, but %.3f the other way", tc.b, tc.a, back, got)
		}
	}
}

// scores reads the duplicates of an entity through the API, in the order
// listed, as "ids score evidence,…".
func (c *crm) scores(t testing.TB, token, entity string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			IDs      []int64  `json:"ids"`
			Score    int      `json:"score"`
			Evidence []string `json:"evidence"`
		} `json:"items"`
	}
	c.Do(t, token, "GET", "/api/v1/duplicates?entity="+entity+"&limit=100", nil).Want(t, 200).JSON(t, &page)
	out := []string{}
	for _, g := range page.Items {
		out = append(out, fmt.Sprintf("%s %d %s", ids(g.IDs...), g.Score, strings.Join(g.Evidence, ",")))
	}
	return out
}

func TestScoresWeighTheEvidence(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		tanjung := c.create(t, admin, c.Accounts, records.Input{"name": "PT Tanjung Makmur"}).ID
		tanoto := c.create(t, admin, c.Accounts, records.Input{"name": "CV Tanoto Jaya"}).ID
		sinar := c.create(t, admin, c.Accounts, records.Input{"name": "Sinar Abadi"}).ID
		contact := func(in records.Input) int64 { return c.create(t, admin, c.Contacts, in).ID }

		// Relatives at one company: a surname and an account in common,
		// and given names that are not one another's typo.
		contact(records.Input{"first_name": "Rudi", "last_name": "Tanjung", "account_id": tanjung, "emails": []string{"rudi@tanjung.co.id"}})
		contact(records.Input{"first_name": "Budi", "last_name": "Tanjung", "account_id": tanjung, "emails": []string{"budi@tanjung.co.id"}})
		contact(records.Input{"first_name": "Sri", "last_name": "Tanoto", "account_id": tanoto})
		contact(records.Input{"first_name": "Siti", "last_name": "Tanoto", "account_id": tanoto})
		// Near-identical names at one company: one person twice.
		dot := contact(records.Input{"first_name": "Budi", "last_name": "Tanjung.", "account_id": sinar})
		lower := contact(records.Input{"first_name": "budi", "last_name": "tanjung", "account_id": sinar})
		rizky := contact(records.Input{"first_name": "Muhammad", "last_name": "Rizky", "account_id": tanoto})
		rizki := contact(records.Input{"first_name": "Muhammad", "last_name": "Rizki", "account_id": tanoto})
		// One mailbox or one mobile number, the name spelt two ways.
		lestari := contact(records.Input{"first_name": "Dewi", "last_name": "Lestari", "emails": []string{"DEWI@toko.id"}})
		lestary := contact(records.Input{"first_name": "Dewi", "last_name": "Lestary", "emails": []string{"dewi@toko.id"}})
		agus := contact(records.Input{"first_name": "Agus", "last_name": "Salim", "phones": []string{"0812-1111-2222"}})
		agoes := contact(records.Input{"first_name": "Agoes", "last_name": "Salim", "phones": []string{"+62 812 1111 2222"}})
		// Relatives who share a phone at their company are offered: the
		// phone is strong evidence, the company supports it.
		sisterA := contact(records.Input{"first_name": "Rina", "last_name": "Tanoto", "account_id": tanoto, "phones": []string{"0813-5555-6666"}})
		sisterB := contact(records.Input{"first_name": "Rini", "last_name": "Tanoto", "account_id": tanoto, "phones": []string{"081355556666"}})

		// 1 − 0.1 × (1 − 0.69) for the e-mail and a similar name; 0.85 for the
		// phone alone; 1 − 0.15 × 0.75 for the phone at one account; the
		// same name at one account 1 − 0.2 × 0.75; a one-letter typo 1 − 0.36 × 0.75.
		want := []string{
			ids(lestari, lestary) + " 97 email,similar_name",
			ids(sisterA, sisterB) + " 89 phone,same_company",
			ids(agus, agoes) + " 85 phone",
			ids(dot, lower) + " 85 same_name,same_company",
			ids(rizky, rizki) + " 73 similar_name,same_company",
		}
		if got := c.scores(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("groups by score:\n got %q\nwant %q", got, want)
		}
		wantReasons := map[string][]string{
			ids(lestari, lestary): {"email:dewi@toko.id"},
			ids(sisterA, sisterB): {"phone:+6281355556666"},
			ids(agus, agoes):      {"phone:+6281211112222"},
			ids(dot, lower):       {"name:budi tanjung"},
			ids(rizky, rizki):     {"name:muhammad rizky ≈ muhammad rizki"},
		}
		if got := c.groups(t, c.AdminToken, "contacts"); !reflect.DeepEqual(got, wantReasons) {
			t.Fatalf("reasons:\n got %v\nwant %v", got, wantReasons)
		}

		// Pages follow the same order.
		var listed []string
		q := url.Values{"limit": {"2"}}
		for {
			page, err := c.Dup.Find(context.Background(), admin, "contacts", q)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range page.Items {
				listed = append(listed, fmt.Sprintf("%s %d", ids(g.IDs...), g.Score))
			}
			if page.NextCursor == "" {
				break
			}
			q.Set("cursor", page.NextCursor)
		}
		for i, w := range want {
			if i >= len(listed) || !strings.HasPrefix(w, listed[i]+" ") {
				t.Fatalf("paged by two: %q, want the order of %q", listed, want)
			}
		}
		c.Do(t, c.AdminToken, "GET", "/api/v1/duplicates?entity=contacts&cursor=12", nil).Want(t, 422)

		// The page says why, in the reader's language.
		b := c.browser(t, "admin@example.co.id")
		status, body := b.get("/duplicates?entity=contacts")
		wantPage(t, status, body, 200, "Groups of likely duplicates: 5",
			"97% match — same e-mail, similar name", "89% match — same phone number, same company",
			"73% match — similar name, same company")
		if strings.Index(body, "97% match") > strings.Index(body, "73% match") {
			t.Error("the page does not list the surest group first")
		}
		if _, err := c.Auth.CreateUser(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari", Password: password, Role: auth.Admin, Locale: "id"}); err != nil {
			t.Fatal(err)
		}
		status, body = c.browser(t, "sari@example.co.id").get("/duplicates?entity=contacts")
		wantPage(t, status, body, 200, "Kecocokan 97 % — email sama, nama mirip", "Kecocokan 85 % — nama sama, perusahaan sama")
	})
}

func TestAccountNamesAreTheirIdentity(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		admin := c.admin()
		account := func(name string) int64 { return c.create(t, admin, c.Accounts, records.Input{"name": name}).ID }
		same1, same2 := account("PT Bersama Persada Tbk"), account("UD Bersama Persada")
		order1, order2 := account("PT Harapan Bersama"), account("Bersama Harapan")
		// A letter apart, two companies.
		account("PT Abadi Persada")
		account("PT Abadi Perkasa")
		want := []string{ids(same1, same2) + " 80 same_name", ids(order1, order2) + " 70 similar_name"}
		if got := c.scores(t, c.AdminToken, "accounts"); !reflect.DeepEqual(got, want) {
			t.Fatalf("account groups:\n got %q\nwant %q", got, want)
		}
	})
}
