package intake

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// TestAlertResolveTakesTheIncidentFirst (PostgreSQL, two nodes) is
// TestSymptomResolveTakesTheIncidentFirst for an alert of the incident
// itself: a merge of incident #1 locks #1 and then its alerts
// (AlertsOfIncident), while a resolve event of its alert a1 on another node
// locked a1 (the alert lookup) and then #1 (to count the alert resolved):
// interleaved, each held what the other waited for until PostgreSQL aborted
// one after its deadlock_timeout and the store ran that batch again. The
// resolve now locks the alert's incident before the alert, waits for the
// merge, and resolves a1 in the incident the merge moved it to.
func TestAlertResolveTakesTheIncidentFirst(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
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
			merge := func(ctx context.Context, responder *incident.Service) error {
				_, err := responder.Merge(ctx, "2", []string{"1"}, alice)
				return err
			}
			a1 := resolveBesideAction(t, b, other, merge, "a1", "a1")
			if into := b.incidents()[1]; a1.IncidentID != into.ID || into.OpenAlertCount != 1 || into.AlertCount != 2 {
				t.Errorf("a1 in %q; #2 %d of %d alerts open; want a1 in #2 (%s), 1 of 2 open", a1.IncidentID, into.OpenAlertCount, into.AlertCount, into.ID)
			}
		})
	}
}

// TestAlertAcknowledgeTakesTheIncidentFirst: an acknowledge event changes
// its alert's incident too (AlertAcknowledged reads it locked), so it takes
// the incident before the alert as a resolve does.
func TestAlertAcknowledgeTakesTheIncidentFirst(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			b := newNoiseHarness(t, eng, nil)
			other := b.secondNode(t, nil)
			b.send("shop", triggerOf("a1", "Checkout errors", hypercare.SeverityCritical))
			b.send("shop", triggerOf("b1", "Checkout latency", hypercare.SeverityCritical))
			merge := func(ctx context.Context, responder *incident.Service) error {
				_, err := responder.Merge(ctx, "2", []string{"1"}, alice)
				return err
			}
			if a1 := eventBesideAction(t, b, other, merge, hypercare.ActionAcknowledge, "a1", "a1"); a1.IncidentID != b.incidents()[1].ID {
				t.Errorf("a1 in %q, want in #2", a1.IncidentID)
			}
		})
	}
}
