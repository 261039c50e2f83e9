package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testStreamOutbox: every incident, alert, timeline and notification
// change publishes a stream event in its own transaction, in commit order;
// a request rolled back (alone, or to its savepoint in a batch whose other
// requests commit) publishes nothing; pruning moves the horizon.
func testStreamOutbox(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	changed := s.StreamChanged()
	mustWrite(t, s, func(tx hypercare.Tx) error {
		inc := incident("inc-1", 0, svcCheckout)
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		if err := tx.InsertAlert(ctx, alert("al-1", svcCheckout, "inc-1", "d1")); err != nil {
			return err
		}
		if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-1", IncidentID: "inc-1", At: t0,
			Type: "trigger", Actor: hypercare.Actor{Type: hypercare.ActorSystem, Name: "x"}, Message: "m"}); err != nil {
			return err
		}
		inc.Status = hypercare.StatusAcknowledged
		return tx.UpdateIncident(ctx, inc)
	})
	select {
	case <-changed:
	default:
		t.Fatal("a commit that published events did not fire StreamChanged")
	}
	// Rolled back alone: nothing published.
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-rolled", 0, svcCheckout)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failing write: %v", err)
	}
	// Rolled back to its savepoint inside a batch whose mates commit.
	StartRun(t, s)
	errs, _ := queueBehind(t, s, "k", "blocker", map[string]func(hypercare.Tx) error{
		"ok": func(tx hypercare.Tx) error { return tx.InsertIncident(ctx, incident("inc-batch-ok", 0, svcCheckout)) },
		"bad": func(tx hypercare.Tx) error {
			if err := tx.InsertIncident(ctx, incident("inc-batch-bad", 0, svcCheckout)); err != nil {
				return err
			}
			return errBoom
		},
	})
	if errs["ok"] != nil || !errors.Is(errs["bad"], errBoom) {
		t.Fatalf("batch: %v", errs)
	}
	settle(t, s)
	evs, err := s.StreamAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range evs {
		if i > 0 && e.ID <= evs[i-1].ID {
			t.Errorf("IDs not increasing: %d after %d", e.ID, evs[i-1].ID)
		}
		got = append(got, e.Kind+"/"+e.Op+"/"+e.IncidentID)
		if e.IncidentID == "inc-1" && e.IncidentNumber == 0 {
			t.Errorf("event %d: no incident number", e.ID)
		}
	}
	want := []string{"incident/created/inc-1", "alert/created/inc-1", "timeline/created/inc-1",
		"incident/updated/inc-1", "incident/created/inc-batch-ok"}
	if len(got) != len(want) {
		t.Fatalf("stream = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stream = %v, want %v", got, want)
		}
	}
	testStreamPrune(t, s, evs)
}

// settle waits until every stream event committed so far is readable
// (on PostgreSQL, below the watermark).
func settle(t *testing.T, s *store.Store) {
	t.Helper()
	if err := s.StreamSettle(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func testStreamPrune(t *testing.T, s *store.Store, evs []hypercare.StreamEvent) {
	ctx := t.Context()
	// Nothing old enough and fewer than keep: no write.
	before := s.WriteStats().Batches
	if n, err := s.PruneStream(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("prune nothing: %d, %v", n, err)
	}
	if s.WriteStats().Batches != before {
		t.Error("a prune with nothing to delete wrote")
	}
	// Keep the newest 2.
	if n, err := s.PruneStream(ctx, time.Now().Add(-time.Hour), 2); err != nil || n != int64(len(evs)-2) {
		t.Fatalf("prune to 2: %d, %v", n, err)
	}
	pruned, last, err := s.StreamHorizon(ctx)
	if err != nil || pruned != evs[len(evs)-3].ID || last != evs[len(evs)-1].ID {
		t.Fatalf("horizon = %d, %d, %v; want %d, %d", pruned, last, err, evs[len(evs)-3].ID, evs[len(evs)-1].ID)
	}
	// By age: the two events left, committed before the cutoff, go; one
	// committed after it stays (the stream stamps events with the real
	// clock).
	cutoff := time.Now()
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return tx.InsertIncident(ctx, incident("inc-after-cutoff", 0, svcCheckout))
	})
	settle(t, s)
	if n, err := s.PruneStream(ctx, cutoff, 100); err != nil || n != 2 {
		t.Fatalf("prune by age: %d deleted, %v; want the 2 before the cutoff", n, err)
	}
	evs, err = s.StreamAfter(ctx, 0, 100)
	if err != nil || len(evs) != 1 || evs[0].IncidentID != "inc-after-cutoff" {
		t.Fatalf("after pruning by age: %+v, %v; want the one event after the cutoff", evs, err)
	}
	// Everything older than now.
	if _, err := s.PruneStream(context.Background(), time.Now().Add(time.Hour), 1000); err != nil {
		t.Fatal(err)
	}
	pruned, last, err = s.StreamHorizon(ctx)
	if err != nil || pruned != evs[len(evs)-1].ID || last != pruned {
		t.Fatalf("horizon after pruning all = %d, %d, %v", pruned, last, err)
	}
}

// testStreamCommitOrder: with concurrent writers (several per node on
// PostgreSQL), a reader that follows the outbox by ID, as the stream's
// broker does, misses nothing: IDs become visible in commit order.
func testStreamCommitOrder(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	StartRun(t, s)
	const writers, each = 8, 25
	done := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range each {
				id := fmt.Sprintf("inc-%d-%d", w, i)
				if err := s.Write(ctx, id, func(tx hypercare.Tx) error {
					return tx.InsertIncident(ctx, incident(id, 0, svcCheckout))
				}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	seen := map[int64]bool{}
	var cursor int64
	follow := func() {
		evs, err := s.StreamAfter(ctx, cursor, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			seen[e.ID] = true
			cursor = e.ID
		}
	}
	for finished := 0; finished < writers; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished++
		default:
		}
		follow()
	}
	settle(t, s)
	follow()
	all, err := s.StreamAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*each {
		t.Fatalf("outbox holds %d events, want %d", len(all), writers*each)
	}
	for _, e := range all {
		if !seen[e.ID] {
			t.Fatalf("a reader following by ID missed event %d (IDs not in commit order)", e.ID)
		}
	}
}
