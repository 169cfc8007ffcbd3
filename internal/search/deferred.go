package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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

// Len is how many writes are queued, a mark for Truncate.
func (b *Batch) Len() int { return len(b.ops) }

// Truncate drops the writes queued after mark: those of a row rolled back
// to its savepoint.
func (b *Batch) Truncate(mark int) { b.ops = b.ops[:mark] }

// Flush writes the queued documents and removals, in order. On
// PostgreSQL runs of documents go a hundred to a statement (a statement is
// a round trip); SQLite, in process, takes them one by one.
func (b *Batch) Flush(ctx context.Context, tx *sql.Tx, engine store.Engine) error {
	ops := b.ops
	b.ops = nil
	var run []Doc // documents for one multi-row upsert, no record twice
	inRun := map[[2]any]bool{}
	flushRun := func() error {
		if len(run) == 0 {
			return nil
		}
		err := upsertDocs(ctx, tx, run)
		run = run[:0]
		clear(inRun)
		return err
	}
	for _, op := range ops {
		key := [2]any{op.doc.Entity, op.doc.ID}
		if engine == store.Postgres && !op.remove && !inRun[key] {
			run = append(run, op.doc)
			inRun[key] = true
			if len(run) == 100 {
				if err := flushRun(); err != nil {
					return err
				}
			}
			continue
		}
		if err := flushRun(); err != nil {
			return err
		}
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
	return flushRun()
}

// upsertDocs adds or replaces documents on PostgreSQL in one statement.
func upsertDocs(ctx context.Context, tx *sql.Tx, docs []Doc) error {
	if err := withExternalIDs(ctx, tx, docs); err != nil {
		return err
	}
	values := make([]string, len(docs))
	args := make([]any, 0, len(docs)*6)
	for i, d := range docs {
		d = clean(d)
		k := len(args)
		values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6)
		args = append(args, d.Entity, d.ID, ownerArg(d.OwnerID), d.Title, d.Body, d.Detail.Encode())
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_docs (entity, record_id, owner_id, title, body, detail) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (entity, record_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, title = EXCLUDED.title, body = EXCLUDED.body, detail = EXCLUDED.detail`, args...)
	if err != nil {
		return fmt.Errorf("index %d documents: %w", len(docs), err)
	}
	return nil
}
