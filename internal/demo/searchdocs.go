package demo

import (
	"context"
	"database/sql"

	"github.com/relasi/relasi/internal/store"
)

// searchWriter writes search documents in bulk, in the same shape as
// search.Index writes them one at a time.
type searchWriter struct {
	engine store.Engine
	ctx    context.Context
	tx     *sql.Tx
	fts    *inserter
	docs   *inserter
	rowid  int64
}

func newSearchWriter(ctx context.Context, tx *sql.Tx, engine store.Engine) *searchWriter {
	s := &searchWriter{engine: engine, ctx: ctx, tx: tx}
	if engine == store.Postgres {
		s.docs = newInserter(ctx, tx, engine, "search_docs", "entity", "record_id", "owner_id", "title", "body")
	} else {
		s.fts = newInserter(ctx, tx, engine, "search_fts", "rowid", "title", "body", "entity", "record_id", "owner_id")
		s.docs = newInserter(ctx, tx, engine, "search_docs", "entity", "record_id", "fts_rowid")
	}
	return s
}

func (s *searchWriter) init() error {
	if s.engine == store.Postgres {
		return nil
	}
	return s.tx.QueryRowContext(s.ctx, "SELECT COALESCE(max(rowid), 0) + 1 FROM search_fts").Scan(&s.rowid)
}

func (s *searchWriter) add(entity string, id, owner int64, title, body string) error {
	if s.engine == store.Postgres {
		return s.docs.add(entity, id, nullInt(owner), title, body)
	}
	if err := s.fts.add(s.rowid, title, body, entity, id, nullInt(owner)); err != nil {
		return err
	}
	if err := s.docs.add(entity, id, s.rowid); err != nil {
		return err
	}
	s.rowid++
	return nil
}

func (s *searchWriter) flush() error {
	if s.fts != nil {
		if err := s.fts.flush(); err != nil {
			return err
		}
	}
	return s.docs.flush()
}
