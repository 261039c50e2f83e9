package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/rules"
)

// maxCandidateIncidents bounds the open incidents of each upstream service
// read per new alert (grouping's bounds are incident.GroupAlert's). It
// keeps a storm's per-event cost flat; the decision is still a function
// of the store's content, so a replay reproduces it.
const maxCandidateIncidents = 20

// place decides where a new alert goes, in this order: a symptom of an
// open upstream incident (depends_on); back into its own incident while
// that is recovering (its symptoms stay attached) or once its key is
// flapping; into the open incident of its notification group (group.key,
// an Alertmanager or Grafana group key; "" for none); into an open
// incident of its service (alert_grouping); else a new incident, opened
// for the group and titled by it, whose first page waits for the longer
// of the rule delay and pause_notifications_minutes.
func (in view) place(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, group notificationGroup, actor hypercare.Actor, d *rules.Decision, now time.Time) (Result, error) {
	res := Result{DedupKey: a.DedupKey}
	if d.Suppress {
		var err error
		res.Outcome, res.opened, err = openAlert(ctx, tx, a, actor, d, now, incident.Opening{})
		return res, err
	}
	n := in.noiseOf(a.ServiceID)
	urgency := d.Urgency
	if urgency == "" {
		urgency = hypercare.UrgencyFor(a.Severity)
	}
	// Every step but the group join may read incidents: a pending join
	// is written first when the step can apply.
	if len(n.Upstream) > 0 {
		if err := in.joins.flush(ctx, tx, now); err != nil {
			return res, err
		}
	}
	if up, err := upstreamIncident(ctx, tx, n.Upstream); err != nil || up != nil {
		if err == nil {
			err = incident.AttachSymptom(ctx, tx, up, a, actor, now)
		}
		if err == nil { // the upstream incident pages for its symptom
			err = incident.SymptomUrgency(ctx, tx, up, a, urgency, now)
		}
		if err == nil {
			err = hastenFirstPage(ctx, tx, up.ID, max(d.Delay, n.Pause), now)
		}
		res.Outcome = hypercare.OutcomeSymptom
		return res, err
	}
	recent, err := recentOfKey(ctx, tx, n, a)
	if err == nil && len(recent) > 0 {
		err = in.joins.flush(ctx, tx, now)
	}
	if err != nil {
		return res, err
	}
	if done, err := rejoinRecovering(ctx, tx, a, recent, urgency, actor, now, &res); done || err != nil {
		return res, err
	}
	if done, err := in.reopenFlapping(ctx, tx, n, a, recent, urgency, actor, d, now, &res); done || err != nil {
		return res, err
	}
	var o incident.Opening
	in.joins.GroupLock = !n.Grouping.Type.On()
	if joined, err := in.joins.join(ctx, tx, group.key, a, urgency, actor, max(d.Delay, n.Pause), now); joined || err != nil {
		res.Outcome = hypercare.OutcomeGrouped
		return res, err
	}
	if n.Grouping.Type.On() {
		if err := in.joins.flush(ctx, tx, now); err != nil {
			return res, err
		}
	}
	features, joined, err := incident.GroupAlert(ctx, tx, n.Grouping, a, urgency, actor, now)
	o.Features = features
	if joined || err != nil {
		res.Outcome = hypercare.OutcomeGrouped
		if err == nil {
			err = hastenFirstPage(ctx, tx, a.IncidentID, max(d.Delay, n.Pause), now)
		}
		return res, err
	}
	if group.key != "" {
		o.GroupKey, o.Title = group.key, group.title
	}
	res.Outcome, res.opened, err = openAlert(ctx, tx, a, actor, d, now, o)
	res.delay = max(d.Delay, n.Pause)
	return res, err
}

// upstreamIncident returns the open incident of an upstream service a new
// alert attaches to as a symptom, or nil: correlate.Upstream chooses among
// the newest maxCandidateIncidents open incidents of each upstream
// service, read unlocked, and the chosen one is read again, locked
// (PostgreSQL). A resolve of it in another transaction either commits
// first, and it is no longer a cause here (the alert opens its own
// incident), or waits for this one and then finds the new symptom.
func upstreamIncident(ctx context.Context, tx hypercare.Tx, upstream []string) (*hypercare.Incident, error) {
	var open []correlate.UpstreamCandidate
	for rank, s := range upstream {
		list, err := tx.OpenIncidents(ctx, s, maxCandidateIncidents)
		if err != nil {
			return nil, fmt.Errorf("open incidents of upstream %q: %w", s, err)
		}
		for _, inc := range list {
			open = append(open, correlate.UpstreamCandidate{Incident: inc, Rank: rank})
		}
	}
	up := correlate.Upstream(open)
	if up == nil {
		return nil, nil
	}
	inc, err := tx.GetIncident(ctx, up.ID)
	if err != nil {
		return nil, fmt.Errorf("upstream incident %d: %w", up.Number, err)
	}
	if correlate.Upstream([]correlate.UpstreamCandidate{{Incident: *inc}}) == nil {
		return nil, nil // resolved or recovering since it was read
	}
	return inc, nil
}

// recentOfKey reads, once for rejoinRecovering and reopenFlapping, the
// key's newest alerts, newest first: the previous one, and as many as
// flapping detection looks at (its window is applied by reopenFlapping).
// One read instead of two per new alert, which was a sixth of its cost.
func recentOfKey(ctx context.Context, tx hypercare.Tx, n correlate.Noise, a *hypercare.Alert) ([]hypercare.Alert, error) {
	limit := 1
	if n.Flapping.Count > 0 && n.Flapping.Window > 0 {
		limit = max(limit, n.Flapping.Count+1)
	}
	return tx.RecentAlertsByKey(ctx, a.ServiceID, a.DedupKey, time.Time{}, limit)
}

// reopenFlapping puts a re-trigger within the flapping window back into
// the incident of the key's previous alert. That incident pages at most
// once: its escalation restarts only if it never paged, at once when the
// key is now flapping, else after the pause. done says a was placed.
func (in view) reopenFlapping(ctx context.Context, tx hypercare.Tx, n correlate.Noise, a *hypercare.Alert, recent []hypercare.Alert,
	urgency hypercare.Urgency, actor hypercare.Actor, d *rules.Decision, now time.Time, res *Result) (bool, error) {
	if n.Flapping.Count <= 0 || n.Flapping.Window <= 0 {
		return false, nil
	}
	// The key's alerts first seen within the window: a prefix of recent,
	// which is newest first (the store compares whole microseconds).
	since := now.Add(-n.Flapping.Window).Truncate(time.Microsecond)
	inWindow := 0
	for inWindow < len(recent) && !recent[inWindow].FirstSeenAt.Before(since) {
		inWindow++
	}
	f := correlate.DecideFlap(n.Flapping, recent[:inWindow], now)
	if f.IncidentID == "" {
		return false, nil
	}
	inc, err := tx.GetIncident(ctx, f.IncidentID)
	if err != nil {
		return false, fmt.Errorf("re-open incident %s: %w", f.IncidentID, err)
	}
	if inc.ServiceID != a.ServiceID {
		return false, nil // merged into another service's incident: open afresh
	}
	paged, err := incident.Paged(ctx, tx, inc.ID)
	if err != nil {
		return false, err
	}
	wasResolved := inc.Status == hypercare.StatusResolved
	inc.Flapping = inc.Flapping || f.Flapping
	msg := fmt.Sprintf("Re-triggered (%d time(s) in the last %s): %s", f.Cycles+1, hypercare.HumanDuration(n.Flapping.Window), a.Summary)
	if f.Flapping {
		msg = "Flapping: " + msg
	}
	if err := incident.Join(ctx, tx, inc, a, urgency, actor, hypercare.TimelineReopened, msg, now); err != nil {
		return false, err
	}
	res.Outcome = hypercare.OutcomeGrouped
	if wasResolved && !paged {
		res.opened = inc
		if !inc.Flapping {
			res.delay = max(d.Delay, n.Pause)
		}
	}
	return true, nil
}

// resolveAlert stores a resolved alert and follows it on its incident
// (for a symptom, the upstream incident it belongs to). An incident that
// resolves with it before any page and before its first page was due
// (the service's pause or an event rule's delay) is marked transient (a
// blip), also one that waited for its symptoms to clear.
func (in view) resolveAlert(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time) error {
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return err
	}
	var inc *hypercare.Incident
	var err error
	switch {
	case a.SymptomOf != "":
		inc, err = incident.SymptomResolved(ctx, tx, a, actor, now, in.Policy, in.Grouping)
	case a.IncidentID != "":
		inc, err = incident.AlertResolved(ctx, tx, a, actor, now, in.Policy, in.Grouping, in.noiseOf(a.ServiceID).SymptomGrace)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	return in.markTransient(ctx, tx, inc, now)
}

// markTransient marks inc (as the alert's resolve left it) transient if
// it is resolved (by the alert resolving just now: it was open while that
// alert was) before any page and before its first page was due: within its service's pause of
// opening, or before the end of the delay (an event rule's delay_minutes
// or the pause) its escalation waited for. A blip an event rule delayed
// is as much noise as one the pause caught: the noise report's transient
// figure and the incident's badge count both.
func (in view) markTransient(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
	if inc.Status != hypercare.StatusResolved || inc.Transient {
		return nil
	}
	due, paged, err := incident.FirstPageDue(ctx, tx, inc.ID)
	if err != nil || paged {
		return err
	}
	n := in.noiseOf(inc.ServiceID)
	if !due.After(now) && !correlate.Transient(n.Pause, inc.CreatedAt, false, now) {
		return nil
	}
	inc.Transient = true
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("mark incident %d transient: %w", inc.Number, err)
	}
	return nil
}

// rejoinRecovering puts a re-trigger of a key back into the incident of
// the key's previous alert while that incident is recovering (its own
// alerts resolved, its symptoms not yet cleared, within its grace): the
// upstream broke again, the symptoms downstream still belong to it, and
// it stops recovering (incident.Join stops the grace timer). It pages
// nobody: the incident paged when it opened. done says a was placed.
func rejoinRecovering(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, prev []hypercare.Alert, urgency hypercare.Urgency,
	actor hypercare.Actor, now time.Time, res *Result) (bool, error) {
	if len(prev) == 0 || prev[0].IncidentID == "" {
		return false, nil
	}
	inc, err := tx.GetIncident(ctx, prev[0].IncidentID)
	if err != nil {
		return false, fmt.Errorf("re-open incident %s: %w", prev[0].IncidentID, err)
	}
	if inc.ServiceID != a.ServiceID || !correlate.Recovering(inc) {
		return false, nil
	}
	msg := "Re-triggered while recovering (its symptoms stay attached): " + a.Summary
	if err := incident.Join(ctx, tx, inc, a, urgency, actor, hypercare.TimelineReopened, msg, now); err != nil {
		return false, err
	}
	res.Outcome = hypercare.OutcomeGrouped
	return true, nil
}

// hastenFirstPage brings forward the first page of incident id, which an
// alert just joined, to what that alert asks for: delay (its event rule's
// delay_minutes or the service's pause) from now, or the end of a hold
// still on the incident. An incident whose first page an event rule held
// for the alert that opened it (a batch job's warning, delayed 30
// minutes) must not keep an outage that joins it silent for as long.
func hastenFirstPage(ctx context.Context, tx hypercare.Tx, id string, delay time.Duration, now time.Time) error {
	st, err := tx.GetEscalation(ctx, id)
	if hypercare.IsNotFound(err) {
		return nil // the service has no escalation policy
	}
	if err != nil {
		return fmt.Errorf("escalation of incident %s: %w", id, err)
	}
	ready := now.Add(delay)
	if st.Status != hypercare.EscalationActive || st.Step != 0 || !st.DueAt.After(ready) {
		return nil
	}
	inc, err := tx.GetIncident(ctx, id)
	if err != nil {
		return fmt.Errorf("incident %s: %w", id, err)
	}
	at := ready
	if inc.SuppressedUntil != nil && inc.SuppressedUntil.After(at) {
		at = *inc.SuppressedUntil // held by a window or silence: the join follows the incident
	}
	if !st.DueAt.After(at) {
		return nil
	}
	st.DueAt, st.UpdatedAt = at, now
	if st.ReadyAt.After(ready) {
		st.ReadyAt = ready
	}
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("first page of incident %d: %w", inc.Number, err)
	}
	return nil
}
