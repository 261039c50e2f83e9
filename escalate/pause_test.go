package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// A service with pause_notifications_minutes holds the first page of a new
// incident for the pause (transient alerts that resolve within it page
// nobody): the dry run of an incident that stays open plans level 1 at
// the pause's end, as the engine pages it, not at the moment it opens.
func TestSimulateWaitsOutTheServicePause(t *testing.T) {
	dir := directory(webPolicy())
	dir.Pauses = map[string]time.Duration{"shop": 2 * time.Minute}
	sim, err := dir.Simulate("shop", t0, hypercare.UrgencyLow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Pages) == 0 || !sim.Pages[0].At.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("dry run pages %+v, want level 1 at %s (after the 2-minute pause)", sim.Pages, t0.Add(2*time.Minute))
	}
	if sim.PausedUntil == nil || !sim.PausedUntil.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("paused_until = %v, want %s", sim.PausedUntil, t0.Add(2*time.Minute))
	}
	if got := sim.Pages[len(sim.Pages)-1].At; !got.Equal(t0.Add(22 * time.Minute)) {
		t.Errorf("last page at %s, want %s (level 2 of the repeat, 20 minutes after the first page)", got, t0.Add(22*time.Minute))
	}
}
