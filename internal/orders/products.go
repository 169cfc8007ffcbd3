// Package orders is what customers buy: the price list (products), orders
// with their lines, and each contact's and account's purchase history and
// lifetime order value.
package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// ProductEntity describes products for the records machinery. Products
// belong to the company, not to a salesperson: they have no owner.
func ProductEntity(engine store.Engine) *records.Entity {
	return &records.Entity{
		Name: "products", Table: "products", Alias: "prd", Label: "entity.products", Singular: "entity.product",
		// Not Searched: a catalogue holds hundreds of products, which a
		// picker finds by name faster than the search index tells them from
		// the rest of its documents (see records.Entity.Searched).
		TitleSQL: "prd.name", DefaultSort: "name",
		Fields: []records.Field{
			{Name: "sku", Label: "field.sku", Kind: records.Text, Column: "sku", MaxLen: 64, InList: true},
			{Name: "name", Label: "field.name", Kind: records.Text, Column: "name", Required: true, MaxLen: 200, InList: true},
			{Name: "description", Label: "field.product_description", Kind: records.LongText, Column: "description"},
			{Name: "unit_price", Label: "field.unit_price", Kind: records.Money, Column: "unit_price", CurrencyField: "currency", InList: true, Min: new(int64(0))},
			{Name: "currency", Label: "field.price_currency", Kind: records.Select, Column: "currency", Choices: i18n.Currencies()},
			{Name: "active", Label: "field.active", Kind: records.Bool, Column: "active", InList: true},
			{Name: "category", Label: "field.category", Kind: records.Text, Column: "category", MaxLen: 100, InList: true},
		},
		BeforeSave: productBeforeSave,
		AfterSave:  searchAfterSave(engine, "products", productDoc),
	}
}

// productBeforeSave fills in the defaults (Rupiah, active) and keeps SKUs
// unique among live products.
func productBeforeSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	if r.String("currency") == "" {
		r.Set("currency", i18n.DefaultCurrency)
	}
	if r.Get("active") == nil {
		r.Set("active", true)
	}
	sku := r.String("sku")
	if sku == "" {
		return nil
	}
	var other int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM products WHERE lower(sku) = lower($1) AND deleted_at IS NULL AND id <> $2", sku, r.ID).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check SKU %q: %w", sku, err)
	}
	return &errs.Error{Code: errs.Conflict, Message: fmt.Sprintf("Another product (ID %d) already has SKU %s.", other, sku),
		Fields: []errs.FieldError{{Field: "sku", Code: "taken", Message: "is the SKU of another product"}}}
}
