package orders

import (
	"context"
	"database/sql"
	"strings"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Orders and products are found by global search: an order by its number
// ("SO-202605-00042", or "00042" alone), a product by name, SKU or
// category. Migration 00020 builds the same documents for what existed
// before, and 00025 their details; keep them in step.
//
// An order's document leaves out its customer's names on purpose: the
// order's reader may not be allowed to read the contact or account, and a
// hit on a name would tell them it.

func orderDoc(r *records.Record) search.Doc {
	number := r.String("number")
	return search.Doc{Entity: "orders", ID: r.ID, OwnerID: r.OwnerID, Title: number, Body: strings.Join(search.Parts(number), " "),
		Detail: search.Detail{Status: r.String("status")}}
}

func productDoc(r *records.Record) search.Doc {
	return search.Doc{Entity: "products", ID: r.ID, Title: r.String("name"), Body: strings.Join([]string{search.WordsAndParts([]string{r.String("sku")}), r.String("category")}, " "),
		Detail: search.Detail{SKU: r.String("sku"), Category: r.String("category")}}
}

// searchAfterSave keeps a record's search document: removed with the
// record to the trash, written back on restore and on every save.
func searchAfterSave(engine store.Engine, entity string, doc func(*records.Record) search.Doc) func(context.Context, *sql.Tx, *records.Change) error {
	return func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		if c.New.DeletedAt != nil {
			return search.Remove(ctx, tx, engine, entity, c.New.ID)
		}
		return search.Index(ctx, tx, engine, doc(c.New))
	}
}
