package search_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// server starts the API with accounts, contacts and search.
func server(t *testing.T, engine store.Engine) *recordstest.Server {
	t.Helper()
	return recordstest.New(t, engine, func(s *recordstest.Server) {
		records.RegisterAPI(s.Router, s.Store, accounts.Entity(engine))
		records.RegisterAPI(s.Router, s.Store, contacts.Entity(engine))
		search.RegisterAPI(s.Router, s.DB)
	})
}

func eachEngine(t *testing.T, fn func(t *testing.T, s *recordstest.Server)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, server(t, engine))
		})
	}
}

// find searches as token and returns the hits as "entity:title".
func find(t *testing.T, s *recordstest.Server, token, q string, limit ...int) []string {
	t.Helper()
	p := "/api/v1/search?q=" + url.QueryEscape(q)
	if len(limit) > 0 {
		p += fmt.Sprintf("&limit=%d", limit[0])
	}
	var res struct{ Items []search.Hit }
	s.Do(t, token, "GET", p, nil).Want(t, http.StatusOK).JSON(t, &res)
	if res.Items == nil {
		t.Fatalf("search %q: items is not an array", q)
	}
	out := make([]string, len(res.Items))
	for i, h := range res.Items {
		out[i] = h.Entity + ":" + h.Title
	}
	return out
}

func create(t *testing.T, s *recordstest.Server, token, entity string, body map[string]any) map[string]any {
	t.Helper()
	return s.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	return l
}

func TestSearchFindsContacts(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		tok := s.AdminToken
		acc := create(t, s, tok, "accounts", map[string]any{"name": "PT Sinar Harapan", "domain": "sinarharapan.co.id", "phone": "(021) 555-1234"})
		budi := create(t, s, tok, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso", "emails": []string{"Budi@Maju.co.id"},
			"phones": []string{"0812-3456-7890"}, "account_id": acc["id"], "job_title": "Manajer Pembelian", "city": "Surabaya"})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Siti", "last_name": "Budiarti", "emails": []string{"siti@gmail.com"}, "phones": []string{"+62 813 9999 0000"}})
		create(t, s, tok, "contacts", map[string]any{"first_name": "Ēka", "last_name": "O'Brien", "phones": []string{"+1 415 555 2671"}})

		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"Budi", []string{"contacts:Budi Santoso", "contacts:Siti Budiarti"}},
			{"budi santoso", []string{"contacts:Budi Santoso"}},
			{"Sant", []string{"contacts:Budi Santoso"}},
			{"SANTOSO", []string{"contacts:Budi Santoso"}},
			{"budi@maju.co.id", []string{"contacts:Budi Santoso"}},
			{"maju", []string{"contacts:Budi Santoso"}},
			{"gmail", []string{"contacts:Siti Budiarti"}},
			{"0812-3456", []string{"contacts:Budi Santoso"}},
			{"0812 3456 7890", []string{"contacts:Budi Santoso"}},
			{"6281234", []string{"contacts:Budi Santoso"}},
			{"+62 812 3456 7890", []string{"contacts:Budi Santoso"}},
			{"+6281234567890", []string{"contacts:Budi Santoso"}},
			{"081234567890", []string{"contacts:Budi Santoso"}},
			{"0813-9999", []string{"contacts:Siti Budiarti"}},
			{"+1 415 555", []string{"contacts:Ēka O'Brien"}},
			{"Sinar", []string{"accounts:PT Sinar Harapan", "contacts:Budi Santoso"}},
			{"sinar harapan", []string{"accounts:PT Sinar Harapan", "contacts:Budi Santoso"}},
			{"sinarharapan.co.id", []string{"accounts:PT Sinar Harapan"}},
			{"021-555-1234", []string{"accounts:PT Sinar Harapan"}},
			{"Pembelian", []string{"contacts:Budi Santoso"}},
			{"Surabaya", []string{"contacts:Budi Santoso"}},
			{"Ēka", []string{"contacts:Ēka O'Brien"}},
			{"O'Brien", []string{"contacts:Ēka O'Brien"}},
			{"Budi Jakarta", nil},
			{"xyz", nil},
			{"bu", nil},
			{"", nil},
			{"12", nil},
			{`"budi" OR * NEAR( -santoso`, nil},
			{`budi AND santoso`, nil},
			{"%_\\", nil},
		} {
			got := find(t, s, tok, tc.q)
			if !slices.Equal(sorted(got), sorted(tc.want)) {
				t.Errorf("search %q: %v, want %v", tc.q, got, tc.want)
			}
		}

		// A hit says what it is and where to go.
		var res struct{ Items []search.Hit }
		s.Do(t, tok, "GET", "/api/v1/search?q=santoso", nil).Want(t, http.StatusOK).JSON(t, &res)
		if len(res.Items) != 1 {
			t.Fatalf("hits %v", res.Items)
		}
		h := res.Items[0]
		if h.Entity != "contacts" || fmt.Sprint(h.ID) != fmt.Sprint(budi["id"]) || h.URL != fmt.Sprintf("/contacts/%s", budi["id"]) || h.Detail != "PT Sinar Harapan · budi@maju.co.id · 0812-3456-7890" {
			t.Errorf("hit %+v", h)
		}
		if strings.Contains(h.Detail, "  ") || strings.TrimSpace(h.Detail) != h.Detail {
			t.Errorf("detail %q has runs of blanks", h.Detail)
		}
		s.Do(t, tok, "GET", "/api/v1/search?q=siti", nil).Want(t, http.StatusOK).JSON(t, &res)
		if len(res.Items) != 1 || res.Items[0].Detail != "siti@gmail.com · 0813-9999-0000" {
			t.Errorf("Siti's detail %+v, want her e-mail and her phone as her page shows it", res.Items)
		}
	})
}

func TestSearchLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		for i := range 5 {
			create(t, s, s.AdminToken, "contacts", map[string]any{"first_name": fmt.Sprintf("Wahyu %d", i)})
		}
		if got := find(t, s, s.AdminToken, "wahyu"); len(got) != 5 {
			t.Errorf("%d hits, want 5", len(got))
		}
		if got := find(t, s, s.AdminToken, "wahyu", 2); len(got) != 2 {
			t.Errorf("%d hits with limit 2", len(got))
		}
		for _, bad := range []string{"0", "101", "lima"} {
			res := s.Do(t, s.AdminToken, "GET", "/api/v1/search?q=wahyu&limit="+bad, nil).Want(t, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), `"field":"limit"`) {
				t.Errorf("limit=%s: %s", bad, res.Body)
			}
		}
		s.Do(t, "", "GET", "/api/v1/search?q=wahyu", nil).Want(t, http.StatusUnauthorized)
	})
}

func TestSearchScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		team := func(name string) int64 {
			tm, err := s.Auth.CreateTeam(t.Context(), s.Admin.Principal(), auth.TeamInput{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return tm.ID
		}
		utara := team("Utara")
		sales, salesTok := s.User(t, "sales@example.co.id", auth.Sales, utara)
		mate, _ := s.User(t, "mate@example.co.id", auth.Sales, utara)
		_, mgrTok := s.User(t, "mgr@example.co.id", auth.Manager, utara)
		other, _ := s.User(t, "other@example.co.id", auth.Sales, 0)
		_, roTok := s.User(t, "ro@example.co.id", auth.ReadOnly, 0)
		for name, owner := range map[string]any{"Rudi Milik Sales": sales.ID, "Rudi Milik Mate": mate.ID, "Rudi Milik Other": other.ID, "Rudi Umum": nil} {
			create(t, s, s.AdminToken, "contacts", map[string]any{"first_name": name, "owner_id": owner})
		}
		create(t, s, s.AdminToken, "accounts", map[string]any{"name": "Rudi Motor", "owner_id": other.ID})
		for _, tc := range []struct {
			who   string
			token string
			want  []string
		}{
			{"sales", salesTok, []string{"contacts:Rudi Milik Sales", "contacts:Rudi Umum"}},
			{"manager", mgrTok, []string{"contacts:Rudi Milik Sales", "contacts:Rudi Milik Mate", "contacts:Rudi Umum"}},
			{"readonly", roTok, []string{"accounts:Rudi Motor", "contacts:Rudi Milik Sales", "contacts:Rudi Milik Mate", "contacts:Rudi Milik Other", "contacts:Rudi Umum"}},
		} {
			if got := find(t, s, tc.token, "rudi"); !slices.Equal(sorted(got), sorted(tc.want)) {
				t.Errorf("%s finds %v, want %v", tc.who, got, tc.want)
			}
		}
		// The scope holds under the limit too: sales's hits are not cut
		// by records it may not see.
		if got := find(t, s, salesTok, "rudi", 1); len(got) != 1 {
			t.Errorf("sales with limit 1: %v", got)
		}
	})
}

func TestSearchFollowsChanges(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *recordstest.Server) {
		tok := s.AdminToken
		sales, salesTok := s.User(t, "sales@example.co.id", auth.Sales, 0)
		con := create(t, s, tok, "contacts", map[string]any{"first_name": "Bambang", "last_name": "Sutrisno", "phones": []string{"0812-1111-2222"}, "owner_id": sales.ID})
		p := fmt.Sprintf("/api/v1/contacts/%s", con["id"])

		s.Do(t, tok, "PATCH", p, map[string]any{"first_name": "Bagus", "phones": []string{"0857-3333-4444"}, "emails": []string{"bagus@tani.id"}}).Want(t, http.StatusOK)
		for q, want := range map[string][]string{
			"Bambang": nil, "Bagus": {"contacts:Bagus Sutrisno"}, "Sutrisno": {"contacts:Bagus Sutrisno"},
			"0812-1111": nil, "0857-3333": {"contacts:Bagus Sutrisno"}, "tani": {"contacts:Bagus Sutrisno"},
		} {
			if got := find(t, s, tok, q); !slices.Equal(got, want) {
				t.Errorf("after rename, %q finds %v, want %v", q, got, want)
			}
		}
		// Giving the contact away takes it out of the old owner's search.
		if got := find(t, s, salesTok, "Bagus"); len(got) != 1 {
			t.Errorf("owner finds %v", got)
		}
		s.Do(t, tok, "PATCH", p, map[string]any{"owner_id": s.Admin.ID}).Want(t, http.StatusOK)
		if got := find(t, s, salesTok, "Bagus"); len(got) != 0 {
			t.Errorf("former owner still finds %v", got)
		}
		// Deleted records are not found, restored ones are again.
		s.Do(t, tok, "DELETE", p, nil).Want(t, http.StatusNoContent)
		if got := find(t, s, tok, "Bagus"); len(got) != 0 {
			t.Errorf("deleted contact found: %v", got)
		}
		s.Do(t, tok, "POST", p+"/restore", nil).Want(t, http.StatusOK)
		if got := find(t, s, tok, "Bagus"); !slices.Equal(got, []string{"contacts:Bagus Sutrisno"}) {
			t.Errorf("restored contact: %v", got)
		}
		// Many saves leave one document per record.
		for i := range 5 {
			s.Do(t, tok, "PATCH", p, map[string]any{"job_title": fmt.Sprintf("Staf %d", i)}).Want(t, http.StatusOK)
		}
		if got := find(t, s, tok, "Sutrisno"); len(got) != 1 {
			t.Errorf("after five saves: %v", got)
		}

		acc := create(t, s, tok, "accounts", map[string]any{"name": "CV Lama Jaya"})
		ap := fmt.Sprintf("/api/v1/accounts/%s", acc["id"])
		s.Do(t, tok, "PATCH", ap, map[string]any{"name": "CV Baru Makmur"}).Want(t, http.StatusOK)
		if got := find(t, s, tok, "Lama"); len(got) != 0 {
			t.Errorf("old account name found: %v", got)
		}
		if got := find(t, s, tok, "Makmur"); !slices.Equal(got, []string{"accounts:CV Baru Makmur"}) {
			t.Errorf("new account name: %v", got)
		}
		s.Do(t, tok, "DELETE", ap, nil).Want(t, http.StatusNoContent)
		if got := find(t, s, tok, "Makmur"); len(got) != 0 {
			t.Errorf("deleted account found: %v", got)
		}
	})
}
