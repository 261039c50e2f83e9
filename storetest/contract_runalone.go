package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testRunAlone: a write that returns hypercare.ErrRunAlone beside others
// in one batch (here: its turn counter sorts before one an earlier
// batch-mate took, so LockTurns refuses, PostgreSQL) has what it wrote
// undone there and is run again in a transaction of its own after the
// batch committed, where it succeeds; its batch-mate commits. SQLite
// never refuses: it runs in the batch. Alone, it is run again in a new
// transaction, a few times, and then the error is the caller's.
func testRunAlone(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	release, blockerDone := blockWriter(t, s, "k", "blocker")
	defer release()
	write := func(fn func(hypercare.Tx) error) <-chan error {
		c := make(chan error, 1)
		go func() { c <- s.Write(ctx, "k", fn) }()
		return c
	}
	mate := write(func(tx hypercare.Tx) error {
		if _, err := tx.NextTurn(ctx, "web", 1); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, event("mate"))
	})
	waitFor(t, "the batch-mate to queue", func() bool { return s.WriteStats().Queued == 1 })
	tries := 0
	alone := write(func(tx hypercare.Tx) error {
		tries++
		ok, err := tx.LockTurns(ctx, []hypercare.TurnKey{{PolicyID: "web", Level: 0}})
		if err != nil {
			return err
		}
		if !ok {
			if err := tx.InsertEvent(ctx, event(fmt.Sprintf("undone-%d", tries))); err != nil {
				return err
			}
			return fmt.Errorf("web level 0 after level 1: %w", hypercare.ErrRunAlone)
		}
		return tx.InsertEvent(ctx, event("alone"))
	})
	waitFor(t, "both writes to queue", func() bool { return s.WriteStats().Queued == 2 })
	before := s.WriteStats()
	release()
	for name, c := range map[string]<-chan error{"blocker": blockerDone, "mate": mate, "alone": alone} {
		if err := <-c; err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	want := uint64(0)
	if s.Dialect() == "postgres" {
		want = 1
	}
	if got := s.WriteStats().Alone - before.Alone; got != want {
		t.Errorf("%d writes run again alone, want %d", got, want)
	}
	ids := eventIDs(t, s)
	for id := range ids {
		if strings.HasPrefix(id, "undone-") {
			t.Errorf("event %s of a try run again alone was kept", id)
		}
	}
	if !ids["mate"] || !ids["alone"] {
		t.Errorf("events %v, want mate and alone", ids)
	}
	runs := 0
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		runs++
		if err := tx.InsertEvent(ctx, event(fmt.Sprintf("undone-again-%d", runs))); err != nil {
			return err
		}
		if runs == 2 {
			return tx.InsertEvent(ctx, event("again"))
		}
		return hypercare.ErrRunAlone
	})
	if err != nil || runs != 2 || !eventIDs(t, s)["again"] || eventIDs(t, s)["undone-again-1"] {
		t.Errorf("ErrRunAlone alone in its batch, then success: Write = %v after %d runs; want nil after 2, the first undone", err, runs)
	}
	err = s.Write(ctx, "k", func(hypercare.Tx) error { return hypercare.ErrRunAlone })
	if !errors.Is(err, hypercare.ErrRunAlone) {
		t.Errorf("ErrRunAlone every time: Write = %v, want it returned", err)
	}
}
