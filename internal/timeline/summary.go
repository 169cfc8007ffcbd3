package timeline

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/store"
)

// Summary is where a customer stands, shown above the timeline.
type Summary struct {
	OwnerID *int64 `json:"owner_id"`
	Owner   string `json:"owner"`
	// LifecycleStage is a contact's stage; accounts have none.
	LifecycleStage *string    `json:"lifecycle_stage"`
	LastActivityAt *time.Time `json:"last_activity_at"`
	// OpenDeals is nil while deals are not tracked (Sources.Deals).
	OpenDeals *OpenDeals `json:"open_deals"`
	// LifetimeValue is the value of the customer's purchases per
	// currency: orders.PurchaseStatuses, not drafts or cancelled orders.
	LifetimeValue []orders.Amount `json:"lifetime_value"`
}

// Stage is the lifecycle stage, or "".
func (s Summary) Stage() string {
	if s.LifecycleStage == nil {
		return ""
	}
	return *s.LifecycleStage
}

// OpenDeals counts the open deals (not closed won or lost) the caller may
// see and sums their amounts per currency.
type OpenDeals struct {
	Count   int64           `json:"count"`
	Amounts []orders.Amount `json:"amounts"`
	// ListURL is the deals list filtered to these deals.
	ListURL string `json:"-"`
}

// ContactSummary summarises a contact the caller may read.
func (t *Timeline) ContactSummary(ctx context.Context, p auth.Principal, contactID int64) (Summary, error) {
	return t.summary(ctx, p, t.contact(contactID))
}

// AccountSummary summarises an account the caller may read.
func (t *Timeline) AccountSummary(ctx context.Context, p auth.Principal, accountID int64) (Summary, error) {
	return t.summary(ctx, p, t.account(accountID))
}

func (t *Timeline) summary(ctx context.Context, p auth.Principal, s subject) (Summary, error) {
	r, err := t.store.Get(ctx, p, s.entity, s.id)
	if err != nil {
		return Summary{}, err
	}
	var out Summary
	if r.OwnerID != 0 {
		id := r.OwnerID
		out.OwnerID, out.Owner = &id, r.Titles["owner_id"]
	}
	if stage := r.String("lifecycle_stage"); stage != "" {
		out.LifecycleStage = &stage
	}
	if last, ok := r.Get("last_activity_at").(time.Time); ok {
		out.LastActivityAt = &last
	}
	customer := orders.Contact(s.id)
	if s.column == "account_id" {
		customer = orders.Account(s.id)
	}
	if out.LifetimeValue, err = orders.LifetimeValue(ctx, t.store.DB().Read(), customer); err != nil {
		return Summary{}, err
	}
	if t.sources.Deals {
		if out.OpenDeals, err = t.openDeals(ctx, p, s); err != nil {
			return Summary{}, err
		}
	}
	return out, nil
}

func (t *Timeline) openDeals(ctx context.Context, p auth.Principal, s subject) (*OpenDeals, error) {
	scope, args := p.Scope(auth.Read, "d.owner_id", 2)
	type sum struct {
		amount orders.Amount
		count  int64
	}
	sums, err := store.Collect(ctx, t.store.DB().Read(), func(row store.Scanner) (sum, error) {
		var x sum
		err := row.Scan(&x.amount.Currency, &x.count, &x.amount.Minor)
		return x, err
	}, `SELECT COALESCE(d.currency, 'IDR'), COUNT(*), CAST(COALESCE(SUM(d.amount), 0) AS BIGINT)
		FROM deals d
		WHERE d.`+s.column+` = $1 AND d.deleted_at IS NULL AND d.closed_at IS NULL AND `+scope+`
		GROUP BY COALESCE(d.currency, 'IDR') ORDER BY 1`, append([]any{s.id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("open deals of %s %d: %w", s.entity.Name, s.id, err)
	}
	filter := fmt.Sprintf(`%s = %d and stage.kind = "open"`, s.column, s.id)
	out := &OpenDeals{Amounts: []orders.Amount{}, ListURL: "/opportunities?filter=" + url.QueryEscape(filter)}
	for _, x := range sums {
		out.Count += x.count
		out.Amounts = append(out.Amounts, x.amount)
	}
	return out, nil
}
