package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// Bounds of the state grouping reads per alert: the newest open incidents
// of the service, and the newest alerts of each within the window. They
// keep a storm's per-event cost flat; the decision is still a function of
// the store's content, so a replay reproduces it.
const (
	maxGroupCandidates = 20
	alertsPerCandidate = 5
)

// GroupAlert joins the new alert a to an open incident of its service if
// g, the service's alert_grouping, says so: intake for a new alert, and
// the promotion of a symptom whose upstream incident resolved, so both
// group alike. For intelligent grouping an incident whose first or latest alert has
// exactly the alert's features scores 1, more than any other can, so it is
// looked up by index before the candidates are scored. features is the
// alert's encoded features, for a new incident ("" unless intelligent).
func GroupAlert(ctx context.Context, tx hypercare.Tx, g correlate.Grouping, a *hypercare.Alert, urgency hypercare.Urgency,
	actor hypercare.Actor, now time.Time) (features string, joined bool, err error) {
	if !g.Type.On() {
		return "", false, nil
	}
	// Held to the commit, which opens the alert's incident if it joins
	// none: another node's decision for this service waits and sees it.
	if err := tx.LockGrouping(ctx, a.ServiceID); err != nil {
		return "", false, err
	}
	var feat *correlate.Features
	var inc *hypercare.Incident
	reason := ""
	if g.Type == correlate.GroupIntelligent {
		feat = correlate.FeaturesOf(a)
		features = feat.Encode()
		if inc, err = exactMatch(ctx, tx, a.ServiceID, feat, features, now.Add(-window(g))); err != nil {
			return "", false, err
		}
		if inc != nil {
			reason = correlate.ExactReason(inc)
		}
	}
	if inc == nil {
		cands, err := candidates(ctx, tx, a.ServiceID, g, now)
		if err != nil {
			return "", false, err
		}
		m, ok := correlate.Group(g, a, feat, cands, now)
		if !ok {
			return features, false, nil
		}
		// Read again, locked (PostgreSQL), to count on current values.
		if inc, err = tx.GetIncident(ctx, m.Incident.ID); err != nil {
			return "", false, fmt.Errorf("group into incident %d: %w", m.Incident.Number, err)
		}
		reason = m.Reason
	}
	if inc.Status == hypercare.StatusResolved {
		return features, false, nil // resolved since it was read
	}
	if features != "" {
		inc.LastFeatures = features
	}
	msg := fmt.Sprintf("Alert added (%s): %s", reason, a.Summary)
	return features, true, Join(ctx, tx, inc, a, urgency, actor, hypercare.TimelineAlertAdded, msg, now)
}

// exactMatch returns the open incident of serviceID whose first or latest
// alert has exactly these features (feat, encoded), or nil. An alert
// without summary tokens (a summary of numbers and addresses only) matches
// nothing here: equal attributes alone score 0.3 (correlate.Similarity),
// below the threshold, so it is scored like any other alert and joins only
// what shares its text; without any feature it shares nothing with anyone,
// and "" is also what incidents opened without grouping store, which must
// not read as its exact match.
func exactMatch(ctx context.Context, tx hypercare.Tx, serviceID string, feat *correlate.Features, features string, since time.Time) (*hypercare.Incident, error) {
	if features == "" || len(feat.Tokens) == 0 {
		return nil, nil
	}
	return tx.OpenIncidentWithFeatures(ctx, serviceID, features, since)
}

// candidates reads the grouping state: the newest open incidents of the
// service and, for content grouping, their alerts first seen within the
// window (time and intelligent grouping need the incident rows alone).
func candidates(ctx context.Context, tx hypercare.Tx, serviceID string, g correlate.Grouping, now time.Time) ([]correlate.Candidate, error) {
	since := now.Add(-window(g))
	open, err := tx.OpenIncidentsOf(ctx, serviceID, since, maxGroupCandidates)
	if err != nil {
		return nil, err
	}
	out := make([]correlate.Candidate, 0, len(open))
	for i := range open {
		c := correlate.Candidate{Incident: &open[i]}
		if g.Type == correlate.GroupContent {
			if c.Alerts, err = tx.RecentAlertsOfIncident(ctx, open[i].ID, since, alertsPerCandidate); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// window is g's effective window.
func window(g correlate.Grouping) time.Duration {
	if g.Window <= 0 {
		return correlate.DefaultGroupingWindow
	}
	return g.Window
}
