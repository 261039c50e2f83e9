package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// gapDirectory: schedule "days" has alice on call 09:00–17:00 UTC only
// (t0, 08:00, is in its gap); policy "web" pages it, then carol after 5
// minutes, then dave after 10.
func gapDirectory(policy hypercare.EscalationPolicy) *escalate.Directory {
	days := &oncall.Schedule{ID: "days", TimeZone: time.UTC, Layers: []oncall.Layer{{
		ID: "business", Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 2, Hour: 9},
		Shift: 7 * 24 * time.Hour, Users: []string{"alice"},
		Restrictions: []oncall.Restriction{{From: oncall.TimeOfDay{Hour: 9}, To: oncall.TimeOfDay{Hour: 17}}}}}}
	night := &oncall.Schedule{ID: "nights", TimeZone: time.UTC, Layers: []oncall.Layer{{
		ID: "night", Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 2, Hour: 22},
		Shift: 7 * 24 * time.Hour, Users: []string{"bob"},
		Restrictions: []oncall.Restriction{{From: oncall.TimeOfDay{Hour: 22}, To: oncall.TimeOfDay{Hour: 6}}}}}}
	return escalate.NewDirectory(
		[]hypercare.User{user("alice"), user("bob"), user("carol"), user("dave")},
		[]*oncall.Schedule{days, night},
		[]hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "shop", EscalationPolicy: policy.ID}}, nil)
}

func gapPolicy() hypercare.EscalationPolicy {
	return hypercare.EscalationPolicy{ID: "web", Name: "Web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: "days"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{User: "carol"}}, EscalateAfter: 10 * time.Minute},
		{Targets: []hypercare.Target{{User: "dave"}}, EscalateAfter: 10 * time.Minute},
	}}
}

// A level whose schedule has nobody on call (a gap) pages nobody, so
// nobody can acknowledge it: waiting out its timeout leaves the incident
// silent. The next level is paged at once, as PagerDuty assigns an
// incident to the first level with someone on call, and the timeline says
// why; the dry run shows the same.
func TestLevelWithNobodyOnCallEscalatesAtOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, gapDirectory(gapPolicy()))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		n.expectPages(t, inc.ID, "carol/carol-hook@0")
		all := strings.Join(n.timeline(t, inc.ID), "\n")
		for _, want := range []string{"nobody is on call on schedule days", "level 2 is paged at once"} {
			if !strings.Contains(all, want) {
				t.Errorf("timeline lacks %q:\n%s", want, all)
			}
		}
		// Carol's level keeps its own timeout: dave 10 minutes later.
		clk.Advance(10*time.Minute - time.Second)
		n.runDue(t)
		n.expectPages(t, inc.ID, "carol/carol-hook@0")
		clk.Advance(time.Second)
		n.runDue(t)
		n.expectPages(t, inc.ID, "carol/carol-hook@0", "dave/dave-hook@10")
	})
	sim, err := gapDirectory(gapPolicy()).Simulate("shop", t0, hypercare.UrgencyLow, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range sim.Pages {
		got = append(got, p.User+"@"+p.At.Sub(t0).String())
	}
	if want := "carol@0s dave@10m0s"; strings.Join(got, " ") != want {
		t.Errorf("dry run pages %v, want %s", got, want)
	}
}

// When no level has anyone to page, the policy does not run through its
// repeats at once (ending before anyone comes on call): a whole round of
// levels that paged nobody waits the last level's timeout, then looks
// again.
func TestPolicyWithNobodyAtAnyLevelKeepsLooking(t *testing.T) {
	policy := hypercare.EscalationPolicy{ID: "web", Name: "Web", Repeat: 1, Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: "days"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{Schedule: "nights"}}, EscalateAfter: 30 * time.Minute},
	}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, gapDirectory(policy))
		inc := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		n.expectPages(t, inc.ID)
		st, err := n.st.GetEscalation(n.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != hypercare.EscalationActive || st.Loop != 1 || st.Level != 0 || !st.DueAt.Equal(t0.Add(30*time.Minute)) {
			t.Fatalf("after a round of levels with nobody: %s level %d loop %d due %s, want active level 0 loop 1 due %s",
				st.Status, st.Level, st.Loop, st.DueAt, t0.Add(30*time.Minute))
		}
		// The repeat at 08:30 still finds nobody, and the policy ends.
		clk.Advance(30 * time.Minute)
		n.runDue(t)
		n.expectPages(t, inc.ID)
	})
}
