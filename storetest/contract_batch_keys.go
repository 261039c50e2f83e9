package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// keyedWrite is one Write of a batch: the alert keys it names
// (hypercare.WithKeysAhead) and its fn.
type keyedWrite struct {
	keys []string // dedup keys on svcCheckout
	fn   func(hypercare.Tx) error
	// opens says its new keys open incidents of their own.
	opens bool
}

// writeInOrder runs writes as one batch, in order, queued behind a
// blocked writer on key (inserting event blockerID), and returns each
// Write's error.
func writeInOrder(t *testing.T, s *store.Store, key, blockerID string, writes []keyedWrite) []error {
	t.Helper()
	release, blockerDone := blockWriter(t, s, key, blockerID)
	defer release()
	chans := make([]chan error, len(writes))
	for i, w := range writes {
		var keys []hypercare.AlertKey
		for _, k := range w.keys {
			keys = append(keys, hypercare.AlertKey{ServiceID: svcCheckout, DedupKey: k})
		}
		ctx := hypercare.WithKeysAhead(t.Context(), hypercare.KeysAhead{Keys: keys, OpenIncidents: w.opens, AlertsFirst: true})
		chans[i] = make(chan error, 1)
		go func() { chans[i] <- s.Write(ctx, key, w.fn) }()
		waitFor(t, fmt.Sprintf("write %d to queue", i+1), func() bool { return s.WriteStats().Queued == i+1 })
	}
	release()
	if err := <-blockerDone; err != nil {
		t.Fatalf("blocker: %v", err)
	}
	errs := make([]error, len(writes))
	for i, c := range chans {
		errs[i] = <-c
	}
	return errs
}

// testBatchKeysReadAhead: requests that name their alert keys
// (hypercare.WithKeysAhead; PostgreSQL reads them all with the batch's
// BEGIN) get from FindOpenAlert and RecentAlertsByKey what they get
// without: none for a new key and a resolved one (with its alerts), the
// open alert of an open one; an alert an earlier request of the batch
// inserted (after looking its key up or not), and not one a failed
// request inserted; an older alert of the key as an earlier request
// rewrote it; and an open alert as earlier requests re-triggered it.
func testBatchKeysReadAhead(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		old := alert("al-old", svcCheckout, "inc-1", "old")
		old.Status, old.ResolvedAt = hypercare.StatusResolved, ptr(at(time.Second))
		if err := tx.InsertAlert(ctx, old); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, alert("al-open", svcCheckout, "inc-1", "open"))
	})
	StartRun(t, s)
	since := t0.Add(-time.Hour)
	saw := make([]string, 6) // what each request found, as its last run saw it
	find := func(tx hypercare.Tx, key string) (string, error) {
		a, err := tx.FindOpenAlert(ctx, svcCheckout, key)
		if err != nil || a == nil {
			return "none", err
		}
		return a.ID, nil
	}
	recent := func(tx hypercare.Tx, key string) (string, error) {
		list, err := tx.RecentAlertsByKey(ctx, svcCheckout, key, since, 5)
		out := "["
		for _, a := range list {
			out += a.ID + ":" + a.Summary
		}
		return out + "]", err
	}
	insert := func(tx hypercare.Tx, id, key string) error {
		return tx.InsertAlert(ctx, alert(id, svcCheckout, "", key))
	}
	// Two batches: the first commits every request in its first pass
	// (no savepoints), the second has a failure and commits the rest in
	// its second (savepoints).
	batch := []keyedWrite{
		{keys: []string{"new-1", "old", "open", "new-3"}, fn: func(tx hypercare.Tx) error {
			var got [5]string
			var err error
			for i, step := range []func() (string, error){
				func() (string, error) { return find(tx, "new-1") },
				func() (string, error) { return recent(tx, "new-1") },
				func() (string, error) { return find(tx, "old") },
				func() (string, error) { return recent(tx, "old") },
				func() (string, error) { return find(tx, "open") },
			} {
				if got[i], err = step(); err != nil {
					return err
				}
			}
			saw[0] = fmt.Sprint(got)
			if err := insert(tx, "al-new-3", "new-3"); err != nil { // not looked up first
				return err
			}
			return insert(tx, "al-new-1", "new-1")
		}},
		{keys: []string{"new-1", "new-3"}, fn: func(tx hypercare.Tx) error {
			one, err := find(tx, "new-1")
			if err != nil {
				return err
			}
			three, err := find(tx, "new-3")
			saw[1] = one + " " + three
			return err
		}},
	}
	failing := []keyedWrite{
		{keys: []string{"new-2"}, fn: func(tx hypercare.Tx) (err error) {
			if saw[2], err = find(tx, "new-2"); err != nil {
				return err
			}
			if err := insert(tx, "al-failed", "new-2"); err != nil {
				return err
			}
			return errBoom
		}},
		{keys: []string{"new-2"}, fn: func(tx hypercare.Tx) (err error) {
			if saw[3], err = find(tx, "new-2"); err != nil {
				return err
			}
			return insert(tx, "al-new-2", "new-2")
		}},
	}
	batch = append(batch, []keyedWrite{
		{keys: []string{"old"}, fn: func(tx hypercare.Tx) error {
			old := alert("al-old", svcCheckout, "inc-1", "old")
			old.Status, old.ResolvedAt, old.Summary = hypercare.StatusResolved, ptr(at(time.Second)), "rewritten"
			saw[4] = "wrote"
			return tx.UpdateAlert(ctx, old)
		}},
		{keys: []string{"old"}, fn: func(tx hypercare.Tx) error {
			found, err := find(tx, "old")
			if err != nil {
				return err
			}
			list, err := recent(tx, "old")
			saw[5] = found + " " + list
			return err
		}},
	}...)
	errs := writeInOrder(t, s, "k", "blocker-1", batch)
	errs = append(errs[:2], append(writeInOrder(t, s, "k", "blocker-2", failing), errs[2:]...)...)
	want := []string{"[none [] none [al-old:disk old full] al-open]", "al-new-1 al-new-3", "none", "none", "wrote", "none [al-old:rewritten]"}
	for i := range want {
		if wantErr := i == 2; (errs[i] != nil) != wantErr {
			t.Errorf("request %d: error %v", i+1, errs[i])
		}
		if saw[i] != want[i] {
			t.Errorf("request %d found %q, want %q", i+1, saw[i], want[i])
		}
	}
	retriggers(t, s)
	var sent string
	errs = writeInOrder(t, s, "k", "blocker-4", []keyedWrite{
		{keys: []string{"old"}, fn: func(tx hypercare.Tx) error { return tx.SetAlertSentKey(ctx, "al-old", "old-as-sent") }},
		{keys: []string{"old"}, fn: func(tx hypercare.Tx) error {
			if _, err := find(tx, "old"); err != nil {
				return err
			}
			list, err := tx.RecentAlertsByKey(ctx, svcCheckout, "old", since, 5)
			if len(list) > 0 {
				sent = list[0].SentKey
			}
			return err
		}},
	})
	if errs[0] != nil || errs[1] != nil || sent != "old-as-sent" {
		t.Errorf("after a batch-mate set its sent key: %v, sent key %q, want old-as-sent", errs, sent)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for key, id := range map[string]string{"new-1": "al-new-1", "new-2": "al-new-2", "open": "al-open"} {
			if got, err := find(tx, key); err != nil || got != id {
				t.Errorf("committed: open alert of %s = %s (%v), want %s", key, got, err, id)
			}
		}
		return nil
	})
}

// retriggers: a batch of re-triggers of one open alert (on PostgreSQL
// now expected open, so locked with the batch's BEGIN) each find it as
// the requests before left it, and not as a failed one wrote it.
func retriggers(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var counts [3]int64
	retrigger := func(i int, fail error) keyedWrite {
		return keyedWrite{keys: []string{"open"}, fn: func(tx hypercare.Tx) error {
			a, err := tx.FindOpenAlert(ctx, svcCheckout, "open")
			if err != nil || a == nil {
				return fmt.Errorf("find open: %+v, %w", a, err)
			}
			counts[i] = a.EventCount
			a.EventCount++
			a.LastSeenAt = a.LastSeenAt.Add(time.Second)
			if err := tx.UpdateAlert(ctx, a); err != nil {
				return err
			}
			return fail
		}}
	}
	errs := writeInOrder(t, s, "k", "blocker-3", []keyedWrite{retrigger(0, nil), retrigger(1, errBoom), retrigger(2, nil)})
	if errs[0] != nil || !errors.Is(errs[1], errBoom) || errs[2] != nil {
		t.Errorf("re-triggers: %v", errs)
	}
	if counts != [3]int64{1, 2, 2} {
		t.Errorf("re-triggers found event counts %v, want [1 2 2]", counts)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlert(ctx, svcCheckout, "open"); err != nil || a == nil || a.EventCount != 3 {
			t.Errorf("after the re-triggers: %+v, %v; want event count 3", a, err)
		}
		return nil
	})
}

// testBatchDrawsNumbers: incidents a batch of requests opens with no
// number (requests whose keys open incidents of their own,
// hypercare.KeysAhead.OpenIncidents; PostgreSQL draws their numbers with
// the batch's BEGIN and queues the inserts) are numbered in the order
// they are opened, above every number before; a request that fails
// leaves no incident, and one whose incident ID is taken fails alone,
// with a conflict.
func testBatchDrawsNumbers(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		inc := incident("inc-before", 0, svcCheckout)
		return tx.InsertIncident(ctx, inc)
	})
	StartRun(t, s)
	numbers := map[string]int64{}
	opening := func(id, key string, fail error) keyedWrite {
		return keyedWrite{keys: []string{key}, fn: func(tx hypercare.Tx) error {
			if a, err := tx.FindOpenAlert(ctx, svcCheckout, key); err != nil || a != nil {
				return fmt.Errorf("find %s: %+v, %w", key, a, err)
			}
			inc := incident(id, 0, svcCheckout)
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			numbers[id] = inc.Number
			if err := tx.InsertAlert(ctx, alert("al-"+key, svcCheckout, id, key)); err != nil {
				return err
			}
			return fail
		}}
	}
	writes := []keyedWrite{opening("inc-a", "a", nil), opening("inc-b", "b", errBoom), opening("inc-before", "c", nil),
		opening("inc-d", "d", nil), opening("inc-e", "e", nil)}
	for i := range writes {
		writes[i].opens = true
	}
	errs := writeInOrder(t, s, "k", "blocker-1", writes)
	for i, want := range []hypercare.Code{"", hypercare.CodeInternal, hypercare.CodeConflict, "", ""} {
		if got := hypercare.ErrorCode(errs[i]); got != want {
			t.Errorf("request %d: %v (code %q), want code %q", i+1, errs[i], got, want)
		}
	}
	got, _, err := s.ListIncidents(ctx, hypercare.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int64{}
	for _, inc := range got {
		stored[inc.ID] = inc.Number
	}
	before := stored["inc-before"]
	if len(stored) != 4 || stored["inc-a"] <= before || stored["inc-d"] <= stored["inc-a"] || stored["inc-e"] <= stored["inc-d"] {
		t.Errorf("incidents stored %v, want inc-before, then inc-a, inc-d and inc-e numbered in that order above it", stored)
	}
	for _, id := range []string{"inc-a", "inc-d", "inc-e"} {
		if numbers[id] != stored[id] {
			t.Errorf("%s: InsertIncident said number %d, stored %d", id, numbers[id], stored[id])
		}
	}
}

// testMergedInsertErrorNamesRow: a request whose writes fail on one row
// of several of a table (a timeline entry whose ID is taken; PostgreSQL
// sends the four in one insert) fails with the error of that row, naming
// it, and writes none of them.
func testMergedInsertErrorNamesRow(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	entry := func(id, incident string) *hypercare.TimelineEntry {
		return &hypercare.TimelineEntry{ID: id, IncidentID: incident, At: t0, Type: hypercare.TimelineNote, Actor: hypercare.SystemActor}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		if err := tx.InsertIncident(ctx, incident("inc-2", 2, svcCheckout)); err != nil {
			return err
		}
		return tx.AppendTimeline(ctx, entry("tl-c", "inc-2"))
	})
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		for _, id := range []string{"tl-a", "tl-b", "tl-c", "tl-d"} {
			if err := tx.AppendTimeline(ctx, entry(id, "inc-1")); err != nil {
				return err
			}
		}
		return nil
	})
	if hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), `"tl-c"`) {
		t.Errorf("write: %v; want a conflict naming tl-c", err)
	}
	if tl, _, err := s.ListTimeline(ctx, "inc-1", hypercare.Page{Limit: 10}); err != nil || len(tl) != 0 {
		t.Errorf("timeline of inc-1: %d entries, %v; want none", len(tl), err)
	}
}
