package api_test

import (
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestActionAnswersCarryTheFeedback: the incident in the answer to an
// acknowledge, reassign, merge or resolve is the incident GET shows, its
// verdict included; the answers used to leave feedback out, so a client
// (or `incidents ack -o json`) read an incident judged noise as unjudged.
func TestActionAnswersCarryTheFeedback(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		p.send(trigger(keyCheckout, "disk", "disk full"))
		p.send(trigger(keyCheckout, "latency", "checkout slow"))
		if code := p.do("POST", "/api/v1/incidents/1/feedback", p.responder, map[string]string{"verdict": "noise"}, nil); code != 200 {
			t.Fatalf("feedback: %d", code)
		}
		for _, call := range []struct {
			path string
			body any
		}{
			{"/api/v1/incidents/1/acknowledge", nil},
			{"/api/v1/incidents/1/reassign", map[string]string{"user": "bob"}},
			{"/api/v1/incidents/1/merge", map[string][]string{"incidents": {"2"}}},
			{"/api/v1/incidents/1/resolve", nil},
		} {
			var got struct{ Incident hypercare.Incident }
			if code := p.do("POST", call.path, p.responder, call.body, &got); code != 200 ||
				got.Incident.Feedback == nil || got.Incident.Feedback.Verdict != hypercare.VerdictNoise {
				t.Errorf("POST %s: %d, feedback %+v, want the noise verdict GET shows", call.path, code, got.Incident.Feedback)
			}
		}
	})
}
