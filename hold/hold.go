// Package hold decides whether a new incident's first page waits: a
// maintenance window (config) or a silence (store) covering the incident
// holds its first page until the last covering one ends. Intake applies it
// to the incidents it opens; the escalation engine applies it before any
// other first page (a symptom promoted to an incident of its own, an
// incident split off), so one rule holds every first page, whichever path
// opened the incident.
package hold

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// Holds gathers, once per write, what may hold a first page: the
// maintenance windows' current and next occurrences and the store's
// unfinished silences. A Holds belongs to one transaction.
type Holds struct {
	windows []correlate.Maintenance
	sups    []correlate.Suppressor
	loaded  bool
	// matchers says whether any suppressor has label matchers.
	matchers bool
}

// New returns the holds of the config's maintenance windows (silences are
// read from the transaction when first needed).
func New(windows []correlate.Maintenance) *Holds { return &Holds{windows: windows} }

func (h *Holds) load(ctx context.Context, tx hypercare.Tx, now time.Time) error {
	if h.loaded {
		return nil
	}
	silences, err := tx.ActiveSilences(ctx, now)
	if err != nil {
		return fmt.Errorf("read silences: %w", err)
	}
	h.sups = append(correlate.Suppressors(h.windows, now), Silences(silences)...)
	h.matchers = slices.ContainsFunc(h.sups, func(s correlate.Suppressor) bool { return len(s.Matchers) > 0 })
	h.loaded = true
	return nil
}

// Silences are silences as the suppressors that hold first pages. One
// whose matchers no longer parse (they were checked with this parser when
// it was created) holds nothing rather than everything.
func Silences(silences []hypercare.Silence) []correlate.Suppressor {
	out := make([]correlate.Suppressor, 0, len(silences))
	for _, s := range silences {
		ms, err := correlate.ParseMatchers(s.Matchers)
		if err != nil {
			continue
		}
		out = append(out, correlate.Suppressor{Kind: correlate.SuppressSilence, ID: s.ID,
			Services: s.Services, Matchers: ms, Start: s.StartsAt, End: s.EndsAt})
	}
	return out
}

// Labels returns the labels window and silence matchers test; it is
// called only when some matcher needs them (it may decode JSON or read).
// ErrNoLabels says the incident has none to test.
type Labels func() (correlate.EventLabels, error)

// ErrNoLabels is what a Labels func returns for an incident without
// alerts. Only windows and silences without matchers can hold it: a
// negative matcher (env!="prod") would match the empty labels, and a hold
// must be earned by what the incident is, not by what it lacks.
var ErrNoLabels = errors.New("incident has no alerts to label it")

// Cover is what holds an incident's first page: the window or silence
// whose end the hold runs to, and that end.
type Cover struct {
	By    *correlate.Suppressor
	Until time.Time
}

// Check decides, without writing anything, whether a maintenance window or
// silence covers inc at now; ok is false when nothing does.
func (h *Holds) Check(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, labels Labels, now time.Time) (c Cover, ok bool, err error) {
	if err := h.load(ctx, tx, now); err != nil {
		return Cover{}, false, err
	}
	if len(h.sups) == 0 {
		return Cover{}, false, nil
	}
	sups := h.sups
	var l correlate.EventLabels
	if h.matchers {
		l, err = labels()
		switch {
		case errors.Is(err, ErrNoLabels):
			sups = slices.DeleteFunc(slices.Clone(sups), func(s correlate.Suppressor) bool { return len(s.Matchers) > 0 })
		case err != nil:
			return Cover{}, false, fmt.Errorf("labels of incident %d: %w", inc.Number, err)
		}
	}
	by, until, ok := correlate.Suppression(sups, inc.ServiceID, l, now)
	return Cover{By: by, Until: until}, ok, nil
}

// Apply marks inc held when a maintenance window or silence covers it at
// now, with a timeline entry saying until when, and returns how long its
// first page must wait (0: not held). The caller makes the escalation due
// at the end, so the page survives restarts and goes out once; a resolve
// before then ends the escalation and nobody is paged.
func (h *Holds) Apply(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, labels Labels, now time.Time) (time.Duration, error) {
	c, ok, err := h.Check(ctx, tx, inc, labels, now)
	if err != nil || !ok {
		return 0, err
	}
	return c.Until.Sub(now), Record(ctx, tx, inc, c, now)
}

// Record marks inc held by c, with the timeline entry that says so.
func Record(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, c Cover, now time.Time) error {
	by, until := c.By, c.Until
	inc.SuppressedBy, inc.SuppressedUntil, inc.UpdatedAt = by.Ref(), &until, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("mark incident %d suppressed: %w", inc.Number, err)
	}
	details, err := json.Marshal(map[string]any{"suppressed_by": by.Ref(), "until": until})
	if err != nil {
		return fmt.Errorf("encode timeline details: %w", err)
	}
	e := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
		Type: hypercare.TimelineSuppressed, Actor: hypercare.SystemActor, Details: details,
		Message: fmt.Sprintf("Suppressed by %s %s until %s: recorded, nobody paged; pages then if still open",
			by.Kind, by.ID, showTime(until, by.Zone, now))}
	if err := tx.AppendTimeline(ctx, e); err != nil {
		return fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
	}
	return nil
}

// OfIncident returns the labels of incident id's oldest alert as its
// latest trigger left them, or ErrNoLabels when it has none: for an
// incident opened by something other than an event (a promoted symptom,
// a split, a pause ending, a silence released early).
func OfIncident(ctx context.Context, tx hypercare.Tx, id string) Labels {
	return func() (correlate.EventLabels, error) {
		alerts, err := tx.AlertsOfIncident(ctx, id)
		if err != nil {
			return correlate.EventLabels{}, fmt.Errorf("alerts of incident %s: %w", id, err)
		}
		if len(alerts) == 0 {
			return correlate.EventLabels{}, ErrNoLabels
		}
		return OfAlert(&alerts[0])
	}
}

// OfAlert returns the labels of alert a as its latest trigger left them
// (each trigger updates the alert's fields), for an incident opened by
// something other than an event.
func OfAlert(a *hypercare.Alert) (correlate.EventLabels, error) {
	ev := hypercare.Event{Summary: a.Summary, Source: a.Source, Severity: a.Severity, Component: a.Component,
		Group: a.Group, Class: a.Class, DedupKey: a.DedupKey, CustomDetails: a.CustomDetails}
	return correlate.LabelsOf(&ev, a.ServiceID), nil
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
