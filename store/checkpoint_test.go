package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// autoCheckpointPages reads the write connection's wal_autocheckpoint.
func autoCheckpointPages(t *testing.T, s *Store) int {
	t.Helper()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var n int
	if err := s.wconn.conn.QueryRowContext(t.Context(), "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// While Run is active the write connection does not checkpoint (its
// commits never wait for a copy and an fsync of the database file): the
// checkpointer's own connection does, and when it asks, the writer once
// after a commit. When Run ends the connection checkpoints by itself
// again.
func TestCheckpointsLeaveTheWritePath(t *testing.T) {
	s, err := Open(t.Context(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := autoCheckpointPages(t, s); got != sqliteAutoCheckpoint {
		t.Fatalf("before Run: wal_autocheckpoint %d, want %d", got, sqliteAutoCheckpoint)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	write := func(i int) {
		t.Helper()
		now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
		err := s.Write(t.Context(), "x", func(tx hypercare.Tx) error {
			if i == 0 {
				if err := tx.ApplyCatalog(t.Context(), nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, nil); err != nil {
					return err
				}
			}
			return tx.InsertIncident(t.Context(), &hypercare.Incident{ID: fmt.Sprintf("inc-%06d", i), Number: int64(i + 1),
				Title: strings.Repeat("checkout down ", 200), Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh,
				Severity: hypercare.SeverityCritical, ServiceID: "shop", CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Writes until the loop has checkpointed (each commit wakes it; it
	// paces itself by the WAL's size, so the count is not fixed).
	for i := 0; s.ckpt.runs.Load() == 0; i++ {
		if i == 20000 {
			t.Fatal("20,000 commits and no checkpoint by the checkpointer")
		}
		write(i)
	}
	if got := autoCheckpointPages(t, s); got != 0 {
		t.Fatalf("during Run: wal_autocheckpoint %d, want 0 (off)", got)
	}

	// The loop found the WAL too long: the next commit checkpoints on
	// the writer, and the WAL then starts over.
	s.ckpt.inline.Store(true)
	write(30000)
	if got := s.ckpt.inlineRuns.Load(); got != 1 {
		t.Fatalf("inline checkpoints: %d, want 1", got)
	}
	write(30001) // restarts the WAL: it holds this commit's frames only
	w, err := s.ckpt.checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if w.frames > 50 {
		t.Errorf("WAL holds %d frames after an inline checkpoint and one commit; it did not start over", w.frames)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := autoCheckpointPages(t, s); got != sqliteAutoCheckpoint {
		t.Fatalf("after Run: wal_autocheckpoint %d, want %d", got, sqliteAutoCheckpoint)
	}
}
