package deals_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// BenchmarkBoard builds the default pipeline's board over 10,000 open
// deals, owned by ten salespeople: as an administrator, who sees them all,
// and as one salesperson, whose scope hides nine tenths. SQLite is the
// engine the board must stay fast on; PostgreSQL runs too, for comparison.
//
//	go test ./internal/deals -run '^$' -bench Board -benchtime 200x
func BenchmarkBoard(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) { benchmarkBoard(b, engine) })
	}
}

func benchmarkBoard(b *testing.B, engine store.Engine) {
	ctx := context.Background()
	db := storetest.Open(b, engine)
	authSvc := auth.NewService(db)
	admin, err := authSvc.CreateFirstAdmin(ctx, auth.NewUser{Email: "admin@example.co.id", Name: "Admin", Password: "rahasia-123"})
	if err != nil {
		b.Fatal(err)
	}
	var sales []auth.User
	for i := range 10 {
		u, err := authSvc.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("sales%d@example.co.id", i), Name: fmt.Sprintf("Sales %d", i), Password: "rahasia-123", Role: auth.Sales})
		if err != nil {
			b.Fatal(err)
		}
		sales = append(sales, u)
	}
	ps := deals.NewPipelines(records.NewStore(db))
	pipe, err := ps.Default(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// 10,000 deals over the seven open stages and ten owners.
	const total = 10_000
	open := pipe.Stages[:7]
	perCell := total / (len(open) * len(sales))
	n := 0
	for si, st := range open {
		for oi, u := range sales {
			count := perCell
			if si == len(open)-1 && oi == len(sales)-1 {
				count = total - n
			}
			insertDeals(b, db, count, pipe.ID, st.ID, u.ID)
			n += count
		}
	}
	if _, err := db.Writer().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}

	for _, who := range []struct {
		name string
		p    auth.Principal
		want int64
	}{
		{"admin", admin.Principal(), total},
		{"sales", sales[0].Principal(), int64(perCell * len(open))},
	} {
		b.Run(who.name, func(b *testing.B) {
			for b.Loop() {
				board, err := ps.Board(ctx, who.p, pipe.ID, deals.BoardFilter{})
				if err != nil {
					b.Fatal(err)
				}
				var seen int64
				for _, c := range board.Columns {
					seen += c.Count
				}
				if seen != who.want {
					b.Fatalf("board counts %d deals, want %d", seen, who.want)
				}
			}
		})
	}
}
