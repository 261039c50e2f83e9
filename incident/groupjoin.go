package incident

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hypercare/hypercare"
)

// GroupJoins joins the new alerts of Alertmanager and Grafana
// notification groups to the open incident of their group, within one
// write transaction: Alertmanager already grouped them as one problem,
// so they page once, as one incident (an integration's incident_per:
// group). It comes before the service's alert_grouping, which places a
// group's first alert.
//
// The joins of a run of one group's alerts are batched: each alert is
// inserted at once, but the incident is written, and its timeline told,
// once per run instead of once per alert, so a notification of 100 new
// alerts costs one incident update and one timeline entry, not 100.
// Until Flush the incident's row is stale: whoever reads or writes
// anything else in the transaction flushes first. The zero value is
// ready; use one per transaction attempt.
type GroupJoins struct {
	// GroupLock says the service does not group alerts itself, so a
	// group's incident is decided under the group's own lock
	// (Tx.LockNotificationGroup) alone, not after the service's grouping
	// lock: new groups of one service, on several writers or nodes, then
	// open side by side instead of one after another. Set by the caller
	// before each Join; Flush keeps it.
	GroupLock bool
	inc       *hypercare.Incident // being joined; nil when nothing is pending
	group     string
	actor     hypercare.Actor
	alerts    []*hypercare.Alert // joined since the incident was last written
	raised    bool               // the urgency rose to high
}

// maxListed bounds the alerts a batched timeline entry names.
const maxListed = 5

// Join joins the new alert a to the open incident of group on its
// service, if there is one ("" joins nothing), and reports whether it
// did. A recovering incident (its own alerts resolved, symptoms open) is
// joined at once, as Join does, since its grace timer stops.
func (g *GroupJoins) Join(ctx context.Context, tx hypercare.Tx, group string, a *hypercare.Alert, urgency hypercare.Urgency,
	actor hypercare.Actor, now time.Time) (bool, error) {
	if group == "" {
		return false, nil
	}
	if g.inc != nil && !g.Continues(group, a, actor) {
		if err := g.Flush(ctx, tx, now); err != nil {
			return false, err
		}
	}
	if g.inc == nil {
		// As GroupAlert: another node's first alert of the group waits
		// for this commit and then finds the incident it opens. The
		// group's lock always, after the service's where the service
		// groups alerts: so a node (or a request) that thinks it does
		// not, in a reload's moment, still waits for one that thinks
		// it does (service, then group: one order everywhere).
		if !g.GroupLock {
			if err := tx.LockGrouping(ctx, a.ServiceID); err != nil {
				return false, err
			}
		}
		if err := tx.LockNotificationGroup(ctx, a.ServiceID, group); err != nil {
			return false, err
		}
		inc, err := tx.OpenIncidentOfGroup(ctx, a.ServiceID, group)
		if err != nil || inc == nil {
			return false, err
		}
		if recovering(inc) {
			msg := "Alert added (same notification group): " + a.Summary
			return true, Join(ctx, tx, inc, a, urgency, actor, hypercare.TimelineAlertAdded, msg, now)
		}
		g.inc, g.group, g.actor = inc, group, actor
	}
	a.IncidentID, a.SymptomOf = g.inc.ID, ""
	if err := tx.InsertAlert(ctx, a); err != nil {
		return false, fmt.Errorf("add alert %q to incident %d: %w", a.DedupKey, g.inc.Number, err)
	}
	if admit(g.inc, a, urgency, now) {
		g.raised = true
	}
	g.alerts = append(g.alerts, a)
	return true, nil
}

// Continues says a new alert a of group, from actor, would extend the
// pending run rather than start another (which Join flushes first).
func (g *GroupJoins) Continues(group string, a *hypercare.Alert, actor hypercare.Actor) bool {
	return g.inc != nil && g.group == group && g.inc.ServiceID == a.ServiceID && g.actor == actor
}

// Pending returns the ID of the incident whose row waits for Flush, or "".
func (g *GroupJoins) Pending() string {
	if g.inc == nil {
		return ""
	}
	return g.inc.ID
}

// Flush writes the incident the pending joins changed, carries a raised
// urgency to its escalation and adds one timeline entry for them.
func (g *GroupJoins) Flush(ctx context.Context, tx hypercare.Tx, now time.Time) error {
	inc, alerts, raised, actor := g.inc, g.alerts, g.raised, g.actor
	if inc == nil {
		return nil
	}
	*g = GroupJoins{GroupLock: g.GroupLock} // the caller's setting, not the run's
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("add %d alerts of a group to incident %d: %w", len(alerts), inc.Number, err)
	}
	if raised {
		if err := raiseEscalationUrgency(ctx, tx, inc, now); err != nil {
			return err
		}
	}
	msg, details := joinedEntry(alerts)
	return appendEntry(ctx, tx, inc.ID, hypercare.TimelineAlertAdded, actor, msg, details, now)
}

// joinedEntry is the timeline message and details for alerts joined in one
// run: one alert reads as a single join does; more are counted, with the
// first few summaries.
func joinedEntry(alerts []*hypercare.Alert) (string, map[string]string) {
	first := alerts[0]
	if len(alerts) == 1 {
		return "Alert added (same notification group): " + first.Summary,
			map[string]string{"alert_id": first.ID, "dedup_key": first.DedupKey}
	}
	msg := strconv.Itoa(len(alerts)) + " alerts added (same notification group): "
	for i, a := range alerts[:min(len(alerts), maxListed)] {
		if i > 0 {
			msg += "; "
		}
		msg += a.Summary
	}
	if len(alerts) > maxListed {
		msg += fmt.Sprintf("; and %d more", len(alerts)-maxListed)
	}
	last := alerts[len(alerts)-1]
	return msg, map[string]string{"alert_count": strconv.Itoa(len(alerts)),
		"first_alert_id": first.ID, "last_alert_id": last.ID}
}
