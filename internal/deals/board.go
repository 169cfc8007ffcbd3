package deals

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// CardsPerStage is how many deals a board column shows; the rest are a
// link away, in the list filtered by the stage.
const CardsPerStage = 50

// Board is a pipeline as its columns: per stage, the deals the caller may
// read — counted, summed per currency, and the first CardsPerStage of them.
type Board struct {
	Pipeline Pipeline `json:"pipeline"`
	Columns  []Column `json:"columns"`
}

// Column is one stage of a board.
type Column struct {
	Stage  Stage   `json:"stage"`
	Count  int64   `json:"count"`
	Totals []Total `json:"totals"`
	Deals  []Card  `json:"deals"`
}

// More reports whether the column has deals beyond its cards.
func (c Column) More() bool { return c.Count > int64(len(c.Deals)) }

// Total is the sum of a column's amounts in one currency.
type Total struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"` // major units, as the records API shows money
	Minor    int64       `json:"-"`
}

// Card is what the board shows of a deal.
type Card struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	AccountID   *int64       `json:"account_id"`
	AccountName string       `json:"account_name"`
	Amount      *json.Number `json:"amount"`
	AmountMinor *int64       `json:"-"`
	Currency    string       `json:"currency"`
	CloseDate   *string      `json:"close_date"`
	OwnerID     *int64       `json:"owner_id"`
	OwnerName   string       `json:"owner_name"`
	Probability *int64       `json:"probability"`
	Version     int64        `json:"version"`
}

// BoardFilter narrows a board to some owners' deals, within what the
// caller may read; nil fields do not narrow.
type BoardFilter struct {
	OwnerID *int64 // one person's deals
	TeamID  *int64 // the deals of a team's members
}

// condition is the filter as SQL over the deal alias d, its arguments
// numbered from $firstArg; "1 = 1" when it does not narrow.
func (f BoardFilter) condition(firstArg int) (string, []any) {
	switch {
	case f.OwnerID != nil:
		return fmt.Sprintf("d.owner_id = $%d", firstArg), []any{*f.OwnerID}
	case f.TeamID != nil:
		return fmt.Sprintf("d.owner_id IN (SELECT id FROM users WHERE team_id = $%d)", firstArg), []any{*f.TeamID}
	}
	return "1 = 1", nil
}

// Board builds a pipeline's board for p: one GROUP BY for every column's
// count and sums, then one indexed query per stage for its first cards,
// all in one read transaction so the numbers and the cards agree.
func (ps *Pipelines) Board(ctx context.Context, p auth.Principal, pipelineID int64, f BoardFilter) (Board, error) {
	var b Board
	err := ps.db.ReadTx(ctx, func(tx *sql.Tx) error {
		pipe, err := getPipeline(ctx, tx, pipelineID)
		if err != nil {
			return err
		}
		b.Pipeline = pipe
		sums, err := columnSums(ctx, tx, p, pipelineID, f)
		if err != nil {
			return err
		}
		b.Columns = make([]Column, 0, len(pipe.Stages))
		for _, st := range pipe.Stages {
			col := sums[st.ID]
			col.Stage = st
			if col.Totals == nil {
				col.Totals = []Total{}
			}
			col.Deals = []Card{}
			if col.Count > 0 {
				if col.Deals, err = stageCards(ctx, tx, ps.db.Engine, p, pipelineID, st.ID, f); err != nil {
					return err
				}
			}
			b.Columns = append(b.Columns, col)
		}
		return nil
	})
	return b, err
}

// Sums returns every column's count and totals without cards, by stage,
// for answering a move with the board's new numbers.
func (ps *Pipelines) Sums(ctx context.Context, p auth.Principal, pipelineID int64, f BoardFilter) (map[int64]Column, error) {
	return columnSums(ctx, ps.db.Read(), p, pipelineID, f)
}

func columnSums(ctx context.Context, q store.Querier, p auth.Principal, pipelineID int64, f BoardFilter) (map[int64]Column, error) {
	scope, args := p.Scope(auth.Read, "d.owner_id", 2)
	owners, oargs := f.condition(2 + len(args))
	args = append(args, oargs...)
	rows, err := q.QueryContext(ctx, `SELECT d.stage_id, d.currency, COUNT(*), COALESCE(SUM(d.amount), 0)
		FROM deals d WHERE d.pipeline_id = $1 AND d.deleted_at IS NULL AND `+scope+` AND `+owners+`
		GROUP BY d.stage_id, d.currency`, append([]any{pipelineID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("board sums: %w", err)
	}
	defer rows.Close()
	out := map[int64]Column{}
	for rows.Next() {
		var stage, n, sum int64
		var currency string
		if err := rows.Scan(&stage, &currency, &n, &sum); err != nil {
			return nil, fmt.Errorf("board sums: %w", err)
		}
		col := out[stage]
		col.Count += n
		col.Totals = append(col.Totals, Total{Currency: currency, Minor: sum, Amount: records.FormatAmount(sum, exponent(currency))})
		out[stage] = col
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("board sums: %w", err)
	}
	for id, col := range out {
		slices.SortFunc(col.Totals, func(a, b Total) int {
			// Rupiah first: it is the currency most boards are in.
			if (a.Currency == i18n.DefaultCurrency) != (b.Currency == i18n.DefaultCurrency) {
				if a.Currency == i18n.DefaultCurrency {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Currency, b.Currency)
		})
		out[id] = col
	}
	return out, nil
}

// cardOrder is the column order: by expected close date, undated last.
// The SQLite expression matches the deals_board index; PostgreSQL sorts
// NULL last in ascending order by itself.
func cardOrder(engine store.Engine) string {
	if engine == store.Postgres {
		return "d.close_date, d.id"
	}
	return "COALESCE(d.close_date, '9999-12-31'), d.id"
}

func stageCards(ctx context.Context, q store.Querier, engine store.Engine, p auth.Principal, pipelineID, stageID int64, f BoardFilter) ([]Card, error) {
	scope, args := p.Scope(auth.Read, "d.owner_id", 3)
	owners, oargs := f.condition(3 + len(args))
	args = append(args, oargs...)
	// A card names its account only when the caller may read it.
	accountScope, aargs := p.Scope(auth.Read, "a.owner_id", 3+len(args))
	args = append(args, aargs...)
	query := fmt.Sprintf(`SELECT d.id, d.name, d.account_id, COALESCE(a.name, ''), d.amount, d.currency, d.close_date,
			d.owner_id, COALESCE(u.name, ''), d.probability, d.version
		FROM deals d
		LEFT JOIN accounts a ON a.id = d.account_id AND a.deleted_at IS NULL AND %s
		LEFT JOIN users u ON u.id = d.owner_id
		WHERE d.pipeline_id = $1 AND d.stage_id = $2 AND d.deleted_at IS NULL AND %s AND %s
		ORDER BY %s LIMIT %d`, accountScope, scope, owners, cardOrder(engine), CardsPerStage)
	cards, err := store.Collect(ctx, q, scanCard, query, append([]any{pipelineID, stageID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("board cards of stage %d: %w", stageID, err)
	}
	if cards == nil {
		cards = []Card{}
	}
	return cards, nil
}

func scanCard(row store.Scanner) (Card, error) {
	var (
		c                            Card
		account, owner, amount, prob sql.NullInt64
		closeDate                    sql.NullString
	)
	if err := row.Scan(&c.ID, &c.Name, &account, &c.AccountName, &amount, &c.Currency, &closeDate, &owner, &c.OwnerName, &prob, &c.Version); err != nil {
		return Card{}, err
	}
	if account.Valid {
		c.AccountID = &account.Int64
	}
	if owner.Valid {
		c.OwnerID = &owner.Int64
	}
	if prob.Valid {
		c.Probability = &prob.Int64
	}
	if amount.Valid {
		n := records.FormatAmount(amount.Int64, exponent(c.Currency))
		c.Amount, c.AmountMinor = &n, &amount.Int64
	}
	if closeDate.Valid && len(closeDate.String) >= 10 {
		d := closeDate.String[:10] // PostgreSQL's DATE arrives as a time, written out in full
		c.CloseDate = &d
	}
	return c, nil
}

// exponent is a currency's number of minor digits.
func exponent(currency string) int {
	if e, ok := i18n.CurrencyExponent(currency); ok {
		return e
	}
	return 2
}
