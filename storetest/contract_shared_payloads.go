package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSharedEventPayloads: the events of an alert that repeat its payload
// byte for byte read back each with its payload, through both listings,
// whether the store shared the payload (SQLite) or not; retention that
// deletes the first of them keeps the payload for the others, one that
// deletes them all keeps nothing once the cutoff passes the end of the
// sharing window, and no event ever names a payload that is gone. A
// rolled-back request's event is shared by none. It runs with short
// payloads and with kilobyte ones, which SQLite stores compressed
// (migration 0047): each reads back byte for byte either way.
func testSharedEventPayloads(t *testing.T, open func(testing.TB) *store.Store) {
	short := func(free string) string { return `{"summary":"disk full","custom_details":{"free":"` + free + `"}}` }
	long := func(free string) string {
		return `{"summary":"disk full","custom_details":{"free":"` + free + `","mounts":"` +
			strings.Repeat("/var/lib/postgresql/data ", 40) + `"}}`
	}
	for name, payload := range map[string]func(string) string{"short": short, "long": long} {
		t.Run(name, func(t *testing.T) { sharedEventPayloads(t, open, payload("1%"), payload("0%")) })
	}
}

// sharedEventPayloads is testSharedEventPayloads with payloads p1 and p2.
func sharedEventPayloads(t *testing.T, open func(testing.TB) *store.Store, p1, p2 string) {
	ctx := t.Context()
	s := openSeeded(t, open)
	ev := func(id, alertID, key, payload string, d time.Duration) *hypercare.EventRecord {
		e := event(id)
		e.AlertID, e.DedupKey, e.Payload, e.ReceivedAt, e.PayloadEncoded = alertID, key, []byte(payload), at(d), true
		return e
	}
	insert := func(evs ...*hypercare.EventRecord) {
		t.Helper()
		mustWrite(t, s, func(tx hypercare.Tx) error {
			for _, e := range evs {
				if err := tx.InsertEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertAlert(ctx, alert("al-d", svcCheckout, "", "disk")); err != nil {
			return err
		}
		if err := tx.InsertAlert(ctx, alert("al-m", svcCheckout, "", "mem")); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, alert("al-c", svcCheckout, "", "cpu"))
	})
	// A request that fails after logging an event: a later event with its
	// payload must store it, not name the undone one.
	err := s.Write(ctx, "test", func(tx hypercare.Tx) error {
		if err := tx.InsertEvent(ctx, ev("ev-undone", "al-d", "disk", p1, 0)); err != nil {
			return err
		}
		return hypercare.Errorf(hypercare.CodeConflict, "undo")
	})
	wantCode(t, err, hypercare.CodeConflict)
	want := map[string]string{"ev-1": p1, "ev-2": p1, "ev-3": p2, "ev-4": p1, "ev-5": p1, "ev-c": p1, "ev-m": p2}
	insert(ev("ev-1", "al-d", "disk", p1, 0), ev("ev-2", "al-d", "disk", p1, time.Minute))
	insert(ev("ev-3", "al-d", "disk", p2, 2*time.Minute), ev("ev-4", "al-d", "disk", p1, 3*time.Minute),
		ev("ev-c", "al-c", "cpu", p1, 3*time.Minute), ev("ev-m", "al-m", "mem", p2, 3*time.Minute))
	insert(ev("ev-5", "al-d", "disk", p1, 4*time.Minute))
	checkPayloads(t, s, want)

	// Retention deletes, one event per batch, ev-1 and ev-2 (ev-2 shares
	// ev-1's payload), then ev-3, then ev-4 (which ev-5 and later ones
	// share), ev-c (which later events share) and ev-m (which none does).
	// After each prune al-d and al-c log an event with p1 again, and at the
	// end al-m one with p2: it must store p2, not name the pruned ev-m.
	for _, step := range []struct {
		cut  time.Duration
		gone []string
	}{{90 * time.Second, []string{"ev-1", "ev-2"}}, {150 * time.Second, []string{"ev-3"}},
		{210 * time.Second, []string{"ev-4", "ev-c", "ev-m"}}} {
		pruneAll(t, s, hypercare.RetentionCutoffs{Events: at(step.cut)}, 1)
		for _, id := range step.gone {
			delete(want, id)
		}
		checkPayloads(t, s, want)
		later, laterC := "ev-after-"+step.gone[0], "ev-c-after-"+step.gone[0]
		insert(ev(later, "al-d", "disk", p1, 5*time.Minute), ev(laterC, "al-c", "cpu", p1, 5*time.Minute))
		want[later], want[laterC] = p1, p1
		checkPayloads(t, s, want)
	}
	insert(ev("ev-m-again", "al-m", "mem", p2, 5*time.Minute))
	want["ev-m-again"] = p2
	checkPayloads(t, s, want)
	// Every event pruned: a kept payload stays until the cutoff passes the
	// end of its window (an hour after its event), then goes.
	pruneAll(t, s, hypercare.RetentionCutoffs{Events: at(time.Hour)}, 2)
	checkPayloads(t, s, map[string]string{})
	if n := counts(t, s)["event_payloads"]; n == 0 && s.Dialect() == "sqlite" { // only SQLite shares
		t.Error("no payload kept before the cutoff passed the end of its window")
	}
	pruneAll(t, s, hypercare.RetentionCutoffs{Events: at(2 * time.Hour)}, 2)
	if n := counts(t, s)["event_payloads"]; n != 0 {
		t.Errorf("%d kept payloads after the cutoff passed every window, want 0", n)
	}
}

// checkPayloads lists the whole event log both ways and compares every
// event's payload with want, and checks that no event names a payload that
// is gone.
func checkPayloads(t *testing.T, s *store.Store, want map[string]string) {
	t.Helper()
	ctx := t.Context()
	listed, _, err := s.ListEvents(ctx, hypercare.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	between, _, err := s.EventsBetween(ctx, at(-time.Hour), at(time.Hour), hypercare.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]hypercare.EventRecord{"ListEvents": listed, "EventsBetween": between} {
		if len(got) != len(want) {
			t.Errorf("%s: %d events, want %d (%v)", name, len(got), len(want), want)
		}
		for _, e := range got {
			if w, ok := want[e.ID]; !ok || string(e.Payload) != w {
				t.Errorf("%s: event %s payload %s, want %q", name, e.ID, e.Payload, w)
			}
		}
	}
	orphans, err := s.Orphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := orphans["events.payload_from"]; n != 0 {
		t.Errorf("%d events name a payload that is gone", n)
	}
}
