package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	checkPing(t, s)
	if n := len(eventIDs(t, s)); n != 200 {
		t.Fatalf("event log has %d events, want 200", n)
	}
	after := s.WriteStats()
	if got := after.Requests - before.Requests; got != 200 {
		t.Errorf("writers ran %d requests, want 200", got)
	}
	t.Logf("200 writes in %d batches (largest %d)", after.Batches-before.Batches, after.Largest)
}

func testWriteWithoutRun(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if s.WriteStats().Running {
		t.Fatal("Running before Run was called")
	}
	checkPing(t, s)
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

// checkPing fails if Ping errs or hangs (e.g. waiting for a connection the
// writer holds).
func checkPing(t *testing.T, s *store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
