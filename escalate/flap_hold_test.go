package escalate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// TestFlappingReopenAfterHoldDoesNotSayHeld: a key that flapped inside a
// maintenance window (each incident held, each resolved before the end)
// and fires again after the window ends re-opens its last incident, which
// never paged, and pages at once. That run was held by nothing: its
// timeline used to say "Held by maintenance:deploy until 08:20; still
// open: paging now" at 08:21 and the incident still read suppressed_by
// the window, as if the page had waited for it.
func TestFlappingReopenAfterHoldDoesNotSayHeld(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.maintenance = []correlate.Maintenance{{ID: "deploy", Zone: time.UTC, Services: []string{"checkout"},
			Start: localOf(t0), End: localOf(t0.Add(20 * time.Minute))}}
		w.restart() // the window is config: read at start
		w.in.SetNoise(map[string]correlate.Noise{"checkout": {Flapping: correlate.DefaultFlapping}})
		for range 3 { // three held blips: the key is flapping
			w.send(checkInt, hypercare.ActionTrigger, "f")
			w.after(time.Minute)
			w.send(checkInt, hypercare.ActionResolve, "f")
			w.after(time.Minute)
		}
		w.after(15 * time.Minute) // 08:21: the window ended at 08:20
		w.send(checkInt, hypercare.ActionTrigger, "f")
		w.want("checkout", "checkout:resolved", "checkout:resolved", "checkout:triggered")
		inc := w.incidents()[2]
		if tl := w.timeline(inc); strings.Contains(tl, "Held by") {
			t.Errorf("timeline of the re-opened incident says it was held:\n%s", tl)
		}
		if inc.SuppressedBy != "" || inc.SuppressedUntil != nil {
			t.Errorf("re-opened incident suppressed_by %q until %v; held by nothing", inc.SuppressedBy, inc.SuppressedUntil)
		}
	})
}

// TestFlappingReopenInsideHoldIsHeldAgain: re-opened while the window
// still runs, the incident is held again to its end, once.
func TestFlappingReopenInsideHoldIsHeldAgain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.maintenance = []correlate.Maintenance{{ID: "deploy", Zone: time.UTC, Services: []string{"checkout"},
			Start: localOf(t0), End: localOf(t0.Add(20 * time.Minute))}}
		w.restart()
		w.in.SetNoise(map[string]correlate.Noise{"checkout": {Flapping: correlate.DefaultFlapping}})
		for range 3 {
			w.send(checkInt, hypercare.ActionTrigger, "f")
			w.after(time.Minute)
			w.send(checkInt, hypercare.ActionResolve, "f")
			w.after(time.Minute)
		}
		w.send(checkInt, hypercare.ActionTrigger, "f") // 08:06, inside the window
		w.after(13*time.Minute + 59*time.Second)
		w.want("", "checkout:resolved", "checkout:resolved", "checkout:triggered")
		w.after(time.Second) // 08:20
		w.want("checkout", "checkout:resolved", "checkout:resolved", "checkout:triggered")
		inc := w.incidents()[2]
		if inc.SuppressedBy != "maintenance:deploy" {
			t.Errorf("re-opened incident suppressed_by %q, want the window", inc.SuppressedBy)
		}
		if tl := w.timeline(inc); strings.Count(tl, "suppressed: ") != 2 || !strings.Contains(tl, "still open: paging now") {
			t.Errorf("timeline of the re-opened incident:\n%s", tl)
		}
	})
}
