package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// An incident reassigned to Dave is Dave's: as in PagerDuty ("the
// incident's escalation policy will no longer be used"; an ack timeout
// re-notifies the user who acknowledged), the ack timeout after Dave's
// acknowledgement re-triggers it and pages Dave again, not level 1 of the
// policy the reassignment stopped. It used to restart the policy at level
// 1, paging Alice, who had handed the incident over. A manual escalation
// puts the incident back on its policy.
func TestAckTimeoutAfterReassignPagesTheAssignee(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.AckTimeout = 30 * time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		clk.Advance(time.Minute)
		if err := n.eng.Reassign(n.ctx, inc, "dave", responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		dave := hypercare.Actor{Type: hypercare.ActorUser, ID: "dave", Name: "Dave"}
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, dave); err != nil { // at 2
			t.Fatal(err)
		}
		clk.Advance(30 * time.Minute) // at 32: the ack timeout
		n.runDue(t)
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		if got.Status != hypercare.StatusTriggered {
			t.Fatalf("after the ack timeout the incident is %s, want re-triggered", got.Status)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "dave/dave-hook@1", "dave/dave-hook@32")
		if all := strings.Join(n.timeline(t, inc.ID), "\n"); !strings.Contains(all, "reassigned to Dave") {
			t.Errorf("the timeline should say the re-trigger pages the assignee:\n%s", all)
		}
		// The policy stays stopped: nobody else is paged.
		for range 6 {
			clk.Advance(5 * time.Minute)
			n.runDue(t)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "dave/dave-hook@1", "dave/dave-hook@32")
		// Escalating by hand returns it to the policy.
		cur, _ := n.st.GetIncident(n.ctx, inc.ID)
		if _, err := n.eng.Escalate(n.ctx, cur, 0, responder); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
			t.Fatal(err)
		}
		before := len(pages(t, n.st, inc.ID))
		clk.Advance(30 * time.Minute)
		n.runDue(t)
		after := pages(t, n.st, inc.ID)
		// Level 1 is the schedule, which handed over to Bob at 09:00.
		if len(after) != before+1 || !strings.HasPrefix(after[len(after)-1], "bob/") {
			t.Errorf("after a manual escalation the ack timeout should restart the policy at level 1 (bob since 09:00): %v", after)
		}
	})
}

// If the assignee can no longer be paged when the ack timeout re-triggers
// the incident (a reload removed them), it goes back to its policy at
// level 1, saying so, rather than going silent.
func TestAckTimeoutAfterReassignToAUserGoneUsesThePolicy(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := webPolicy()
		p.AckTimeout = 30 * time.Minute
		n := newNode(t, eng.Options(t), clk, directory(p))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		if err := n.eng.Reassign(n.ctx, inc, "dave", responder); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
			t.Fatal(err)
		}
		d := directory(p)
		delete(d.Users, "dave")
		n.eng.SetDirectory(d)
		clk.Advance(30 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "dave/dave-hook@0", "alice/alice-hook@30")
		if all := strings.Join(n.timeline(t, inc.ID), "\n"); !strings.Contains(all, "back to its escalation policy at level 1") {
			t.Errorf("the timeline should say why the policy pages:\n%s", all)
		}
	})
}
