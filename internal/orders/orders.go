package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Statuses an order moves through.
var Statuses = []string{"draft", "confirmed", "paid", "shipped", "completed", "cancelled"}

// PurchaseStatuses are the statuses of an order that is a purchase: the
// customer has committed to it. A draft is a quotation still being put
// together and a cancelled order was called off; neither counts towards a
// customer's lifetime value.
var PurchaseStatuses = []string{"confirmed", "paid", "shipped", "completed"}

// businessZone is where "today" is for an order's default date.
var businessZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
}()

// OrderEntity describes orders for the records machinery. The number and
// the total are Relasi's: the number is given when the order is created,
// the total follows the lines (see Lines).
func OrderEntity(engine store.Engine) *records.Entity {
	return &records.Entity{
		Name: "orders", Table: "orders", Alias: "o", Label: "entity.orders", Singular: "entity.order",
		Owned: true, Searched: true, TitleSQL: "o.number", DefaultSort: "-created_at",
		Fields: []records.Field{
			{Name: "number", Label: "field.order_number", Kind: records.Text, Column: "number", ReadOnly: true, InList: true},
			{Name: "contact_id", Label: "field.order_contact", Kind: records.Ref, Column: "contact_id", Ref: "contacts", InList: true,
				RefTitle: "(SELECT trim(first_name || ' ' || COALESCE(last_name, '')) FROM contacts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "account_id", Label: "field.account", Kind: records.Ref, Column: "account_id", Ref: "accounts", InList: true,
				RefTitle: "(SELECT name FROM accounts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "ordered_at", Label: "field.ordered_at", Kind: records.Date, Column: "ordered_at", InList: true},
			{Name: "status", Label: "field.order_status", Kind: records.Select, Column: "status", Choices: Statuses, InList: true},
			{Name: "currency", Label: "field.order_currency", Kind: records.Select, Column: "currency", Choices: i18n.Currencies()},
			{Name: "total", Label: "field.order_total", Kind: records.Money, Column: "total", CurrencyField: "currency", ReadOnly: true, InList: true},
			{Name: "notes", Label: "field.order_notes", Kind: records.LongText, Column: "notes"},
		},
		BeforeSave: orderBeforeSave,
		AfterSave:  searchAfterSave(engine, "orders", orderDoc),
	}
}

// orderBeforeSave fills in the defaults, checks the customer, and numbers
// a new order.
func orderBeforeSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	if r.String("currency") == "" {
		r.Set("currency", i18n.DefaultCurrency)
	}
	if r.String("status") == "" {
		r.Set("status", "draft")
	}
	if r.String("ordered_at") == "" {
		r.Set("ordered_at", time.Now().In(businessZone).Format(time.DateOnly))
	}
	if err := checkCustomer(ctx, tx, c); err != nil {
		return err
	}
	if c.Old == nil {
		r.Set("total", int64(0))
		number, err := nextNumber(ctx, tx, r.String("ordered_at"))
		if err != nil {
			return err
		}
		r.Set("number", number)
		return nil
	}
	if r.String("currency") != c.Old.String("currency") {
		// Line prices are amounts in the order's currency; changing it
		// would silently change what they mean.
		var lines int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM order_lines WHERE order_id = $1", r.ID).Scan(&lines); err != nil {
			return fmt.Errorf("lines of order %d: %w", r.ID, err)
		}
		if lines > 0 {
			var fe errs.Fields
			fe.Add("currency", "has_lines", "cannot change while the order has lines; remove them first")
			return fe.Err()
		}
	}
	return nil
}

// checkCustomer checks a newly chosen contact and account — each must be a
// record the caller may see — and takes the account from the contact when
// none is given.
func checkCustomer(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	changed := func(name string) bool { return c.Old == nil || c.Old.Int(name) != r.Int(name) }
	var fe errs.Fields
	if id := r.Int("contact_id"); id != 0 && changed("contact_id") {
		var account sql.NullInt64
		err := scoped(ctx, tx, c.Actor, "SELECT x.account_id FROM contacts x", id).Scan(&account)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fe.Add("contact_id", "not_found", "no contact you may see has this ID")
		case err != nil:
			return fmt.Errorf("order's contact %d: %w", id, err)
		case r.Int("account_id") == 0 && account.Valid:
			r.Set("account_id", account.Int64)
		}
	}
	// records checks that a changed account_id names an account the
	// caller may read, as it does for every link.
	return fe.Err()
}

// scoped runs a lookup of one live owned record x by ID, limited to what p
// may read.
func scoped(ctx context.Context, q store.Querier, p auth.Principal, selectFrom string, id int64) *sql.Row {
	scope, args := p.Scope(auth.Read, "x.owner_id", 2)
	return q.QueryRowContext(ctx, selectFrom+" WHERE x.id = $1 AND x.deleted_at IS NULL AND "+scope, append([]any{id}, args...)...)
}

// nextNumber gives the next order number of the month of orderedAt
// ("2026-05-09" → "SO-202605-00042"). The counter row is updated in the
// order's transaction, so concurrent orders never share a number.
func nextNumber(ctx context.Context, tx *sql.Tx, orderedAt string) (string, error) {
	period := strings.ReplaceAll(orderedAt, "-", "")[:6]
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO order_numbers (period, last_number) VALUES ($1, 1)
		ON CONFLICT (period) DO UPDATE SET last_number = order_numbers.last_number + 1
		RETURNING last_number`, period).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("number an order of %s: %w", period, err)
	}
	return fmt.Sprintf("SO-%s-%05d", period, n), nil
}
