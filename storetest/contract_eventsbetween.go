package storetest

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testEventsBetween: the event log of [from, to) in arrival order
// (received_at, then id), whatever order the rows were inserted in, paged
// without loss or repeat; the bounds are half-open; a bad cursor is refused.
func testEventsBetween(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	ev := func(id string, d time.Duration) *hypercare.EventRecord {
		e := event(id)
		e.ReceivedAt, e.Rules = at(d), []string{"r1"}
		return e
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, e := range []*hypercare.EventRecord{ev("ev-5", 3*time.Minute), ev("ev-1", 0), ev("ev-3", time.Minute),
			ev("ev-2", time.Minute), ev("ev-4", 2*time.Minute), ev("ev-6", 4*time.Minute), ev("ev-0", -time.Minute)} {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		list, next, err := s.EventsBetween(ctx, at(0), at(4*time.Minute), hypercare.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			got = append(got, e.ID)
			if string(e.Payload) != `{"summary":"x"}` || len(e.Rules) != 1 {
				t.Errorf("event %s read back as %+v", e.ID, e)
			}
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cursor = next
	}
	want := []string{"ev-1", "ev-2", "ev-3", "ev-4", "ev-5"}
	if len(got) != len(want) {
		t.Fatalf("EventsBetween = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("EventsBetween = %v, want %v", got, want)
		}
	}
	if _, _, err := s.EventsBetween(ctx, at(0), at(time.Hour), hypercare.Page{Cursor: "!!"}); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("EventsBetween(bad cursor) = %v, want invalid_argument", err)
	}
}
