package storetest

import (
	"encoding/json"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testStreamIncidentFeedback: an incident in the live stream carries its
// verdict, as the REST API shows the incident (the stream's contract:
// "the changed object as the REST API shows it"), and a verdict given is
// an incident update; a stream client that replaced its copy of an
// incident with the stream's lost the verdict, and never heard of one.
func testStreamIncidentFeedback(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	judged, other := incident("inc-1", 1, svcCheckout), incident("inc-2", 2, svcCheckout)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, inc := range []*hypercare.Incident{judged, other} {
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return tx.(hypercare.FeedbackTx).SetFeedback(ctx, judged.ID, &hypercare.Feedback{Verdict: hypercare.VerdictNoise,
			Note: "flaps", By: hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}, At: t0})
	})
	settle(t, s)
	evs, err := s.StreamAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*hypercare.Feedback{}
	updated := false
	for _, e := range evs {
		if e.Kind != hypercare.StreamIncident {
			continue
		}
		updated = updated || (e.Op == hypercare.StreamUpdated && e.ObjectID == "inc-1")
		var inc hypercare.Incident
		if err := json.Unmarshal(e.Object, &inc); err != nil {
			t.Fatalf("incident object %s: %v", e.Object, err)
		}
		seen[inc.ID] = inc.Feedback
	}
	if f, ok := seen["inc-1"]; !ok || f == nil || f.Verdict != hypercare.VerdictNoise || f.Note != "flaps" || !f.At.Equal(t0) {
		t.Errorf("stream incident inc-1 feedback = %+v, want the noise verdict", f)
	}
	if !updated {
		t.Errorf("no incident updated event for the verdict given: a live client does not learn of it")
	}
	if f, ok := seen["inc-2"]; !ok || f != nil {
		t.Errorf("stream incident inc-2 (seen %v) feedback = %+v, want none", ok, f)
	}
}
