package deals

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

var (
	demoProducts    = []string{"Pengadaan", "Kontrak Tahunan", "Distribusi", "Lisensi", "Implementasi", "Pemeliharaan", "Paket Grosir", "Perluasan"}
	demoLostReasons = []string{"Harga terlalu tinggi", "Memilih pesaing", "Anggaran ditunda", "Tidak ada keputusan", "Kebutuhan berubah", "Price too high", "Went with a competitor"}
	demoWonReasons  = []string{"Harga bersaing", "Layanan cepat", "Rekomendasi pelanggan", "Better delivery terms"}
)

// DemoStep makes deals in every stage of the default pipeline — a fifth as
// many as contacts — open ones closing in the coming months, closed ones
// over the past two years with their reasons.
func DemoStep() demo.Step {
	return demo.Step{Name: "deals", Run: func(ctx context.Context, db *store.DB, w *demo.World) (int, error) {
		type stage struct {
			id, probability int64
			kind            string
		}
		var pipeline int64
		if err := db.Read().QueryRowContext(ctx, "SELECT id FROM pipelines WHERE is_default = $1", true).Scan(&pipeline); err != nil {
			return 0, fmt.Errorf("default pipeline: %w", err)
		}
		var stages []stage
		rows, err := db.Read().QueryContext(ctx, "SELECT id, probability, kind FROM stages WHERE pipeline_id = $1 ORDER BY position", pipeline)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var s stage
			if err := rows.Scan(&s.id, &s.probability, &s.kind); err != nil {
				rows.Close()
				return 0, err
			}
			stages = append(stages, s)
		}
		rows.Close()
		if len(stages) == 0 || len(w.ContactIDs) == 0 {
			return 0, nil
		}
		accountNames := map[int64]string{}
		if err := func() error {
			rows, err := db.Read().QueryContext(ctx, "SELECT id, name FROM accounts")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					return err
				}
				accountNames[id] = name
			}
			return rows.Err()
		}(); err != nil {
			return 0, err
		}
		n := max(10, len(w.ContactIDs)/5)
		r := w.Rand
		err = db.WriteTx(ctx, func(tx *sql.Tx) error {
			id, err := demo.NextID(ctx, tx, "deals")
			if err != nil {
				return err
			}
			deals := demo.NewInserter(ctx, tx, db.Engine, "deals", "id", "name", "account_id", "contact_id", "amount", "currency", "close_date",
				"pipeline_id", "stage_id", "probability", "lost_reason", "won_reason", "stage_changed_at", "closed_at", "won",
				"owner_id", "custom", "created_at", "updated_at", "version")
			docs := demo.NewSearchWriter(ctx, tx, db.Engine)
			if err := docs.Init(); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				contact := demo.Pick(r, w.ContactIDs)
				account := w.ContactAccount[contact]
				// Open stages get most deals; a quarter are won, an eighth lost.
				var s stage
				switch x := r.IntN(8); {
				case x < 2:
					s = stages[len(stages)-2]
				case x < 3:
					s = stages[len(stages)-1]
				default:
					s = stages[r.IntN(len(stages)-2)]
				}
				created := w.RandomTime(730)
				changed := created.Add(time.Duration(r.IntN(60*24)) * time.Hour)
				if changed.After(w.Now) {
					changed = w.Now
				}
				var closeDate time.Time
				var lost, wonReason, closedAt, won any
				switch s.kind {
				case "won":
					closeDate, closedAt, won, wonReason = changed, changed, true, demo.Pick(r, demoWonReasons)
				case "lost":
					closeDate, closedAt, won, lost = changed, changed, false, demo.Pick(r, demoLostReasons)
				default:
					closeDate = w.Now.AddDate(0, 0, r.IntN(180))
				}
				name := demo.Pick(r, demoProducts)
				title := accountNames[account]
				if title == "" {
					title = fmt.Sprintf("#%d", contact)
				}
				name = name + " " + title
				amount := int64(5_000_000+r.IntN(200)*10_000_000) * 100 // Rp 5 juta … 2 miliar, in sen
				owner := w.Owner[contact]
				if err := deals.Add(id, name, demo.NullID(account), contact, amount, "IDR", closeDate.Format(time.DateOnly), pipeline, s.id,
					s.probability, lost, wonReason, changed, closedAt, won, owner, "{}", created, changed, 1); err != nil {
					return err
				}
				if err := docs.Add(EntityName, id, owner, name, accountNames[account], search.Detail{Company: accountNames[account]}); err != nil {
					return err
				}
				id++
			}
			if err := deals.Flush(); err != nil {
				return err
			}
			if err := docs.Flush(); err != nil {
				return err
			}
			return demo.SyncSequence(ctx, tx, db.Engine, "deals")
		})
		return n, err
	}}
}
