package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestRepeatsMergeInTheQueue (PostgreSQL): a request that re-triggers the
// alerts it read ahead three times over queues one update per alert, the
// later repeats found without a read (which would have sent the queue)
// and merged into it, also after a read ahead of other keys (which sends
// a queue of repeats no longer); after a write of an alert's own (an acknowledge)
// the next repeat reads the alert again and queues its own update. The
// rows end as the last writes left them.
func TestRepeatsMergeInTheQueue(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	keys := []string{"a", "b", "c", "d"} // al-0 … al-3
	if err := s.Write(ctx, "k", func(tx hypercare.Tx) error { return seedShop(ctx, tx, t0, keys...) }); err != nil {
		t.Fatal(err)
	}
	named := []hypercare.AlertKey{{ServiceID: "shop", DedupKey: "a"}, {ServiceID: "shop", DedupKey: "b"}}
	retrigger := func(tx hypercare.Tx, k string, change func(*hypercare.Alert)) {
		t.Helper()
		a, err := tx.FindOpenAlert(ctx, "shop", k)
		if err != nil || a == nil {
			t.Fatalf("find %s: %+v, %v", k, a, err)
		}
		a.EventCount++
		a.LastSeenAt = a.LastSeenAt.Add(time.Second)
		if change != nil {
			change(a)
		}
		if err := tx.UpdateAlert(ctx, a); err != nil {
			t.Fatalf("update %s: %v", k, err)
		}
	}
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error { // and this node now expects the keys open
		for _, k := range keys {
			if _, err := tx.FindOpenAlert(ctx, "shop", k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		if err := tx.ReadOpenAlertsAhead(ctx, named); err != nil {
			return err
		}
		for round := range 3 {
			retrigger(tx, "a", nil)
			retrigger(tx, "b", func(a *hypercare.Alert) {
				if round == 1 {
					a.CustomDetails = json.RawMessage(`{"n":1}`)
				}
			})
		}
		if n := store.PendingForTest(tx); n != 2 {
			t.Errorf("%d writes queued for three repeats of two alerts, want 2", n)
		}
		// A read ahead of other keys (a later request's) leaves the queue:
		// a's next repeat still merges.
		others := []hypercare.AlertKey{{ServiceID: "shop", DedupKey: "c"}, {ServiceID: "shop", DedupKey: "d"}}
		if err := tx.ReadOpenAlertsAhead(ctx, others); err != nil {
			return err
		}
		retrigger(tx, "c", nil)
		retrigger(tx, "a", nil)
		if n := store.PendingForTest(tx); n != 3 {
			t.Errorf("%d writes queued after a read ahead of other keys and two repeats, want 3", n)
		}
		retrigger(tx, "a", func(a *hypercare.Alert) { a.Status, a.AcknowledgedAt = hypercare.StatusAcknowledged, &t0 })
		retrigger(tx, "a", nil) // read again: the acknowledge's row is not kept
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]struct {
		count   int64
		status  hypercare.Status
		details string
	}{"a": {7, hypercare.StatusAcknowledged, ""}, "b": {4, hypercare.StatusTriggered, `{"n":1}`},
		"c": {2, hypercare.StatusTriggered, ""}, "d": {1, hypercare.StatusTriggered, ""}} {
		list, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: "shop", DedupKey: k})
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %+v, %v", k, list, err)
		}
		a := list[0]
		if a.EventCount != want.count || a.Status != want.status || string(a.CustomDetails) != want.details ||
			!a.LastSeenAt.Equal(t0.Add(time.Duration(want.count-1)*time.Second)) {
			t.Errorf("%s: count %d, status %s, details %s, last seen %v; want %+v", k, a.EventCount, a.Status,
				a.CustomDetails, a.LastSeenAt, want)
		}
	}
}
