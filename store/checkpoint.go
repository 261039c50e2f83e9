package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// WAL checkpoints off the write path (SQLite). By default SQLite's writer
// copies the WAL back into the database file itself once the WAL holds
// 1,000 pages, inside the COMMIT of whichever batch crossed the mark: that
// batch's answer (an event's 202, its first page) waited for the copy and
// an fsync of the database file, and every batch queued behind it too — the
// slowest 1 % of idle first pages. Instead the writer's connection leaves
// checkpoints to checkpointer, a connection of its own run by Store.Run,
// which copies what committed about every checkpointPages pages (10 to
// 200 ms apart) without waiting for or holding up the writer (PASSIVE).
// In a storm the writer adds pages while it copies, so the WAL is never
// wholly copied when a write begins and could not start over; the writer
// then finishes the copy between two batches (finishCheckpoint). SQLite's
// own checkpoint stays on the writer only as a bound (walBoundPages), for
// when neither keeps up.

// Background checkpoints aim to copy about checkpointPages pages each: the
// pause after one is the time the WAL took to gain that many pages at the
// rate just seen, between minCheckpointPause (a storm: the WAL stays about
// 16 MiB) and maxCheckpointPause (a quiet server: few fsyncs of the
// database file competing with the writer's own). It is also the WAL size
// past which the writer finishes a copy commits overtook. SQLite's own
// mark of 1,000 pages (until stop 32) copied a storm's hot index pages
// four times as often and had the writer finish a copy, an fsync on its
// path, four times as often: 4,000 gave single new alerts 5–8 % more
// events/s for 5–8 % less CPU each, higher in 6 of 6 alternating runs
// (BENCHMARKS.md), with the first page's p99 at 500/s unchanged.
const (
	checkpointPages    = 4000
	minCheckpointPause = 10 * time.Millisecond
	maxCheckpointPause = 200 * time.Millisecond
)

// walBoundPages is the writer connection's wal_autocheckpoint: the WAL
// size (in 4 KiB pages, 32 MiB) at which the writer checkpoints itself.
const walBoundPages = 8192

// checkpointer owns the connection background checkpoints run on.
type checkpointer struct {
	db *sql.DB
	// poke is sent (without waiting) after every committed batch.
	poke chan struct{}
	// commits counts committed batches, so a checkpoint can tell whether
	// commits overtook it.
	commits atomic.Uint64
	// finish asks the writer to complete a checkpoint that commits
	// overtook (finishCheckpoint).
	finish atomic.Bool
	// runs counts background checkpoints tried, for tests.
	runs atomic.Uint64
}

// openCheckpointer opens the checkpoint connection on the database at dsn
// (connected on first use).
func openCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &checkpointer{db: db, poke: make(chan struct{}, 1)}, nil
}

// committed tells the checkpointer a batch committed.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	c.commits.Add(1)
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// checkpoints checkpoints after commits, paced by checkpointPause, until
// ctx ends (run by Store.Run on SQLite). A checkpoint that fails is logged
// and tried again after a later commit; the writer's bound keeps the WAL
// finite meanwhile.
//
// A checkpoint that could not copy everything committed (a reader still
// needed older pages, or commits overtook it) is tried again after the
// pause without waiting for another commit: the last batch before a quiet
// spell would otherwise leave its pages, up to the writer's bound of 32
// MiB, only in the WAL until the next write, however long that is.
func (s *Store) checkpoints(ctx context.Context) {
	c := s.ckpt
	last := time.Now()
	again := false
	for {
		if !again {
			select {
			case <-ctx.Done():
				return
			case <-c.poke:
			}
		}
		now, before := time.Now(), c.commits.Load()
		pages, complete, err := c.checkpoint(ctx)
		c.runs.Add(1)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("wal checkpoint", "error", err)
		}
		again = err == nil && !complete
		// Commits during the copy added pages it did not see (pages and
		// complete describe the WAL as the copy began). Once the WAL has
		// grown past the mark, the writer finishes the copy so that the
		// WAL starts over.
		overtaken := c.commits.Load() != before
		if err == nil && (!complete || overtaken && pages >= checkpointPages) {
			c.finish.Store(true)
		}
		pause := time.NewTimer(checkpointPause(now.Sub(last), pages))
		last = now
		select {
		case <-ctx.Done():
			pause.Stop()
			return
		case <-pause.C:
		}
	}
}

// checkpointPause is how long to wait after a checkpoint that found pages
// in the WAL, elapsed after the one before (see checkpointPages).
func checkpointPause(elapsed time.Duration, pages int) time.Duration {
	if pages <= 0 {
		return maxCheckpointPause
	}
	return min(max(elapsed*checkpointPages/time.Duration(pages), minCheckpointPause), maxCheckpointPause)
}

// checkpoint copies every committed WAL page that no reader still needs
// into the database file and fsyncs it, without waiting for anyone. It
// reports how many pages the WAL held as it began and whether it copied
// them all; only a WAL wholly copied starts over at the next write.
func (c *checkpointer) checkpoint(ctx context.Context) (pages int, complete bool, err error) {
	return walCheckpoint(c.db.QueryRowContext(ctx, walCheckpointSQL))
}

const walCheckpointSQL = "PRAGMA wal_checkpoint(PASSIVE)"

// walCheckpoint reads walCheckpointSQL's answer: busy (another checkpoint
// ran), the WAL's pages as the checkpoint began, and the pages copied.
func walCheckpoint(row *sql.Row) (pages int, complete bool, err error) {
	var busy, copied int
	if err := row.Scan(&busy, &pages, &copied); err != nil {
		return 0, false, fmt.Errorf("checkpoint: %w", err)
	}
	return pages, busy == 0 && copied == pages, nil
}

// finishCheckpoint completes, on the write connection and after a batch
// was answered, a background checkpoint that commits overtook. In a storm
// the writer adds pages while the checkpointer copies, so the WAL is never
// wholly copied when a write begins and could not start over; between two
// batches nothing else writes, and the few pages left are copied at once.
// It runs at most once per background checkpoint, so a storm's writer
// pauses for one small copy and an fsync of the database file that often;
// a quiet server's checkpoints finish by themselves.
func (s *Store) finishCheckpoint(ctx context.Context) {
	if s.ckpt == nil || !s.ckpt.finish.CompareAndSwap(true, false) {
		return
	}
	c, release, err := s.acquire(ctx)
	if err != nil {
		return // closed
	}
	defer release()
	if _, _, err := walCheckpoint(c.conn.QueryRowContext(ctx, walCheckpointSQL)); err != nil && ctx.Err() == nil {
		s.log.Warn("wal checkpoint", "error", err)
	}
}
