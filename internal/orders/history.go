package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Customer names whose purchases are meant: a contact or an account.
type Customer struct {
	column string // the orders column naming the customer
	ID     int64
}

// Contact is the customer contact id.
func Contact(id int64) Customer { return Customer{column: "contact_id", ID: id} }

// Account is the customer account id.
func Account(id int64) Customer { return Customer{column: "account_id", ID: id} }

// Amount is a sum of money in one currency, in minor units.
type Amount struct {
	Currency string
	Minor    int64
}

// MarshalJSON shows the amount as the API does, in major units.
func (a Amount) MarshalJSON() ([]byte, error) {
	exp, ok := i18n.CurrencyExponent(a.Currency)
	if !ok {
		exp = 2
	}
	return json.Marshal(map[string]any{"currency": a.Currency, "amount": records.FormatAmount(a.Minor, exp)})
}

// LifetimeValue is what a customer has bought, per currency: the totals
// of their orders that are purchases (PurchaseStatuses; drafts and
// cancelled orders are not). It counts every such order, also those the
// caller may not open, because it describes the customer.
func LifetimeValue(ctx context.Context, q store.Querier, c Customer) ([]Amount, error) {
	args := []any{c.ID}
	marks := make([]string, len(PurchaseStatuses))
	for i, s := range PurchaseStatuses {
		args = append(args, s)
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	amounts, err := store.Collect(ctx, q, func(row store.Scanner) (Amount, error) {
		var a Amount
		err := row.Scan(&a.Currency, &a.Minor)
		return a, err
	}, `SELECT currency, CAST(SUM(total) AS BIGINT) FROM orders
		WHERE `+c.column+` = $1 AND deleted_at IS NULL AND status IN (`+strings.Join(marks, ", ")+`)
		GROUP BY currency ORDER BY currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("lifetime value of %s %d: %w", c.column, c.ID, err)
	}
	if amounts == nil {
		amounts = []Amount{}
	}
	return amounts, nil
}

// Purchase is one order in a purchase history.
type Purchase struct {
	ID        int64
	Number    string
	OrderedAt string // YYYY-MM-DD
	Status    string
	Total     Amount
}

// Link is the order's page.
func (o Purchase) Link() string { return "/orders/" + strconv.FormatInt(o.ID, 10) }

// PurchaseHistory lists a customer's orders the caller may read, newest
// first.
func PurchaseHistory(ctx context.Context, q store.Querier, p auth.Principal, c Customer, limit int) ([]Purchase, error) {
	scope, args := p.Scope(auth.Read, "o.owner_id", 3)
	out, err := store.Collect(ctx, q, func(row store.Scanner) (Purchase, error) {
		var o Purchase
		var orderedAt any
		err := row.Scan(&o.ID, &o.Number, &orderedAt, &o.Status, &o.Total.Currency, &o.Total.Minor)
		o.OrderedAt = dateString(orderedAt)
		return o, err
	}, `SELECT o.id, o.number, o.ordered_at, o.status, o.currency, o.total FROM orders o
		WHERE o.`+c.column+` = $1 AND o.deleted_at IS NULL AND `+scope+`
		ORDER BY o.ordered_at DESC, o.id DESC LIMIT $2`, append([]any{c.ID, limit}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("purchase history of %s %d: %w", c.column, c.ID, err)
	}
	return out, nil
}

// dateString reads a DATE column of either engine as YYYY-MM-DD.
func dateString(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.DateOnly)
	case string:
		if len(x) >= 10 {
			return x[:10]
		}
		return x
	case []byte:
		return dateString(string(x))
	}
	return ""
}
