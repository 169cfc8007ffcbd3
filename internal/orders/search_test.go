package orders_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// found lists "entity title" of what global search answers token for q.
func (s *shop) found(t *testing.T, token, q string) []string {
	t.Helper()
	var res struct {
		Items []struct{ Entity, Title, Detail, URL string }
	}
	s.Do(t, token, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Want(t, http.StatusOK).JSON(t, &res)
	var out []string
	for _, h := range res.Items {
		out = append(out, h.Entity+" "+h.Title)
	}
	return out
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
