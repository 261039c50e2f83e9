package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// UrgencyFloor returns the first hypercare window open at at, with
// serviceID in scope, whose urgency floor is high; nil when none. A floor
// of low raises nothing: every incident is at least low.
func UrgencyFloor(windows []hypercare.Window, serviceID string, at time.Time) *hypercare.Window {
	for i := range windows {
		w := &windows[i]
		if w.Urgency == hypercare.UrgencyHigh && w.Active(at) && w.InScope(serviceID) {
			return w
		}
	}
	return nil
}

// RaiseToFloor raises inc to high urgency when a hypercare window open at
// opened (when the incident was opened in the window's scope) says so,
// and says why on the timeline. Every incident opened in scope gets it
// before its first page, whichever path opened it: intake for the
// incidents it opens, after the event rules decided theirs; the
// escalation engine for a symptom promoted to an incident of its own or
// an incident split off, which no rule placed.
func RaiseToFloor(ctx context.Context, tx hypercare.Tx, windows []hypercare.Window, inc *hypercare.Incident, opened, now time.Time) error {
	w := UrgencyFloor(windows, inc.ServiceID, opened)
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
