package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// stmtCacheSize is how many prepared statements each SQLite connection
// keeps. The app's queries are a few hundred distinct texts; the rest (IN
// lists of varying length) come and go.
const stmtCacheSize = 512

// cachingConnector opens SQLite connections that keep their prepared
// statements. database/sql prepares, runs and finalises a statement for
// every ExecContext and QueryContext on a connection, and SQLite's parser
// was a third of the CPU time of an import and of every single-record
// write (a contact's INSERT names some forty columns). PostgreSQL needs
// none of this: pgx caches statements per connection itself.
type cachingConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, errNotSQLiteConn
	}
	return &cachingConn{sqliteConn: inner, index: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

type constError string

func (e constError) Error() string { return string(e) }

const errNotSQLiteConn = constError("store: the sqlite driver returned an unexpected connection type")

// sqliteConn is what modernc.org/sqlite's connection implements and
// database/sql looks for.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is one SQLite connection with its statement cache. A
// connection is used by one goroutine at a time (database/sql's rule), so
// the cache needs no lock.
type cachingConn struct {
	sqliteConn
	index map[string]*list.Element // query → element of lru
	lru   *list.List               // *cachedStmt, most recently used first
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	// busy is set while rows read from the statement are open: the same
	// query asked again meanwhile runs uncached rather than reset them.
	busy bool
}

// cacheable reports whether query is one statement worth keeping:
// scripts (migrations) run as they are.
func cacheable(query string) bool {
	return !strings.Contains(strings.TrimRight(strings.TrimSpace(query), ";"), ";")
}

// cached returns the prepared statement for query, preparing it the
// first time; nil when query is not to be cached or is in use.
func (c *cachingConn) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	if el, ok := c.index[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(el)
		return cs, nil
	}
	st, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.index[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		el := c.lru.Back()
		old := el.Value.(*cachedStmt)
		if old.busy {
			break
		}
		c.lru.Remove(el)
		delete(c.index, old.query)
		old.stmt.Close()
	}
	return cs, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// Close finalises the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for el := c.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	clear(c.index)
	return c.sqliteConn.Close()
}

// cachedRows frees its statement for the next use when closed (the driver
// resets, rather than finalises, a statement it was told to reuse).
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}
