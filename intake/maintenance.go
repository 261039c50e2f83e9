package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// SetMaintenance sets the config's maintenance windows (config reload).
// An incident opened while one covers its alert is recorded as usual but
// its first page waits for the window's end; silences, kept in the store,
// are read inside the same transaction.
func (in *Intake) SetMaintenance(windows []correlate.Maintenance) {
	in.update(func(c *Config) { c.maintenance = windows })
}

// holds gathers, once per write, what may hold a new incident's first
// page: the windows' current and next occurrences and the store's
// unfinished silences.
type holds struct {
	windows []correlate.Maintenance
	sups    []correlate.Suppressor
	loaded  bool
	// matchers says whether any suppressor has label matchers.
	matchers bool
}

func (h *holds) load(ctx context.Context, tx hypercare.Tx, now time.Time) error {
	if h.loaded {
		return nil
	}
	h.sups = correlate.Suppressors(h.windows, now)
	silences, err := tx.ActiveSilences(ctx, now)
	if err != nil {
		return fmt.Errorf("read silences: %w", err)
	}
	for _, s := range silences {
		ms, err := correlate.ParseMatchers(s.Matchers)
		if err != nil {
			// Checked when it was created with this same parser; one that
			// no longer parses holds nothing rather than everything.
			continue
		}
		h.sups = append(h.sups, correlate.Suppressor{Kind: correlate.SuppressSilence, ID: s.ID,
			Services: s.Services, Matchers: ms, Start: s.StartsAt, End: s.EndsAt})
	}
	h.matchers = slices.ContainsFunc(h.sups, func(s correlate.Suppressor) bool { return len(s.Matchers) > 0 })
	h.loaded = true
	return nil
}

// suppress marks an incident intake just opened when a maintenance window
// or silence covers the event that opened it, with a timeline entry
// saying until when, and returns how long its first page must wait (0:
// not suppressed). The escalation row is simply due at the end, so the
// page survives restarts and goes out once; a resolve before then ends
// the escalation and nobody is paged.
func suppress(ctx context.Context, tx hypercare.Tx, h *holds, inc *hypercare.Incident, ev *hypercare.Event, now time.Time) (time.Duration, error) {
	if err := h.load(ctx, tx, now); err != nil {
		return 0, err
	}
	if len(h.sups) == 0 {
		return 0, nil
	}
	var labels correlate.EventLabels
	if h.matchers {
		labels = correlate.LabelsOf(ev, inc.ServiceID) // decodes custom details: only when a matcher reads them
	}
	by, until, ok := correlate.Suppression(h.sups, inc.ServiceID, labels, now)
	if !ok {
		return 0, nil
	}
	inc.SuppressedBy, inc.SuppressedUntil, inc.UpdatedAt = by.Ref(), &until, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return 0, fmt.Errorf("mark incident %d suppressed: %w", inc.Number, err)
	}
	details, err := json.Marshal(map[string]any{"suppressed_by": by.Ref(), "until": until})
	if err != nil {
		return 0, fmt.Errorf("encode timeline details: %w", err)
	}
	e := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
		Type: hypercare.TimelineSuppressed, Actor: hypercare.SystemActor, Details: details,
		Message: fmt.Sprintf("Suppressed by %s %s until %s: recorded, nobody paged; pages then if still open",
			by.Kind, by.ID, showTime(until, by.Zone, now))}
	if err := tx.AppendTimeline(ctx, e); err != nil {
		return 0, fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
	}
	return until.Sub(now), nil
}

// showTime renders t in zone (UTC when nil): "04:00 Europe/London" on the
// same local day as now, else with the date.
func showTime(t time.Time, zone *time.Location, now time.Time) string {
	if zone == nil {
		zone = time.UTC
	}
	lt, ln := t.In(zone), now.In(zone)
	if lt.YearDay() == ln.YearDay() && lt.Year() == ln.Year() {
		return lt.Format("15:04 ") + zone.String()
	}
	return lt.Format("2006-01-02 15:04 ") + zone.String()
}
