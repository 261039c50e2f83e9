package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Prepared reads (SQLite). In modernc's SQLite, parsing and planning a
// statement is most of what a small read costs: a CPU profile of the
// server paging 200 new incidents a second spent 13 % of all its CPU in
// sqlite3_prepare for three reads run once per commit or page (the
// stream's horizon, the next escalation due, a page's service). The read
// pool's statements are therefore prepared once per text and connection
// (database/sql's Stmt prepares on each connection as it first uses it)
// and reused. PostgreSQL's driver (pgx) already caches prepared
// statements per connection, so there the reads go to the pool directly.
//
// The cache holds at most maxReadStmts texts; a query text beyond that
// (say, an unusual combination of list filters) runs unprepared, as a
// statement that fails to prepare does, which then reports its error.
const maxReadStmts = 512

// readStmts caches the read pool's prepared statements by text.
type readStmts struct {
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
	closed bool
}

// readStmt returns the prepared statement of text, preparing it on first
// use, or nil when it should run unprepared.
func (s *Store) readStmt(ctx context.Context, text string) *sql.Stmt {
	if !s.d.prepare {
		return nil
	}
	c := &s.reads
	c.mu.RLock()
	st, ok := c.m[text]
	c.mu.RUnlock()
	if ok {
		return st // every read after the first of its text
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[text]; ok || c.closed || len(c.m) >= maxReadStmts {
		return st
	}
	st, err := s.rdb.PrepareContext(ctx, text)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[text] = st
	return st
}

// queryRow runs a single-row read on the read pool.
func (s *Store) queryRow(ctx context.Context, text string, args ...any) *sql.Row {
	if st := s.readStmt(ctx, text); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.rdb.QueryRowContext(ctx, text, args...)
}

// query runs a read on the read pool.
func (s *Store) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	if st := s.readStmt(ctx, text); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.rdb.QueryContext(ctx, text, args...)
}

// closeReadStmts closes the cached statements; later reads run
// unprepared (and fail on the closed pool).
func (s *Store) closeReadStmts() error {
	c := &s.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m, c.closed = nil, true
	return errors.Join(errs...)
}
