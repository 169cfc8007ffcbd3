package orders

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

var demoProducts = []struct {
	sku, name, category string
	price               int64 // rupiah
}{
	{"BRS-5KG", "Beras Premium 5 kg", "Sembako", 75_000}, {"MGR-2L", "Minyak Goreng 2 L", "Sembako", 38_000},
	{"GLA-1KG", "Gula Pasir 1 kg", "Sembako", 17_500}, {"KOP-200", "Kopi Bubuk Toraja 200 g", "Minuman", 55_000},
	{"TEH-50", "Teh Celup isi 50", "Minuman", 12_000}, {"AIR-600", "Air Mineral 600 ml (dus 24)", "Minuman", 52_000},
	{"SBN-5", "Sabun Cuci Piring 5 L", "Kebersihan", 65_000}, {"DTJ-1KG", "Deterjen Bubuk 1 kg", "Kebersihan", 28_000},
	{"TSU-10", "Tisu Wajah (pak 10)", "Kebersihan", 45_000}, {"MIE-40", "Mi Instan (dus 40)", "Makanan", 115_000},
	{"SRD-1", "Sarden Kaleng 425 g", "Makanan", 24_000}, {"SUS-1L", "Susu UHT 1 L", "Minuman", 19_500},
	{"POS-TAB", "Tablet Kasir + Lisensi POS 1 th", "Teknologi", 4_500_000}, {"PRN-TH", "Printer Struk Thermal", "Teknologi", 1_250_000},
	{"RAK-GDG", "Rak Gudang Besi 5 Susun", "Peralatan", 2_750_000}, {"TRL-2T", "Troli Barang 200 kg", "Peralatan", 950_000},
}

// DemoStep makes a product catalogue and orders — half as many as
// contacts — with one to four lines each over two years, most completed,
// some cancelled, the latest still in progress.
func DemoStep() demo.Step {
	return demo.Step{Name: "orders", Run: func(ctx context.Context, db *store.DB, w *demo.World) (int, error) {
		if len(w.ContactIDs) == 0 {
			return 0, nil
		}
		n := max(10, len(w.ContactIDs)/2)
		r := w.Rand
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			pid, err := demo.NextID(ctx, tx, "products")
			if err != nil {
				return err
			}
			prods := demo.NewInserter(ctx, tx, db.Engine, "products", "id", "sku", "name", "unit_price", "currency", "active", "category",
				"custom", "created_at", "updated_at", "version")
			docs := demo.NewSearchWriter(ctx, tx, db.Engine)
			if err := docs.Init(); err != nil {
				return err
			}
			var ids []int64
			for _, p := range demoProducts {
				sku := p.sku
				if pid > 1 {
					sku = fmt.Sprintf("%s-%d", p.sku, pid) // a second demo run gets its own SKUs
				}
				if err := prods.Add(pid, sku, p.name, p.price*100, "IDR", true, p.category, "{}", w.Now.AddDate(-2, 0, 0), w.Now.AddDate(-2, 0, 0), 1); err != nil {
					return err
				}
				if err := docs.Add("products", pid, 0, p.name, search.WordsAndParts([]string{sku})+" "+p.category, search.Detail{SKU: sku, Category: p.category}); err != nil {
					return err
				}
				ids = append(ids, pid)
				pid++
			}
			if err := prods.Flush(); err != nil {
				return err
			}
			if err := demo.SyncSequence(ctx, tx, db.Engine, "products"); err != nil {
				return err
			}
			oid, err := demo.NextID(ctx, tx, "orders")
			if err != nil {
				return err
			}
			lid, err := demo.NextID(ctx, tx, "order_lines")
			if err != nil {
				return err
			}
			orders := demo.NewInserter(ctx, tx, db.Engine, "orders", "id", "number", "contact_id", "account_id", "ordered_at", "status",
				"currency", "total", "owner_id", "custom", "created_at", "updated_at", "version")
			lines := demo.NewInserter(ctx, tx, db.Engine, "order_lines", "id", "order_id", "product_id", "description", "quantity",
				"unit_price", "discount_bp", "line_total", "created_at", "updated_at")
			orders.ParentOf(lines)
			counters := map[string]int64{}
			for i := 0; i < n; i++ {
				contact := demo.Pick(r, w.ContactIDs)
				created := w.RandomTime(730)
				day := created.In(time.FixedZone("WIB", 7*3600)).Format(time.DateOnly)
				period := day[:4] + day[5:7]
				if counters[period] == 0 {
					var last int64
					err := tx.QueryRowContext(ctx, "SELECT last_number FROM order_numbers WHERE period = $1", period).Scan(&last)
					if err != nil && err != sql.ErrNoRows {
						return err
					}
					counters[period] = last
				}
				counters[period]++
				status := "completed"
				switch x := r.IntN(20); {
				case created.After(w.Now.AddDate(0, 0, -10)):
					status = demo.Pick(r, []string{"draft", "confirmed", "paid", "shipped"})
				case x == 0:
					status = "cancelled"
				}
				var total int64
				for range 1 + r.IntN(4) {
					p := demoProducts[r.IntN(len(demoProducts))]
					qty := int64(1 + r.IntN(50))
					disc := int64(demo.Pick(r, []int{0, 0, 0, 500, 1000}))
					lt := LineTotal(qty, p.price*100, disc)
					total += lt
					if err := lines.Add(lid, oid, ids[0]+int64(indexOf(p.sku)), p.name, qty, p.price*100, disc, lt, created, created); err != nil {
						return err
					}
					lid++
				}
				number := fmt.Sprintf("SO-%s-%05d", period, counters[period])
				if err := orders.Add(oid, number, contact, demo.NullID(w.ContactAccount[contact]), day, status, "IDR", total,
					w.Owner[contact], "{}", created, created, 1); err != nil {
					return err
				}
				if err := docs.Add("orders", oid, w.Owner[contact], number, strings.Join(search.Parts(number), " "), search.Detail{Status: status}); err != nil {
					return err
				}
				oid++
			}
			if err := orders.Flush(); err != nil {
				return err
			}
			if err := docs.Flush(); err != nil {
				return err
			}
			for period, last := range counters {
				if _, err := tx.ExecContext(ctx, `INSERT INTO order_numbers (period, last_number) VALUES ($1, $2)
					ON CONFLICT (period) DO UPDATE SET last_number = $2`, period, last); err != nil {
					return err
				}
			}
			for _, t := range []string{"orders", "order_lines"} {
				if err := demo.SyncSequence(ctx, tx, db.Engine, t); err != nil {
					return err
				}
			}
			return nil
		})
		return n, err
	}}
}

func indexOf(sku string) int {
	for i, p := range demoProducts {
		if p.sku == sku {
			return i
		}
	}
	return 0
}
