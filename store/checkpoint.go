package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
)

// Checkpoints off the write path (SQLite). A commit appends to the WAL;
// a checkpoint copies the WAL's pages back into the database file and
// fsyncs it, so the WAL can start over. By default SQLite checkpoints
// inside the commit that takes the WAL past 1,000 pages, on the one write
// connection: every write queued behind that commit waits for the copy
// and its fsync (6 % of the writer's CPU under a storm of new alerts, and
// the tail of trigger → first page). While Run is active the write
// connection's automatic checkpoints are off and this loop, on a
// connection of its own, runs PASSIVE checkpoints instead, which never
// wait for the writer or readers and copy what they can; the writer goes
// on appending meanwhile, and restarts the WAL from its beginning at the
// first transaction after a checkpoint that copied everything.
//
// Durability does not change: a commit is durable once its WAL frames are
// synced (synchronous=FULL), whoever copies them later. While Run is not
// active (tools, tests writing directly) the connection checkpoints by
// itself as before.

// Checkpoint pacing: the loop checkpoints after every `every` commits,
// adapting every so that a checkpoint copies about ckptTargetFrames WAL
// pages (SQLite's own threshold): fewer, larger checkpoints copy a page
// written by many commits once and fsync the file less often.
//
// A passive checkpoint copies the frames committed when it started; if
// the writer commits without pause, a checkpoint may never find the WAL
// fully copied, and the WAL restarts only then. So when a checkpoint
// finds more than ckptInlineFrames frames, the next commit checkpoints
// on the write connection right after its COMMIT, as SQLite's automatic
// checkpoint would: with no transaction open it copies everything (only
// the pages of the commits since the loop's checkpoint, which just copied
// the rest), and the transaction after it starts the WAL over. The WAL so
// stays near 4,000 pages (16 MB) under any load.
//
// Measured (BENCHMARKS.md, "Side by side"): trigger → first page at 500/s
// p99 over six alternating runs 4.9–59 ms on the write path, 5.3–12.3 ms
// off it; Alertmanager batches of re-triggered alerts +22 %.
const (
	ckptTargetFrames = 1000
	ckptMaxEvery     = 1024
	ckptInlineFrames = 4 * ckptTargetFrames
)

// checkpointer runs the WAL checkpoints of a SQLite store.
type checkpointer struct {
	db   *sql.DB       // one connection, not query_only
	kick chan struct{} // a commit happened (buffered, 1)
	// mu makes the loop's and the writer's checkpoints take turns: SQLite
	// runs one checkpoint at a time and refuses a second (busy).
	mu   sync.Mutex
	runs atomic.Int64 // checkpoints run, for tests and metrics
	// inline asks the writer to checkpoint after its next commit.
	inline atomic.Bool
	// inlineRuns counts those, for tests and metrics.
	inlineRuns atomic.Int64
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &checkpointer{db: db, kick: make(chan struct{}, 1)}
}

// committed tells the loop a commit appended to the WAL; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// run checkpoints until ctx ends. Kicks that arrive while a checkpoint
// runs collapse into one, so under a steady storm it counts batches of
// commits rather than single ones; every adapts either way, to the pages
// each checkpoint copied.
func (c *checkpointer) run(ctx context.Context, logErr func(error)) {
	every, since := 1, 0
	var last walState
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		if since++; since < every {
			continue
		}
		since = 0
		w, err := c.checkpoint(ctx)
		if err != nil {
			if ctx.Err() == nil {
				logErr(err)
			}
			continue
		}
		if w.frames < 0 { // could not run (another checkpoint): no news
			continue
		}
		copied := w.copied - last.copied
		if w.frames < last.frames { // the WAL started over since
			copied = w.copied
		}
		last = w
		if w.frames > ckptInlineFrames {
			// This checkpoint copied nearly all of it: the writer's
			// inline one has only the last commits' pages left.
			c.inline.Store(true)
		}
		switch {
		case copied < ckptTargetFrames/2 && every < ckptMaxEvery:
			every *= 2
		case copied > 2*ckptTargetFrames && every > 1:
			every /= 2
		}
	}
}

// walState is what a checkpoint reports: the WAL's length in frames
// (pages) and how many of them are now copied into the database file.
type walState struct{ frames, copied int }

// checkpoint runs one PASSIVE checkpoint; frames is -1 when it could not
// run.
func (c *checkpointer) checkpoint(ctx context.Context) (walState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var busy int
	var w walState
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &w.frames, &w.copied)
	if err != nil {
		return walState{}, fmt.Errorf("checkpoint the write-ahead log: %w", err)
	}
	c.runs.Add(1)
	return w, nil
}

// afterCommit runs on the write connection right after a COMMIT: it
// tells the loop, or checkpoints inline when the loop asked for it.
func (c *checkpointer) afterCommit(ctx context.Context, conn *sql.Conn) error {
	if !c.inline.CompareAndSwap(true, false) {
		c.committed()
		return nil
	}
	c.mu.Lock() // the loop's checkpoint, if one runs, ends first
	defer c.mu.Unlock()
	var busy, frames, copied int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint the write-ahead log on the writer: %w", err)
	}
	c.inlineRuns.Add(1)
	return nil
}

// sqliteAutoCheckpoint is SQLite's default automatic checkpoint
// threshold, in pages, restored when Run ends.
const sqliteAutoCheckpoint = 1000

// startCheckpoints turns the write connection's automatic checkpoints off
// and starts the checkpointer's loop in g, on SQLite; it reports whether
// it did (if the pragma fails, the connection keeps checkpointing itself).
func (s *Store) startCheckpoints(ctx context.Context, g *sync.WaitGroup) bool {
	if s.ckpt == nil {
		return false
	}
	if err := s.autoCheckpoint(ctx, 0); err != nil {
		s.log.Error("checkpoints stay on the write path", "error", err)
		return false
	}
	g.Go(func() {
		s.ckpt.run(ctx, func(err error) { s.log.Warn("checkpoint", "error", err) })
	})
	return true
}

// autoCheckpoint sets the write connection's automatic checkpoint
// threshold in pages (0: off, the checkpointer's loop does it).
func (s *Store) autoCheckpoint(ctx context.Context, pages int) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.wconn == nil {
		return nil
	}
	if _, err := s.wconn.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", pages)); err != nil {
		return fmt.Errorf("set wal_autocheckpoint to %d: %w", pages, err)
	}
	return nil
}
