package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testGroupCommit200: 200 concurrent writes through the writers all commit,
// and each is readable from the read pool as soon as its Write returns.
func testGroupCommit200(t *testing.T, open func(testing.TB) *store.Store) {
	s := openSeeded(t, open)
	StartRun(t, s)
	before := s.WriteStats()
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			id := fmt.Sprintf("gc-%03d", i)
			err := s.Write(t.Context(), id, func(tx hypercare.Tx) error {
				n, err := tx.NextIncidentNumber(t.Context())
				if err != nil {
					return err
				}
				if err := tx.InsertIncident(t.Context(), incident(id, n, svcCheckout)); err != nil {
					return err
				}
				return tx.InsertEvent(t.Context(), event(id))
			})
			if err != nil {
				t.Errorf("write %s: %v", id, err)
				return
			}
			if _, err := s.GetIncident(t.Context(), id); err != nil {
				t.Errorf("incident %s not readable after Write returned: %v", id, err)
			}
		})
	}
	wg.Wait()
	if n := len(eventIDs(t, s)); n != 200 {
		t.Fatalf("event log has %d events, want 200", n)
	}
	after := s.WriteStats()
	if got := after.Requests - before.Requests; got != 200 {
		t.Errorf("writers ran %d requests, want 200", got)
	}
	t.Logf("200 writes in %d batches (largest %d)", after.Batches-before.Batches, after.Largest)
}

// blockWriter starts a Write on key whose fn waits until release is
// closed, and returns once that fn is running: the writer for key is busy,
// so later writes on key queue up behind it.
func blockWriter(t *testing.T, s *store.Store, key string) (release func(), done <-chan error) {
	t.Helper()
	running, unblock := make(chan struct{}), make(chan struct{})
	var once sync.Once
	errc := make(chan error, 1)
	go func() {
		errc <- s.Write(context.Background(), key, func(tx hypercare.Tx) error {
			once.Do(func() { close(running) })
			<-unblock
			return tx.InsertEvent(context.Background(), event("blocker"))
		})
	}()
	<-running
	return sync.OnceFunc(func() { close(unblock) }), errc
}

// testBatchFailureIsolation proves, with rows, that requests sharing one
// commit are isolated: the failing ones leave nothing behind, the others
// commit.
func testBatchFailureIsolation(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("pre")) })
	StartRun(t, s)
	release, blockerDone := blockWriter(t, s, "k")
	defer release()
	before := s.WriteStats()

	insertThen := func(id string, then func(tx hypercare.Tx) error) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			if err := tx.InsertEvent(ctx, event(id)); err != nil {
				return err
			}
			return then(tx)
		}
	}
	ok := func(hypercare.Tx) error { return nil }
	cases := map[string]struct {
		fn   func(hypercare.Tx) error
		code hypercare.Code
	}{
		"ok-1":   {insertThen("ok-1", ok), ""},
		"fail-1": {insertThen("fail-1", func(hypercare.Tx) error { return errBoom }), hypercare.CodeInternal},
		"ok-2":   {insertThen("ok-2", ok), ""},
		// A database error inside the savepoint (on PostgreSQL it aborts
		// the transaction until ROLLBACK TO SAVEPOINT).
		"fk": {insertThen("fk", func(tx hypercare.Tx) error {
			return tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-x", IncidentID: "missing", At: t0,
				Type: hypercare.TimelineNote, Actor: hypercare.SystemActor})
		}), hypercare.CodeInvalid},
		"conflict": {insertThen("conflict", func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("pre")) }), hypercare.CodeConflict},
		"fail-2":   {insertThen("fail-2", func(hypercare.Tx) error { return errBoom }), hypercare.CodeInternal},
		"ok-3":     {insertThen("ok-3", ok), ""},
	}
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(cases))
	for name, c := range cases {
		go func() { results <- result{name, s.Write(ctx, "k", c.fn)} }()
	}
	waitFor(t, "every write to queue behind the blocker", func() bool { return s.WriteStats().Queued == len(cases) })
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	for range cases {
		r := <-results
		if got := hypercare.ErrorCode(r.err); got != cases[r.name].code {
			t.Errorf("%s: error %v (code %q), want code %q", r.name, r.err, got, cases[r.name].code)
		}
		if cases[r.name].code == hypercare.CodeInternal && !errors.Is(r.err, errBoom) {
			t.Errorf("%s: error %v, want fn's own error", r.name, r.err)
		}
	}
	ids := eventIDs(t, s)
	for name, c := range cases {
		if ids[name] != (c.code == "") {
			t.Errorf("event %s present = %v, want %v", name, ids[name], c.code == "")
		}
	}
	if !ids["blocker"] || !ids["pre"] {
		t.Errorf("blocker or pre-existing event missing: %v", ids)
	}
	after := s.WriteStats()
	if b, r := after.Batches-before.Batches, after.Requests-before.Requests; b != 2 || r != uint64(len(cases)+1) {
		t.Errorf("ran %d requests in %d batches, want %d in 2 (blocker, then all queued in one)", r, b, len(cases)+1)
	}
}

func testWriteWithoutRun(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if s.WriteStats().Running {
		t.Fatal("Running before Run was called")
	}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("direct")) })
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.InsertEvent(ctx, event("direct-fail")); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failing direct write: %v, want errBoom", err)
	}
	ids := eventIDs(t, s)
	if !ids["direct"] || ids["direct-fail"] {
		t.Fatalf("events after direct writes: %v", ids)
	}
	if st := s.WriteStats(); st.Batches != 3 || st.Requests != 3 { // seed + two writes
		t.Errorf("stats = %+v, want 3 single-request transactions", st)
	}
}

// testDeadlockRetried: two transactions lock two incidents in opposite
// order; PostgreSQL kills one with a deadlock, and the store retries it.
func testDeadlockRetried(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if s.Dialect() == "sqlite" {
		t.Skip("SQLite has one writer connection: transactions never interleave, so they cannot deadlock")
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-a", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertIncident(ctx, incident("inc-b", 2, svcCheckout))
	})
	lockedA, lockedB := make(chan struct{}), make(chan struct{})
	crossLock := func(first, second string, mine, theirs chan struct{}) func(hypercare.Tx) error {
		var attempts atomic.Int32
		return func(tx hypercare.Tx) error {
			if _, err := tx.GetIncident(ctx, first); err != nil {
				return err
			}
			if attempts.Add(1) == 1 { // only the first attempt waits for the other
				close(mine)
				<-theirs
			}
			inc, err := tx.GetIncident(ctx, second)
			if err != nil {
				return err
			}
			inc.AlertCount++
			return tx.UpdateIncident(ctx, inc)
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- s.Write(ctx, "a", crossLock("inc-a", "inc-b", lockedA, lockedB)) }()
	go func() { errs <- s.Write(ctx, "b", crossLock("inc-b", "inc-a", lockedB, lockedA)) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	for _, id := range []string{"inc-a", "inc-b"} {
		if inc, err := s.GetIncident(ctx, id); err != nil || inc.AlertCount != 2 {
			t.Errorf("%s = %+v, %v; want alert_count 2", id, inc, err)
		}
	}
	if st := s.WriteStats(); st.Retries < 1 {
		t.Errorf("stats = %+v, want at least one retry", st)
	}
}
