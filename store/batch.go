package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
)

// maxAttempts bounds how often a batch is run again after a transient
// (deadlock, serialization, busy) error.
const maxAttempts = 5

// errNeedSavepoints says an optimistic pass must be redone with a
// savepoint around every request.
var errNeedSavepoints = errors.New("store: rerun batch with savepoints")

// execBatch runs batch in one transaction and answers every request only
// after COMMIT returned: nothing is acknowledged before it is durable.
//
// The first pass is optimistic: no savepoints, because on PostgreSQL each
// SAVEPOINT and RELEASE is a network round trip (two of the five to seven
// per request) and on SQLite it copies every touched page to the
// sub-journal. If a request fails after running a statement, the pass is
// rolled back and the batch run again with a savepoint per request, so the
// failure costs at most one extra pass and never leaks into batch-mates.
// Transient errors (deadlock, serialization, busy) rerun the whole batch.
// A request that failed with hypercare.ErrRunAlone beside others is
// answered by a batch of its own, run after this one committed; alone,
// it is run again in a new transaction (at most maxAttempts in all).
func (s *Store) execBatch(base context.Context, batch []*request) {
	var err error
	savepoints, unmerged := false, false
	for attempt := 1; ; {
		err = s.tryBatch(base, batch, savepoints || unmerged)
		if err == errNeedSavepoints {
			savepoints = true
			s.stats.reruns.Add(1)
			continue
		}
		if !unmerged && len(batch) == 1 && (errors.Is(err, errMergedRowTaken) || errors.Is(batch[0].err, errMergedRowTaken)) {
			// Alone, a merged insert failed (pipeline_merge.go): once
			// more unmerged, so the error names the row that did.
			unmerged = true
			s.stats.reruns.Add(1)
			continue
		}
		// Alone in its batch, a request that failed with ErrRunAlone
		// (runOne, or its queued writes at COMMIT) runs in a new one.
		again := errors.Is(err, hypercare.ErrRunAlone)
		if err == nil || !again && !s.d.retryable(err) {
			break
		}
		if again && attempt < maxAttempts {
			s.stats.alone.Add(1)
			time.Sleep(backoff(attempt))
			attempt++
			continue
		}
		if attempt == maxAttempts {
			err = fmt.Errorf("write batch failed %d times: %w", attempt, err)
			break
		}
		s.stats.retries.Add(1)
		time.Sleep(backoff(attempt))
		attempt++
	}
	s.stats.record(len(batch))
	if err == nil {
		s.ckpt.committed()
	}
	var alone []*request
	for _, r := range batch {
		if err != nil {
			r.err = err
		} else if r.alone {
			alone = append(alone, r) // answered by its own transaction
			continue
		}
		r.answer()
	}
	s.finishCheckpoint(base)
	for _, r := range alone {
		s.stats.alone.Add(1)
		s.execBatch(base, []*request{r})
	}
}

// backoff is a small jittered delay, so writers that deadlocked on each
// other do not collide again in lockstep.
func backoff(attempt int) time.Duration {
	d := time.Duration(attempt) * time.Millisecond
	return d + rand.N(d)
}

// tryBatch runs every request's fn in one transaction and commits unless
// every request failed. It returns an error when the whole transaction
// failed or must be rerun; per-request errors are left in request.err.
func (s *Store) tryBatch(base context.Context, batch []*request, careful bool) error {
	ctx := base
	if s.d.batchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(base, s.d.batchTimeout)
		defer cancel()
	}
	c, release, err := s.acquire(ctx)
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	defer release()
	ba := s.batchAheadOf(batch)
	ahead, err := s.beginBatch(ctx, c, ba)
	if err != nil && !ba.empty() && !s.d.retryable(err) && ctx.Err() == nil {
		// A read ahead failed for good (a lock or statement timeout,
		// the incident number sequence at its end): begin without them,
		// so each request reads its own keys and such a failure is
		// only its own.
		ahead, err = s.beginBatch(ctx, c, batchAhead{})
	}
	if err != nil {
		return fmt.Errorf("begin write batch: %w", err)
	}
	if c.alerts != nil {
		if err := c.alerts.begin(ctx, c); err != nil {
			s.rollback(base, c)
			return fmt.Errorf("begin write batch: %w", err)
		}
	}
	if c.silences != nil {
		c.silences.begin()
		c.changes.begin()
	}
	if c.numbers != nil {
		c.numbers.begin()
	}
	t := &tx{s: s, c: c, ctx: ctx, unmerged: careful}
	if ahead != nil {
		t.none, t.held, t.drawn = ahead.none, ahead.held, ahead.numbers
	}
	mode := runOptimistic
	switch {
	case len(batch) == 1:
		mode = runAlone
	case careful:
		mode = runInSavepoint
	}
	ok := 0
	for _, r := range batch {
		if err := s.runOne(t, r, mode); err != nil {
			s.rollback(base, c)
			return err
		}
		if r.err == nil {
			ok++
		}
	}
	if ok == 0 {
		s.rollback(base, c)
		return nil
	}
	if err := s.beforeCommit(t, mode); err != nil {
		s.rollback(base, c)
		return err
	}
	if err := s.commit(t, mode); err != nil {
		s.rollback(base, c)
		if c.numbers != nil {
			c.numbers.distrust() // COMMIT may have been durable after all
		}
		if c.alerts != nil {
			c.alerts.distrust() // and so may the rows the cache never got
		}
		return err
	}
	if c.alerts != nil {
		c.alerts.committedBatch()
	}
	if c.numbers != nil {
		c.numbers.committedBatch()
	}
	if t.work {
		s.workSig.fire()
	}
	if len(t.stream) > 0 {
		s.announceCommit(ctx, c, t.work)
	}
	return nil
}

// commit inserts the batch's stream events and commits. On PostgreSQL
// the queued writes, the stream insert and COMMIT go in one round trip; a
// queued write that fails there in an optimistic batch reruns it with
// savepoints (alone in its batch, its failure is the request's).
func (s *Store) commit(t *tx, mode runMode) error {
	if !s.d.pipeline {
		if err := t.flushHeld(); err != nil {
			if mode == runOptimistic && !s.d.retryable(err) {
				return errNeedSavepoints // whose update it was: each request writes its own
			}
			return err
		}
		if err := t.flushEvents(); err != nil {
			if mode == runOptimistic && hypercare.ErrorCode(err) == hypercare.CodeConflict {
				return errNeedSavepoints // whose event it was: each request flushes its own
			}
			return err
		}
		if err := t.saveNumber(); err != nil {
			return err
		}
		if err := t.saveActivity(); err != nil {
			return err
		}
		if err := s.flushStream(t); err != nil {
			return err
		}
		if _, err := t.c.exec(t.ctx, ctlCommit); err != nil {
			return fmt.Errorf("commit write batch: %w", err)
		}
		return nil
	}
	tail, args, err := s.streamInserts(t)
	if err != nil {
		return err
	}
	if t.pendingUnguarded() {
		// A queued write that affects no row fails only as the client
		// reads its result, after a COMMIT in the same round trip would
		// have committed the request's other writes: read them first
		// unless every such write goes out guarded (pipeline_guard.go).
		if err := t.flush(); err != nil {
			if mode == runOptimistic && !s.d.retryable(err) {
				return errNeedSavepoints
			}
			return err
		}
	}
	queued := len(t.pending) > 0
	err = t.send(append(tail, t.c.q[ctlCommit]), append(args, nil), true)
	switch {
	case err == nil:
		return nil
	case !queued || isPipelineTail(err) || s.d.retryable(err):
		return fmt.Errorf("commit write batch: %w", err)
	case mode == runOptimistic:
		return errNeedSavepoints
	}
	return err // alone: the request's own queued write failed
}

// beforeCommit runs the batch's BeforeCommit hooks. On PostgreSQL the
// writes still queued go first and, should one fail, fail as they would
// have with COMMIT (an optimistic batch is rerun with savepoints); and as
// any failed statement there aborts the whole transaction, even one whose
// error a hook ignores, the hooks run inside a savepoint that is always
// rolled back (they only read). A hook that panics fails the batch:
// nothing of it commits.
func (s *Store) beforeCommit(t *tx, mode runMode) error {
	if len(t.hooks) == 0 {
		return nil
	}
	if err := t.flush(); err != nil {
		switch {
		case s.d.retryable(err):
			return fmt.Errorf("commit write batch: %w", err)
		case mode == runOptimistic:
			return errNeedSavepoints
		}
		return err
	}
	if s.d.pipeline {
		if _, err := t.c.exec(t.ctx, ctlSavepoint); err != nil {
			return fmt.Errorf("write batch hooks savepoint: %w", err)
		}
	}
	if err := runHooks(t); err != nil {
		return err
	}
	if s.d.pipeline {
		if _, err := t.c.exec(t.ctx, ctlRollbackTo); err != nil {
			return fmt.Errorf("write batch hooks rollback to savepoint: %w", err)
		}
		if _, err := t.c.exec(t.ctx, ctlRelease); err != nil {
			return fmt.Errorf("write batch hooks release savepoint: %w", err)
		}
	}
	return nil
}

// runHooks runs t's hooks in order, turning a panic into an error.
func runHooks(t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("before-commit hook panicked: %v", p)
		}
	}()
	for _, f := range t.hooks {
		f(t)
	}
	return nil
}

// runMode says how a request's writes are undone if its fn fails.
type runMode int

const (
	runOptimistic  runMode = iota // no savepoint: a failure after a statement reruns the batch
	runInSavepoint                // ROLLBACK TO SAVEPOINT undoes it
	runAlone                      // alone in its batch: the whole transaction is rolled back
)

// runOne runs r.fn. It returns an error only when the whole transaction
// must be abandoned: a transient error (on PostgreSQL a deadlock aborts the
// transaction, not just a savepoint), a failing savepoint statement, or
// errNeedSavepoints.
func (s *Store) runOne(t *tx, r *request, mode runMode) error {
	r.err, r.panicked, r.alone = nil, nil, false
	if mode == runInSavepoint {
		if _, err := t.c.exec(t.ctx, ctlSavepoint); err != nil {
			return fmt.Errorf("write batch savepoint: %w", err)
		}
	}
	t.statements, t.recent, t.ahead = 0, recentAhead{}, nil // none: the batch's
	t.heldWritten = t.heldWritten[:0]
	published, hooked, turns, seen, events := len(t.stream), len(t.hooks), len(t.turns), len(t.seen), len(t.laterEvents)
	err := r.call(t)
	if err == nil && mode != runOptimistic {
		err = t.flushHeld() // a row not as held fails its own request
	}
	if err == nil && mode != runOptimistic {
		err = t.flushEvents() // a taken event ID fails its own request
	}
	if err == nil && mode == runInSavepoint {
		err = t.flush() // its queued writes fail as its own (alone: with COMMIT)
	}
	if err == nil && t.flushErr != nil {
		err = t.flushErr // a queued write failed, even if fn swallowed it
	}
	if err == nil && t.heldErr != nil {
		err = t.heldErr // likewise a held update (SQLite)
	}
	if err != nil {
		t.stream = t.stream[:published] // its writes are undone: so are its events
		t.hooks = t.hooks[:hooked]      // and what it wanted done at commit
		t.seen = t.seen[:seen]          // and the events it inserted
		// (min: a prune in it may have inserted the rows kept before it)
		t.laterEvents = t.laterEvents[:min(len(t.laterEvents), events)]
		t.dropWritten() // and the rows it kept as written, and locked
		if mode != runOptimistic {
			t.dropInserts() // all its own: earlier requests' went out at their end
			t.dropRepeats()
		}
	}
	if t.c.alerts != nil {
		t.c.alerts.endRequest(err == nil) // likewise the alert rows it wrote
	}
	if t.c.numbers != nil {
		t.c.numbers.endRequest(err == nil) // and the incident numbers it drew
	}
	if err == nil {
		if mode == runInSavepoint {
			if _, err := t.c.exec(t.ctx, ctlRelease); err != nil {
				return fmt.Errorf("write batch release savepoint: %w", err)
			}
		}
		return nil
	}
	if r.panicked == nil && s.d.retryable(err) {
		return err
	}
	if r.panicked == nil && mode == runAlone && errors.Is(err, hypercare.ErrRunAlone) {
		return err // run again in a new transaction (execBatch)
	}
	r.err = err
	// Its locks would follow ones an earlier request took (LockTurns):
	// undone here, run again alone after the commit (execBatch).
	r.alone = mode != runAlone && r.panicked == nil && errors.Is(err, hypercare.ErrRunAlone)
	switch {
	case mode == runInSavepoint:
		if _, err := t.c.exec(t.ctx, ctlRollbackTo); err != nil {
			return fmt.Errorf("write batch rollback to savepoint: %w", err)
		}
		t.dropPending()
		t.heldErr = nil  // its held updates were its own, and are undone
		t.grouping = nil // the rollback released the locks it took
		t.turns = t.turns[:turns]
		if _, err := t.c.exec(t.ctx, ctlRelease); err != nil {
			return fmt.Errorf("write batch release savepoint: %w", err)
		}
	case mode == runOptimistic && t.statements > 0:
		return errNeedSavepoints
	}
	// Alone, or failed before running any statement: nothing to undo here.
	return nil
}

// call runs fn, turning a panic into an error for the transaction and
// keeping the value so Write re-panics in the caller's goroutine.
func (r *request) call(t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
			err = fmt.Errorf("write function panicked: %v", p)
		}
	}()
	return r.fn(t)
}

// rollback abandons the transaction. Its error is only logged: the batch
// already failed, and a broken connection is discarded by the pool.
func (s *Store) rollback(base context.Context, c *writeConn) {
	ctx := base
	if s.d.batchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(base, 5*time.Second)
		defer cancel()
	}
	if _, err := c.exec(ctx, ctlRollback); err != nil {
		s.log.Warn("write batch rollback failed", "dialect", s.d.name, "err", err)
	}
}

// writeStats counts group-commit activity for metrics and benchmarks.
type writeStats struct {
	batches, requests, retries, reruns, alone, largest atomic.Uint64
}

func (w *writeStats) record(n int) {
	w.batches.Add(1)
	w.requests.Add(uint64(n))
	for {
		cur := w.largest.Load()
		if uint64(n) <= cur || w.largest.CompareAndSwap(cur, uint64(n)) {
			return
		}
	}
}

// WriteStats is a snapshot of group-commit state for metrics, benchmarks
// and tests: Requests/Batches is the mean batch size, the number that
// explains write throughput.
type WriteStats struct {
	Running  bool   // Run is active: writes are group-committed
	Queued   int    // writes waiting for a writer right now
	Batches  uint64 // transactions run (committed or failed)
	Requests uint64 // Write calls those transactions ran
	Retries  uint64 // batches run again after a transient error
	Reruns   uint64 // batches run again with savepoints after a request failed
	Alone    uint64 // requests run again in a transaction of their own (hypercare.ErrRunAlone)
	Largest  uint64 // largest batch seen
	// KeyReadsSkipped counts reads of a never-seen alert key that the
	// SQLite writer's key filter answered (keyfilter.go).
	KeyReadsSkipped uint64
}

// WriteStats returns the group-commit counters since Open.
func (s *Store) WriteStats() WriteStats {
	st := WriteStats{
		Batches:  s.stats.batches.Load(),
		Requests: s.stats.requests.Load(),
		Retries:  s.stats.retries.Load(),
		Reruns:   s.stats.reruns.Load(),
		Alone:    s.stats.alone.Load(),
		Largest:  s.stats.largest.Load(),
	}
	if s.keys != nil {
		st.KeyReadsSkipped = s.keys.skipped.Load()
	}
	if rs := s.run.Load(); rs != nil {
		st.Running = true
		for _, w := range rs.writers {
			st.Queued += len(w.queue)
		}
	}
	return st
}
