package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// The monitoring tool acknowledges its alert; nobody resolves it within
// the policy's ack timeout, so the incident re-triggers and pages again.
// The tool's next acknowledge event (someone acknowledges there again)
// must acknowledge the incident: its alert is still marked acknowledged
// from the first time, and the event used to be ignored, leaving the
// incident paging until a person acknowledged it in Hypercare.
func TestAckEventAfterAckTimeoutAcknowledges(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.AckTimeout = 30 * time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityCritical)
		ack := []hypercare.Event{{Action: hypercare.ActionAcknowledge, DedupKey: "k1"}}
		clk.Advance(time.Minute)
		if _, err := n.in.Process(n.ctx, integration, ack); err != nil {
			t.Fatal(err)
		}
		clk.Advance(30 * time.Minute)
		n.runDue(t)
		if got, _ := n.st.GetIncident(n.ctx, inc.ID); got.Status != hypercare.StatusTriggered {
			t.Fatalf("after the ack timeout the incident is %s, want re-triggered", got.Status)
		}
		clk.Advance(time.Minute)
		res, err := n.in.Process(n.ctx, integration, ack)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		if got.Status != hypercare.StatusAcknowledged || res[0].Outcome != hypercare.OutcomeAcknowledged {
			t.Fatalf("the acknowledge event after the re-trigger left the incident %s (outcome %s), want acknowledged",
				got.Status, res[0].Outcome)
		}
		clk.Advance(10 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2", "alice/alice-hook@31", "alice/alice-sms@33")
	})
}
