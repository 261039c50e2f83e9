package intake

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
)

// SetWindows sets the hypercare windows (config.Config.Windows) whose
// overlay intake applies: the urgency floor on incidents it opens and the
// change freeze flag on change events.
func (in *Intake) SetWindows(windows []hypercare.Window) {
	in.update(func(c *Config) { c.windows = windows })
}

// freezeWindow returns the first window with change_freeze that was open
// at at (when the change happened, as its sender says, else when it
// arrived) with serviceID in scope; nil when none.
func freezeWindow(windows []hypercare.Window, serviceID string, at time.Time) *hypercare.Window {
	for i := range windows {
		w := &windows[i]
		if w.ChangeFreeze && w.Active(at) && w.InScope(serviceID) {
			return w
		}
	}
	return nil
}

// raiseToFloor raises an incident intake just opened to high urgency when
// an open window's floor says so, after the event rules decided theirs,
// and says why on the timeline. It runs before the escalation starts, so
// the first pages follow the high-urgency notification rules.
func raiseToFloor(ctx context.Context, tx hypercare.Tx, windows []hypercare.Window, inc *hypercare.Incident, now time.Time) error {
	return incident.RaiseToFloor(ctx, tx, windows, inc, now, now)
}
