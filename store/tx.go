package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hypercare/hypercare"
)

// tx implements hypercare.Tx inside one batch transaction.
type tx struct {
	s *Store
	c *writeConn
	// ctx runs every statement. It is the batch's context, not the
	// caller's: cancelling one caller must not interrupt a statement on a
	// transaction its batch-mates share (SQLite rolls back the whole
	// transaction on interrupt; pgx closes the connection). Each method
	// checks its caller's ctx before running anything instead.
	ctx context.Context
	// statements counts the statements the current request ran: a request
	// that fails before running any needs no rollback.
	statements int
	// grouping holds the grouping locks the transaction took: services'
	// (LockGrouping) and notification groups' (LockNotificationGroup).
	grouping map[string]bool
	// turns holds the round-robin turn counters the transaction locked
	// (PostgreSQL: LockTurns, NextTurn), in the order it locked them.
	turns []hypercare.TurnKey
	// work is set once the batch ran a statement that writes engine work
	// (wake.go).
	work bool
	// stream holds the stream events the batch's requests published, in
	// order; they are inserted just before COMMIT (stream.go).
	stream []pendingEvent
	// seen holds the integration and time of each event the batch's
	// requests inserted, written to integration_activity just before
	// COMMIT (SQLite; activity.go).
	seen []seenEvent
	// laterEvents are the event rows inserted at the end of their
	// request or just before COMMIT (SQLite; events_later.go).
	laterEvents []laterEvent
	// laterRows are the new incidents', alerts' and timeline entries'
	// inserts held until the batch's next statement, by table (SQLite;
	// inserts_later.go).
	laterRows [numHeldTables][]laterRow
	// laterRepeats are the re-triggered alerts' updates held until the
	// batch's next statement, and repeatAt their index by alert ID
	// (SQLite; repeats_later.go).
	laterRepeats []laterRepeat
	repeatAt     map[string]int
	// heldErr is the failure of held updates written (SQLite): the
	// request that sent them fails with it, whatever its fn returned.
	heldErr error
	// repeatQueued maps an alert ID to the index in pending of its
	// repeat's queued update, and heldWritten lists the keys whose rows
	// the running request kept as written (PostgreSQL; repeats_queued.go).
	repeatQueued map[string]int
	heldWritten  []alertKey
	// unkept is set when an alert with a queued repeat update lost its
	// kept row: the queue must go before the next read (repeats_queued.go).
	unkept bool
	// pending holds the writes queued to go with the next statement, and
	// flushErr the failure of queued writes sent (PostgreSQL; pipeline.go).
	pending  []pendingWrite
	flushErr error
	// hooks are the BeforeCommit functions of the batch's requests that
	// succeeded, in order (batch.go runs them).
	hooks []func(hypercare.Tx)
	// recent is the running request's read-ahead of a key's newest
	// alerts (PostgreSQL; recent_prefetch.go).
	recent recentAhead
	// ahead holds the running request's open alerts read ahead, and
	// none the batch's keys read ahead with no open alert (PostgreSQL;
	// open_ahead.go, begin.go).
	ahead openAhead
	none  noneAhead
	// held are the open alerts the batch locked with its BEGIN, the keys
	// its requests named that this node expected open (PostgreSQL;
	// begin.go): locked before any savepoint, they stay locked, and
	// valid until a request writes them, for the whole batch.
	held openAhead
	// unmerged keeps queued writes one statement each (pipeline_merge.go):
	// a batch run again after a failure, where errors must name their row.
	unmerged bool
	// drawn are incident numbers the batch drew with its BEGIN, lowest
	// first, for InsertIncident to hand out (PostgreSQL; begin.go).
	drawn []int64
}

// BeforeCommit queues f to run after the batch's last request, just
// before COMMIT.
func (t *tx) BeforeCommit(f func(hypercare.Tx)) { t.hooks = append(t.hooks, f) }

var _ hypercare.Tx = (*tx)(nil)

// statement readies the transaction for one statement of the running
// request, whatever path it takes: the request's ctx still live, the
// batch's held repeats written first (SQLite, repeats_later.go), the
// statement counted. Every read and write of a request starts here.
func (t *tx) statement(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.flushHeld(); err != nil {
		return err
	}
	t.statements++
	return nil
}

func (t *tx) exec(ctx context.Context, id qid, args ...any) (sql.Result, error) {
	if err := t.statement(ctx); err != nil {
		return nil, err
	}
	t.note(id)
	if len(t.pending) > 0 {
		return t.execPipelined(id, args)
	}
	return t.c.exec(t.ctx, id, args...)
}

func (t *tx) query(ctx context.Context, id qid, args ...any) (*sql.Rows, error) {
	if err := t.statement(ctx); err != nil {
		return nil, err
	}
	t.note(id)
	if err := t.flush(); err != nil {
		return nil, err
	}
	return t.c.query(t.ctx, id, args...)
}

func (t *tx) queryRow(ctx context.Context, id qid, args ...any) rowScanner {
	if err := t.statement(ctx); err != nil {
		return errRow{err}
	}
	t.note(id)
	if len(t.pending) > 0 || t.flushErr != nil {
		return &pipelinedRow{t: t, id: id, args: args}
	}
	return t.c.queryRow(t.ctx, id, args...)
}

// insert runs an ON CONFLICT DO NOTHING insert and turns "no row
// inserted" into a conflict error.
func (t *tx) insert(ctx context.Context, id qid, what, key, conflict string, args ...any) error {
	res, err := t.exec(ctx, id, args...)
	if err != nil {
		return t.s.dbErr(err, "insert %s %q", what, key)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("insert %s %q: %w", what, key, err)
	}
	if n == 0 {
		return hypercare.Errorf(hypercare.CodeConflict, "%s %q: %s", what, key, conflict)
	}
	return nil
}

// update runs an UPDATE by id and turns "no row updated" into not_found.
func (t *tx) update(ctx context.Context, id qid, what, key string, args ...any) error {
	res, err := t.exec(ctx, id, args...)
	if err != nil {
		return t.s.dbErr(err, "update %s %q", what, key)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s %q: %w", what, key, err)
	}
	if n == 0 {
		return hypercare.Errorf(hypercare.CodeNotFound, "%s %q not found", what, key)
	}
	return nil
}

// dbErr wraps a driver error with context, giving constraint violations
// the caller caused their public code.
func (s *Store) dbErr(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	switch s.d.classify(err) {
	case classUnique:
		return &hypercare.Error{Code: hypercare.CodeConflict, Message: msg + ": already exists", Err: err}
	}
	return fmt.Errorf("%s: %w", msg, unavailable(err))
}
