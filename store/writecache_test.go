package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// reads runs fn in a write and returns how many statements it ran.
func reads(t *testing.T, s *Store, fn func(*tx) error) int {
	t.Helper()
	n := 0
	write(t, s, func(htx hypercare.Tx) error {
		tx := htx.(*tx)
		before := tx.statements
		err := fn(tx)
		n = tx.statements - before
		return err
	})
	return n
}

// TestSilenceCache: the silences not ended are read once and then served
// from memory, and no change is ever missed: one written in the same batch,
// one written in a batch that rolled back (never served), one expired, one
// another connection writes, and an earlier time than the cache holds.
func TestSilenceCache(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := openTestSQLite(t, dir)
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	silence := func(id string, ends time.Duration) *hypercare.Silence {
		return &hypercare.Silence{ID: id, Matchers: []string{`env="prod"`}, Services: []string{"shop"},
			StartsAt: t0, EndsAt: t0.Add(ends), Comment: "deploy", CreatedBy: "alice", CreatedAt: t0}
	}
	active := func(at time.Time, wantIDs ...string) int {
		t.Helper()
		return reads(t, s, func(tx *tx) error {
			got, err := tx.ActiveSilences(ctx, at)
			if err != nil {
				return err
			}
			if len(got) != len(wantIDs) {
				t.Fatalf("active silences at %s: %d, want %v", at.Format(time.TimeOnly), len(got), wantIDs)
			}
			for i, id := range wantIDs {
				if got[i].ID != id {
					t.Fatalf("active silences at %s: %+v, want %v", at.Format(time.TimeOnly), got, wantIDs)
				}
			}
			return nil
		})
	}
	write(t, s, func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, silence("s1", time.Hour)) })
	if n := active(t0, "s1"); n != 1 {
		t.Errorf("first read ran %d statements, want 1", n)
	}
	if n := active(t0.Add(30*time.Minute), "s1"); n != 0 {
		t.Errorf("second read ran %d statements, want 0 (from memory)", n)
	}
	if n := active(t0.Add(2 * time.Hour)); n != 0 {
		t.Errorf("read after the silence ended ran %d statements, want 0", n)
	}
	active(t0.Add(-time.Minute), "s1") // earlier than the cache: read

	// Written and read in one batch; then a write that rolls back.
	write(t, s, func(htx hypercare.Tx) error {
		if err := htx.InsertSilence(ctx, silence("s2", 2*time.Hour)); err != nil {
			return err
		}
		got, err := htx.ActiveSilences(ctx, t0)
		if err == nil && len(got) != 2 {
			t.Errorf("silence written in this transaction not seen: %+v", got)
		}
		return err
	})
	undone := errors.New("undo")
	err := s.Write(ctx, "k", func(htx hypercare.Tx) error {
		if err := htx.InsertSilence(ctx, silence("rolled-back", time.Hour)); err != nil {
			return err
		}
		if _, err := htx.ActiveSilences(ctx, t0); err != nil {
			return err
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("write = %v, want the undo", err)
	}
	active(t0, "s1", "s2")
	write(t, s, func(htx hypercare.Tx) error {
		_, err := htx.ExpireSilence(ctx, "s1", t0.Add(time.Minute))
		return err
	})
	active(t0.Add(2*time.Minute), "s2")

	other := openTestSQLite(t, dir)
	write(t, other, func(tx hypercare.Tx) error { return tx.InsertSilence(ctx, silence("s3", time.Hour)) })
	other.Close()
	if n := active(t0.Add(2*time.Minute), "s2", "s3"); n != 1 {
		t.Errorf("read after another connection's write ran %d statements, want 1", n)
	}
}

// TestChangeCache: a service's recent change events are read only when it
// may have one in the window; none is missed, whether this connection or
// another one inserted it, and a rolled-back insert is not returned.
func TestChangeCache(t *testing.T) {
	ctx := t.Context()
	s, dir := openShop(t)
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	change := func(id string, at time.Time) *hypercare.ChangeEvent {
		return &hypercare.ChangeEvent{ID: id, ServiceID: "shop", IntegrationID: "shop-v2", Summary: "deploy " + id,
			Source: "ci", Timestamp: at, ReceivedAt: at}
	}
	recent := func(now time.Time, wantIDs ...string) int {
		t.Helper()
		return reads(t, s, func(tx *tx) error {
			got, err := tx.RecentChanges(ctx, "shop", now.Add(-hypercare.RecentChangeWindow), now)
			if err != nil {
				return err
			}
			if len(got) != len(wantIDs) {
				t.Fatalf("recent changes at %s: %+v, want %v", now.Format(time.TimeOnly), got, wantIDs)
			}
			for i, id := range wantIDs {
				if got[i].ID != id {
					t.Fatalf("recent changes at %s: %+v, want %v", now.Format(time.TimeOnly), got, wantIDs)
				}
			}
			return nil
		})
	}
	if n := recent(t0); n != 1 { // the service's latest change, once
		t.Errorf("first read ran %d statements, want 1", n)
	}
	if n := recent(t0.Add(time.Minute)); n != 0 {
		t.Errorf("second read ran %d statements, want 0 (from memory)", n)
	}
	write(t, s, func(tx hypercare.Tx) error { return tx.InsertChangeEvent(ctx, change("c1", t0.Add(2*time.Minute))) })
	recent(t0.Add(3*time.Minute), "c1")
	// Long after, the window no longer reaches c1: no read.
	if n := recent(t0.Add(2*time.Minute + hypercare.RecentChangeWindow + time.Second)); n != 0 {
		t.Errorf("read past every change ran %d statements, want 0", n)
	}
	later := t0.Add(3 * hypercare.RecentChangeWindow)
	undone := errors.New("undo")
	err := s.Write(ctx, "k", func(htx hypercare.Tx) error {
		if err := htx.InsertChangeEvent(ctx, change("rolled-back", later)); err != nil {
			return err
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("write = %v, want the undo", err)
	}
	recent(later.Add(time.Minute))

	other := openTestSQLite(t, dir)
	write(t, other, func(tx hypercare.Tx) error { return tx.InsertChangeEvent(ctx, change("c2", later.Add(2*time.Minute))) })
	other.Close()
	recent(later.Add(3*time.Minute), "c2")
}

// TestIncidentNumbersFromMemory: SQLite's writer hands out incident numbers
// without a statement per incident, and they stay unique and gapless: a
// failed write gives its numbers back (alone in its batch, and in a batch
// with others), another connection's incidents are counted, a cache that
// fell behind the database repairs itself, and the counter survives a
// restart.
func TestIncidentNumbersFromMemory(t *testing.T) {
	ctx := t.Context()
	s, dir := openShop(t)
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	seq := 0
	open := func(htx hypercare.Tx) (int64, error) {
		seq++
		inc := &hypercare.Incident{ID: fmt.Sprintf("inc-%03d", seq), Title: "down", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError, ServiceID: "shop",
			CreatedAt: t0, UpdatedAt: t0, LastAlertAt: t0}
		err := htx.InsertIncident(ctx, inc)
		return inc.Number, err
	}
	var got []int64
	statements := reads(t, s, func(tx *tx) error {
		for range 3 {
			n, err := open(tx)
			if err != nil {
				return err
			}
			got = append(got, n)
		}
		return nil
	})
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("numbers %v, want [1 2 3]", got)
	}
	if statements != 4 { // the counter read once, then three inserts
		t.Errorf("three incidents ran %d statements, want 4", statements)
	}
	undone := errors.New("undo")
	if err := s.Write(ctx, "k", func(htx hypercare.Tx) error {
		if _, err := open(htx); err != nil {
			return err
		}
		return undone
	}); !errors.Is(err, undone) {
		t.Fatalf("write = %v, want the undo", err)
	}
	next := func(want int64) {
		t.Helper()
		var n int64
		write(t, s, func(htx hypercare.Tx) (err error) { n, err = open(htx); return err })
		if n != want {
			t.Fatalf("next number %d, want %d", n, want)
		}
	}
	next(4)

	other := openTestSQLite(t, dir)
	var n int64
	write(t, other, func(htx hypercare.Tx) (err error) { n, err = open(htx); return err })
	other.Close()
	if n != 5 {
		t.Fatalf("the other connection's number %d, want 5", n)
	}
	next(6)

	// A cache behind the database (as after a COMMIT that reported an
	// error but was durable): the taken number fails once, then the
	// counter is read again.
	s.wconn.numbers.committed = 3
	if err := s.Write(ctx, "k", func(htx hypercare.Tx) error { _, err := open(htx); return err }); hypercare.ErrorCode(err) != hypercare.CodeConflict {
		t.Fatalf("incident with a taken number: %v, want a conflict", err)
	}
	next(7)

	// Batched: 40 writes at once, every fourth failing after its insert.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- s.Run(runCtx) }()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			err := s.Write(ctx, "k", func(htx hypercare.Tx) error {
				if _, err := open(htx); err != nil || i%4 != 3 {
					return err
				}
				return undone
			})
			if err != nil && !errors.Is(err, undone) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	cancel()
	<-done
	rows, err := s.rdb.QueryContext(ctx, "SELECT number FROM incidents ORDER BY number")
	if err != nil {
		t.Fatal(err)
	}
	var stored []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, n)
	}
	rows.Close()
	for i, n := range stored {
		if n != int64(i+1) || len(stored) != 37 {
			t.Fatalf("stored numbers %v, want 1…37 without gaps", stored)
		}
	}
	s.Close()
	s = openTestSQLite(t, dir)
	next(38)
}

// TestChangeCacheAfterRolledBackPrune: a bound read after retention
// deleted change events in the same batch is not kept, so a batch that
// rolls back the delete cannot leave a bound that hides the events.
func TestChangeCacheAfterRolledBackPrune(t *testing.T) {
	ctx := t.Context()
	s, _ := openShop(t)
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	write(t, s, func(tx hypercare.Tx) error {
		return tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: "c1", ServiceID: "shop", IntegrationID: "shop-v2",
			Summary: "deploy", Source: "ci", Timestamp: t0, ReceivedAt: t0})
	})
	window := func(tx hypercare.Tx) ([]hypercare.ChangeEvent, error) {
		return tx.RecentChanges(ctx, "shop", t0.Add(-time.Minute), t0.Add(time.Minute))
	}
	undone := errors.New("undo")
	err := s.Write(ctx, "k", func(htx hypercare.Tx) error {
		p := &pruner{t: htx.(*tx), budget: 100}
		if err := p.run(ctx, hypercare.RetentionCutoffs{Events: t0.Add(time.Hour)}); err != nil {
			return err
		}
		if got, err := window(htx); err != nil || len(got) != 0 {
			t.Errorf("after the delete, in its batch: %+v, %v; want none", got, err)
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatalf("write = %v, want the undo", err)
	}
	write(t, s, func(htx hypercare.Tx) error {
		got, err := window(htx)
		if err == nil && len(got) != 1 {
			t.Errorf("after the delete rolled back: %+v, want c1", got)
		}
		return err
	})
}
