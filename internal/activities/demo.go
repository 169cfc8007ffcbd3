package activities

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/store"
)

var demoSubjects = map[string][]string{
	"call":    {"Telepon tindak lanjut penawaran", "Konfirmasi jadwal pengiriman", "Follow-up call", "Tanya kebutuhan stok bulan depan"},
	"email":   {"Kirim katalog produk", "Penawaran harga terbaru", "Sent the proposal", "Konfirmasi pesanan"},
	"meeting": {"Presentasi produk di kantor klien", "Negosiasi kontrak tahunan", "Quarterly business review", "Kunjungan ke gudang"},
	"task":    {"Siapkan penawaran harga", "Kirim sampel produk", "Prepare the contract draft", "Perbarui data kontak"},
	"note":    {"Klien minta diskon untuk pembelian grosir", "Decision expected after budget meeting", "Kontak utama pindah divisi"},
}

// DemoStep makes two years of activities — two per contact — on
// contacts and their accounts, most done, the recent ones open, and keeps
// last_activity_at in step.
func DemoStep() demo.Step {
	return demo.Step{Name: "activities", Run: func(ctx context.Context, db *store.DB, w *demo.World) (int, error) {
		if len(w.ContactIDs) == 0 {
			return 0, nil
		}
		n := len(w.ContactIDs) * 2
		r := w.Rand
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			id, err := demo.NextID(ctx, tx, "activities")
			if err != nil {
				return err
			}
			acts := demo.NewInserter(ctx, tx, db.Engine, "activities", "id", "kind", "subject", "body", "due_at", "done", "done_at",
				"related_type", "related_id", "contact_id", "account_id", "owner_id", "custom", "created_at", "updated_at", "version")
			for i := 0; i < n; i++ {
				contact := demo.Pick(r, w.ContactIDs)
				account := w.ContactAccount[contact]
				kind := demo.Pick(r, Kinds)
				created := w.RandomTime(730)
				var due, doneAt any
				done := created.Before(w.Now.AddDate(0, 0, -14)) || r.IntN(3) == 0
				if kind == "task" || kind == "meeting" {
					d := created.Add(time.Duration(1+r.IntN(10*24)) * time.Hour)
					due = d
					// Nothing is done in the future: a task or meeting
					// due later is still open.
					done = done && !d.After(w.Now)
					if done {
						doneAt = d
					}
				} else if done {
					doneAt = created
				}
				if kind == "note" || kind == "call" || kind == "email" {
					done, doneAt = true, created
				}
				if err := acts.Add(id, kind, demo.Pick(r, demoSubjects[kind]), nil, due, done, doneAt, "contacts", contact, contact,
					demo.NullID(account), w.Owner[contact], "{}", created, created, 1); err != nil {
					return err
				}
				id++
			}
			if err := acts.Flush(); err != nil {
				return err
			}
			if err := demo.SyncSequence(ctx, tx, db.Engine, "activities"); err != nil {
				return err
			}
			// Last activity of every contact and account, in two
			// statements, by the rule of refreshLastActivity: the latest
			// done_at of what was done.
			for _, q := range []string{
				`UPDATE contacts SET last_activity_at = (SELECT max(a.done_at) FROM activities a WHERE a.contact_id = contacts.id AND a.done_at <= $1)`,
				`UPDATE accounts SET last_activity_at = (SELECT max(a.done_at) FROM activities a WHERE a.account_id = accounts.id AND a.done_at <= $1)`,
			} {
				if _, err := tx.ExecContext(ctx, q, w.Now); err != nil {
					return fmt.Errorf("last activity: %w", err)
				}
			}
			return nil
		})
		return n, err
	}}
}
