package escalate_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// TestWindowStartingDuringPauseDoesNotHoldEarlierIncident: checkout's
// outage opens an incident at 08:00, its first page waiting out the
// 5-minute pause; planned work on checkout starts at 08:02. The incident
// was opened before the window, which does not affect it (docs: incidents
// opened before a window starts are not affected), so it pages at 08:05.
// The engine used to apply the window to the delayed first step and held
// it silent until the window's end at 10:00.
func TestWindowStartingDuringPauseDoesNotHoldEarlierIncident(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.maintenance = []correlate.Maintenance{{ID: "deploy", Zone: time.UTC, Services: []string{"checkout"},
			Start: localOf(t0.Add(2 * time.Minute)), End: localOf(t0.Add(2 * time.Hour))}}
		w.restart() // the window is config: read at start
		w.in.SetNoise(map[string]correlate.Noise{"checkout": {Pause: 5 * time.Minute}})
		w.send(checkInt, hypercare.ActionTrigger, "down")
		w.after(5*time.Minute - time.Second)
		w.want("", "checkout:triggered")
		w.after(time.Second) // 08:05: the pause is over
		w.want("checkout", "checkout:triggered")
		if inc := w.incidents()[0]; inc.SuppressedBy != "" {
			t.Errorf("incident opened before the window suppressed_by %q", inc.SuppressedBy)
		}
		// An incident opened inside the window is held, pause or not.
		w.send(checkInt, hypercare.ActionTrigger, "other")
		w.after(10 * time.Minute)
		w.want("checkout", "checkout:triggered", "checkout:triggered")
		if inc := w.incidents()[1]; inc.SuppressedBy != "maintenance:deploy" {
			t.Errorf("incident opened inside the window suppressed_by %q, want the window", inc.SuppressedBy)
		}
	})
}
