package deals_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/store"
)

// insertDeals writes n open deals straight into a stage — the way demo
// data and benchmarks fill a board — with amounts 1, 2, 3… million rupiah
// and close dates one day apart, every seventh undated.
func insertDeals(tb testing.TB, db *store.DB, n int, pipelineID, stageID, ownerID int64) {
	tb.Helper()
	owner := any(nil)
	if ownerID != 0 {
		owner = ownerID
	}
	now := time.Now().UTC()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.WriteTx(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(context.Background(), `INSERT INTO deals (name, amount, currency, close_date, pipeline_id, stage_id, probability, owner_id, created_at, updated_at)
			VALUES ($1, $2, 'IDR', $3, $4, $5, 10, $6, $7, $7)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			var closeDate any
			if i%7 != 6 {
				closeDate = start.AddDate(0, 0, i%365).Format(time.DateOnly)
			}
			if _, err := stmt.ExecContext(context.Background(), fmt.Sprintf("Deal %05d", i), int64(i+1)*100_000_000, closeDate, pipelineID, stageID, owner, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("insert %d deals: %v", n, err)
	}
}

func columnByName(t *testing.T, b deals.Board, name string) deals.Column {
	t.Helper()
	for _, c := range b.Columns {
		if c.Stage.Name == name {
			return c
		}
	}
	t.Fatalf("the board has no column %s", name)
	return deals.Column{}
}

// totals shows a column's sums as "IDR 7500000, USD 100".
func totals(c deals.Column) string {
	s := ""
	for i, t := range c.Totals {
		if i > 0 {
			s += ", "
		}
		s += t.Currency + " " + string(t.Amount)
	}
	return s
}

func cardNames(c deals.Column) []string {
	var out []string
	for _, d := range c.Deals {
		out = append(out, d.Name)
	}
	return out
}

func TestBoardCountsAndSumsWhatTheCallerMaySee(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, agus := e.user(t, "agus@example.co.id", auth.Sales)
		_, budi := e.user(t, "budi@example.co.id", auth.Sales)
		qual := e.stage(t, "Qualification").ID
		// Unowned, so that every salesperson may link a deal to it.
		acc := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/accounts", Body: map[string]any{"name": "CV Sentosa", "owner_id": nil}}, 201).object(t)

		e.createDeal(t, agus, map[string]any{"name": "Agus Mei", "amount": 1000000, "close_date": "2026-05-01", "account_id": acc["id"]})
		e.createDeal(t, agus, map[string]any{"name": "Agus Februari", "amount": 2500000, "close_date": "2026-02-01"})
		e.createDeal(t, agus, map[string]any{"name": "Agus tanpa tanggal", "amount": 100, "currency": "USD"})
		e.createDeal(t, budi, map[string]any{"name": "Budi 1", "amount": 4000000})
		e.createDeal(t, budi, map[string]any{"name": "Budi 2", "amount": 7000000, "stage_id": qual})
		e.createDeal(t, e.AdminToken, map[string]any{"name": "Belum ada pemilik", "amount": 3000000, "stage_id": qual, "owner_id": nil})
		gone := e.createDeal(t, agus, map[string]any{"name": "Dihapus", "amount": 9000000})
		e.do(t, call{Token: agus, Method: "DELETE", Path: fmt.Sprintf("/api/v1/opportunities/%d", num(t, gone["id"]))}, 204)

		pipe := e.pipelines(t)[0]
		board := func(token string) deals.Board {
			var b deals.Board
			e.do(t, call{Token: token, Method: "GET", Path: fmt.Sprintf("/api/v1/pipelines/%d/board", pipe.ID)}, 200).decode(t, &b)
			if len(b.Columns) != 9 {
				t.Fatalf("board has %d columns, want the 9 stages", len(b.Columns))
			}
			return b
		}

		all := board(e.AdminToken)
		if c := columnByName(t, all, "Prospecting"); c.Count != 4 || totals(c) != "IDR 7500000, USD 100" {
			t.Errorf("admin's Prospecting: %d deals, %s; want 4 deals, IDR 7500000, USD 100", c.Count, totals(c))
		}
		if c := columnByName(t, all, "Qualification"); c.Count != 2 || totals(c) != "IDR 10000000" {
			t.Errorf("admin's Qualification: %d deals, %s", c.Count, totals(c))
		}
		if c := columnByName(t, all, "Closed Won"); c.Count != 0 || len(c.Totals) != 0 || len(c.Deals) != 0 {
			t.Errorf("an empty column: %+v", c)
		}

		// A sales user sees their own deals and unassigned ones, nobody else's.
		mine := board(agus)
		p := columnByName(t, mine, "Prospecting")
		if p.Count != 3 || totals(p) != "IDR 3500000, USD 100" {
			t.Errorf("Agus's Prospecting: %d deals, %s; want 3, IDR 3500000, USD 100", p.Count, totals(p))
		}
		if want := []string{"Agus Februari", "Agus Mei", "Agus tanpa tanggal"}; !slices.Equal(cardNames(p), want) {
			t.Errorf("cards = %v, want by close date, undated last: %v", cardNames(p), want)
		}
		if card := p.Deals[1]; card.AccountName != "CV Sentosa" || card.OwnerName != "agus@example.co.id" || card.CloseDate == nil || *card.CloseDate != "2026-05-01" ||
			card.Amount == nil || *card.Amount != json.Number("1000000") || card.Currency != "IDR" {
			t.Errorf("card = %+v", card)
		}
		if q := columnByName(t, mine, "Qualification"); q.Count != 1 || !slices.Equal(cardNames(q), []string{"Belum ada pemilik"}) {
			t.Errorf("Agus's Qualification: %d %v, want only the unassigned deal", q.Count, cardNames(q))
		}
		e.do(t, call{Token: agus, Method: "GET", Path: "/api/v1/pipelines/9999/board"}, 404)
	})
}

func TestBoardShowsTheFirstFiftyCardsOfAFullStage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		pipe := e.pipelines(t)[0]
		neg := e.stage(t, "Negotiation/Review")
		insertDeals(t, e.DB, 60, pipe.ID, neg.ID, e.Admin.ID)
		b, err := e.Module.Pipelines.Board(context.Background(), e.Admin.Principal(), pipe.ID, deals.BoardFilter{})
		if err != nil {
			t.Fatal(err)
		}
		c := columnByName(t, b, "Negotiation/Review")
		// Amounts 1..60 million: the sum is 1830 million.
		if c.Count != 60 || len(c.Deals) != deals.CardsPerStage || !c.More() || totals(c) != "IDR 1830000000" {
			t.Fatalf("full column: count %d, %d cards, more %v, %s", c.Count, len(c.Deals), c.More(), totals(c))
		}
		for i := 1; i < len(c.Deals); i++ {
			prev, cur := c.Deals[i-1], c.Deals[i]
			if prev.CloseDate == nil && cur.CloseDate != nil || prev.CloseDate != nil && cur.CloseDate != nil && *prev.CloseDate > *cur.CloseDate {
				t.Fatalf("cards out of close-date order at %d: %v then %v", i, prev.CloseDate, cur.CloseDate)
			}
		}
		if last := c.Deals[len(c.Deals)-1]; last.CloseDate != nil && *last.CloseDate != "2026-02-27" {
			t.Errorf("50th card closes %v; the 50 earliest dates run to 2026-02-22", *last.CloseDate)
		}
	})
}
