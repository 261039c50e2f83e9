package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
)

// NextDue caps a level's wait while a window is open for the service, and
// only then: before the window, after it, out of scope and for delays
// already shorter than the cap the policy's own delay holds.
func TestNextDueAcrossWindow(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// The window ends at 01:30 New York time on 1 November 2026, the
	// first 01:30 (EDT, 05:30 UTC): an hour later the clocks read 01:30
	// again (EST), which is after the window though the reading is equal.
	start := time.Date(2026, 10, 31, 18, 0, 0, 0, ny)
	end := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)
	w := hypercare.Window{ID: "bfcm-2026", TimeZone: ny, Start: start, End: end,
		Services: []string{"shop"}, MaxEscalateAfter: 5 * time.Minute}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{EscalateAfter: 30 * time.Minute}, {EscalateAfter: 2 * time.Minute}}}
	secondEST := time.Date(2026, 11, 1, 6, 20, 0, 0, time.UTC) // 01:20 EST: reads before 01:30
	cases := []struct {
		name    string
		level   int
		service string
		now     time.Time
		want    time.Time
	}{
		{"long before the window", 0, "shop", start.Add(-time.Hour), start.Add(-30 * time.Minute)},
		{"wait runs into the opening", 0, "shop", start.Add(-10 * time.Minute), start.Add(5 * time.Minute)},
		{"wait ends just before the cap would", 0, "shop", start.Add(-28 * time.Minute), start.Add(2 * time.Minute)},
		{"at the start", 0, "shop", start, start.Add(5 * time.Minute)},
		{"inside", 0, "shop", start.Add(3 * time.Hour), start.Add(3*time.Hour + 5*time.Minute)},
		{"last minute (the cap may run past the end)", 0, "shop", end.Add(-time.Minute), end.Add(4 * time.Minute)},
		{"at the end", 0, "shop", end, end.Add(30 * time.Minute)},
		{"the second 01:20, after the DST change", 0, "shop", secondEST, secondEST.Add(30 * time.Minute)},
		{"the first 01:20, before the DST change", 0, "shop", secondEST.Add(-time.Hour), secondEST.Add(-time.Hour + 5*time.Minute)},
		{"out of scope", 0, "search", start.Add(time.Hour), start.Add(90 * time.Minute)},
		{"delay already under the cap", 1, "shop", start.Add(time.Hour), start.Add(62 * time.Minute)},
	}
	for _, c := range cases {
		got := escalate.NextDue(policy, c.level, []hypercare.Window{w}, c.service, c.now)
		if !got.Equal(c.want) {
			t.Errorf("%s: due %s, want %s", c.name, got.UTC(), c.want.UTC())
		}
	}
	if got := escalate.NextDue(policy, 0, nil, "shop", start); !got.Equal(start.Add(30 * time.Minute)) {
		t.Errorf("no windows: due %s, want the policy's 30 minutes", got)
	}
	noCap := w
	noCap.MaxEscalateAfter = 0
	if got := escalate.NextDue(policy, 0, []hypercare.Window{noCap}, "shop", start); !got.Equal(start.Add(30 * time.Minute)) {
		t.Errorf("window without max_escalate_after: due %s, want the policy's 30 minutes", got)
	}
}

// The dry run climbs the policy with the window's cap, so "hypercare
// simulate --at" inside the window shows the faster climb.
func TestSimulateInsideWindowClimbsFaster(t *testing.T) {
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute},
		{Targets: []hypercare.Target{{User: "carol"}}, EscalateAfter: 30 * time.Minute}}}
	d := directory(policy)
	w := hypercare.Window{ID: "bfcm-2026", Start: t0, End: t0.Add(24 * time.Hour), MaxEscalateAfter: 5 * time.Minute}
	dir := escalate.NewDirectory([]hypercare.User{d.Users["alice"], d.Users["carol"]}, nil,
		[]hypercare.EscalationPolicy{policy}, []hypercare.Service{{ID: "shop", EscalationPolicy: "web"}}, []hypercare.Window{w})
	carolAt := func(at time.Time) time.Duration {
		sim, err := dir.Simulate("shop", at, hypercare.UrgencyLow, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range sim.Pages {
			if p.User == "carol" {
				return p.At.Sub(at)
			}
		}
		t.Fatalf("carol never paged: %+v", sim.Pages)
		return 0
	}
	if got := carolAt(t0.Add(time.Hour)); got != 5*time.Minute {
		t.Errorf("inside the window carol is paged after %s, want 5m", got)
	}
	if got := carolAt(t0.Add(-2 * time.Hour)); got != 30*time.Minute {
		t.Errorf("before the window carol is paged after %s, want 30m", got)
	}
}
