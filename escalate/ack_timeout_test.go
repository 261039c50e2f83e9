package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// The policy ran through its levels (no repeat) and nobody acknowledged;
// then Alice acknowledges. The policy's ack timeout must still re-trigger
// the incident ("an acknowledgement cannot silence a page forever").
func TestAckAfterExhaustedPolicyArmsAckTimeout(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.Repeat, p.AckTimeout = 0, 30*time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		for range 4 {
			n.runDue(t)
			clk.Advance(5 * time.Minute)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@5")   // done at 15
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil { // at 20
			t.Fatal(err)
		}
		clk.Advance(31 * time.Minute)
		n.runDue(t)
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		if got.Status != hypercare.StatusTriggered {
			t.Fatalf("31 min after the ack (ack timeout 30 min) the incident is %s, want re-triggered", got.Status)
		}
	})
}

// Alice acknowledges (ack timeout 30 min armed), then a responder presses
// Escalate to bring in level 2. The ack timeout must still re-trigger.
func TestEscalateAfterAckKeepsAckTimeout(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.AckTimeout = 30 * time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		clk.Advance(time.Minute)
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		cur, _ := n.st.GetIncident(n.ctx, inc.ID)
		if _, err := n.eng.Escalate(n.ctx, cur, 0, responder); err != nil {
			t.Fatal(err)
		}
		for range 12 {
			clk.Advance(5 * time.Minute)
			n.runDue(t)
		}
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		st, _ := n.st.GetEscalation(n.ctx, inc.ID)
		if got.Status != hypercare.StatusTriggered {
			t.Fatalf("an hour after the ack (ack timeout 30 min) the incident is %s, escalation %+v; want re-triggered", got.Status, st)
		}
	})
}

// Alice acknowledges (ack timeout 30 min armed), then hands the incident
// to Dave with Reassign. If it is still not resolved when the ack timeout
// runs out, it must re-trigger, as after Escalate: a reassignment cannot
// silence it forever either.
func TestReassignAfterAckKeepsAckTimeout(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.AckTimeout = 30 * time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		clk.Advance(time.Minute)
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		cur, _ := n.st.GetIncident(n.ctx, inc.ID)
		if err := n.eng.Reassign(n.ctx, cur, "dave", responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(29*time.Minute - time.Second) // 1 s before the ack timeout
		n.runDue(t)
		if got, _ := n.st.GetIncident(n.ctx, inc.ID); got.Status != hypercare.StatusAcknowledged {
			t.Fatalf("before the ack timeout the incident is %s, want acknowledged", got.Status)
		}
		clk.Advance(time.Second)
		n.runDue(t)
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		st, _ := n.st.GetEscalation(n.ctx, inc.ID)
		if got.Status != hypercare.StatusTriggered {
			t.Fatalf("30 min after the ack (ack timeout 30 min) the incident is %s, escalation %+v; want re-triggered", got.Status, st)
		}
		// The incident is Dave's: the re-trigger pages him, not level 1
		// (TestAckTimeoutAfterReassignPagesTheAssignee).
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "dave/dave-hook@2", "dave/dave-hook@31")
	})
}
