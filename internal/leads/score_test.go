package leads_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
)

func TestScoreExplainsEveryPoint(t *testing.T) {
	cases := []struct {
		name    string
		values  map[string]any
		score   int
		reasons []string
	}{
		{"nothing known", map[string]any{"first_name": "Budi"}, 0, []string{}},
		{"hot referral with every detail from a director",
			map[string]any{"rating": "hot", "source": "referral", "email": "budi@maju.co.id", "phone": "+6281234567890", "company": "PT Maju", "job_title": "Direktur Utama"},
			100, []string{"+30 rating hot", "+20 source referral", "+10 has an e-mail address", "+10 has a phone number", "+10 has a company", `+20 job title "Direktur Utama" names a decision maker`}},
		{"warm web form lead with a phone", map[string]any{"rating": "warm", "source": "web_form", "phone": "+6281234567890"},
			40, []string{"+20 rating warm", "+10 source web_form", "+10 has a phone number"}},
		{"an owner in Indonesian counts", map[string]any{"job_title": "Pemilik toko"}, 20, []string{`+20 job title "Pemilik toko" names a decision maker`}},
		{"a word that merely contains a title does not", map[string]any{"job_title": "Headset tester"}, 0, []string{}},
		{"junk never goes below zero", map[string]any{"rating": "junk", "email": "x@y.co"}, 0, []string{"-40 rating junk", "+10 has an e-mail address"}},
		{"an import earns nothing for its source", map[string]any{"source": "import", "company": "CV Sejahtera"}, 10, []string{"+10 has a company"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			score, reasons := leads.Score(&records.Record{Values: tc.values})
			texts := []string{}
			for _, r := range reasons {
				texts = append(texts, r.Text())
			}
			if score != tc.score || !reflect.DeepEqual(texts, tc.reasons) {
				t.Errorf("score %d %q, want %d %q", score, texts, tc.score, tc.reasons)
			}
		})
	}
}

func TestScoreIsKeptOnEverySave(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "last_name": "Santoso", "rating": "hot", "source": "referral",
			"phone": "0812-3456-7890", "company": "PT Maju Jaya"})
		if num(t, l["score"]) != 70 || l["phone"] != "+6281234567890" || l["status"] != "new" {
			t.Fatalf("new lead: score %v, phone %v, status %v", l["score"], l["phone"], l["status"])
		}
		want := []any{"+30 rating hot", "+20 source referral", "+10 has a phone number", "+10 has a company"}
		if !reflect.DeepEqual(l["score_reasons"], want) {
			t.Errorf("reasons %v, want %v", l["score_reasons"], want)
		}
		id := num(t, l["id"])
		// The score follows the fields: a colder rating and a director's title.
		got := c.Do(t, c.AdminToken, "PATCH", "/api/v1/leads/"+itoa(id), map[string]any{"rating": "cold", "job_title": "Direktur"}).Want(t, 200).Map(t)
		if num(t, got["score"]) != 65 {
			t.Errorf("after the change the score is %v, want 65 (5 + 20 + 10 + 10 + 20)", got["score"])
		}
		// It is the API's to set.
		res := c.Do(t, c.AdminToken, "PATCH", "/api/v1/leads/"+itoa(id), map[string]any{"score": 100})
		if res.Status != 422 {
			t.Errorf("setting the score: status %d, want 422", res.Status)
		}
		// Leads sort by score.
		c.lead(t, c.AdminToken, map[string]any{"first_name": "Cold"})
		list := c.get(t, "/api/v1/leads?sort=-score")
		items := list["items"].([]any)
		if len(items) != 2 || num(t, items[0].(map[string]any)["id"]) != id {
			t.Errorf("sorted by score: %v", items)
		}
	})
}

func TestLeadsAreFoundBySearch(t *testing.T) {
	eachEngine(t, func(t *testing.T, c *crm) {
		l := c.lead(t, c.AdminToken, map[string]any{"first_name": "Budi", "last_name": "Santoso", "company": "PT Maju Jaya", "phone": "0812-3456-7890", "email": "budi@majujaya.co.id"})
		for _, q := range []string{"0812-3456", "majujaya", "Santoso", "Maju Jaya"} {
			hits, err := search.Search(context.Background(), c.DB, c.Admin.Principal(), q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || hits[0].Entity != "leads" || hits[0].ID != num(t, l["id"]) || hits[0].URL != "/leads/"+itoa(num(t, l["id"])) {
				t.Errorf("search %q: %v", q, hits)
			}
		}
		c.Do(t, c.AdminToken, "DELETE", "/api/v1/leads/"+itoa(num(t, l["id"])), nil).Want(t, 204)
		if hits, _ := search.Search(context.Background(), c.DB, c.Admin.Principal(), "Santoso", 10); len(hits) != 0 {
			t.Errorf("a lead in the trash is found: %v", hits)
		}
	})
}
