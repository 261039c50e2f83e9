package escalate_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// Inside a hypercare window with urgency: high, an incident on a service
// in scope is raised to high urgency whatever its severity said, so it
// pages the high-urgency notification rules. The dry run asked about a
// low-urgency incident at that time must show what the engine really
// pages: the same people through the same contact methods at the same
// delays, at high urgency, and no quiet-hours hold.
func TestSimulateAppliesWindowUrgencyFloor(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := hypercare.Window{ID: "bfcm-2026", Name: "Black Friday", TimeZone: time.UTC,
			Start: t0.Add(-time.Hour), End: t0.Add(24 * time.Hour), Urgency: hypercare.UrgencyHigh}
		dir := directory(webPolicy())
		dir.Windows = []hypercare.Window{w}
		n := newNode(t, eng.Options(t), clocktest.New(t0), dir)
		n.in.SetWindows(dir.Windows)

		sim, err := n.eng.Simulate(n.ctx, "shop", t0, hypercare.UrgencyLow)
		if err != nil {
			t.Fatal(err)
		}
		var planned []string
		for _, p := range sim.Pages {
			if p.Level == 1 && p.Loop == 0 {
				planned = append(planned, fmt.Sprintf("%s/%s@%g", p.User, p.ContactMethod, p.At.Sub(t0).Minutes()))
			}
		}

		inc := n.trigger(t, "checkout-down", hypercare.SeverityWarning)
		if inc.Urgency != hypercare.UrgencyHigh {
			t.Fatalf("incident urgency %s, want high (the window's floor)", inc.Urgency)
		}
		real := pages(t, n.st, inc.ID)
		slices.Sort(real)
		slices.Sort(planned)
		if !slices.Equal(real, planned) {
			t.Errorf("level 1: the engine paged %v, the dry run for the same time planned %v (urgency %s)",
				real, planned, sim.Urgency)
		}
	})
}

// A maintenance window on the service holds the first page of an incident
// opened inside it until the window ends, and the page goes then to
// whoever is on call at that moment. The dry run for an incident at that
// time must plan the same first page: the same person at the same time.
func TestSimulateAppliesMaintenanceHold(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		// 07:30-09:30 UTC: the daily rotation hands alice's pager to bob at
		// 09:00, inside the window.
		mw := []correlate.Maintenance{{ID: "shop-deploy", Zone: time.UTC, Services: []string{"shop"},
			Start: localOf(t0.Add(-30 * time.Minute)), End: localOf(t0.Add(90 * time.Minute))}}
		dir := directory(webPolicy())
		dir.Maintenance = mw
		clk := clocktest.New(t0)
		n := newNode(t, eng.Options(t), clk, dir)
		n.in.SetMaintenance(mw)

		sim, err := n.eng.Simulate(n.ctx, "shop", t0, hypercare.UrgencyHigh)
		if err != nil {
			t.Fatal(err)
		}
		if sim.HeldBy != "maintenance:shop-deploy" || sim.HeldUntil == nil || !sim.HeldUntil.Equal(t0.Add(90*time.Minute)) {
			t.Errorf("dry run held by %q until %v, want maintenance:shop-deploy until 09:30", sim.HeldBy, sim.HeldUntil)
		}
		var planned []string
		for _, p := range sim.Pages {
			if p.Level == 1 && p.Loop == 0 {
				planned = append(planned, fmt.Sprintf("%s/%s@%g", p.User, p.ContactMethod, p.At.Sub(t0).Minutes()))
			}
		}

		inc := n.trigger(t, "checkout-down", hypercare.SeverityCritical)
		n.runDue(t)
		clk.Set(t0.Add(90 * time.Minute)) // the window ends
		n.runDue(t)
		real := pages(t, n.st, inc.ID)
		slices.Sort(real)
		slices.Sort(planned)
		if !slices.Equal(real, planned) {
			t.Errorf("level 1: the engine paged %v, the dry run for the same time planned %v", real, planned)
		}
	})
}

// TestSimulateSilencesAndMatchers: a silence on the service (read from
// the store) holds the dry run's first page as it would the engine's; a
// window with label matchers cannot be decided without an alert, so the
// dry run names it as a possible hold and plans the pages at once.
func TestSimulateSilencesAndMatchers(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		ms, err := correlate.ParseMatchers([]string{`env="staging"`})
		if err != nil {
			t.Fatal(err)
		}
		mw := []correlate.Maintenance{{ID: "staging-only", Zone: time.UTC, Matchers: ms,
			Start: localOf(t0.Add(-time.Hour)), End: localOf(t0.Add(time.Hour))}}
		dir := directory(webPolicy())
		dir.Maintenance = mw
		n := newNode(t, eng.Options(t), clocktest.New(t0), dir)
		sim, err := n.eng.Simulate(n.ctx, "shop", t0, hypercare.UrgencyHigh)
		if err != nil {
			t.Fatal(err)
		}
		if sim.HeldUntil != nil || !slices.Equal(sim.MaybeHeldBy, []string{"maintenance:staging-only"}) || !sim.Pages[0].At.Equal(t0) {
			t.Fatalf("matcher window: held %q until %v, maybe %v, first page %v", sim.HeldBy, sim.HeldUntil, sim.MaybeHeldBy, sim.Pages[0].At)
		}
		s := &hypercare.Silence{ID: "sil-1", Services: []string{"shop"}, StartsAt: t0.Add(-time.Minute),
			EndsAt: t0.Add(20 * time.Minute), CreatedAt: t0, Comment: "failover"}
		if err := n.st.Write(n.ctx, "silence", func(tx hypercare.Tx) error { return tx.InsertSilence(n.ctx, s) }); err != nil {
			t.Fatal(err)
		}
		sim, err = n.eng.Simulate(n.ctx, "shop", t0, hypercare.UrgencyHigh)
		if err != nil {
			t.Fatal(err)
		}
		if sim.HeldBy != "silence:sil-1" || !sim.Pages[0].At.Equal(t0.Add(20*time.Minute)) {
			t.Fatalf("silence: held %q until %v, first page %v; want silence:sil-1, 08:20", sim.HeldBy, sim.HeldUntil, sim.Pages[0].At)
		}
	})
}
