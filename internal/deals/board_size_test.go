package deals_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/store"
)

// seedBoard fills the default pipeline's first eight stages with 25 deals
// each, 200 in all, as a busy team's board looks: long Indonesian names,
// an account and an owner on every deal, amounts in the hundreds of
// millions, close dates from last month to next year.
func seedBoard(t *testing.T, e *env) {
	t.Helper()
	pipe := e.pipelines(t)[0]
	var owners []int64
	for i, name := range []string{"Agus Salim Pratama", "Bunga Citra Lestari", "Dewi Kartika Sari", "Eko Budi Santoso"} {
		u, err := e.Auth.CreateUser(context.Background(), auth.NewUser{Email: fmt.Sprintf("owner%d@example.co.id", i), Name: name, Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			t.Fatal(err)
		}
		owners = append(owners, u.ID)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	err := e.DB.WriteTx(ctx, func(tx *sql.Tx) error {
		for i := range 200 {
			var account int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO accounts (name, owner_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
				fmt.Sprintf("PT Sumber Makmur Sejahtera Abadi %03d", i), owners[i%len(owners)], now).Scan(&account); err != nil {
				return err
			}
			stage := pipe.Stages[i%8]
			closeDate := now.AddDate(0, -1, i*2).Format(time.DateOnly)
			if _, err := tx.ExecContext(ctx, `INSERT INTO deals (name, account_id, amount, currency, close_date, pipeline_id, stage_id, probability, owner_id, created_at, updated_at)
				VALUES ($1, $2, $3, 'IDR', $4, $5, $6, 10, $7, $8, $8)`,
				fmt.Sprintf("Pengadaan mesin kasir dan perangkat lunak cabang %03d", i), account, int64(i+1)*12_345_678_900, closeDate,
				pipe.ID, stage.ID, owners[i%len(owners)], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBoardPageOfTwoHundredCardsIsSmall: a board with 200 cards is served
// under 150 KB of HTML (uncompressed), every card on it, in English and
// in Indonesian (whose words are longer). docs/performance.md quotes the
// sizes this logs.
func TestBoardPageOfTwoHundredCardsIsSmall(t *testing.T) {
	e := newEnv(t, store.SQLite)
	seedBoard(t, e)
	if _, err := e.Auth.CreateUser(context.Background(), auth.NewUser{Email: "sari@example.co.id", Name: "Sari Wulandari", Password: "rahasia-123", Role: auth.Admin, Locale: "id"}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"admin@example.co.id", "sari@example.co.id"} {
		res, page := e.signIn(t, who).get("/deals/board")
		if res.StatusCode != 200 {
			t.Fatalf("board for %s: %d", who, res.StatusCode)
		}
		if n := strings.Count(page, `data-testid="deal-card"`); n != 200 {
			t.Errorf("the board shows %s %d cards, want 200", who, n)
		}
		t.Logf("board page with 200 cards for %s: %d bytes", who, len(page))
		if len(page) >= 150_000 {
			t.Errorf("the board page with 200 cards for %s is %d bytes, want under 150,000", who, len(page))
		}
	}
}
