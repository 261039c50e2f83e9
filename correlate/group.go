package correlate

import (
	"time"

	"github.com/hypercare/hypercare"
)

// GroupingType is a service's alert_grouping type.
type GroupingType string

// The grouping types of DESIGN.md §5.1.
const (
	GroupNone        GroupingType = "none"
	GroupTime        GroupingType = "time"
	GroupContent     GroupingType = "content"
	GroupIntelligent GroupingType = "intelligent"
)

// Valid reports whether t is a known grouping type ("" is none).
func (t GroupingType) Valid() bool {
	switch t {
	case "", GroupNone, GroupTime, GroupContent, GroupIntelligent:
		return true
	}
	return false
}

// On reports whether t groups alerts at all ("" and none do not).
func (t GroupingType) On() bool { return t != "" && t != GroupNone }

// DefaultGroupingWindow is the window when alert_grouping names a type but
// no window_minutes: long enough for a cascade to fan out, short enough
// that tomorrow's alert does not join today's incident.
const DefaultGroupingWindow = 15 * time.Minute

// Grouping is one service's alert_grouping setting.
type Grouping struct {
	Type GroupingType
	// Window bounds how old a candidate incident's newest alert may be.
	Window time.Duration
	// Fields are compared for content grouping: alert fields (summary,
	// source, component, group, class, severity) or labels.NAME.
	Fields []string
}

// Candidate is an open incident on the alert's service and, for content
// grouping, its most recent alerts (newest first): the whole state
// grouping decides on, read from the store, so a replay that rebuilds the
// store decides the same. Time and intelligent grouping read the
// incident alone (LastAlertAt, Features, LastFeatures).
type Candidate struct {
	Incident *hypercare.Incident
	Alerts   []hypercare.Alert
}

// Match is the incident an alert joins and why.
type Match struct {
	Incident *hypercare.Incident
	// Score is the similarity for intelligent grouping (1 otherwise).
	Score float64
	// Reason is a short explanation for the timeline.
	Reason string
}

// Group decides which open incident, if any, the new alert a joins under
// g at now; feat is FeaturesOf(a) if the caller has it (nil: derived
// here when needed). Only candidates with an alert first seen within the window
// count; among the qualifying ones the highest score wins, and ties go to
// the highest incident number (the newest incident), so the decision
// depends on nothing but its arguments.
func Group(g Grouping, a *hypercare.Alert, feat *Features, candidates []Candidate, now time.Time) (Match, bool) {
	if !g.Type.On() {
		return Match{}, false
	}
	window := g.Window
	if window <= 0 {
		window = DefaultGroupingWindow
	}
	since := now.Add(-window)
	if g.Type == GroupIntelligent && feat == nil {
		feat = FeaturesOf(a)
	}
	var best Match
	found := false
	for i := range candidates {
		c := &candidates[i]
		if c.Incident == nil || c.Incident.Status == hypercare.StatusResolved {
			continue
		}
		m, ok := score(g, a, feat, c, since)
		if !ok {
			continue
		}
		if !found || m.Score > best.Score || (m.Score == best.Score && c.Incident.Number > best.Incident.Number) {
			best, found = m, true
		}
	}
	return best, found
}

// score rates one candidate; ok is false when it does not qualify. A
// candidate qualifies only if an alert joined it within the window.
func score(g Grouping, a *hypercare.Alert, feat *Features, c *Candidate, since time.Time) (Match, bool) {
	if c.Incident.LastAlertAt.Before(since) {
		return Match{}, false
	}
	switch g.Type {
	case GroupTime:
		return Match{Incident: c.Incident, Score: 1, Reason: "within the " + hypercare.HumanDuration(windowOf(g)) + " time window"}, true
	case GroupContent:
		for i := range c.Alerts {
			if other := &c.Alerts[i]; !other.FirstSeenAt.Before(since) && sameContent(g.Fields, a, other) {
				return Match{Incident: c.Incident, Score: 1, Reason: "same " + joinFields(g.Fields)}, true
			}
		}
	case GroupIntelligent:
		best := 0.0
		for _, f := range incidentFeatures(c.Incident) {
			best = max(best, Similarity(feat, f))
		}
		if best >= SimilarityThreshold {
			return Match{Incident: c.Incident, Score: best, Reason: similarReason(best, c.Incident)}, true
		}
	}
	return Match{}, false
}

// windowOf is the effective window of g, for messages.
func windowOf(g Grouping) time.Duration {
	if g.Window <= 0 {
		return DefaultGroupingWindow
	}
	return g.Window
}

// sameContent reports whether a and b have equal, non-empty values for
// every field: an alert that lacks a field groups with nothing by it.
func sameContent(fields []string, a, b *hypercare.Alert) bool {
	if len(fields) == 0 {
		return false
	}
	var la, lb map[string]string
	for _, f := range fields {
		va, vb := "", ""
		if name, ok := labelName(f); ok {
			if la == nil {
				la, lb = Labels(a.CustomDetails), Labels(b.CustomDetails)
			}
			va, vb = la[name], lb[name]
		} else {
			va, vb = Field(a, f), Field(b, f)
		}
		if va == "" || va != vb {
			return false
		}
	}
	return true
}
