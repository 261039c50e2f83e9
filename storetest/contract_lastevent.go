package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testLastEventAt: the latest of an integration's events and change
// events, per integration; nothing for one that never sent; bad text
// refused like every other read.
func testLastEventAt(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, e := range []*hypercare.EventRecord{integrationEvent("ev-a1", "a", time.Hour), integrationEvent("ev-a2", "a", 3*time.Hour),
			integrationEvent("ev-a3", "a", 2*time.Hour), integrationEvent("ev-b1", "b", time.Minute)} {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		// b's latest is a change event, c only sends change events.
		for _, c := range []*hypercare.ChangeEvent{
			{ID: "ch-b", ServiceID: svcCheckout, IntegrationID: "b", Summary: "deploy", Timestamp: at(0), ReceivedAt: at(time.Hour)},
			{ID: "ch-c", ServiceID: svcCheckout, IntegrationID: "c", Summary: "deploy", Timestamp: at(0), ReceivedAt: at(5 * time.Hour)},
		} {
			if err := tx.InsertChangeEvent(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.LastEventAt(ctx, []string{"a", "b", "c", "never"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"a": at(3 * time.Hour), "b": at(time.Hour), "c": at(5 * time.Hour)}
	if len(got) != len(want) {
		t.Errorf("LastEventAt = %v, want %v", got, want)
	}
	for id, w := range want {
		if !got[id].Equal(w) {
			t.Errorf("LastEventAt[%s] = %v, want %v", id, got[id], w)
		}
	}
	if _, err := s.LastEventAt(ctx, []string{"bad\x00id"}); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("LastEventAt(NUL) = %v, want invalid_argument", err)
	}
}

// testLastEventAtAcrossBatches: the latest event wins across commits
// whatever the order events arrive in; a request that fails in a shared
// batch counts for nothing, its batch-mates do; and once retention prunes
// an integration's events it reads as one that never sent (SQLite keeps
// one row per integration written at COMMIT, PostgreSQL reads its index;
// both must answer alike).
func testLastEventAtAcrossBatches(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	insert := func(events ...*hypercare.EventRecord) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			for _, e := range events {
				if err := tx.InsertEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	mustWrite(t, s, insert(integrationEvent("ev-a1", "a", 3*time.Hour)))
	mustWrite(t, s, insert(integrationEvent("ev-a2", "a", time.Hour))) // older, and later
	StartRun(t, s)
	failing := insert(integrationEvent("ev-d2", "d", 9*time.Hour), integrationEvent("ev-e1", "e", 9*time.Hour))
	errs, _ := queueBehind(t, s, "k", "blocker", map[string]func(hypercare.Tx) error{
		"ok-d":  insert(integrationEvent("ev-d1", "d", 4*time.Hour)),
		"fails": func(tx hypercare.Tx) error { _ = failing(tx); return errBoom },
		"ok-a":  insert(integrationEvent("ev-a3", "a", 2*time.Hour)),
	})
	if errs["ok-d"] != nil || errs["ok-a"] != nil || !errors.Is(errs["fails"], errBoom) {
		t.Fatalf("batch errors = %v", errs)
	}
	want := map[string]time.Time{"a": at(3 * time.Hour), "d": at(4 * time.Hour), "checkout-v2": t0}
	lastEventsAre(t, s, want)

	// Retention up to 3h30m prunes every event of a (the latest at 3h)
	// and of the blocker's integration, not d's.
	if _, err := s.Prune(ctx, hypercare.RetentionCutoffs{Events: at(3*time.Hour + 30*time.Minute)}, 1000); err != nil {
		t.Fatal(err)
	}
	lastEventsAre(t, s, map[string]time.Time{"d": at(4 * time.Hour)})
}

// lastEventsAre fails unless LastEventAt of a, d, e and checkout-v2 is want.
func lastEventsAre(t *testing.T, s *store.Store, want map[string]time.Time) {
	t.Helper()
	got, err := s.LastEventAt(t.Context(), []string{"a", "d", "e", "checkout-v2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("LastEventAt = %v, want %v", got, want)
	}
	for id, w := range want {
		if !got[id].Equal(w) {
			t.Errorf("LastEventAt[%s] = %v, want %v", id, got[id], w)
		}
	}
}

// integrationEvent is event id from integration integ, received at d.
func integrationEvent(id, integ string, d time.Duration) *hypercare.EventRecord {
	e := event(id)
	e.IntegrationID, e.ReceivedAt = integ, at(d)
	return e
}
