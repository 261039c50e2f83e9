package storetest

import (
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
	ev := func(id, integ string, d time.Duration) *hypercare.EventRecord {
		e := event(id)
		e.IntegrationID, e.ReceivedAt = integ, at(d)
		return e
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, e := range []*hypercare.EventRecord{ev("ev-a1", "a", time.Hour), ev("ev-a2", "a", 3*time.Hour),
			ev("ev-a3", "a", 2*time.Hour), ev("ev-b1", "b", time.Minute)} {
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
