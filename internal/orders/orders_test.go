package orders_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/store"
)

func TestProductSKUIsUniqueAmongLiveProducts(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		p := s.create(t, s.AdminToken, "products", map[string]any{"sku": "KOPI-250", "name": "Kopi Toraja 250 g", "unit_price": 85000})
		if p["currency"] != "IDR" || p["active"] != true || show(p["unit_price"]) != "85000" {
			t.Errorf("new product: currency %v active %v unit_price %v; want IDR, true, 85000", p["currency"], p["active"], p["unit_price"])
		}

		res := s.Do(t, s.AdminToken, "POST", "/api/v1/products", map[string]any{"sku": "kopi-250", "name": "Another coffee"}).Want(t, http.StatusConflict)
		if got := fieldErrors(t, res); !slices.Equal(got, []string{"sku:taken"}) {
			t.Errorf("duplicate SKU: %v, want sku:taken", got)
		}
		other := s.create(t, s.AdminToken, "products", map[string]any{"sku": "TEH-100", "name": "Teh Melati"})
		res = s.Do(t, s.AdminToken, "PATCH", path("products", other["id"]), map[string]any{"sku": "KOPI-250"}).Want(t, http.StatusConflict)
		if got := fieldErrors(t, res); !slices.Equal(got, []string{"sku:taken"}) {
			t.Errorf("renaming to a taken SKU: %v, want sku:taken", got)
		}
		// Saving a product under its own SKU is no conflict.
		s.Do(t, s.AdminToken, "PATCH", path("products", p["id"]), map[string]any{"sku": "KOPI-250", "name": "Kopi Toraja 250 gram"}).Want(t, http.StatusOK)

		// A product in the trash frees its SKU.
		s.Do(t, s.AdminToken, "DELETE", path("products", p["id"]), nil).Want(t, http.StatusNoContent)
		s.create(t, s.AdminToken, "products", map[string]any{"sku": "KOPI-250", "name": "Kopi Toraja, new pack"})
	})
}

func TestOrderNumbersRunPerMonth(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		var got []string
		for _, date := range []string{"2026-05-09", "2026-05-31", "2026-06-01", "2026-05-10"} {
			o := s.create(t, s.AdminToken, "orders", map[string]any{"ordered_at": date})
			got = append(got, show(o["number"]))
		}
		want := []string{"SO-202605-00001", "SO-202605-00002", "SO-202606-00001", "SO-202605-00003"}
		if !slices.Equal(got, want) {
			t.Errorf("numbers %v, want %v", got, want)
		}

		o := s.create(t, s.AdminToken, "orders", map[string]any{})
		today := time.Now().In(mustZone(t, "Asia/Jakarta")).Format(time.DateOnly)
		if o["ordered_at"] != today || o["status"] != "draft" || o["currency"] != "IDR" || show(o["total"]) != "0" {
			t.Errorf("defaults: ordered_at %v status %v currency %v total %v; want %s, draft, IDR, 0", o["ordered_at"], o["status"], o["currency"], o["total"], today)
		}
		if !strings.HasPrefix(show(o["number"]), "SO-"+strings.ReplaceAll(today[:7], "-", "")+"-") {
			t.Errorf("number %v, want one of this month", o["number"])
		}
		for _, field := range []string{"number", "total"} {
			res := s.Do(t, s.AdminToken, "PATCH", path("orders", o["id"]), map[string]any{field: "1"}).Want(t, http.StatusUnprocessableEntity)
			if got := fieldErrors(t, res); !slices.Equal(got, []string{field + ":read_only"}) {
				t.Errorf("setting %s: %v, want %s:read_only", field, got, field)
			}
		}
	})
}

func mustZone(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestOrderTakesTheContactsAccount(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		_, salesToken := s.User(t, "sari@example.co.id", auth.Sales, 0)
		acc := s.create(t, s.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		con := s.create(t, s.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})
		o := s.create(t, s.AdminToken, "orders", map[string]any{"contact_id": con["id"]})
		if show(o["account_id"]) != show(acc["id"]) {
			t.Errorf("account %v, want the contact's account %v", o["account_id"], acc["id"])
		}
		res := s.Do(t, salesToken, "POST", "/api/v1/orders", map[string]any{"contact_id": con["id"]}).Want(t, http.StatusUnprocessableEntity)
		if got := fieldErrors(t, res); !slices.Equal(got, []string{"contact_id:not_found"}) {
			t.Errorf("an order for a contact the caller cannot see: %v, want contact_id:not_found", got)
		}
	})
}

// line adds a line and returns it.
func (s *shop) line(t testing.TB, token string, orderID any, body map[string]any) map[string]any {
	t.Helper()
	return s.Do(t, token, "POST", path("orders", orderID)+"/lines", body).Want(t, http.StatusCreated).Map(t)
}

func (s *shop) total(t testing.TB, orderID any) string {
	t.Helper()
	return show(s.Do(t, s.AdminToken, "GET", path("orders", orderID), nil).Want(t, http.StatusOK).Map(t)["total"])
}

func TestLinesRecomputeTheTotal(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		kopi := s.create(t, s.AdminToken, "products", map[string]any{"sku": "KOPI-1K", "name": "Kopi Toraja 1 kg", "unit_price": 150000})
		o := s.create(t, s.AdminToken, "orders", map[string]any{"ordered_at": "2026-05-09"})

		// From the product: its name and price, 3 of them, 10 % off.
		first := s.line(t, s.AdminToken, o["id"], map[string]any{"product_id": kopi["id"], "quantity": 3, "discount_percent": 10})
		if first["description"] != "Kopi Toraja 1 kg" || show(first["unit_price"]) != "150000" || show(first["line_total"]) != "405000" {
			t.Errorf("product line: %v × %v at %v = %v; want Kopi Toraja 1 kg at 150000 = 405000", first["quantity"], first["description"], first["unit_price"], first["line_total"])
		}
		// A line of its own, with sen.
		second := s.line(t, s.AdminToken, o["id"], map[string]any{"description": "Ongkos kirim", "unit_price": json.Number("25000.50")})
		if show(second["line_total"]) != "25000.5" || show(second["quantity"]) != "1" {
			t.Errorf("shipping line: %v × %v = %v, want 1 × 25000.5", second["quantity"], second["unit_price"], second["line_total"])
		}
		if got := s.total(t, o["id"]); got != "430000.5" {
			t.Errorf("total %s, want 405000 + 25000.5 = 430000.5", got)
		}

		changed := s.Do(t, s.AdminToken, "PATCH", path("order-lines", first["id"]), map[string]any{"quantity": 2, "discount_percent": 12.5}).Want(t, http.StatusOK).Map(t)
		if show(changed["line_total"]) != "262500" || show(changed["discount_percent"]) != "12.5" {
			t.Errorf("changed line: total %v discount %v, want 2 × 150000 − 12.5 %% = 262500", changed["line_total"], changed["discount_percent"])
		}
		if got := s.total(t, o["id"]); got != "287500.5" {
			t.Errorf("total %s, want 262500 + 25000.5 = 287500.5", got)
		}
		s.Do(t, s.AdminToken, "DELETE", path("order-lines", second["id"]), nil).Want(t, http.StatusNoContent)
		if got := s.total(t, o["id"]); got != "262500" {
			t.Errorf("total %s after removing the shipping, want 262500", got)
		}

		var list struct{ Items []map[string]any }
		s.Do(t, s.AdminToken, "GET", path("orders", o["id"])+"/lines", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || show(list.Items[0]["id"]) != show(first["id"]) {
			t.Errorf("lines %v, want the coffee line only", list.Items)
		}

		// Each change is in the order's history, with the total it made.
		var history struct {
			Items []struct {
				Action  string
				Changes map[string][2]any
			}
		}
		s.Do(t, s.AdminToken, "GET", path("orders", o["id"])+"/history", nil).Want(t, http.StatusOK).JSON(t, &history)
		var got []string
		for _, h := range history.Items {
			got = append(got, h.Action+" "+show(h.Changes["total"][1]))
		}
		want := []string{"line_removed 262500", "line_changed 287500.5", "line_added 430000.5", "line_added 405000", "created 0"}
		if !slices.Equal(got, want) {
			t.Errorf("history %v, want %v", got, want)
		}

		// A currency change would change what the line prices mean.
		res := s.Do(t, s.AdminToken, "PATCH", path("orders", o["id"]), map[string]any{"currency": "USD"}).Want(t, http.StatusUnprocessableEntity)
		if got := fieldErrors(t, res); !slices.Equal(got, []string{"currency:has_lines"}) {
			t.Errorf("currency change with lines: %v, want currency:has_lines", got)
		}
	})
}

func TestLineValidation(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		dollars := s.create(t, s.AdminToken, "products", map[string]any{"name": "Imported grinder", "unit_price": json.Number("120.50"), "currency": "USD"})
		retired := s.create(t, s.AdminToken, "products", map[string]any{"name": "Old blend", "unit_price": 1000, "active": false})
		o := s.create(t, s.AdminToken, "orders", map[string]any{})
		cases := []struct {
			name string
			body map[string]any
			want []string
		}{
			{"nothing", map[string]any{}, []string{"description:required", "unit_price:required"}},
			{"no quantity", map[string]any{"description": "Box", "unit_price": 1, "quantity": 0}, []string{"quantity:out_of_range"}},
			{"a fraction of an item", map[string]any{"description": "Box", "unit_price": 1, "quantity": 1.5}, []string{"quantity:out_of_range"}},
			{"too much discount", map[string]any{"description": "Box", "unit_price": 1, "discount_percent": 101}, []string{"discount_percent:invalid_percent"}},
			{"sub-sen price", map[string]any{"description": "Box", "unit_price": json.Number("1.001")}, []string{"unit_price:invalid_amount"}},
			{"negative price", map[string]any{"description": "Box", "unit_price": -5}, []string{"unit_price:min"}},
			{"negative quantity", map[string]any{"description": "Box", "unit_price": 1, "quantity": -2}, []string{"quantity:out_of_range"}},
			{"negative discount", map[string]any{"description": "Box", "unit_price": 1, "discount_percent": -10}, []string{"discount_percent:invalid_percent"}},
			// JSON values must have their JSON types; only forms send text.
			{"text for numbers", map[string]any{"description": "Box", "unit_price": "5", "quantity": "2", "discount_percent": "10"},
				[]string{"discount_percent:wrong_type", "quantity:wrong_type", "unit_price:wrong_type"}},
			{"number for text", map[string]any{"description": 5, "unit_price": 1}, []string{"description:wrong_type"}},
			{"text for a product", map[string]any{"product_id": "7"}, []string{"product_id:wrong_type"}},
			{"unknown product", map[string]any{"product_id": 999999}, []string{"product_id:not_found"}},
			{"retired product", map[string]any{"product_id": retired["id"]}, []string{"product_id:inactive"}},
			{"product priced in another currency", map[string]any{"product_id": dollars["id"]}, []string{"unit_price:required"}},
			{"a typo", map[string]any{"description": "Box", "unit_price": 1, "qty": 2}, []string{"qty:unknown_field"}},
		}
		for _, tc := range cases {
			res := s.Do(t, s.AdminToken, "POST", path("orders", o["id"])+"/lines", tc.body).Want(t, http.StatusUnprocessableEntity)
			if got := fieldErrors(t, res); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		// With its price given in the order's currency, the imported item is fine.
		l := s.line(t, s.AdminToken, o["id"], map[string]any{"product_id": dollars["id"], "unit_price": 1900000})
		if l["description"] != "Imported grinder" || show(l["line_total"]) != "1900000" {
			t.Errorf("line %v at %v, want the product's name at the given price", l["description"], l["line_total"])
		}
		s.Do(t, s.AdminToken, "GET", path("orders", 999999)+"/lines", nil).Want(t, http.StatusNotFound)
		s.Do(t, s.AdminToken, "PATCH", path("order-lines", 999999), map[string]any{"quantity": 2}).Want(t, http.StatusNotFound)
	})
}

func TestLinesNeedTheRightToChangeTheOrder(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		_, salesToken := s.User(t, "sari@example.co.id", auth.Sales, 0)
		_, marketingToken := s.User(t, "maya@example.co.id", auth.Marketing, 0)
		o := s.create(t, s.AdminToken, "orders", map[string]any{})
		l := s.line(t, s.AdminToken, o["id"], map[string]any{"description": "Box", "unit_price": 10000})
		body := map[string]any{"description": "Box", "unit_price": 1}

		// Sales may not even see the admin's order; marketing sees it but may not change it.
		s.Do(t, salesToken, "GET", path("orders", o["id"])+"/lines", nil).Want(t, http.StatusNotFound)
		s.Do(t, salesToken, "POST", path("orders", o["id"])+"/lines", body).Want(t, http.StatusNotFound)
		s.Do(t, salesToken, "DELETE", path("order-lines", l["id"]), nil).Want(t, http.StatusNotFound)
		s.Do(t, marketingToken, "GET", path("orders", o["id"])+"/lines", nil).Want(t, http.StatusOK)
		s.Do(t, marketingToken, "POST", path("orders", o["id"])+"/lines", body).Want(t, http.StatusForbidden)
		s.Do(t, marketingToken, "PATCH", path("order-lines", l["id"]), map[string]any{"quantity": 5}).Want(t, http.StatusForbidden)
		if got := s.total(t, o["id"]); got != "10000" {
			t.Errorf("total %s, want 10000: refused changes change nothing", got)
		}
	})
}

func TestLineTotal(t *testing.T) {
	cases := []struct {
		quantity, unitPrice, discountBP, want int64
	}{
		{1, 333, 1250, 291},               // 291.375 rounds down
		{1, 5, 1000, 5},                   // 4.5 rounds half up
		{3, 15_000_000, 1000, 40_500_000}, // Rp 150.000 × 3 − 10 %
		{2, 100, 10_000, 0},               // free
		{1_000_000, 9_000_000_000_000, 0, 9_000_000_000_000_000_000}, // large: no overflow on the way
	}
	for _, c := range cases {
		if got := orders.LineTotal(c.quantity, c.unitPrice, c.discountBP); got != c.want {
			t.Errorf("LineTotal(%d, %d, %d) = %d, want %d", c.quantity, c.unitPrice, c.discountBP, got, c.want)
		}
	}
}

func TestLifetimeValueCountsPurchasesOnly(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		s := newShop(t, engine)
		acc := s.create(t, s.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		budi := s.create(t, s.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})
		rina := s.create(t, s.AdminToken, "contacts", map[string]any{"first_name": "Rina", "account_id": acc["id"]})
		order := func(contact map[string]any, status, currency string, price any) {
			o := s.create(t, s.AdminToken, "orders", map[string]any{"contact_id": contact["id"], "status": status, "currency": currency})
			s.line(t, s.AdminToken, o["id"], map[string]any{"description": "Goods", "unit_price": price})
		}
		order(budi, "completed", "IDR", 1500000)
		order(budi, "cancelled", "IDR", 999000)
		order(budi, "draft", "IDR", 5000000)
		order(budi, "draft", "EUR", 10)
		order(budi, "paid", "USD", json.Number("120.25"))
		order(rina, "shipped", "IDR", 250000)

		ctx := context.Background()
		show := func(amounts []orders.Amount) string {
			b, _ := json.Marshal(amounts)
			return string(b)
		}
		ltv, err := orders.LifetimeValue(ctx, s.DB.Read(), orders.Contact(num(t, budi["id"])))
		if err != nil {
			t.Fatal(err)
		}
		if got := show(ltv); got != `[{"amount":1500000,"currency":"IDR"},{"amount":120.25,"currency":"USD"}]` {
			t.Errorf("Budi's lifetime value %s, want IDR 1500000 and USD 120.25 (the cancelled and draft orders left out)", got)
		}
		ltv, err = orders.LifetimeValue(ctx, s.DB.Read(), orders.Account(num(t, acc["id"])))
		if err != nil {
			t.Fatal(err)
		}
		if got := show(ltv); got != `[{"amount":1750000,"currency":"IDR"},{"amount":120.25,"currency":"USD"}]` {
			t.Errorf("the account's lifetime value %s, want IDR 1750000 and USD 120.25", got)
		}
		ltv, err = orders.LifetimeValue(ctx, s.DB.Read(), orders.Contact(999999))
		if err != nil || show(ltv) != "[]" {
			t.Errorf("a contact without orders: %s (err %v), want []", show(ltv), err)
		}

		history, err := orders.PurchaseHistory(ctx, s.DB.Read(), s.Admin.Principal(), orders.Contact(num(t, budi["id"])), 10)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []string
		for _, p := range history {
			statuses = append(statuses, p.Status)
		}
		if !slices.Equal(statuses, []string{"paid", "draft", "draft", "cancelled", "completed"}) {
			t.Errorf("purchase history %v, want all of Budi's orders newest first, with their status", statuses)
		}
	})
}

func num(t testing.TB, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
