package demo

import (
	"context"
	"database/sql"

	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// SearchWriter writes search documents in bulk, in the same shape as
// search.Index writes them one at a time.
type SearchWriter struct {
	engine store.Engine
	ctx    context.Context
	tx     *sql.Tx
	fts    *Inserter
	docs   *Inserter
	rowid  int64
}

// NewSearchWriter returns a writer of search documents; call Init first.
func NewSearchWriter(ctx context.Context, tx *sql.Tx, engine store.Engine) *SearchWriter {
	s := &SearchWriter{engine: engine, ctx: ctx, tx: tx}
	if engine == store.Postgres {
		s.docs = NewInserter(ctx, tx, engine, "search_docs", "entity", "record_id", "owner_id", "title", "body", "detail")
	} else {
		s.fts = NewInserter(ctx, tx, engine, "search_fts", "rowid", "title", "body", "entity", "record_id", "owner_id")
		s.docs = NewInserter(ctx, tx, engine, "search_docs", "entity", "record_id", "fts_rowid", "detail")
	}
	return s
}

func (s *SearchWriter) Init() error {
	if s.engine == store.Postgres {
		return nil
	}
	return s.tx.QueryRowContext(s.ctx, "SELECT COALESCE(max(rowid), 0) + 1 FROM search_fts").Scan(&s.rowid)
}

// Add queues one document, its detail as search.Index stores it.
func (s *SearchWriter) Add(entity string, id, owner int64, title, body string, detail search.Detail) error {
	if s.engine == store.Postgres {
		return s.docs.Add(entity, id, NullID(owner), title, body, detail.Encode())
	}
	if err := s.fts.Add(s.rowid, title, body, entity, id, NullID(owner)); err != nil {
		return err
	}
	if err := s.docs.Add(entity, id, s.rowid, detail.Encode()); err != nil {
		return err
	}
	s.rowid++
	return nil
}

func (s *SearchWriter) Flush() error {
	if s.fts != nil {
		if err := s.fts.Flush(); err != nil {
			return err
		}
	}
	return s.docs.Flush()
}
