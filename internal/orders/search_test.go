package orders_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// found lists "entity title" of what global search answers token for q.
func (s *shop) found(t *testing.T, token, q string) []string {
	t.Helper()
	var out []string
	for _, h := range s.hits(t, token, q) {
		out = append(out, h.Entity+" "+h.Title)
	}
	return out
}

// hits are what global search answers token for q.
func (s *shop) hits(t *testing.T, token, q string) []search.Hit {
	t.Helper()
	var res struct{ Items []search.Hit }
	s.Do(t, token, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Want(t, http.StatusOK).JSON(t, &res)
	return res.Items
}

func TestSearchFindsOrdersAndProducts(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		_, sari := s.User(t, "sari@example.co.id", auth.Sales, 0)
		_, eko := s.User(t, "eko@example.co.id", auth.Sales, 0)

		p := s.create(t, s.AdminToken, "products", map[string]any{"name": "Kopi Bubuk Toraja 200 g", "sku": "KOP-200", "category": "Minuman"})
		for _, q := range []string{"toraja", "KOP-200", "minuman"} {
			if got := s.found(t, eko, q); !slices.Contains(got, "products Kopi Bubuk Toraja 200 g") {
				t.Errorf("search %q: %v; products are everyone's to find", q, got)
			}
		}
		// Found by SKU, the hit says so and reads its category.
		if h := s.hits(t, eko, "KOP-200"); len(h) != 1 || h[0].Detail != "Minuman" || h[0].Match == nil || *h[0].Match != (search.Field{Name: "sku", Value: "KOP-200"}) {
			t.Errorf("search KOP-200: %+v, want the product with its SKU matched", h)
		}
		if h := s.hits(t, eko, "toraja"); len(h) != 1 || h[0].Detail != "KOP-200 · Minuman" || h[0].Match != nil {
			t.Errorf("search toraja: %+v, want the product's SKU and category under its name", h)
		}
		s.Do(t, s.AdminToken, "PATCH", path("products", p["id"]), map[string]any{"name": "Kopi Arabika Gayo"}).Want(t, http.StatusOK)
		if got := s.found(t, eko, "toraja"); len(got) != 0 {
			t.Errorf("old name still found: %v", got)
		}

		o := s.create(t, sari, "orders", map[string]any{})
		number := o["number"].(string)
		serial := number[strings.LastIndex(number, "-")+1:]
		for _, q := range []string{number, serial} {
			if got := s.found(t, sari, q); !slices.Contains(got, "orders "+number) {
				t.Errorf("search %q as the order's owner: %v", q, got)
			}
		}
		// An order's line is its status, which follows the order.
		if h := s.hits(t, sari, number); len(h) != 1 || h[0].Detail != "draft" || !slices.Equal(h[0].Fields, []search.Field{{Name: "status", Value: "draft"}}) {
			t.Errorf("search %s: %+v, want the order with its status", number, h)
		}
		s.Do(t, sari, "PATCH", path("orders", o["id"]), map[string]any{"status": "confirmed"}).Want(t, http.StatusOK)
		if h := s.hits(t, sari, serial); len(h) != 1 || h[0].Detail != "confirmed" {
			t.Errorf("after confirming, search %s: %+v", serial, h)
		}
		if got := s.found(t, eko, number); slices.Contains(got, "orders "+number) {
			t.Errorf("a sales user of no team found another's order: %v", got)
		}

		s.Do(t, sari, "DELETE", path("orders", o["id"]), nil).Want(t, http.StatusNoContent)
		s.Do(t, s.AdminToken, "DELETE", path("products", p["id"]), nil).Want(t, http.StatusNoContent)
		if got := append(s.found(t, s.AdminToken, number), s.found(t, s.AdminToken, "gayo")...); len(got) != 0 {
			t.Errorf("trashed records found: %v", got)
		}
		s.Do(t, sari, "POST", path("orders", o["id"])+"/restore", nil).Want(t, http.StatusOK)
		if got := s.found(t, sari, serial); !slices.Contains(got, "orders "+number) {
			t.Errorf("restored order not found: %v", got)
		}
	})
}
