package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testBatchMergesRetriggers: batches of requests that re-trigger open
// alerts, each request updating its alerts' counters (one also their
// details) and logging an event per alert, leave every alert and every
// event as the requests wrote them, and nothing of a request that
// failed. PostgreSQL sends such a batch's updates and event rows as
// multi-row statements (pipeline_merge.go) once its keys are read ahead
// with the batch's BEGIN: from the second round on, when this node
// expects them open (the first round's find them open); the second round
// must then run once, not again unmerged. The third round's failing
// request has that round run again with savepoints, unmerged.
func testBatchMergesRetriggers(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	keys := []string{"r0", "r1", "r2", "r3", "r4", "r5"}
	mustWrite(t, s, func(tx hypercare.Tx) error { return seedIncidentAlerts(ctx, tx, keys...) })
	StartRun(t, s)
	retrigger := func(keys []string, details bool, fail error) keyedWrite {
		return keyedWrite{keys: keys, fn: func(tx hypercare.Tx) error {
			for _, k := range keys {
				a, err := tx.FindOpenAlert(ctx, svcCheckout, k)
				if err != nil || a == nil {
					return fmt.Errorf("find %s: %+v, %w", k, a, err)
				}
				a.EventCount++
				a.LastSeenAt = a.LastSeenAt.Add(time.Second)
				if details {
					a.CustomDetails = json.RawMessage(fmt.Sprintf(`{"n":%d}`, a.EventCount))
				}
				if err := tx.UpdateAlert(ctx, a); err != nil {
					return err
				}
				ev := event(fmt.Sprintf("ev-%s-%d", k, a.EventCount))
				ev.DedupKey, ev.AlertID, ev.IncidentID, ev.Outcome = k, a.ID, "inc-1", hypercare.OutcomeUpdated
				if err := tx.InsertEvent(ctx, ev); err != nil {
					return err
				}
			}
			return fail
		}}
	}
	for round := range 3 {
		var fail error
		if round == 2 {
			fail = errBoom // the third round's last request fails
		}
		before := s.WriteStats()
		errs := writeInOrder(t, s, "k", fmt.Sprint("blocker-", round), []keyedWrite{
			retrigger(keys[:2], false, nil), retrigger(keys[2:4], true, nil), retrigger(keys[4:], false, fail),
		})
		if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], fail) {
			t.Fatalf("round %d: %v", round+1, errs)
		}
		// A batch that fails no request runs once: a merged statement
		// that failed would have it run again, unmerged.
		if after := s.WriteStats(); fail == nil && (after.Reruns != before.Reruns || after.Retries != before.Retries) {
			t.Errorf("round %d ran again: reruns %d → %d, retries %d → %d", round+1,
				before.Reruns, after.Reruns, before.Retries, after.Retries)
		}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i, k := range keys {
			want := int64(4)
			if i >= 4 {
				want = 3
			}
			a, err := tx.FindOpenAlert(ctx, svcCheckout, k)
			if err != nil || a == nil || a.EventCount != want || !a.LastSeenAt.Equal(t0.Add(time.Duration(want-1)*time.Second)) {
				t.Errorf("alert %s: %+v, %v; want event count %d", k, a, err, want)
				continue
			}
			if details := string(a.CustomDetails); (i == 2 || i == 3) != (details == `{"n":4}`) {
				t.Errorf("alert %s details %s", k, details)
			}
		}
		return nil
	})
	list, _, err := s.ListEvents(ctx, hypercare.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range list {
		if strings.HasPrefix(ev.ID, "ev-") { // not the blockers'
			got = append(got, ev.ID)
		}
	}
	slices.Sort(got)
	var want []string
	for i, k := range keys {
		for n := 2; n <= 4; n++ {
			if i < 4 || n < 4 {
				want = append(want, fmt.Sprintf("ev-%s-%d", k, n))
			}
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
}
