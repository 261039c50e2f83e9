package intake

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/rules"
)

// apply processes one event inside the transaction, as the rules decided:
// on the service d names, dropped (logged only), or suppressed (alert
// recorded without an incident). On its alert's writer as a repeated
// trigger (repeat, see route.go) it writes only if it is a pure repeat and
// otherwise returns errReroute.
func (in view) apply(ctx context.Context, tx hypercare.Tx, it hypercare.Integration, actor hypercare.Actor, ev *hypercare.Event, payload []byte, d *rules.Decision, now time.Time, repeat bool) (Result, error) {
	res := Result{DedupKey: ev.DedupKey, Outcome: hypercare.OutcomeDropped}
	if !d.Drop {
		find, bySentKey := tx.FindOpenAlert, tx.FindOpenAlertBySentKey
		switch {
		case repeat:
			find = tx.FindOpenAlertSkipLocked
		case ev.Action == hypercare.ActionResolve, ev.Action == hypercare.ActionAcknowledge:
			// Both change the alert's incident: it (or a symptom's
			// upstream incident) before the alert, the order a merge, a
			// split or a promotion locks them in.
			find, bySentKey = tx.FindOpenAlertToResolve, tx.FindOpenAlertBySentKeyToResolve
		}
		open, err := find(ctx, d.ServiceID, ev.DedupKey)
		if err != nil {
			return Result{}, fmt.Errorf("find alert %q: %w", ev.DedupKey, err)
		}
		if repeat && !pureRepeat(open, ev) {
			return Result{}, errReroute
		}
		if open == nil && ev.Action == hypercare.ActionTrigger && d.SentDedupKey != ev.DedupKey {
			// A rule rewrote the key; an alert opened before a reload
			// added the rule is stored under the key as sent.
			if open, err = tx.FindOpenAlert(ctx, d.ServiceID, d.SentDedupKey); err != nil {
				return Result{}, fmt.Errorf("find alert %q: %w", d.SentDedupKey, err)
			}
		}
		if open == nil && ev.Action != hypercare.ActionTrigger {
			if open, err = in.routedAlert(ctx, find, it, d, ev.DedupKey); err != nil {
				return Result{}, fmt.Errorf("find alert %q: %w", ev.DedupKey, err)
			}
		}
		if open == nil && ev.Action != hypercare.ActionTrigger {
			if open, err = in.rekeyedAlert(ctx, lookups{find, bySentKey}, it, d, ev.DedupKey); err != nil {
				return Result{}, fmt.Errorf("find alert sent as %q: %w", d.SentDedupKey, err)
			}
		}
		if res, err = in.follow(ctx, tx, it, actor, ev, open, d, now); err != nil {
			return Result{}, err
		}
	}
	rec := &hypercare.EventRecord{
		ID: hypercare.NewID(now), ReceivedAt: now, IntegrationID: it.ID, ServiceID: d.ServiceID,
		Action: ev.Action, DedupKey: ev.DedupKey, AlertID: res.AlertID, IncidentID: res.IncidentID,
		Outcome: res.Outcome, Payload: payload, PayloadEncoded: true, Rules: d.Matched,
	}
	if err := tx.InsertEvent(ctx, rec); err != nil {
		return Result{}, fmt.Errorf("log event %q: %w", ev.DedupKey, err)
	}
	return res, nil
}

// routedAlert finds the open alert an acknowledge or resolve means when it
// is not on the service the rules sent the event to: a trigger that a rule
// routed by its summary or severity, resolved by a PagerDuty event that
// carries only the dedup key, which that rule then does not match. It
// looks on the services the integration's rules route to, in rule order,
// and moves d (and so the event's log row) to the service it found it on.
// find is the event's lookup (FindOpenAlert, or FindOpenAlertToResolve).
func (in view) routedAlert(ctx context.Context, find func(context.Context, string, string) (*hypercare.Alert, error),
	it hypercare.Integration, d *rules.Decision, key string) (*hypercare.Alert, error) {
	for _, svc := range in.cfg.rules.set.Routes(it.ServiceID) {
		if svc == d.ServiceID {
			continue
		}
		a, err := find(ctx, svc, key)
		if err != nil || a != nil {
			if a != nil {
				d.ServiceID = svc
			}
			return a, err
		}
	}
	return nil, nil
}

// rekeyedAlert finds the open alert an acknowledge or resolve means when a
// rule rewrote its trigger's dedup key: the rule reads the payload, which
// an acknowledge or resolve does not carry (PagerDuty Events v2 sends
// routing_key, dedup_key and event_action only), so it arrives under the
// key the trigger was sent with. When a rule rewrote this event's key
// (key, from the payload it carries) the alert may also be stored under
// the key as sent: it opened before a reload added the rule, and a
// resolve with the whole payload gets the new key, which it is not under.
// It looks on d's service, then on the services the rules route to, and
// moves d to the one it found it on. find are the event's lookups (a
// resolve's or an acknowledge's lock the alert's incident first).
func (in view) rekeyedAlert(ctx context.Context, find lookups, it hypercare.Integration, d *rules.Decision, key string) (*hypercare.Alert, error) {
	if d.SentDedupKey == "" {
		return nil, nil
	}
	for i, svc := range append([]string{d.ServiceID}, in.cfg.rules.set.Routes(it.ServiceID)...) {
		if i > 0 && svc == d.ServiceID {
			continue
		}
		a, err := find.bySentKey(ctx, svc, d.SentDedupKey)
		if err == nil && a == nil && d.SentDedupKey != key {
			a, err = find.byKey(ctx, svc, d.SentDedupKey)
		}
		if err != nil || a != nil {
			if a != nil {
				d.ServiceID = svc
			}
			return a, err
		}
	}
	return nil, nil
}

// lookups are an event's reads of its open alert: by dedup key
// (FindOpenAlert, or FindOpenAlertToResolve for a resolve or an
// acknowledge) and by the key
// its trigger was sent with (FindOpenAlertBySentKey, or
// FindOpenAlertBySentKeyToResolve).
type lookups struct {
	byKey, bySentKey func(ctx context.Context, serviceID, key string) (*hypercare.Alert, error)
}

// follow applies the dedup decision for ev given the open alert (or nil).
// A suppressed alert has no incident: its acknowledgements and resolutions
// touch only the alert, and a later trigger that is not suppressed opens
// its incident then, so a real problem is never hidden by an earlier
// suppression.
func (in view) follow(ctx context.Context, tx hypercare.Tx, it hypercare.Integration, actor hypercare.Actor, ev *hypercare.Event, open *hypercare.Alert, d *rules.Decision, now time.Time) (Result, error) {
	res := Result{DedupKey: ev.DedupKey, Outcome: hypercare.OutcomeIgnored}
	decision := correlate.Decide(open, ev.Action)
	if decision != correlate.Open {
		// It may read or write a pending group join's incident.
		if err := in.joins.flush(ctx, tx, now); err != nil {
			return Result{}, err
		}
	}
	var err error
	switch decision {
	case correlate.Open:
		open = newAlert(it, ev, now)
		open.ServiceID = d.ServiceID
		open.Links = append(open.Links, d.Links...)
		open.RuleUrgency, open.RulePriority = d.Urgency, d.Priority
		if d.SentDedupKey != open.DedupKey {
			// A rule rewrote the key: remember the one sent, which the
			// alert's acknowledge and resolve will carry (rekeyedAlert).
			open.SentKey = d.SentDedupKey
		}
		res, err = in.place(ctx, tx, open, groupOf(it, ev), actor, d, now)
	case correlate.Update:
		res, err = in.updateOpen(ctx, tx, open, groupOf(it, ev), actor, ev, d, now)
	case correlate.Acknowledge:
		open.Status, open.AcknowledgedAt, open.LastSeenAt = hypercare.StatusAcknowledged, &now, now
		open.EventCount++
		if err = tx.UpdateAlert(ctx, open); err == nil && open.IncidentID != "" {
			err = incident.AlertAcknowledged(ctx, tx, open, actor, now, in.Policy)
		}
		res.Outcome = hypercare.OutcomeAcknowledged
	case correlate.Ignore:
		if ev.Action == hypercare.ActionAcknowledge && open != nil && open.IncidentID != "" {
			res.Outcome, err = in.reacknowledge(ctx, tx, open, actor, now)
		}
	case correlate.Resolve:
		open.Status, open.ResolvedAt, open.LastSeenAt = hypercare.StatusResolved, &now, now
		open.EventCount++
		err = in.resolveAlert(ctx, tx, open, actor, now)
		res.Outcome = hypercare.OutcomeResolved
	}
	if err != nil {
		return Result{}, err
	}
	if open != nil {
		res.DedupKey, res.AlertID, res.IncidentID = ev.DedupKey, open.ID, open.IncidentID
		if ev.Action == hypercare.ActionTrigger {
			// The alert's own key, which its acknowledge and resolve
			// find it by: the event's, or the key sent with it when the
			// alert opened before a rule rewrote that key (apply).
			res.DedupKey = open.DedupKey
		}
		res.repeatable = repeatable(open)
		if res.IncidentID == "" {
			res.IncidentID = open.SymptomOf
		}
	}
	return res, nil
}

// reacknowledge follows an acknowledge event for an alert already
// acknowledged (correlate.Decide ignores it): its incident triggered again
// since (the policy's ack timeout ran out, or a person reopened it), so
// the tool's new acknowledgement acknowledges it again instead of leaving
// it paging. An incident acknowledged or resolved is left as it is.
func (in view) reacknowledge(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time) (string, error) {
	inc, err := tx.GetIncident(ctx, a.IncidentID)
	if err != nil {
		return "", fmt.Errorf("acknowledge alert %q again: %w", a.DedupKey, err)
	}
	if inc.Status != hypercare.StatusTriggered {
		return hypercare.OutcomeIgnored, nil
	}
	a.AcknowledgedAt, a.LastSeenAt = &now, now
	a.EventCount++
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return "", fmt.Errorf("acknowledge alert %q again: %w", a.DedupKey, err)
	}
	if err := incident.AlertAcknowledged(ctx, tx, a, actor, now, in.Policy); err != nil {
		return "", err
	}
	return hypercare.OutcomeAcknowledged, nil
}

// groupOf is the notification group whose open incident a new alert of
// ev joins: its Alertmanager or Grafana group key when the integration
// makes one incident per group, else "".
func groupOf(it hypercare.Integration, ev *hypercare.Event) notificationGroup {
	if !it.GroupIncidents {
		return notificationGroup{}
	}
	return notificationGroup{key: ev.GroupKey, title: ev.GroupTitle}
}

// notificationGroup is the group a new alert joins the incident of (key,
// "" for none) and the title of the incident it opens if there is none.
type notificationGroup struct{ key, title string }

// openAlert stores a new alert (or, o.Existing, one that was suppressed)
// and opens its incident, unless the rules suppress it. The rules' urgency
// and priority override o's.
func openAlert(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, d *rules.Decision, now time.Time, o incident.Opening) (string, *hypercare.Incident, error) {
	if d.Suppress {
		a.IncidentID = ""
		store := tx.InsertAlert
		if o.Existing {
			store = tx.UpdateAlert
		}
		if err := store(ctx, a); err != nil {
			return "", nil, fmt.Errorf("record suppressed alert %q: %w", a.DedupKey, err)
		}
		return hypercare.OutcomeSuppressed, nil, nil
	}
	o.Urgency, o.Priority = d.Urgency, d.Priority
	inc, err := incident.OpenForAlertWith(ctx, tx, a, actor, now, o)
	if err != nil {
		return "", nil, err
	}
	return hypercare.OutcomeCreated, inc, nil
}

// updateOpen folds a repeated trigger into its open alert. One suppressed
// so far that the rules no longer suppress is placed as a new alert would
// be (place: a symptom, grouped, paused), not opened into an incident of
// its own that pages at once.
func (in view) updateOpen(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, group notificationGroup, actor hypercare.Actor, ev *hypercare.Event, d *rules.Decision, now time.Time) (Result, error) {
	res := Result{DedupKey: a.DedupKey, Outcome: hypercare.OutcomeUpdated}
	before := a.Severity
	updateAlert(a, ev, now)
	a.Links = append(a.Links, d.Links...)
	if a.SymptomOf != "" {
		// A symptom stays one until its upstream incident resolves.
		return res, tx.UpdateAlert(ctx, a)
	}
	if a.IncidentID == "" {
		// Suppressed so far, placed by this trigger's rules from now on.
		a.RuleUrgency, a.RulePriority = d.Urgency, d.Priority
		// It stays suppressed while the rules say so, or while it is
		// acknowledged (nobody needs paging for it).
		if d.Suppress || a.Status != hypercare.StatusTriggered {
			d := *d
			d.Suppress = true
			var err error
			res.Outcome, res.opened, err = openAlert(ctx, tx, a, actor, &d, now, incident.Opening{Existing: true})
			return res, err
		}
		return in.place(ctx, storedAlert{incident.StoredAlert{Tx: tx, ID: a.ID}}, a, group, actor, d, now)
	}
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return res, err
	}
	if a.Severity.Rank() > before.Rank() {
		return res, incident.AlertSeverityRaised(ctx, tx, a, now)
	}
	return res, nil
}

// storedAlert is the transaction for placing an alert already stored
// (suppressed until now) as a new one: incident.StoredAlert, whose insert
// of it is an update, and the key's recent alerts leave it out (it is not
// its own previous alert).
type storedAlert struct{ incident.StoredAlert }

// RecentAlertsByKey reads one more and leaves the stored alert out.
func (t storedAlert) RecentAlertsByKey(ctx context.Context, serviceID, dedupKey string, since time.Time, limit int) ([]hypercare.Alert, error) {
	list, err := t.Tx.RecentAlertsByKey(ctx, serviceID, dedupKey, since, limit+1)
	list = slices.DeleteFunc(list, func(a hypercare.Alert) bool { return a.ID == t.ID })
	return list[:min(len(list), limit)], err
}
