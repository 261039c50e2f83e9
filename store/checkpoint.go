package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// WAL checkpoints off the write path (SQLite). By default SQLite's writer
// copies the WAL back into the database file itself once the WAL holds
// 1,000 pages, inside the COMMIT of whichever batch crossed the mark: that
// batch's answer (an event's 202, its first page) waited for the copy and
// an fsync of the database file, and every batch queued behind it too — the
// slowest 1 % of idle first pages. Instead the writer's connection leaves
// checkpoints to checkpointer, a connection of its own run by Store.Run,
// which copies what committed at most every checkpointInterval, without
// waiting for or holding up the writer (PASSIVE). The writer keeps SQLite's
// own checkpoint only as a bound (walBoundPages): during a storm a
// background checkpoint never catches up with a writer that never pauses,
// the WAL cannot start over, and it would grow without end; at the bound
// the writer checkpoints the few pages not yet copied and the WAL restarts.

// checkpointInterval is the shortest time between two background
// checkpoints: often enough that the WAL stays small and restarts whenever
// writes pause, rarely enough that their fsyncs of the database file do not
// compete with the writer's own on a busy disk.
const checkpointInterval = 200 * time.Millisecond

// walBoundPages is the writer connection's wal_autocheckpoint: the WAL
// size (in 4 KiB pages, 32 MiB) at which the writer checkpoints itself.
const walBoundPages = 8192

// checkpointer owns the connection background checkpoints run on.
type checkpointer struct {
	db *sql.DB
	// poke is sent (without waiting) after every committed batch.
	poke chan struct{}
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
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// checkpoints checkpoints after commits, at most once per
// checkpointInterval, until ctx ends (run by Store.Run on SQLite). A
// checkpoint that fails is logged and tried again after a later commit;
// the writer's bound keeps the WAL finite meanwhile.
func (s *Store) checkpoints(ctx context.Context) {
	c := s.ckpt
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.poke:
		}
		if err := c.checkpoint(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("wal checkpoint", "error", err)
		}
		pause := time.NewTimer(checkpointInterval)
		select {
		case <-ctx.Done():
			pause.Stop()
			return
		case <-pause.C:
		}
	}
}

// checkpoint copies every committed WAL page that no reader still needs
// into the database file and fsyncs it, without waiting for anyone.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, pages, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &pages, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
