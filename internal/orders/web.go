package orders

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages and partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// ProductOption is a product offered in the add-line form.
type ProductOption struct {
	ID       int64
	Name     string
	SKU      string
	Price    *int64
	Currency string
}

// activeProducts lists the products that may be put on an order.
func activeProducts(ctx context.Context, q store.Querier) ([]ProductOption, error) {
	out, err := store.Collect(ctx, q, func(row store.Scanner) (ProductOption, error) {
		var o ProductOption
		var sku *string
		err := row.Scan(&o.ID, &o.Name, &sku, &o.Price, &o.Currency)
		if sku != nil {
			o.SKU = *sku
		}
		return o, err
	}, `SELECT id, name, sku, unit_price, currency FROM products WHERE active = true AND deleted_at IS NULL
		ORDER BY lower(name), id LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("active products: %w", err)
	}
	return out, nil
}

// LinesView is what the order's lines panel and the add-line page show.
type LinesView struct {
	Order    *records.Record
	Lines    []Line
	Products []ProductOption
	Total    Amount
}

// LinesPanel is the order detail page's panel: the lines, the total and a
// form to add a line. Attach it to the orders entity's Panels.
func LinesPanel(ls *Lines) records.Panel {
	return records.Panel{Title: "orders.lines", Template: "orders_lines",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			return ls.view(ctx, p, r)
		}}
}

func (ls *Lines) view(ctx context.Context, p auth.Principal, order *records.Record) (LinesView, error) {
	lines, err := ls.List(ctx, p, order.ID)
	if err != nil {
		return LinesView{}, err
	}
	products, err := activeProducts(ctx, ls.store.DB().Read())
	if err != nil {
		return LinesView{}, err
	}
	total, _ := order.Get("total").(int64)
	return LinesView{Order: order, Lines: lines, Products: products, Total: Amount{Currency: order.String("currency"), Minor: total}}, nil
}

// PurchasesView is what the purchase history panel shows.
type PurchasesView struct {
	Orders   []Purchase
	Lifetime []Amount
}

// PurchaseHistoryLimit is how many orders the panel lists.
const PurchaseHistoryLimit = 20

// ContactPurchasesPanel is the contact detail page's purchase history.
func ContactPurchasesPanel(db *store.DB) records.Panel { return purchasesPanel(db, Contact) }

// AccountPurchasesPanel is the account detail page's purchase history.
func AccountPurchasesPanel(db *store.DB) records.Panel { return purchasesPanel(db, Account) }

func purchasesPanel(db *store.DB, customer func(int64) Customer) records.Panel {
	return records.Panel{Title: "orders.purchase_history", Template: "orders_purchases",
		Data: func(ctx context.Context, p auth.Principal, r *records.Record) (any, error) {
			c := customer(r.ID)
			list, err := PurchaseHistory(ctx, db.Read(), p, c, PurchaseHistoryLimit)
			if err != nil {
				return nil, err
			}
			ltv, err := LifetimeValue(ctx, db.Read(), c)
			if err != nil {
				return nil, err
			}
			return PurchasesView{Orders: list, Lifetime: ltv}, nil
		}}
}

// RegisterWeb adds the add-line and remove-line forms of the lines panel.
func RegisterWeb(rt *web.Router, ls *Lines) {
	rt.Page("POST /orders/{id}/lines", func(c *web.Ctx) error {
		id, err := records.PathID(c.R)
		if err != nil {
			return err
		}
		order, err := ls.store.Get(c.R.Context(), *c.User, ls.orders, id)
		if err != nil {
			return err
		}
		in := map[string]any{}
		for _, name := range lineFields {
			if v := c.Form(name); v != "" {
				in[name] = records.FormText(v)
			}
		}
		if s, ok := in["unit_price"].(records.FormText); ok {
			// Typed the way people write money in their language
			// ("1.500.000" in Indonesian); the line takes major units.
			cur := order.String("currency")
			if minor, err := i18n.ParseMoney(c.Lang, string(s), cur); err == nil {
				exp, _ := i18n.CurrencyExponent(cur)
				in["unit_price"] = records.FormText(records.FormatAmount(minor, exp))
			}
		}
		if _, err := ls.Add(c.R.Context(), *c.User, id, in); err != nil {
			if e, ok := errs.As(err); ok {
				// The store words a refused price's example for the API;
				// the form shows it as the user writes money.
				for i, fe := range e.Fields {
					if fe.Field == "unit_price" && fe.Code == "invalid_amount" {
						e.Fields[i].Args = []any{c.Fmt().AmountExample(order.String("currency"))}
					}
				}
			}
			view, verr := ls.view(c.R.Context(), *c.User, &order)
			if verr != nil {
				return verr
			}
			return c.RenderForm("orders_line_form", "orders.add_line", "", view, err)
		}
		return c.Redirect(orderPage(id), "flash.order_line_added")
	})
	rt.Page("POST /order-lines/{id}/delete", func(c *web.Ctx) error {
		id, err := records.PathID(c.R)
		if err != nil {
			return err
		}
		orderID, err := ls.Delete(c.R.Context(), *c.User, id)
		if err != nil {
			return err
		}
		return c.Redirect(orderPage(orderID), "flash.order_line_removed")
	})
}

func orderPage(id int64) string { return "/orders/" + strconv.FormatInt(id, 10) }
