package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// writeConn is one database connection that write transactions run on,
// with the write-path statements prepared on it where the dialect wants
// that. Transactions are driven with explicit BEGIN/COMMIT statements on
// the connection (not sql.Tx), so statements prepared once on the
// connection are reused by every transaction without re-preparing.
type writeConn struct {
	conn    *sql.Conn
	q       *[numQueries]string
	prepare bool
	stmts   [numQueries]*sql.Stmt
	// streams are the prepared multi-row stream inserts, by log2 of their
	// row count (stream.go).
	streams [preparedStreamSizes]*sql.Stmt
	// events are the prepared multi-row event inserts, by log2 of their
	// row count (events_later.go).
	events [preparedEventSizes]*sql.Stmt
	// inserts are the prepared multi-row inserts of held rows, by table
	// and log2 of their row count (inserts_later.go).
	inserts [numHeldTables][preparedHeldSizes]*sql.Stmt
	// repeats are the prepared multi-row updates of held repeats, without
	// and with details, by log2 of their row count (repeats_later.go).
	repeats [2][preparedRepeatSizes]*sql.Stmt
	// alerts is the open-alert cache (SQLite's one write connection
	// only; nil on PostgreSQL), see alertcache.go.
	alerts *alertCache
	// keys tells a never-seen alert key without a read (SQLite's one
	// write connection only; keyfilter.go).
	keys *alertKeys
	// silences and changes answer two reads of every new incident from
	// memory (writecache.go): for the connection's life on SQLite, for
	// one batch on PostgreSQL.
	silences *silenceCache
	changes  *changeCache
	// numbers hands out incident numbers (SQLite only; writecache.go).
	numbers *numberCache
	// holdInserts says new incidents', alerts' and timeline entries'
	// inserts are held to the batch's next statement (SQLite only;
	// inserts_later.go).
	holdInserts bool
	// deferEvents says event rows are inserted several at a time at the
	// end of their request or batch (SQLite only; events_later.go).
	deferEvents bool
}

// othersCommitted drops what the connection's caches hold: another
// connection committed, and may have written anything.
func (c *writeConn) othersCommitted() {
	if c.keys != nil {
		c.keys.drop()
	}
	if c.silences != nil {
		c.silences.drop()
	}
	if c.changes != nil {
		c.changes.drop()
	}
	if c.numbers != nil {
		c.numbers.drop()
	}
}

func newWriteConn(conn *sql.Conn, q *[numQueries]string, prepare bool) *writeConn {
	return &writeConn{conn: conn, q: q, prepare: prepare}
}

// rowScanner is the part of *sql.Row the store uses, so a statement that
// failed to prepare can still be returned as a row that fails to scan.
type rowScanner interface {
	Scan(dest ...any) error
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (c *writeConn) stmt(ctx context.Context, id qid) (*sql.Stmt, error) {
	if st := c.stmts[id]; st != nil {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, c.q[id])
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", c.q[id], err)
	}
	c.stmts[id] = st
	return st, nil
}

func (c *writeConn) exec(ctx context.Context, id qid, args ...any) (sql.Result, error) {
	if !c.prepare {
		return c.conn.ExecContext(ctx, c.q[id], args...)
	}
	st, err := c.stmt(ctx, id)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *writeConn) query(ctx context.Context, id qid, args ...any) (*sql.Rows, error) {
	if !c.prepare {
		return c.conn.QueryContext(ctx, c.q[id], args...)
	}
	st, err := c.stmt(ctx, id)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *writeConn) queryRow(ctx context.Context, id qid, args ...any) rowScanner {
	if !c.prepare {
		return c.conn.QueryRowContext(ctx, c.q[id], args...)
	}
	st, err := c.stmt(ctx, id)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// streamStmt returns the prepared insert of n stream events, n a power
// of two up to maxPreparedStreamRows.
func (c *writeConn) streamStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	return c.sized(ctx, c.streams[:], n, streamInsertSQL, "stream insert")
}

// eventStmt returns the prepared insert of n event rows, n a power of two
// up to maxLaterEventRows.
func (c *writeConn) eventStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	return c.sized(ctx, c.events[:], n, eventLaterSQL, "event insert")
}

// sizedRows is how many of n waiting rows the next multi-row statement
// takes: the largest power of two not above n or limit, a size sized
// prepares once.
func sizedRows(n, limit int) int { return 1 << (bits.Len(uint(min(n, limit))) - 1) }

// placeholderRows is n rows of cols anonymous parameters each, "(?, ?),
// (?, ?)", for a multi-row statement (see positional.go).
func placeholderRows(cols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// sized returns the statement text(n) prepared once in stmts, at log2 of
// n (a power of two): multi-row inserts, one per row count.
func (c *writeConn) sized(ctx context.Context, stmts []*sql.Stmt, n int, text func(int) string, what string) (*sql.Stmt, error) {
	i := bits.Len(uint(n)) - 1
	if st := stmts[i]; st != nil {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, text(n))
	if err != nil {
		return nil, fmt.Errorf("prepare %s of %d rows: %w", what, n, err)
	}
	stmts[i] = st
	return st, nil
}

// close closes the prepared statements and returns the connection.
func (c *writeConn) close() error {
	var errs []error
	for i, st := range c.stmts {
		if st != nil {
			errs = append(errs, st.Close())
			c.stmts[i] = nil
		}
	}
	for i, st := range c.streams {
		if st != nil {
			errs = append(errs, st.Close())
			c.streams[i] = nil
		}
	}
	for i, st := range c.events {
		if st != nil {
			errs = append(errs, st.Close())
			c.events[i] = nil
		}
	}
	for h := range c.inserts {
		for i, st := range c.inserts[h] {
			if st != nil {
				errs = append(errs, st.Close())
				c.inserts[h][i] = nil
			}
		}
	}
	for k := range c.repeats {
		for i, st := range c.repeats[k] {
			if st != nil {
				errs = append(errs, st.Close())
				c.repeats[k][i] = nil
			}
		}
	}
	errs = append(errs, c.conn.Close())
	return errors.Join(errs...)
}

// acquire returns the connection a batch runs on and the function that
// gives it back. On SQLite that is the one write connection, which also
// serialises batches with direct (non-Run) writes; on PostgreSQL a pooled
// connection.
func (s *Store) acquire(ctx context.Context) (*writeConn, func(), error) {
	if s.d.prepare {
		s.wmu.Lock()
		if s.wconn == nil {
			s.wmu.Unlock()
			return nil, nil, errors.New("store is closed")
		}
		return s.wconn, s.wmu.Unlock, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("get write connection: %w", err)
	}
	wc := newWriteConn(conn, &s.q, false)
	// PostgreSQL: the silences and change bounds live for this batch's
	// transaction only (writers on other nodes commit at any time), so a
	// batch of new incidents reads each once, not once per incident.
	wc.silences, wc.changes = &silenceCache{}, &changeCache{}
	return wc, func() { conn.Close() }, nil
}
