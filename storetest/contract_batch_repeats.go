package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testBatchRepeatsOfOneAlert: one batch re-triggers the same alerts in
// several requests, as a storm's re-sent notifications of one group do
// (SQLite holds each alert's update until the batch's next statement and
// writes it once: repeats_later.go). Every alert ends with every
// request's re-trigger counted, the last details written, a person's
// acknowledge between two re-triggers kept, a read of the incident's
// alerts in the batch sees the re-triggers before it, and a failing
// request's re-triggers are undone while its batch-mates' before and
// after it stand.
func testBatchRepeatsOfOneAlert(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error { return seedIncidentAlerts(ctx, tx, "a", "b") })
	StartRun(t, s)
	retrigger := func(tx hypercare.Tx, k, details string) (*hypercare.Alert, error) {
		a, err := tx.FindOpenAlert(ctx, svcCheckout, k)
		if err != nil || a == nil {
			return nil, fmt.Errorf("find %s: %+v, %w", k, a, err)
		}
		a.EventCount++
		a.LastSeenAt = a.LastSeenAt.Add(time.Second)
		if details != "" {
			a.CustomDetails = json.RawMessage(details)
		}
		return a, tx.UpdateAlert(ctx, a)
	}
	both := func(details string, fail error) keyedWrite {
		return keyedWrite{keys: []string{"a", "b"}, fn: func(tx hypercare.Tx) error {
			for _, k := range []string{"a", "b"} {
				if _, err := retrigger(tx, k, details); err != nil {
					return err
				}
			}
			return fail
		}}
	}
	var seen, recent []hypercare.Alert // what the reading request found
	reread := keyedWrite{keys: []string{"a"}, fn: func(tx hypercare.Tx) error {
		a, err := retrigger(tx, "a", "")
		if err != nil {
			return err
		}
		// Read first through the statements that walk rows one by one
		// (queryEach), then as a list.
		if recent, err = tx.RecentAlertsOfIncident(ctx, "inc-1", time.Time{}, 10); err != nil {
			return err
		}
		if seen, err = tx.AlertsOfIncident(ctx, "inc-1"); err != nil {
			return err
		}
		a.Status = hypercare.StatusAcknowledged // a person's acknowledge: the whole row
		ack := a.LastSeenAt
		a.AcknowledgedAt = &ack
		return tx.UpdateAlert(ctx, a)
	}}
	errs := writeInOrder(t, s, "k", "blocker-1", []keyedWrite{
		both("", nil), both(`{"n":2}`, nil), reread, both("", nil),
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("first batch, request %d: %v", i+1, err)
		}
	}
	// The read came after a's third re-trigger and b's second, before
	// anything else wrote the rows.
	wantSeen := map[string]int64{"al-a": 4, "al-b": 3}
	if len(seen) != 2 || len(recent) != 2 {
		t.Fatalf("alerts of the incident read in the batch: %+v, and as recent: %+v", seen, recent)
	}
	for _, a := range append(seen, recent...) {
		if a.EventCount != wantSeen[a.ID] {
			t.Errorf("read in the batch: %s has event count %d, want %d", a.ID, a.EventCount, wantSeen[a.ID])
		}
	}
	checkRepeats(t, s, map[string]repeatWant{
		"a": {5, `{"n":2}`, hypercare.StatusAcknowledged}, "b": {4, `{"n":2}`, hypercare.StatusTriggered}})

	onlyA := keyedWrite{keys: []string{"a"}, fn: func(tx hypercare.Tx) error {
		_, err := retrigger(tx, "a", "")
		return err
	}}
	errs = writeInOrder(t, s, "k", "blocker-2", []keyedWrite{
		both(`{"n":3}`, nil), both(`{"n":4}`, errBoom), onlyA,
	})
	if errs[0] != nil || !errors.Is(errs[1], errBoom) || errs[2] != nil {
		t.Fatalf("second batch: %v", errs)
	}
	checkRepeats(t, s, map[string]repeatWant{
		"a": {7, `{"n":3}`, hypercare.StatusAcknowledged}, "b": {5, `{"n":3}`, hypercare.StatusTriggered}})
}

// repeatWant is an alert's expected event count, details and status.
type repeatWant struct {
	count   int64
	details string
	status  hypercare.Status
}

// checkRepeats reads each key's open alert in a batch of its own and
// through the read API.
func checkRepeats(t *testing.T, s *store.Store, want map[string]repeatWant) {
	t.Helper()
	ctx := t.Context()
	for k, w := range want {
		mustWrite(t, s, func(tx hypercare.Tx) error {
			a, err := tx.FindOpenAlert(ctx, svcCheckout, k)
			if err != nil || a == nil || a.EventCount != w.count || string(a.CustomDetails) != w.details ||
				a.Status != w.status || !a.LastSeenAt.Equal(t0.Add(time.Duration(w.count-1)*time.Second)) {
				t.Errorf("alert %s in a batch: %+v, %v; want %+v", k, a, err, w)
			}
			return nil
		})
		list, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{ServiceID: svcCheckout, DedupKey: k})
		if err != nil || len(list) != 1 || list[0].EventCount != w.count || string(list[0].CustomDetails) != w.details {
			t.Errorf("alert %s as read: %+v, %v; want %+v", k, list, err, w)
		}
	}
}

// testBatchRepeatsAroundRetention: retention pruning in the batch between
// two requests that re-trigger the same alert (on PostgreSQL it drops
// every alert the batch kept, so the second request reads the alert
// again, which must see the first's update, still queued) loses neither
// re-trigger. A review found it lost one: the read went out beside the
// queue and the second update merged into the first, guard and all.
func testBatchRepeatsAroundRetention(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	keys := []string{"a", "b", "c"}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := seedIncidentAlerts(ctx, tx, keys...); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, event("old")) // something for retention to prune
	})
	mustWrite(t, s, func(tx hypercare.Tx) error { // this node now expects the keys open
		for _, k := range keys {
			if _, err := tx.FindOpenAlert(ctx, svcCheckout, k); err != nil {
				return err
			}
		}
		return nil
	})
	StartRun(t, s)
	retrigger := func(read ...string) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			var named []hypercare.AlertKey
			for _, k := range read {
				named = append(named, hypercare.AlertKey{ServiceID: svcCheckout, DedupKey: k})
			}
			if err := tx.ReadOpenAlertsAhead(ctx, named); err != nil {
				return err
			}
			a, err := tx.FindOpenAlert(ctx, svcCheckout, "a")
			if err != nil || a == nil {
				return fmt.Errorf("find a: %+v, %w", a, err)
			}
			a.EventCount++
			a.LastSeenAt = a.LastSeenAt.Add(time.Second)
			return tx.UpdateAlert(ctx, a)
		}
	}
	release, blockerDone := blockWriter(t, s, "retention", "blocker")
	defer release()
	errs := make([]chan error, 3)
	for i := range errs {
		errs[i] = make(chan error, 1)
	}
	queue := func(i int, f func() error) {
		go func() { errs[i] <- f() }()
		waitFor(t, fmt.Sprintf("write %d to queue", i+1), func() bool { return s.WriteStats().Queued == i+1 })
	}
	queue(0, func() error { return s.Write(ctx, "retention", retrigger("a", "b")) })
	queue(1, func() error {
		res, err := s.Prune(ctx, hypercare.RetentionCutoffs{Events: t0.Add(time.Hour)}, 0)
		if err == nil && res.Events == 0 {
			err = errors.New("retention pruned no event")
		}
		return err
	})
	queue(2, func() error { return s.Write(ctx, "retention", retrigger("a", "c")) })
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	for i, c := range errs {
		if err := <-c; err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
	checkRepeats(t, s, map[string]repeatWant{"a": {3, "", hypercare.StatusTriggered}})
}

// seedIncidentAlerts inserts incident inc-1 of checkout and, per key, its
// open alert al-KEY.
func seedIncidentAlerts(ctx context.Context, tx hypercare.Tx, keys ...string) error {
	if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.InsertAlert(ctx, alert("al-"+k, svcCheckout, "inc-1", k)); err != nil {
			return err
		}
	}
	return nil
}
