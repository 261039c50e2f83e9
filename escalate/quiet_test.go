package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// The dry run shows the quiet hours as delivery applies them: a
// low-urgency incident at 23:00 has every page held until 07:00, the
// repeat's pages to the same contact method marked as not sent twice; a
// high-urgency one has none held.
func TestSimulateShowsLowUrgencyHold(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		night := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
		n := newNode(t, eng.Options(t), clocktest.New(night), directory(webPolicy()))
		n.eng.SetQuietHours(&hypercare.QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour, Zone: time.UTC})
		sim, err := n.eng.Simulate(n.ctx, "shop", night, hypercare.UrgencyLow)
		if err != nil {
			t.Fatal(err)
		}
		morning := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
		firsts := 0
		for _, p := range sim.Pages {
			if p.HeldUntil == nil || !p.HeldUntil.Equal(morning) {
				t.Errorf("page %+v: want held until 07:00", p)
			}
			if strings.HasSuffix(p.Held, "held until 07:00 UTC (quiet hours)") {
				firsts++
			} else if !strings.Contains(p.Held, "not sent twice") {
				t.Errorf("page %+v: held %q", p, p.Held)
			}
		}
		if len(sim.Pages) != 4 || firsts != 2 {
			t.Errorf("pages %+v: want 4 (two levels, one repeat), 2 of them the morning pages", sim.Pages)
		}
		sim, err = n.eng.Simulate(n.ctx, "shop", night, hypercare.UrgencyHigh)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range sim.Pages {
			if p.HeldUntil != nil || p.Held != "" {
				t.Errorf("high urgency page %+v held", p)
			}
		}
	})
}
