package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testContextCancelled: a cancelled caller gets an error and nothing it
// wrote is kept, whether it was cancelled before Write, while queued, or
// inside fn.
func testContextCancelled(t *testing.T, open func(testing.TB) *store.Store) {
	for _, withRun := range []bool{false, true} {
		t.Run(fmt.Sprintf("run=%v", withRun), func(t *testing.T) {
			s := openSeeded(t, open)
			if withRun {
				StartRun(t, s)
			}
			cancelledBefore(t, s)
			cancelledInside(t, s)
			if withRun {
				cancelledWhileQueued(t, s)
			}
		})
	}
}

func cancelledBefore(t *testing.T, s *store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var ran atomic.Bool
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		ran.Store(true)
		return tx.InsertEvent(context.Background(), event("before"))
	})
	if !errors.Is(err, context.Canceled) || ran.Load() || eventIDs(t, s)["before"] {
		t.Errorf("pre-cancelled write: err %v, fn ran %v; want context.Canceled and nothing run", err, ran.Load())
	}
}

func cancelledInside(t *testing.T, s *store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.InsertEvent(ctx, event("inside-1")); err != nil {
			return err
		}
		cancel()
		return tx.InsertEvent(ctx, event("inside-2"))
	})
	ids := eventIDs(t, s)
	if !errors.Is(err, context.Canceled) || ids["inside-1"] || ids["inside-2"] {
		t.Errorf("write cancelled inside fn: err %v, events %v; want context.Canceled and none kept", err, ids)
	}
}

func cancelledWhileQueued(t *testing.T, s *store.Store) {
	release, blockerDone := blockWriter(t, s, "q", "blocker")
	defer release()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var ran atomic.Bool
	errc := make(chan error, 1)
	go func() {
		errc <- s.Write(ctx, "q", func(tx hypercare.Tx) error {
			ran.Store(true)
			return tx.InsertEvent(context.Background(), event("queued"))
		})
	}()
	waitFor(t, "the write to queue", func() bool { return s.WriteStats().Queued == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("write cancelled while queued: %v, want context.Canceled", err)
	}
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	// A later write on the same key runs after everything queued before it.
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertEvent(context.Background(), event("after")) })
	if ran.Load() || eventIDs(t, s)["queued"] {
		t.Error("a write abandoned while queued was run anyway")
	}
}

// testPanicInWrite: a panicking fn rolls back, the panic reaches the
// caller, and the store keeps working.
func testPanicInWrite(t *testing.T, open func(testing.TB) *store.Store) {
	for _, withRun := range []bool{false, true} {
		t.Run(fmt.Sprintf("run=%v", withRun), func(t *testing.T) {
			s := openSeeded(t, open)
			if withRun {
				StartRun(t, s)
			}
			got := func() (p any) {
				defer func() { p = recover() }()
				_ = s.Write(t.Context(), "k", func(tx hypercare.Tx) error {
					if err := tx.InsertEvent(t.Context(), event("panic")); err != nil {
						return err
					}
					panic("kaboom")
				})
				return nil
			}()
			if got != "kaboom" {
				t.Fatalf("Write recovered %v, want the fn's panic", got)
			}
			mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertEvent(t.Context(), event("after")) })
			if ids := eventIDs(t, s); ids["panic"] || !ids["after"] {
				t.Errorf("events after panic: %v", ids)
			}
		})
	}
}
