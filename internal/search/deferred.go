package search

import (
	"context"
	"database/sql"

	"github.com/relasi/relasi/internal/store"
)

// Batch holds the index writes of a bulk write (a batch of an import)
// until Flush. On SQLite every write statement that checks foreign keys
// opens a statement savepoint, and FTS5 writes its pending terms to disk
// at every savepoint: indexing row by row between the records' own inserts
// flushed the full-text index once per record, a fifth of an import's
// time. Written together at the end, the terms are flushed once.
type Batch struct {
	ops []indexOp
}

type indexOp struct {
	doc    Doc
	remove bool
}

type deferredKey struct{}

// Deferred returns a context in which Index and Remove only queue their
// work on the returned Batch; the caller must Flush it in the same
// transaction before committing.
func Deferred(ctx context.Context) (context.Context, *Batch) {
	b := &Batch{}
	return context.WithValue(ctx, deferredKey{}, b), b
}

// deferred is the batch of ctx, if any.
func deferred(ctx context.Context) *Batch {
	b, _ := ctx.Value(deferredKey{}).(*Batch)
	return b
}

// Flush writes the queued documents and removals, in order.
func (b *Batch) Flush(ctx context.Context, tx *sql.Tx, engine store.Engine) error {
	ops := b.ops
	b.ops = nil
	for _, op := range ops {
		var err error
		if op.remove {
			err = remove(ctx, tx, engine, op.doc.Entity, op.doc.ID)
		} else {
			err = index(ctx, tx, engine, op.doc)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
