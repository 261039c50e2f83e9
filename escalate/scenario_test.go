package escalate_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

var responder = hypercare.Actor{Type: hypercare.ActorUser, ID: "tok", Name: "Alice"}

func TestIncidentClimbsPolicyUntilAcknowledged(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityCritical)
		n.runDue(t)
		// alice is on call: her webhook now, her SMS in 2 min (high urgency).
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")
		n.runDue(t) // nothing else is due
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")

		clk.Advance(5*time.Minute - time.Second)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")
		clk.Advance(time.Second) // level 1 timed out: carol
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2", "carol/carol-hook@5")

		if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2", "carol/carol-hook@5")
		list, _ := n.st.ListNotifications(n.ctx, inc.ID)
		for _, p := range list {
			if p.Status != hypercare.NotificationCancelled {
				t.Errorf("page %s/%s is %s after ack, want cancelled (nothing was delivering)", p.UserID, p.ContactMethod, p.Status)
			}
		}
	})
}

func TestPolicyRepeatsThenStops(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning) // low urgency: no SMS
		for i := 0; i < 12; i++ {
			n.runDue(t)
			clk.Advance(5 * time.Minute)
		}
		// level 1 at 0, level 2 at 5, repeat: level 1 at 15, level 2 at 20; then done.
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@5", "alice/alice-hook@15", "carol/carol-hook@20")
		st, err := n.st.GetEscalation(n.ctx, inc.ID)
		if err != nil || st.Status != hypercare.EscalationDone {
			t.Fatalf("escalation after the last repeat: %+v, %v", st, err)
		}
	})
}

func TestResolveCancelsEscalation(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		// The monitoring tool resolves it: no more pages.
		if _, err := n.in.Process(n.ctx, integration, []hypercare.Event{{Action: hypercare.ActionResolve, DedupKey: "k1"}}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0")
	})
}

func TestAckTimeoutRetriggers(t *testing.T) {
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
		clk.Advance(29 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0")
		clk.Advance(time.Minute) // 30 min after the ack, still not resolved
		n.runDue(t)
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-hook@31")
		got, _ := n.st.GetIncident(n.ctx, inc.ID)
		if got.Status != hypercare.StatusTriggered {
			t.Fatalf("incident after ack timeout is %s, want triggered", got.Status)
		}
		entries, _, err := n.st.ListTimeline(n.ctx, inc.ID, hypercare.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		const want = "Re-triggered: acknowledged but not resolved within 30 minutes"
		if !slices.ContainsFunc(entries, func(e hypercare.TimelineEntry) bool { return e.Message == want }) {
			t.Errorf("timeline lacks %q: %+v", want, entries)
		}
	})
}

func TestManualEscalateAndReassign(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, directory(webPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		clk.Advance(time.Minute)
		if _, err := n.eng.Escalate(n.ctx, inc, 0, responder); err != nil {
			t.Fatal(err)
		}
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@1")
		clk.Advance(time.Minute)
		if err := n.eng.Reassign(n.ctx, inc, "dave", responder); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		n.runDue(t) // reassigned: the policy no longer escalates
		n.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@1", "dave/dave-hook@2")
	})
}

// A restart mid-escalation continues at the right moment and pages nobody
// twice.
func TestRestartMidEscalation(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		opts := eng.Options(t)
		dir := directory(webPolicy())
		a := newNode(t, opts, clk, dir)
		inc := a.trigger(t, "k1", hypercare.SeverityWarning)
		a.runDue(t)
		a.cancel() // the process stops
		clk.Advance(7 * time.Minute)
		b := newNode(t, opts, clk, dir) // and starts again, 2 minutes late for level 2
		b.runDue(t)
		b.runDue(t)
		b.expectPages(t, inc.ID, "alice/alice-hook@0", "carol/carol-hook@7")
	})
}

// Two nodes share one PostgreSQL database and race for the same due steps;
// one dies mid-escalation. Every page is recorded exactly once.
func TestTwoNodesNeverPageTwice(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue
		}
		t.Run(eng.Name, func(t *testing.T) {
			clk := clocktest.New(t0)
			opts := eng.Options(t)
			dir := directory(webPolicy())
			a, b := newNode(t, opts, clk, dir), newNode(t, opts, clk, dir)
			const incidents = 40
			var ids []string
			for i := 0; i < incidents; i++ {
				ids = append(ids, a.trigger(t, "k"+string(rune('A'+i)), hypercare.SeverityWarning).ID)
			}
			race := func(nodes ...*node) {
				var wg sync.WaitGroup
				for _, nd := range nodes {
					for j := 0; j < 3; j++ {
						wg.Add(1)
						go func() { defer wg.Done(); nd.runDue(t) }()
					}
				}
				wg.Wait()
			}
			race(a, b)
			a.cancel() // node a dies; b carries on alone
			clk.Advance(5 * time.Minute)
			race(b)
			for _, id := range ids {
				b.expectPages(t, id, "alice/alice-hook@0", "carol/carol-hook@5")
			}
		})
	}
}

// A round-robin level takes turns: consecutive incidents page its targets
// in order, one each.
func TestRoundRobinLevelTakesTurns(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		p := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{{
			Mode: hypercare.RoundRobin, EscalateAfter: 5 * time.Minute,
			Targets: []hypercare.Target{{User: "bob"}, {User: "carol"}, {User: "dave"}},
		}}}
		n := newNode(t, eng.Options(t), clk, directory(p))
		want := []string{"bob/bob-hook@0", "carol/carol-hook@0", "dave/dave-hook@0", "bob/bob-hook@0"}
		for i, w := range want {
			inc := n.trigger(t, "k"+string(rune('a'+i)), hypercare.SeverityWarning)
			n.runDue(t)
			n.expectPages(t, inc.ID, w)
		}
	})
}
