package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// SetWindows sets the hypercare windows (config.Config.Windows) whose
// overlay intake applies: the urgency floor on incidents it opens and the
// change freeze flag on change events.
func (in *Intake) SetWindows(windows []hypercare.Window) {
	in.update(func(c *Config) { c.windows = windows })
}

// urgencyFloor returns the first window open at now, with serviceID in
// scope, whose urgency floor is high; nil when none. A floor of low
// raises nothing: every incident is at least low.
func urgencyFloor(windows []hypercare.Window, serviceID string, now time.Time) *hypercare.Window {
	for i := range windows {
		w := &windows[i]
		if w.Urgency == hypercare.UrgencyHigh && w.Active(now) && w.InScope(serviceID) {
			return w
		}
	}
	return nil
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
	w := urgencyFloor(windows, inc.ServiceID, now)
	if w == nil || inc.Urgency == hypercare.UrgencyHigh {
		return nil
	}
	was := inc.Urgency
	inc.Urgency, inc.UpdatedAt = hypercare.UrgencyHigh, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("raise incident %d to the urgency floor of window %s: %w", inc.Number, w.ID, err)
	}
	details, err := json.Marshal(map[string]string{"window_id": w.ID, "from": string(was)})
	if err != nil {
		return fmt.Errorf("encode timeline details: %w", err)
	}
	e := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
		Type: hypercare.TimelineUrgencyRaised, Actor: hypercare.SystemActor,
		Message: fmt.Sprintf("Urgency raised to high by hypercare window %s (was %s)", w.ID, was),
		Details: details}
	if err := tx.AppendTimeline(ctx, e); err != nil {
		return fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
	}
	return nil
}
