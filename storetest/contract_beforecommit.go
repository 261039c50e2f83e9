package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testBeforeCommit: a request's BeforeCommit hook runs once, after every
// request of its group commit, so it reads what a later batch-mate wrote;
// a failing request's hook never runs, even when its failure reruns the
// batch with savepoints.
func testBeforeCommit(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	var mu sync.Mutex
	seen := map[string][]string{} // request → what its hook read, each run
	hook := func(name string) func(hypercare.Tx) {
		return func(tx hypercare.Tx) {
			inc, err := tx.GetIncident(ctx, "inc-1")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				seen[name] = append(seen[name], err.Error())
				return
			}
			seen[name] = append(seen[name], string(inc.Status))
		}
	}
	fns := []struct {
		name string
		fn   func(hypercare.Tx) error
	}{
		{"open", func(tx hypercare.Tx) error {
			tx.BeforeCommit(hook("open"))
			return tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout))
		}},
		{"failing", func(tx hypercare.Tx) error { // after a statement: the batch reruns with savepoints
			tx.BeforeCommit(hook("failing"))
			if err := tx.InsertEvent(ctx, event("failing")); err != nil {
				return err
			}
			return errBoom
		}},
		{"acknowledge", func(tx hypercare.Tx) error {
			inc, err := tx.GetIncident(ctx, "inc-1")
			if err != nil {
				return err
			}
			inc.Status, inc.AcknowledgedAt = hypercare.StatusAcknowledged, &inc.UpdatedAt
			return tx.UpdateIncident(ctx, inc)
		}},
	}
	errs := queueInOrder(t, s, "k", fns)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("write errors %v: want only the failing request's", errs)
	}
	want := map[string][]string{"open": {string(hypercare.StatusAcknowledged)}}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("hooks read %v, want %v (once, after the later acknowledgement; none for the failed request)", seen, want)
	}
}

// queueInOrder runs one Write per fn on key, queued behind a blocked
// writer in the order given so the writer takes them as one batch in that
// order, and returns each Write's error.
func queueInOrder(t *testing.T, s *store.Store, key string, fns []struct {
	name string
	fn   func(hypercare.Tx) error
}) []error {
	t.Helper()
	release, blockerDone := blockWriter(t, s, key, "blocker")
	defer release()
	chans := make([]chan error, len(fns))
	for i, f := range fns {
		chans[i] = make(chan error, 1)
		go func() { chans[i] <- s.Write(context.Background(), key, f.fn) }()
		waitFor(t, f.name+" to queue", func() bool { return s.WriteStats().Queued == i+1 })
	}
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	errs := make([]error, len(fns))
	for i, c := range chans {
		errs[i] = <-c
	}
	return errs
}

// testBeforeCommitFailingRead: a hook's read that fails (on PostgreSQL a
// failed statement aborts the transaction) neither fails nor silently
// loses its batch: the request's writes commit and Write says so.
func testBeforeCommitFailingRead(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	var readErr error
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		tx.BeforeCommit(func(tx hypercare.Tx) {
			// A negative LIMIT is an error on PostgreSQL (SQLite reads it
			// as no limit): a read failing on the server.
			_, readErr = tx.DueEscalations(ctx, t0, -1)
		})
		return tx.InsertEvent(ctx, event("kept"))
	})
	if err != nil {
		t.Fatalf("write: %v (the hook's read error was %v)", err, readErr)
	}
	if !eventIDs(t, s)["kept"] {
		t.Errorf("Write returned nil but the event is not stored (hook's read error: %v)", readErr)
	}
}
