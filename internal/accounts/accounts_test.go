package accounts_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func TestDomainIsNormalised(t *testing.T) {
	f, ok := accounts.Entity(store.SQLite).Field("domain")
	if !ok {
		t.Fatal("accounts have no domain")
	}
	for in, want := range map[string]string{
		"maju.co.id":                          "maju.co.id",
		"https://www.Maju.co.id/tentang-kami": "maju.co.id",
		"http://maju.co.id?ref=x":             "maju.co.id",
		"WWW.TOKO.ID#kontak":                  "toko.id",
		"shop.maju.co.id/":                    "shop.maju.co.id",
	} {
		got, err := f.Accept(in, "")
		if err != nil || got != want {
			t.Errorf("domain %q → %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestAccountFields(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := recordstest.New(t, engine, func(*recordstest.Server) {})
			e := accounts.Entity(engine)
			ctx, admin := t.Context(), s.Admin.Principal()
			r, err := s.Store.Create(ctx, admin, e, records.Input{"name": "PT Nusantara Logistik", "industry": "logistics", "employees": 250,
				"annual_revenue": json.Number("12500000000.25"), "phone": "(031) 555-0101", "website": "nusantara-logistik.co.id", "tags": []string{"ekspor", "b2b"}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Int("annual_revenue") != 1250000000025 || r.Int("employees") != 250 || r.String("phone") != "+62315550101" ||
				r.String("website") != "https://nusantara-logistik.co.id" || !slices.Equal(r.Strings("tags"), []string{"ekspor", "b2b"}) || r.Title != "PT Nusantara Logistik" {
				t.Errorf("account %+v", r)
			}
			if _, err := s.Store.Create(ctx, admin, e, records.Input{"name": "X", "industry": "piracy"}); err == nil {
				t.Error("an industry outside the list was accepted")
			}
			for _, q := range []string{"Nusantara", "031-555-0101", "62315550101", "nusantara-logistik"} {
				hits, err := search.Search(ctx, s.DB, admin, q, 5)
				if err != nil || len(hits) != 1 || hits[0].Entity != "accounts" || hits[0].ID != r.ID {
					t.Errorf("search %q: %v (err %v)", q, hits, err)
				}
			}
		})
	}
}
