package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Write pipelining (PostgreSQL). Most writes of an ingested event only
// need to succeed: inserting the alert, its timeline entry and the event
// log row, updating a re-triggered alert. Each was a network round trip of
// its own. On PostgreSQL (dialect.pipeline) such a write is queued instead
// and sent, in one pgx batch, together with the transaction's next
// statement that needs an answer (a read, an INSERT ... RETURNING) or with
// the stream insert and COMMIT; a request running alone or in a savepoint
// sends its queue when it returns, so a failure is still its own. In a
// batch run optimistically (no savepoints) a queued write that fails
// surfaces at a later statement, possibly another request's: the batch is
// then rerun with savepoints (errNeedSavepoints), exactly as when a
// request fails there. The failure is kept in tx.flushErr, so a request
// that swallowed the error it got still cannot commit it.
//
// The SQL text is the same on both engines (DESIGN §4); SQLite, in
// process, has no round trip to save and runs each write at once.

// pendingWrite is a queued write and what its "no row affected" means.
type pendingWrite struct {
	id   qid
	args []any
	// what and key name the row for errors; missing is the error when no
	// row was affected (nil: none is, as for a lock that may find no row).
	what, key string
	missing   func() error
	// busy, if set, is the error when the statement found its row
	// locked by another transaction (NOWAIT: lock_not_available).
	busy error
	// rows, text and guardedText are set on writes merged into one
	// (pipeline_merge.go): the rows it writes, and its statement text,
	// plain and guarded, instead of id's.
	rows              int
	text, guardedText string
}

// insertLater is tx.insert, queued on PostgreSQL.
func (t *tx) insertLater(ctx context.Context, id qid, what, key, conflict string, args ...any) error {
	if !t.s.d.pipeline {
		return t.insert(ctx, id, what, key, conflict, args...)
	}
	return t.later(ctx, pendingWrite{id: id, args: args, what: "insert " + what, key: key, missing: func() error {
		return hypercare.Errorf(hypercare.CodeConflict, "%s %q: %s", what, key, conflict)
	}})
}

// updateLater is tx.update, queued on PostgreSQL.
func (t *tx) updateLater(ctx context.Context, id qid, what, key string, args ...any) error {
	if !t.s.d.pipeline {
		return t.update(ctx, id, what, key, args...)
	}
	return t.later(ctx, pendingWrite{id: id, args: args, what: "update " + what, key: key, missing: func() error {
		return hypercare.Errorf(hypercare.CodeNotFound, "%s %q not found", what, key)
	}})
}

func (t *tx) later(ctx context.Context, w pendingWrite) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.flushErr != nil {
		return t.flushErr
	}
	t.statements++
	t.note(w.id)
	t.pending = append(t.pending, w)
	return nil
}

// flush sends the queued writes, if any, in one round trip (PostgreSQL),
// and writes the held updates of repeats (SQLite).
func (t *tx) flush() error {
	if err := t.flushHeld(); err != nil {
		return err
	}
	if len(t.pending) == 0 {
		return t.flushErr
	}
	return t.send(nil, nil, false)
}

// send sends the queued writes and then tail (statements whose results
// only matter as errors) in one batch, reads every result, and clears the
// queue. The first failure is returned and kept in t.flushErr. With
// guard, the writes that fail when they affect no row go out guarded
// (pipeline_guard.go), so nothing of tail runs after one that did.
func (t *tx) send(tail []string, tailArgs [][]any, guard bool) error {
	if t.flushErr != nil {
		return t.flushErr
	}
	var b pgx.Batch
	pending := t.queuePending(&b, guard)
	for i, q := range tail {
		b.Queue(q, tailArgs[i]...)
	}
	cerr, err := t.c.sendBatch(t.ctx, &b, func(br pgx.BatchResults) error {
		err := readPending(t.s, br, pending, guard)
		for i := 0; err == nil && i < len(tail); i++ {
			var tag pgconn.CommandTag
			if tag, err = br.Exec(); err != nil {
				err = &tailError{fmt.Errorf("%.40s: %w", tail[i], err)}
			} else if tail[i] == "COMMIT" && tag.String() == "ROLLBACK" {
				// PostgreSQL answers COMMIT of a transaction a failed
				// statement aborted with ROLLBACK, not an error: nothing
				// was written, and the callers must not hear otherwise.
				err = &tailError{errors.New("COMMIT rolled back: a statement of the transaction had failed")}
			}
		}
		return err
	})
	if err == nil && cerr != nil {
		err = fmt.Errorf("pipeline: %w", cerr)
	}
	t.clearPending()
	t.flushErr = err
	return err
}

// queuePending queues the pending writes on b, runs of writes merged
// (pipeline_merge.go), guarded (see pipeline_guard.go) where guard says
// so and they have a guarded form. It returns the writes as queued, for
// readPending; clearPending empties the queue once they are read.
func (t *tx) queuePending(b *pgx.Batch, guard bool) []pendingWrite {
	pending := t.pending
	if !t.unmerged {
		pending = t.s.coalesce(pending)
	}
	for _, w := range pending {
		switch {
		case guard && t.s.guarded(w) && w.guardedText != "":
			b.Queue(w.guardedText, w.args...)
		case guard && t.s.guarded(w):
			b.Queue(t.s.guards[w.id], w.args...)
		case w.text != "":
			b.Queue(w.text, w.args...)
		default:
			b.Queue(t.c.q[w.id], w.args...)
		}
	}
	return pending
}

// clearPending empties the queue of writes sent, keeping its array.
func (t *tx) clearPending() {
	clear(t.pending)
	t.pending = t.pending[:0]
	clear(t.repeatQueued)
	t.unkept = false
}

// sendBatch sends b on c's pgx connection in one round trip and hands
// its results to read, returning read's error and, apart, the batch's
// close error. A ctx that ends mid-batch makes the connection bad, so it
// is never reused.
func (c *writeConn) sendBatch(ctx context.Context, b *pgx.Batch, read func(pgx.BatchResults) error) (closeErr, err error) {
	err = c.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline: driver connection is %T, not pgx", dc)
		}
		br := sc.Conn().SendBatch(ctx, b)
		rerr := read(br)
		closeErr = br.Close()
		if ctx.Err() != nil {
			return driver.ErrBadConn // cut off mid-batch: never reuse it
		}
		return rerr
	})
	return closeErr, err
}

// tailError is the failure of a statement sent after the queued writes
// (send's tail), not of a queued write.
type tailError struct{ err error }

func (e *tailError) Error() string { return e.err.Error() }
func (e *tailError) Unwrap() error { return e.err }

func isPipelineTail(err error) bool {
	var te *tailError
	return errors.As(err, &te)
}

// readPending reads the results of the queued writes, in order; guard
// says send sent them guarded.
func readPending(s *Store, br pgx.BatchResults, pending []pendingWrite, guard bool) error {
	for _, w := range pending {
		tag, err := br.Exec()
		if err != nil && w.busy != nil && lockNotAvailable(err) {
			return fmt.Errorf("%w: %w", w.busy, err)
		}
		if err != nil && guard && s.guarded(w) && s.guardFailed(w, err) {
			return w.missing()
		}
		if err != nil && w.rows > 1 && !s.d.retryable(err) {
			// which row failed is not known: run it again unmerged
			return fmt.Errorf("%w: %w", errMergedRowTaken, s.dbErr(err, "%s %q", w.what, w.key))
		}
		if err != nil {
			return s.dbErr(err, "%s %q", w.what, w.key)
		}
		if guard && s.guarded(w) {
			continue // its guard failed if any row was missing: a SELECT's division by zero, a plain insert's unique violation
		}
		if tag.RowsAffected() < int64(max(w.rows, 1)) && w.missing != nil {
			return w.missing()
		}
	}
	return nil
}

// dropPending forgets the queued writes and their failure once the
// request that made them has been rolled back.
func (t *tx) dropPending() {
	clear(t.pending)
	t.pending, t.flushErr = t.pending[:0], nil
	clear(t.repeatQueued)
	t.unkept = false
}

// batchWith sends the queued writes followed by the statement id, reads
// the writes' results and hands the statement's to use, all on the
// connection in one round trip. A failed queued write is returned (and
// kept in t.flushErr) without calling use.
func (t *tx) batchWith(id qid, args []any, use func(pgx.BatchResults) error) error {
	return t.batchWithAll([]stmt{{id, args}}, use)
}

// stmt is a statement of the write path with its arguments.
type stmt struct {
	id   qid
	args []any
}

// batchWithAll is batchWith for several statements, whose results use
// reads in order.
func (t *tx) batchWithAll(stmts []stmt, use func(pgx.BatchResults) error) error {
	return t.readBatch(stmts, use, true)
}

// batchBesideQueue is batchWithAll leaving the queued writes queued
// (repeats_queued.go says when that is sound).
func (t *tx) batchBesideQueue(stmts []stmt, use func(pgx.BatchResults) error) error {
	return t.readBatch(stmts, use, false)
}

// readBatch sends stmts in one round trip, after the queued writes if
// withQueue, and hands their results to use.
func (t *tx) readBatch(stmts []stmt, use func(pgx.BatchResults) error, withQueue bool) error {
	if t.flushErr != nil {
		return t.flushErr
	}
	var b pgx.Batch
	var pending []pendingWrite
	if withQueue {
		pending = t.queuePending(&b, false)
	}
	for _, st := range stmts {
		b.Queue(t.c.q[st.id], st.args...)
	}
	var useErr error
	cerr, err := t.c.sendBatch(t.ctx, &b, func(br pgx.BatchResults) error {
		err := readPending(t.s, br, pending, false)
		if err == nil {
			useErr = use(br)
		}
		return err
	})
	if err == nil && useErr == nil && cerr != nil {
		useErr = cerr
	}
	if withQueue {
		t.clearPending()
	}
	if err != nil {
		t.flushErr = err
		return err
	}
	return useErr
}

// pipelinedRow is queryRow's answer while writes are queued: the writes
// and the query go out together when Scan is called (every caller scans
// the row at once).
type pipelinedRow struct {
	t    *tx
	id   qid
	args []any
}

func (r *pipelinedRow) Scan(dest ...any) error {
	return r.t.batchWith(r.id, r.args, func(br pgx.BatchResults) error { return br.QueryRow().Scan(dest...) })
}

// execPipelined runs statement id after the queued writes, in one round
// trip.
func (t *tx) execPipelined(id qid, args []any) (driver.Result, error) {
	var n int64
	err := t.batchWith(id, args, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(n), nil
}

// queryEach runs query id and calls each for every row; on PostgreSQL
// with writes queued, in the same round trip as they are sent.
func (t *tx) queryEach(ctx context.Context, id qid, args []any, each func(rowScanner) error) error {
	if err := t.statement(ctx); err != nil {
		return err
	}
	t.note(id)
	if len(t.pending) > 0 || t.flushErr != nil {
		return t.batchWith(id, args, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := each(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	rows, err := t.c.query(t.ctx, id, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryList is collect over queryEach: the rows of query id, scanned, on
// PostgreSQL in the same round trip as the queued writes.
func queryList[T any](ctx context.Context, t *tx, id qid, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	var out []T
	err := t.queryEach(ctx, id, args, func(r rowScanner) error {
		var v T
		if err := scan(r, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
