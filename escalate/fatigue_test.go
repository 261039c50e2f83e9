package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/storetest"
)

// fatiguePolicy: alice, then carol after 5 minutes; no repeat.
func fatiguePolicy() hypercare.EscalationPolicy {
	return hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 5 * time.Minute},
		{Targets: []hypercare.Target{{User: "carol"}}, EscalateAfter: 5 * time.Minute},
	}}
}

// fatigueWindow is open around t0 for shop with a guardrail of 3 pages in
// 4 hours (t0 is 08:00 UTC, daytime in the window's zone).
func fatigueWindow(start time.Time, services ...string) hypercare.Window {
	return hypercare.Window{ID: "bfcm-2026", Name: "Black Friday", TimeZone: time.UTC,
		Start: start, End: start.Add(24 * time.Hour), Services: services,
		Fatigue: &hypercare.Fatigue{MaxPages: 3, Per: 4 * time.Hour, MaxNightPages: 2,
			NightStart: 22 * time.Hour, NightEnd: 7 * time.Hour}}
}

func fatigueDirectory(w hypercare.Window) *escalate.Directory {
	d := directory(fatiguePolicy())
	d.Windows = []hypercare.Window{w}
	return d
}

// pageAndAck has alice paged for a new incident at the clock's time, then
// acknowledges it so its escalation stops.
func (n *node) pageAndAck(t *testing.T, key string) {
	t.Helper()
	inc := n.trigger(t, key, hypercare.SeverityWarning)
	n.runDue(t)
	n.deliver(t)
	if _, err := n.svc.Acknowledge(n.ctx, inc.ID, responder); err != nil {
		t.Fatal(err)
	}
}

// deliver marks every page due now sent, as the delivery engine would:
// pages cancelled before anything reached the responder do not count.
func (n *node) deliver(t *testing.T) {
	t.Helper()
	now := n.clock.Now()
	err := n.st.Write(n.ctx, "deliver", func(tx hypercare.Tx) error {
		due, err := tx.ClaimNotifications(n.ctx, now, now.Add(time.Minute), 100)
		for i := 0; err == nil && i < len(due); i++ {
			due[i].Status, due[i].SentAt = hypercare.NotificationSent, &now
			err = tx.UpdateNotification(n.ctx, &due[i])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// timeline returns the incident's timeline messages.
func (n *node) timeline(t *testing.T, incidentID string) []string {
	t.Helper()
	list, _, err := n.st.ListTimeline(n.ctx, incidentID, hypercare.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Message)
	}
	return out
}

func hasLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// An overloaded responder gets help automatically: alice's fourth page in
// four hours (limit 3) also pages level 2 (carol) at once, the timeline
// says why, the helper is paged exactly once, and a restart changes
// nothing; the escalation then climbs as usual.
func TestFatigueOverloadedResponderGetsHelp(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		opts := eng.Options(t)
		dir := fatigueDirectory(fatigueWindow(t0.Add(-time.Hour), "shop"))
		a := newNode(t, opts, clk, dir)
		for _, k := range []string{"k1", "k2", "k3"} {
			a.pageAndAck(t, k)
			clk.Advance(time.Minute)
		}
		inc := a.trigger(t, "k4", hypercare.SeverityWarning)
		a.runDue(t)
		a.expectPages(t, inc.ID, "alice/alice-hook@3", "carol/carol-hook@3")
		want := "Alice has been paged 4 times in the last 4 h (limit 3): also paging level 2 (Carol)"
		if tl := a.timeline(t, inc.ID); !hasLine(tl, want) || !hasLine(tl, "helping Alice: fatigue guardrail of hypercare window bfcm-2026") {
			t.Fatalf("timeline %q\nwant %q and carol's page saying why", tl, want)
		}
		a.runDue(t)
		a.cancel() // the process stops and starts again
		b := newNode(t, opts, clk, dir)
		b.runDue(t)
		b.expectPages(t, inc.ID, "alice/alice-hook@3", "carol/carol-hook@3")
		clk.Advance(5 * time.Minute) // nobody acknowledged: level 2 as usual
		b.runDue(t)
		b.expectPages(t, inc.ID, "alice/alice-hook@3", "carol/carol-hook@3", "carol/carol-hook@8")
		if tl := b.timeline(t, inc.ID); strings.Count(strings.Join(tl, "\n"), "has been paged") != 1 {
			t.Errorf("the guardrail spoke more than once: %q", tl)
		}
	})
}

// Outside the window, or for a service out of its scope, nothing changes:
// the fourth page goes to alice alone.
func TestFatigueOnlyInsideTheWindow(t *testing.T) {
	cases := map[string]hypercare.Window{
		"window not open yet": fatigueWindow(t0.Add(time.Hour), "shop"),
		"window over":         fatigueWindow(t0.Add(-24*time.Hour - time.Second)),
		"out of scope":        fatigueWindow(t0.Add(-time.Hour), "search"),
		"no guardrail":        func() hypercare.Window { w := fatigueWindow(t0.Add(-time.Hour)); w.Fatigue = nil; return w }(),
	}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		for name, w := range cases {
			t.Run(name, func(t *testing.T) {
				clk := clocktest.New(t0)
				n := newNode(t, eng.Options(t), clk, fatigueDirectory(w))
				for _, k := range []string{"k1", "k2", "k3"} {
					n.pageAndAck(t, k)
				}
				inc := n.trigger(t, "k4", hypercare.SeverityWarning)
				n.runDue(t)
				n.expectPages(t, inc.ID, "alice/alice-hook@0")
				if tl := n.timeline(t, inc.ID); hasLine(tl, "has been paged") {
					t.Errorf("timeline %q mentions the guardrail", tl)
				}
			})
		}
	})
}

// At the last level there is nobody further: the timeline says so and the
// overloaded responder is paged as usual. Night pages count in the
// responder's own zone: carol lives in Tokyo, where 08:00 UTC is 17:00.
func TestFatigueLastLevelAndNight(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0.Add(-9 * time.Hour)) // 23:00 UTC, 08:00 in Tokyo
		w := fatigueWindow(t0.Add(-24 * time.Hour))
		w.Fatigue.MaxPages = 100
		dir := fatigueDirectory(w)
		carol := dir.Users["carol"]
		carol.TimeZone = "Asia/Tokyo"
		dir.Users["carol"] = carol
		n := newNode(t, eng.Options(t), clk, dir)
		// Alice (no zone: the window's, UTC) is paged three times in the
		// night; her levels climb to carol each time, who is awake.
		var last *hypercare.Incident
		for _, k := range []string{"k1", "k2", "k3"} {
			last = n.trigger(t, k, hypercare.SeverityWarning)
			n.runDue(t)
			clk.Advance(5 * time.Minute)
			n.runDue(t)
			clk.Advance(time.Hour)
		}
		tl := n.timeline(t, last.ID)
		if !hasLine(tl, "Alice has been paged 3 times at night (22:00-07:00) in the last 24 h (limit 2): also paging level 2 (Carol)") {
			t.Errorf("timeline %q: want alice's third night page to bring help", tl)
		}
		if hasLine(tl, "Carol has been paged") {
			t.Errorf("timeline %q: carol's pages were in her daytime", tl)
		}
	})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		w := fatigueWindow(t0.Add(-time.Hour))
		w.Fatigue.MaxPages = 1
		n := newNode(t, eng.Options(t), clk, fatigueDirectory(w))
		first := n.trigger(t, "k1", hypercare.SeverityWarning)
		n.runDue(t)
		clk.Advance(5 * time.Minute)
		n.runDue(t) // carol, level 2, once: fine
		inc := n.trigger(t, "k2", hypercare.SeverityWarning)
		n.runDue(t) // alice again: help from carol
		clk.Advance(5 * time.Minute)
		n.runDue(t) // carol at the last level, over the limit herself
		n.expectPages(t, first.ID, "alice/alice-hook@0", "carol/carol-hook@5")
		n.expectPages(t, inc.ID, "alice/alice-hook@5", "carol/carol-hook@5", "carol/carol-hook@10")
		if tl := n.timeline(t, inc.ID); !hasLine(tl, "Carol has been paged 3 times in the last 4 h (limit 1): level 2 is the last level, nobody further to ask for help; paging as usual") {
			t.Errorf("timeline %q", tl)
		}
	})
}

// The dry run decides as the engine does: Engine.Simulate counts the
// pages alice already had, so "hypercare simulate" shows carol paged with
// her at once, marked as help.
func TestFatigueDryRun(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, fatigueDirectory(fatigueWindow(t0.Add(-time.Hour), "shop")))
		sim, err := n.eng.Simulate(n.ctx, "shop", clk.Now(), hypercare.UrgencyLow)
		if err != nil || len(sim.Pages) != 2 || sim.Pages[1].Help != "" {
			t.Fatalf("before any page: %+v %v, want alice then carol as usual", sim, err)
		}
		for _, k := range []string{"k1", "k2", "k3"} {
			n.pageAndAck(t, k)
		}
		sim, err = n.eng.Simulate(n.ctx, "shop", clk.Now(), hypercare.UrgencyLow)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range sim.Pages {
			got = append(got, p.User+"@"+p.At.Sub(t0).String())
		}
		if strings.Join(got, " ") != "alice@0s carol@0s carol@5m0s" ||
			sim.Pages[1].Help != "Alice has been paged 4 times in the last 4 h (limit 3): also paging level 2 (Carol)" {
			t.Errorf("dry run = %v, help %q", got, sim.Pages[1].Help)
		}
	})
	// Without the store, the dry run counts the pages it plans: a policy
	// that repeats brings help on the repeat.
	p := fatiguePolicy()
	p.Repeat = 1
	d := directory(p)
	w := fatigueWindow(t0.Add(-time.Hour))
	w.Fatigue.MaxPages = 1
	d.Windows = []hypercare.Window{w}
	sim, err := d.Simulate("shop", t0, hypercare.UrgencyLow, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pg := range sim.Pages {
		got = append(got, pg.User+"@"+pg.At.Sub(t0).String())
	}
	if strings.Join(got, " ") != "alice@0s carol@5m0s alice@10m0s carol@10m0s carol@15m0s" {
		t.Errorf("dry run = %v", got)
	}
	if len(sim.Gaps) != 1 || !strings.Contains(sim.Gaps[0], "Carol has been paged 3 times in the last 4 h (limit 1): level 2 is the last level") {
		t.Errorf("gaps = %q, want carol's last-level overload", sim.Gaps)
	}
}
