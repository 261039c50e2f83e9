package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// blockWriter starts a Write on key, inserting event id, whose fn waits
// until release is called, and returns once that fn is running: the writer
// for key is busy, so later writes on key queue up behind it.
func blockWriter(t *testing.T, s *store.Store, key, id string) (release func(), done <-chan error) {
	t.Helper()
	running, unblock := make(chan struct{}), make(chan struct{})
	var once sync.Once
	errc := make(chan error, 1)
	go func() {
		errc <- s.Write(context.Background(), key, func(tx hypercare.Tx) error {
			once.Do(func() { close(running) })
			<-unblock
			return tx.InsertEvent(context.Background(), event(id))
		})
	}()
	<-running
	return sync.OnceFunc(func() { close(unblock) }), errc
}

// queueBehind runs one Write per fn, all queued behind a blocked writer on
// key so the writer takes them as one batch, and returns each Write's
// error and how the write counters moved across the blocker's batch and
// theirs.
func queueBehind(t *testing.T, s *store.Store, key, blockerID string, fns map[string]func(hypercare.Tx) error) (map[string]error, store.WriteStats) {
	t.Helper()
	release, blockerDone := blockWriter(t, s, key, blockerID)
	defer release()
	chans := map[string]chan error{}
	for name, fn := range fns {
		c := make(chan error, 1)
		chans[name] = c
		go func() { c <- s.Write(t.Context(), key, fn) }()
	}
	waitFor(t, "every write to queue behind the blocker", func() bool { return s.WriteStats().Queued == len(fns) })
	before := s.WriteStats()
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	errs := map[string]error{}
	for name, c := range chans {
		errs[name] = <-c
	}
	after := s.WriteStats()
	return errs, store.WriteStats{Batches: after.Batches - before.Batches, Requests: after.Requests - before.Requests,
		Reruns: after.Reruns - before.Reruns}
}

// isolationCases are batch-mates, each inserting its own event and then
// succeeding (code "") or failing in a different way.
func isolationCases() map[string]hypercare.Code {
	return map[string]hypercare.Code{"ok-1": "", "fail-1": hypercare.CodeInternal, "ok-2": "",
		"dup-entry": hypercare.CodeConflict, "conflict": hypercare.CodeConflict, "fail-2": hypercare.CodeInternal, "ok-3": ""}
}

// preEntry is a timeline entry stored before the batch.
func preEntry() *hypercare.TimelineEntry {
	return &hypercare.TimelineEntry{ID: "tl-pre", IncidentID: "inc-pre", At: t0, Type: hypercare.TimelineNote, Actor: hypercare.SystemActor}
}

// isolationFn inserts event name, then fails with code (see isolationCases).
func isolationFn(ctx context.Context, name string, code hypercare.Code) func(hypercare.Tx) error {
	return func(tx hypercare.Tx) error {
		if err := tx.InsertEvent(ctx, event(name)); err != nil {
			return err
		}
		switch {
		case code == hypercare.CodeInternal:
			return errBoom
		case name == "dup-entry": // a queued write (PostgreSQL) found failing when the batch sends it
			return tx.AppendTimeline(ctx, preEntry())
		case code == hypercare.CodeConflict:
			return tx.InsertEvent(ctx, event("pre"))
		}
		return nil
	}
}

// testBatchFailureIsolation proves, with rows, that requests sharing one
// commit are isolated: the failing ones leave nothing behind, the others
// commit.
func testBatchFailureIsolation(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-pre", 1, svcCheckout)); err != nil {
			return err
		}
		if err := tx.AppendTimeline(ctx, preEntry()); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, event("pre"))
	})
	StartRun(t, s)
	cases := isolationCases()
	fns := map[string]func(hypercare.Tx) error{}
	for name, code := range cases {
		fns[name] = isolationFn(ctx, name, code)
	}
	errs, delta := queueBehind(t, s, "k", "blocker", fns)
	ids := eventIDs(t, s)
	for name, code := range cases {
		if got := hypercare.ErrorCode(errs[name]); got != code {
			t.Errorf("%s: error %v (code %q), want code %q", name, errs[name], got, code)
		}
		if code == hypercare.CodeInternal && !errors.Is(errs[name], errBoom) {
			t.Errorf("%s: error %v, want fn's own error", name, errs[name])
		}
		if ids[name] != (code == "") {
			t.Errorf("event %s present = %v, want %v", name, ids[name], code == "")
		}
	}
	if !ids["blocker"] || !ids["pre"] {
		t.Errorf("blocker or pre-existing event missing: %v", ids)
	}
	if delta.Batches != 2 || delta.Requests != uint64(len(cases)+1) {
		t.Errorf("ran %d requests in %d batches, want %d in 2 (blocker, then all queued in one)",
			delta.Requests, delta.Batches, len(cases)+1)
	}
	failBeforeWriting(t, s)
}

// failBeforeWriting: requests that fail before running any statement
// (invalid input, a decision in fn) need no rollback, so their batch-mates
// commit without the batch being run again.
func failBeforeWriting(t *testing.T, s *store.Store) {
	ctx := t.Context()
	bad := event("bad")
	bad.DedupKey = nul
	errs, delta := queueBehind(t, s, "k", "blocker-2", map[string]func(hypercare.Tx) error{
		"ok-a":    func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("ok-a")) },
		"invalid": func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, bad) },
		"decided": func(hypercare.Tx) error { return errBoom },
		"ok-b":    func(tx hypercare.Tx) error { return tx.InsertEvent(ctx, event("ok-b")) },
	})
	for name, err := range errs {
		if ok := name == "ok-a" || name == "ok-b"; ok != (err == nil) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ids := eventIDs(t, s); !ids["ok-a"] || !ids["ok-b"] || ids["bad"] {
		t.Errorf("events: %v", ids)
	}
	if delta.Reruns != 0 || delta.Batches != 2 {
		t.Errorf("write counters moved by %+v: want two batches and no rerun", delta)
	}
}
