package intake

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// TestAlertEventTakesTheIncidentFirst (PostgreSQL, two nodes) is
// TestSymptomResolveTakesTheIncidentFirst for an alert of the incident
// itself, resolved or acknowledged by an event (both change the incident):
// a merge of incident #1 locks #1 and then its alerts (AlertsOfIncident),
// while the event for its alert a1 on another node locked a1 (the alert
// lookup) and then #1: interleaved, each held what the other waited for
// until PostgreSQL aborted one after its deadlock_timeout and the store ran
// that batch again. The event now locks the alert's incident before the
// alert, waits for the merge, and changes a1 in the incident the merge
// moved it to.
func TestAlertEventTakesTheIncidentFirst(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	merge := func(ctx context.Context, responder *incident.Service) error {
		_, err := responder.Merge(ctx, "2", []string{"1"}, alice)
		return err
	}
	for _, act := range []hypercare.Action{hypercare.ActionResolve, hypercare.ActionAcknowledge} {
		t.Run(string(act), func(t *testing.T) {
			for _, eng := range storetest.Engines(t) {
				if eng.Name != "postgres" {
					continue // one writer: nothing runs in between
				}
				t.Run(eng.Name, func(t *testing.T) {
					b := newNoiseHarness(t, eng, nil)
					other := b.secondNode(t, nil)
					b.send("shop", triggerOf("a1", "Checkout errors", hypercare.SeverityCritical))
					b.send("shop", triggerOf("b1", "Checkout latency", hypercare.SeverityCritical))
					if n := len(b.incidents()); n != 2 {
						t.Fatalf("%d incidents, want 2", n)
					}
					a1 := eventBesideAction(t, b, other, merge, act, "a1", "a1")
					into := b.incidents()[1]
					if a1.IncidentID != into.ID || into.AlertCount != 2 {
						t.Errorf("a1 in %q; #2 has %d alerts; want a1 in #2 (%s) of 2", a1.IncidentID, into.AlertCount, into.ID)
					}
					if act == hypercare.ActionResolve && into.OpenAlertCount != 1 {
						t.Errorf("#2 has %d open alerts after a1's resolve, want 1", into.OpenAlertCount)
					}
				})
			}
		})
	}
}
