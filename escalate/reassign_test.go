package escalate_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// Reassigning an incident to someone no page can reach for its urgency
// (erin has rules for high urgency only) is refused, naming the field,
// instead of cancelling the pages in flight, stopping the policy and
// paging nobody: the incident went silent while the API answered 200.
func TestReassignToUnreachableUserIsRefused(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		d := directory(webPolicy())
		erin := user("erin", hypercare.NotificationRule{ContactMethod: "erin-sms", Urgency: hypercare.UrgencyHigh})
		users := []hypercare.User{erin}
		for _, u := range d.Users {
			users = append(users, u)
		}
		dir := escalate.NewDirectory(users, []*oncall.Schedule{d.Schedules["primary"]}, []hypercare.EscalationPolicy{webPolicy()},
			[]hypercare.Service{{ID: "shop", EscalationPolicy: "web"}}, nil)
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, dir)
		inc := n.trigger(t, "k1", hypercare.SeverityWarning) // low urgency
		n.runDue(t)
		err := n.eng.Reassign(n.ctx, inc, "erin", responder)
		if hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Fatalf("reassign to erin: %v, want invalid_argument", err)
		}
		var herr *hypercare.Error
		if !errors.As(err, &herr) || len(herr.Details) != 1 || herr.Details[0].Field != "user" {
			t.Fatalf("reassign to erin: %#v, want one detail on field user", err)
		}
		// The policy goes on: carol at 5 minutes.
		clk.Advance(5 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@5")
	})
}
