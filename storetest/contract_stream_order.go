package storetest

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testStreamLateLowerID: on PostgreSQL, writer A takes its transaction ID
// (its first write) before writer B, B commits, and only then A commits:
// A's events carry the lower IDs yet commit after B's. A reader that
// follows the outbox by ID, reading while A is still open, must not pass
// A's IDs: it gets nothing of B's until A has committed, then A's events
// and B's, each exactly once, in ID order. (Without the watermark it
// would deliver B's, move its cursor past A's IDs and skip A's events
// for good.) SQLite's single writer cannot interleave two transactions.
func testStreamLateLowerID(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	if s.Dialect() == "sqlite" {
		t.Skip("one writer: transactions never overlap")
	}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, incident("inc-before", 0, svcCheckout)) })
	delivered := map[int64]int{}
	var cursor int64
	follow := func() {
		t.Helper()
		evs, err := s.StreamAfter(ctx, cursor, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.ID <= cursor {
				t.Fatalf("event %d delivered after the cursor reached %d", e.ID, cursor)
			}
			delivered[e.ID]++
			cursor = e.ID
		}
	}
	settle(t, s)
	follow()

	// Direct writes (Run is not active): each runs in its own transaction,
	// concurrently.
	aOpen, release, aDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		aDone <- s.Write(context.Background(), "a", func(tx hypercare.Tx) error {
			if err := tx.InsertIncident(ctx, incident("inc-a", 0, svcCheckout)); err != nil {
				return err
			}
			close(aOpen)
			<-release
			return nil
		})
	}()
	<-aOpen
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, incident("inc-b", 0, svcCheckout)) })
	follow() // A still open: B's events are held back
	for id := range delivered {
		if id > cursor {
			t.Fatalf("cursor %d behind delivered %d", cursor, id)
		}
	}
	_, last, err := s.StreamHorizon(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	settle(t, s)
	follow()

	all, err := s.StreamAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	idOf := map[string]int64{}
	for _, e := range all {
		if delivered[e.ID] != 1 {
			t.Errorf("event %d (%s %s of %s) delivered %d times, want once", e.ID, e.Kind, e.Op, e.IncidentID, delivered[e.ID])
		}
		if _, ok := idOf[e.IncidentID]; !ok {
			idOf[e.IncidentID] = e.ID
		}
	}
	if len(delivered) != len(all) {
		t.Errorf("delivered %d events, the outbox holds %d", len(delivered), len(all))
	}
	if !(idOf["inc-a"] < idOf["inc-b"]) {
		t.Fatalf("A's first ID %d is not below B's %d: the test did not commit a lower ID later", idOf["inc-a"], idOf["inc-b"])
	}
	if last >= idOf["inc-a"] {
		t.Errorf("horizon %d while A was open: at or above A's first ID %d (a broker starting there skips A)", last, idOf["inc-a"])
	}
}
