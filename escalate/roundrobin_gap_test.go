package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// rrGapPolicy: level 1 takes turns between schedule "days" (in its gap
// at t0, 08:00) and carol; level 2 is dave.
func rrGapPolicy() hypercare.EscalationPolicy {
	return hypercare.EscalationPolicy{ID: "web", Name: "Web", Levels: []hypercare.EscalationLevel{
		{Mode: hypercare.RoundRobin, EscalateAfter: 5 * time.Minute,
			Targets: []hypercare.Target{{Schedule: "days"}, {User: "carol"}}},
		{Targets: []hypercare.Target{{User: "dave"}}, EscalateAfter: 10 * time.Minute},
	}}
}

// A round-robin level whose turn falls on a schedule with nobody on call
// passes the turn to its next target, as a user of PagerDuty expects of
// a level of peers: the incident is not handed to the next level while a
// peer of this one can take it. The engine, manual escalation and the dry
// run agree, and the next incident's turn follows the one that paged.
func TestRoundRobinTurnOnEmptySchedulePassesToNextTarget(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, gapDirectory(rrGapPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		n.expectPages(t, inc.ID, "carol/carol-hook@0")
		all := strings.Join(n.timeline(t, inc.ID), "\n")
		if !strings.Contains(all, "nobody is on call on schedule days") || strings.Contains(all, "paged at once") {
			t.Errorf("timeline should name the empty turn and not skip the level:\n%s", all)
		}
		st, err := n.st.GetEscalation(n.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Level != 1 || !st.DueAt.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("after level 1: level %d due %s, want level index 1 due %s", st.Level, st.DueAt, t0.Add(5*time.Minute))
		}
		// The turn moved past the empty schedule and carol: the next
		// incident's turn is the schedule again, which still has nobody,
		// so carol takes it too.
		inc2 := n.trigger(t, "k2", hypercare.SeverityWarning)
		n.runDue(t)
		n.expectPages(t, inc2.ID, "carol/carol-hook@0")

		// Manual escalation to level 1 takes the same step.
		inc3 := n.trigger(t, "k3", hypercare.SeverityWarning)
		n.runDue(t)
		cur, err := n.st.GetIncident(n.ctx, inc3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.eng.Escalate(n.ctx, cur, 1, hypercare.Actor{Type: "user", ID: "carol", Name: "Carol"}); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages(t, n.st, inc3.ID) {
			if strings.HasPrefix(p, "dave/") {
				t.Errorf("manual escalation to level 1 paged level 2: %v", pages(t, n.st, inc3.ID))
			}
		}
	})
	sim, err := gapDirectory(rrGapPolicy()).Simulate("shop", t0, hypercare.UrgencyLow, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range sim.Pages {
		got = append(got, p.User+"@"+p.At.Sub(t0).String())
	}
	if want := "carol@0s dave@5m0s"; strings.Join(got, " ") != want {
		t.Errorf("dry run pages %v, want %s", got, want)
	}
}
