package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Line is one line of an order: a quantity of a product (or of anything
// described) at a unit price, less a discount. Amounts are minor units of
// the order's currency.
type Line struct {
	ID          int64
	OrderID     int64
	ProductID   int64 // 0 when the line names no product
	Description string
	Quantity    int64
	UnitPrice   int64
	DiscountBP  int64 // basis points: 1250 is 12.5 %
	LineTotal   int64
	Currency    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LineTotal is quantity × unit price less the discount, rounded half up to
// the minor unit. It is computed with big integers: a large quantity of an
// expensive item must not overflow.
func LineTotal(quantity, unitPrice, discountBP int64) int64 {
	n := new(big.Int).Mul(big.NewInt(quantity), big.NewInt(unitPrice))
	n.Mul(n, big.NewInt(10_000-discountBP))
	n.Add(n, big.NewInt(5_000))
	n.Quo(n, big.NewInt(10_000))
	if !n.IsInt64() {
		return math.MaxInt64
	}
	return n.Int64()
}

// DiscountPercent is the discount as a percentage, e.g. 12.5.
func (l Line) DiscountPercent() float64 { return float64(l.DiscountBP) / 100 }

// DiscountDecimals is how many decimals show the discount: none for a
// whole percentage.
func (l Line) DiscountDecimals() int {
	if l.DiscountBP%100 == 0 {
		return 0
	}
	return 2
}

// exponent is the minor-unit digits of the line's currency.
func (l Line) exponent() int {
	if e, ok := i18n.CurrencyExponent(l.Currency); ok {
		return e
	}
	return 2
}

// MarshalJSON shows the line as the API does: amounts in major units.
func (l Line) MarshalJSON() ([]byte, error) {
	var product any
	if l.ProductID != 0 {
		product = l.ProductID
	}
	exp := l.exponent()
	return json.Marshal(map[string]any{
		"id": l.ID, "order_id": l.OrderID, "product_id": product, "description": l.Description,
		"quantity": l.Quantity, "unit_price": records.FormatAmount(l.UnitPrice, exp),
		"discount_percent": json.Number(strconv.FormatFloat(l.DiscountPercent(), 'f', -1, 64)),
		"line_total":       records.FormatAmount(l.LineTotal, exp), "currency": l.Currency,
		"created_at": l.CreatedAt, "updated_at": l.UpdatedAt,
	})
}

// summary is how a line reads in the order's history.
func (l Line) summary() string {
	s := fmt.Sprintf("%d × %s @ %s %s", l.Quantity, l.Description, records.FormatAmount(l.UnitPrice, l.exponent()), l.Currency)
	if l.DiscountBP != 0 {
		s += fmt.Sprintf(" −%s%%", strconv.FormatFloat(l.DiscountPercent(), 'f', -1, 64))
	}
	return s
}

// Limits of a line's values.
const (
	MaxQuantity = 1_000_000
	maxDescLen  = 500
)

// lineFields are the names a line input may hold.
var lineFields = []string{"product_id", "description", "quantity", "unit_price", "discount_percent"}

// Lines reads and changes order lines. Every change recomputes the order's
// total and writes a history row on the order, in one transaction.
type Lines struct {
	store  *records.Store
	orders *records.Entity
}

// NewLines returns Lines over the orders entity of s.
func NewLines(s *records.Store, orders *records.Entity) *Lines {
	return &Lines{store: s, orders: orders}
}

const lineColumns = "l.id, l.order_id, l.product_id, l.description, l.quantity, l.unit_price, l.discount_bp, l.line_total, o.currency, l.created_at, l.updated_at"

func scanLine(row store.Scanner) (Line, error) {
	var l Line
	var product sql.NullInt64
	err := row.Scan(&l.ID, &l.OrderID, &product, &l.Description, &l.Quantity, &l.UnitPrice, &l.DiscountBP, &l.LineTotal, &l.Currency, &l.CreatedAt, &l.UpdatedAt)
	l.ProductID = product.Int64
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

// List returns the lines of an order the caller may read, in the order
// they were added.
func (ls *Lines) List(ctx context.Context, p auth.Principal, orderID int64) ([]Line, error) {
	if _, err := ls.store.Get(ctx, p, ls.orders, orderID); err != nil {
		return nil, err
	}
	lines, err := store.Collect(ctx, ls.store.DB().Read(), scanLine,
		"SELECT "+lineColumns+" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.order_id = $1 ORDER BY l.id", orderID)
	if err != nil {
		return nil, fmt.Errorf("lines of order %d: %w", orderID, err)
	}
	if lines == nil {
		lines = []Line{}
	}
	return lines, nil
}

// Add adds a line to an order the caller may change. in holds the line's
// values — JSON values, which must have their JSON types, or text typed
// into a form as records.FormText: a product_id fills in the description
// and unit price the input leaves out.
func (ls *Lines) Add(ctx context.Context, p auth.Principal, orderID int64, in map[string]any) (Line, error) {
	var line Line
	err := ls.store.DB().WriteTx(ctx, func(tx *sql.Tx) error {
		order, err := ls.writableOrder(ctx, tx, p, orderID)
		if err != nil {
			return err
		}
		line = Line{OrderID: orderID, Quantity: 1, Currency: order.String("currency")}
		if err := applyLine(ctx, tx, &line, in, true); err != nil {
			return err
		}
		now := ls.store.Now()
		line.CreatedAt, line.UpdatedAt = now, now
		err = tx.QueryRowContext(ctx, `INSERT INTO order_lines (order_id, product_id, description, quantity, unit_price, discount_bp, line_total, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			orderID, nullID(line.ProductID), line.Description, line.Quantity, line.UnitPrice, line.DiscountBP, line.LineTotal, now, now).Scan(&line.ID)
		if err != nil {
			return fmt.Errorf("add a line to order %d: %w", orderID, err)
		}
		return ls.recompute(ctx, tx, p, order, "line_added", nil, &line)
	})
	return line, err
}

// Update changes the values of a line given in in.
func (ls *Lines) Update(ctx context.Context, p auth.Principal, lineID int64, in map[string]any) (Line, error) {
	var line Line
	err := ls.store.DB().WriteTx(ctx, func(tx *sql.Tx) error {
		old, order, err := ls.writableLine(ctx, tx, p, lineID)
		if err != nil {
			return err
		}
		line = old
		if err := applyLine(ctx, tx, &line, in, false); err != nil {
			return err
		}
		line.UpdatedAt = ls.store.Now()
		_, err = tx.ExecContext(ctx, `UPDATE order_lines SET product_id = $1, description = $2, quantity = $3, unit_price = $4,
			discount_bp = $5, line_total = $6, updated_at = $7 WHERE id = $8`,
			nullID(line.ProductID), line.Description, line.Quantity, line.UnitPrice, line.DiscountBP, line.LineTotal, line.UpdatedAt, lineID)
		if err != nil {
			return fmt.Errorf("change order line %d: %w", lineID, err)
		}
		return ls.recompute(ctx, tx, p, order, "line_changed", &old, &line)
	})
	return line, err
}

// Delete removes a line. It returns the order the line belonged to.
func (ls *Lines) Delete(ctx context.Context, p auth.Principal, lineID int64) (int64, error) {
	var orderID int64
	err := ls.store.DB().WriteTx(ctx, func(tx *sql.Tx) error {
		old, order, err := ls.writableLine(ctx, tx, p, lineID)
		if err != nil {
			return err
		}
		orderID = order.ID
		if _, err := tx.ExecContext(ctx, "DELETE FROM order_lines WHERE id = $1", lineID); err != nil {
			return fmt.Errorf("remove order line %d: %w", lineID, err)
		}
		return ls.recompute(ctx, tx, p, order, "line_removed", &old, nil)
	})
	return orderID, err
}

var errLineNotFound = errs.E(errs.NotFound, "No such order line, or you may not see its order.").WithKey("error.order_line_not_found")

// writableLine loads a line and its order, which the caller must be
// allowed to change.
func (ls *Lines) writableLine(ctx context.Context, tx *sql.Tx, p auth.Principal, lineID int64) (Line, records.Record, error) {
	line, err := scanLine(tx.QueryRowContext(ctx, "SELECT "+lineColumns+" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.id = $1", lineID))
	if errors.Is(err, sql.ErrNoRows) {
		return Line{}, records.Record{}, errLineNotFound
	}
	if err != nil {
		return Line{}, records.Record{}, fmt.Errorf("order line %d: %w", lineID, err)
	}
	order, err := ls.writableOrder(ctx, tx, p, line.OrderID)
	if errs.Is(err, errs.NotFound) {
		return Line{}, records.Record{}, errLineNotFound
	}
	return line, order, err
}

// writableOrder loads an order the caller may read, and refuses when they
// may not change it — the same rule as a change of the order itself.
func (ls *Lines) writableOrder(ctx context.Context, tx *sql.Tx, p auth.Principal, orderID int64) (records.Record, error) {
	order, err := ls.store.GetTx(ctx, tx, p, ls.orders, orderID)
	if err != nil {
		return records.Record{}, err
	}
	if err := p.CanWriteAny(); err != nil {
		return records.Record{}, err
	}
	var team sql.NullInt64
	if order.OwnerID != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT team_id FROM users WHERE id = $1", order.OwnerID).Scan(&team); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return records.Record{}, fmt.Errorf("team of order %d's owner: %w", orderID, err)
		}
	}
	if err := p.Can(auth.Write, auth.Owned{OwnerID: order.OwnerID, OwnerTeamID: team.Int64}); err != nil {
		return records.Record{}, err
	}
	return order, nil
}

// recompute sets the order's total to the sum of its lines, moves its
// version on, and records what happened to which line in its history.
func (ls *Lines) recompute(ctx context.Context, tx *sql.Tx, p auth.Principal, order records.Record, action string, before, after *Line) error {
	var total int64
	if err := tx.QueryRowContext(ctx, "SELECT CAST(COALESCE(SUM(line_total), 0) AS BIGINT) FROM order_lines WHERE order_id = $1", order.ID).Scan(&total); err != nil {
		return fmt.Errorf("total of order %d: %w", order.ID, err)
	}
	now := ls.store.Now()
	if _, err := tx.ExecContext(ctx, "UPDATE orders SET total = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4",
		total, now, p.UserID, order.ID); err != nil {
		return fmt.Errorf("total of order %d: %w", order.ID, err)
	}
	exp := Line{Currency: order.String("currency")}.exponent()
	oldTotal, _ := order.Get("total").(int64)
	changes := map[string][2]any{"total": {records.FormatAmount(oldTotal, exp), records.FormatAmount(total, exp)}}
	var lineBefore, lineAfter any
	if before != nil {
		lineBefore = before.summary()
	}
	if after != nil {
		lineAfter = after.summary()
	}
	changes["line"] = [2]any{lineBefore, lineAfter}
	return records.RecordChange(ctx, tx, now, "orders", order.ID, action, p, changes)
}

// applyLine validates in and writes it into l, then computes the line
// total. creating marks a new line, whose product must be active and
// whose description and price are required unless the product gives them.
func applyLine(ctx context.Context, tx *sql.Tx, l *Line, in map[string]any, creating bool) error {
	var fe errs.Fields
	for k := range in {
		if !slices.Contains(lineFields, k) {
			fe.Add(k, "unknown_field", "is not a field of an order line")
		}
	}
	filledDesc, filledPrice := false, false
	if v, ok := in["product_id"]; ok {
		id, err := wholeNumber(v)
		switch {
		case err != nil || id < 0:
			fe.Add("product_id", "wrong_type", "must be a product ID")
		case id == 0:
			l.ProductID = 0
		case id != l.ProductID:
			if filledDesc, filledPrice, err = useProduct(ctx, tx, l, id, in, &fe); err != nil {
				return err
			}
		}
	}
	if v, ok := in["description"]; ok && !filledDesc {
		s, isText := text(v)
		s = strings.TrimSpace(s)
		switch {
		case v != nil && !isText:
			fe.Add("description", "wrong_type", "must be text")
		case len([]rune(s)) > maxDescLen:
			fe.Add("description", "too_long", "must be at most %d characters", maxDescLen)
		case s == "":
			fe.Add("description", "required", "is required")
		default:
			l.Description = s
		}
	}
	if v, ok := in["quantity"]; ok {
		n, err := wholeNumber(v)
		var wrongType *wrongTypeError
		switch {
		case errors.As(err, &wrongType):
			fe.Add("quantity", "wrong_type", "must be a whole number")
		case err != nil || n < 1 || n > MaxQuantity:
			fe.Add("quantity", "out_of_range", "must be a whole number from %d to %d", 1, MaxQuantity)
		default:
			l.Quantity = n
		}
	}
	if v, ok := in["unit_price"]; ok && !filledPrice {
		price, err := unitPrice.Accept(v, l.Currency)
		switch {
		case records.AddProblem(&fe, "unit_price", err):
		case err != nil:
			return err
		case price == nil:
			fe.Add("unit_price", "required", "is required")
		default:
			l.UnitPrice = price.(int64)
		}
	}
	if v, ok := in["discount_percent"]; ok {
		bp, err := basisPoints(v)
		var wrongType *wrongTypeError
		switch {
		case errors.As(err, &wrongType):
			fe.Add("discount_percent", "wrong_type", "must be a number")
		case err != nil:
			fe.Add("discount_percent", "invalid_percent", "must be a percentage from 0 to 100 with at most 2 decimals")
		default:
			l.DiscountBP = bp
		}
	}
	if creating {
		if l.Description == "" && !fe.Has("description") && !fe.Has("product_id") {
			fe.Add("description", "required", "is required when no product is chosen")
		}
		if _, given := in["unit_price"]; !given && !filledPrice && !fe.Has("product_id") && !fe.Has("unit_price") {
			fe.Add("unit_price", "required", "is required when no product is chosen")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	l.LineTotal = LineTotal(l.Quantity, l.UnitPrice, l.DiscountBP)
	return nil
}

// useProduct links the line to a product and reports whether it filled in
// the description and the unit price, which it does for what the input
// leaves empty. The price is taken only in the order's currency; another
// currency needs an explicit unit_price.
func useProduct(ctx context.Context, tx *sql.Tx, l *Line, id int64, in map[string]any, fe *errs.Fields) (filledDesc, filledPrice bool, err error) {
	var name, currency string
	var price sql.NullInt64
	var active bool
	err = tx.QueryRowContext(ctx, "SELECT name, unit_price, currency, active FROM products WHERE id = $1 AND deleted_at IS NULL", id).Scan(&name, &price, &currency, &active)
	if errors.Is(err, sql.ErrNoRows) {
		fe.Add("product_id", "not_found", "no product has this ID")
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("product %d: %w", id, err)
	}
	if !active {
		fe.Add("product_id", "inactive", "is no longer sold")
		return false, false, nil
	}
	l.ProductID = id
	if empty(in["description"]) {
		l.Description, filledDesc = name, true
	}
	if empty(in["unit_price"]) {
		if currency != l.Currency || !price.Valid {
			fe.Add("unit_price", "required", "is required: the product has no price in the order's currency")
		} else {
			l.UnitPrice, filledPrice = price.Int64, true
		}
	}
	return filledDesc, filledPrice, nil
}

// unitPrice is how a line's unit price is read: an amount in the order's
// currency, never negative.
var unitPrice = records.Field{Name: "unit_price", Kind: records.Money, Min: new(int64(0))}

func empty(v any) bool {
	s, isText := text(v)
	return v == nil || isText && strings.TrimSpace(s) == ""
}

// text returns a JSON string or a form's text.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case records.FormText:
		return string(x), true
	}
	return "", false
}

// wrongTypeError is a JSON value of the wrong type, e.g. a quantity sent
// as the string "2".
type wrongTypeError struct{ v any }

func (e *wrongTypeError) Error() string { return fmt.Sprintf("wrong type: %v", e.v) }

// wholeNumber reads a JSON number or a form's text as an integer; empty
// is 0.
func wholeNumber(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		return strconv.ParseInt(x.String(), 10, 64)
	case records.FormText:
		if strings.TrimSpace(string(x)) == "" {
			return 0, nil
		}
		return strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	}
	return 0, &wrongTypeError{v}
}

// basisPoints reads a percentage from 0 to 100 with at most two decimals
// ("12.5" → 1250) from a JSON number or a form's text; empty is 0.
func basisPoints(v any) (int64, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		s = x.String()
	case records.FormText:
		s = strings.ReplaceAll(strings.TrimSpace(string(x)), ",", ".")
		if s == "" {
			return 0, nil
		}
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	default:
		return 0, &wrongTypeError{v}
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || strings.ContainsFunc(whole+frac, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, fmt.Errorf("not a percentage: %q", s)
	}
	bp, err := strconv.ParseInt(whole+frac+strings.Repeat("0", 2-len(frac)), 10, 64)
	if err != nil || bp > 10_000 {
		return 0, fmt.Errorf("not a percentage: %q", s)
	}
	return bp, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
