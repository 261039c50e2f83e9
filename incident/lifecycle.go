// Package incident is the incident lifecycle: opening an incident for a new
// alert, following its alerts' acknowledgements and resolutions, and the
// responder actions (acknowledge, resolve, notes). Every change writes a
// timeline entry with its actor and time. The functions run inside a store
// transaction so a change and its timeline entry commit together;
// transitions are idempotent (repeating one changes nothing and writes no
// entry).
package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// OpenForAlert creates a new incident for the new alert a, inserts both,
// and writes the "triggered" timeline entry plus, when the service had
// change events in the RecentChangeWindow before now, a "recent_changes"
// entry listing them. a.IncidentID is set. The urgency follows the
// alert's severity; OpenForAlertWith takes what event rules decided.
func OpenForAlert(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time) (*hypercare.Incident, error) {
	return OpenForAlertWith(ctx, tx, a, actor, now, Opening{})
}

// Opening is what event rules decided about an incident being opened.
type Opening struct {
	// Urgency overrides the severity-based default when set.
	Urgency hypercare.Urgency
	// Priority is P1..P5, or "".
	Priority string
	// Existing says the alert is already stored (it was suppressed, and a
	// later trigger was not): it is updated, not inserted.
	Existing bool
	// Features is the alert's encoded correlate.Features when its service
	// groups intelligently ("" otherwise).
	Features string
	// GroupKey is the Alertmanager or Grafana group the incident is
	// opened for, whose later alerts join it (JoinGroup); "" for none.
	GroupKey string
	// Title is the incident's title when not the alert's summary: its
	// notification group's (hypercare.Event.GroupTitle); "" for the
	// summary.
	Title string
}

// OpenForAlertWith is OpenForAlert with the urgency and priority event
// rules chose, also for an alert already stored without an incident.
func OpenForAlertWith(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time, o Opening) (*hypercare.Incident, error) {
	inc := &hypercare.Incident{
		ID:             hypercare.NewID(now),
		Title:          a.Summary,
		Status:         hypercare.StatusTriggered,
		Urgency:        hypercare.UrgencyFor(a.Severity),
		Severity:       a.Severity,
		Priority:       o.Priority,
		ServiceID:      a.ServiceID,
		AlertCount:     1,
		OpenAlertCount: 1,
		CreatedAt:      now,
		UpdatedAt:      now,
		Features:       o.Features,
		LastFeatures:   o.Features,
		LastAlertAt:    now,
		GroupKey:       o.GroupKey,
	}
	if o.Urgency != "" {
		inc.Urgency = o.Urgency
	}
	if o.Title != "" {
		inc.Title = o.Title
	}
	if err := tx.InsertIncident(ctx, inc); err != nil {
		return nil, fmt.Errorf("open incident: %w", err)
	}
	a.IncidentID = inc.ID
	store := tx.InsertAlert
	if o.Existing {
		store = tx.UpdateAlert
	}
	if err := store(ctx, a); err != nil {
		return nil, fmt.Errorf("open incident %d: %w", inc.Number, err)
	}
	msg := fmt.Sprintf("Triggered via %s: %s", actor.Name, a.Summary)
	if err := appendEntry(ctx, tx, inc.ID, hypercare.TimelineTriggered, actor, msg, map[string]string{"alert_id": a.ID, "dedup_key": a.DedupKey}, now); err != nil {
		return nil, err
	}
	if err := attachRecentChanges(ctx, tx, inc, now); err != nil {
		return nil, err
	}
	return inc, nil
}

// attachRecentChanges records the service's change events from the last
// RecentChangeWindow on the new incident's timeline.
func attachRecentChanges(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
	changes, err := tx.RecentChanges(ctx, inc.ServiceID, now.Add(-hypercare.RecentChangeWindow), now)
	if err != nil {
		return fmt.Errorf("recent changes for incident %d: %w", inc.Number, err)
	}
	if len(changes) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d change(s) on this service in the %s before this incident; latest: %s",
		len(changes), hypercare.HumanDuration(hypercare.RecentChangeWindow), changes[0].Summary)
	msg += freezeNote(changes)
	return appendEntry(ctx, tx, inc.ID, hypercare.TimelineRecentChanges, hypercare.SystemActor, msg,
		map[string]any{"change_events": changes}, now)
}

// freezeNote is "; 1 of them during the change freeze of hypercare window
// bfcm-2026 (latest: Deploy v2)" when changes shipped through a freeze, else "".
func freezeNote(changes []hypercare.ChangeEvent) string {
	var during []hypercare.ChangeEvent
	for _, c := range changes {
		if c.FreezeViolation {
			during = append(during, c)
		}
	}
	if len(during) == 0 {
		return ""
	}
	return fmt.Sprintf("; %d of them during the change freeze of hypercare window %s (latest: %s)",
		len(during), during[0].FreezeWindow, during[0].Summary)
}

// AlertAcknowledged follows an alert's acknowledgement: a triggered
// incident becomes acknowledged (its ack timeout as policies, the config
// in force, defines it).
func AlertAcknowledged(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time, policies Policies) error {
	inc, err := tx.GetIncident(ctx, a.IncidentID)
	if err != nil {
		return fmt.Errorf("acknowledge alert %s: %w", a.ID, err)
	}
	if inc.Status != hypercare.StatusTriggered {
		return nil
	}
	return acknowledge(ctx, tx, inc, actor, now, "Acknowledged via "+actor.Name, policies)
}

// AlertResolved follows an alert's resolution: the incident resolves when
// its last open alert resolves and none of its symptoms is still firing.
// While some are, it stays open, recovering, for grace (the upstream
// service's symptom_grace_minutes): dependents clear minutes after their
// upstream does (error rates are averaged, checks run every few minutes),
// and an incident per late symptom would page a storm exactly when the
// storm ends. It then resolves with its last symptom (SymptomResolved);
// or, by hand or when grace ends (PromoteAfterGrace), the symptoms still
// firing become incidents of their own, paging through policies: those
// are failures of their own, not late echoes. A grace of 0 promotes them
// at once. It returns the incident as it left it.
func AlertResolved(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time,
	policies Policies, groupings Groupings, grace time.Duration) (*hypercare.Incident, error) {
	inc, err := tx.GetIncident(ctx, a.IncidentID)
	if err != nil {
		return nil, fmt.Errorf("resolve alert %s: %w", a.ID, err)
	}
	return inc, alertResolved(ctx, tx, inc, a, actor, now, policies, groupings, grace)
}

func alertResolved(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, a *hypercare.Alert, actor hypercare.Actor,
	now time.Time, policies Policies, groupings Groupings, grace time.Duration) error {
	if inc.Status == hypercare.StatusResolved {
		return nil
	}
	timer := recovering(inc) // counts out of step: a grace timer may run
	if inc.OpenAlertCount > 0 {
		inc.OpenAlertCount--
	}
	if inc.OpenAlertCount > 0 {
		inc.UpdatedAt = now
		if err := tx.UpdateIncident(ctx, inc); err != nil {
			return fmt.Errorf("resolve alert %s: %w", a.ID, err)
		}
		return appendEntry(ctx, tx, inc.ID, hypercare.TimelineAlertResolved, actor,
			"Alert resolved: "+a.Summary, map[string]string{"alert_id": a.ID}, now)
	}
	symptoms, err := tx.SymptomsOf(ctx, inc.ID)
	if err != nil {
		return fmt.Errorf("resolve alert %s: %w", a.ID, err)
	}
	if len(symptoms) > 0 && grace > 0 {
		return startRecovering(ctx, tx, inc, a, len(symptoms), actor, now, grace)
	}
	if timer {
		return markResolved(ctx, tx, inc, actor, now, "Resolved via "+actor.Name, policies, groupings)
	}
	// An alert was open until now, so no grace timer runs: nothing to clear.
	return resolve(ctx, tx, inc, actor, now, "Resolved via "+actor.Name, policies, groupings, "")
}

// startRecovering keeps an incident whose last own alert a resolved open
// while n symptoms still fire, and arms its grace timer.
func startRecovering(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, a *hypercare.Alert, n int,
	actor hypercare.Actor, now time.Time, grace time.Duration) error {
	inc.OpenAlertCount, inc.UpdatedAt = 0, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("resolve alert %s: %w", a.ID, err)
	}
	g := &hypercare.SymptomGrace{IncidentID: inc.ID, RecoveringSince: now, DueAt: now.Add(grace)}
	if err := tx.SetSymptomGrace(ctx, g); err != nil {
		return fmt.Errorf("resolve alert %s: %w", a.ID, err)
	}
	msg := fmt.Sprintf("Alert resolved: %s (recovering: resolves when its %d symptom(s) still firing clear; "+
		"any still firing in %s become incidents of their own)", a.Summary, n, hypercare.HumanDuration(grace))
	return appendEntry(ctx, tx, inc.ID, hypercare.TimelineAlertResolved, actor, msg,
		map[string]any{"alert_id": a.ID, "grace_until": g.DueAt}, now)
}

// PromoteAfterGrace follows a due grace timer g (read with its incident
// locked): an incident still recovering resolves, and the symptoms still
// firing become incidents of their own that page through policies, with
// both timelines saying why. An incident no longer recovering (its alert
// re-fired, it resolved) is left as it is. The timer is removed either
// way, in the same transaction, so it fires once.
func PromoteAfterGrace(ctx context.Context, tx hypercare.Tx, g hypercare.SymptomGrace, policies Policies, groupings Groupings,
	now time.Time) error {
	if err := tx.ClearSymptomGrace(ctx, g.IncidentID); err != nil {
		return err
	}
	inc, err := tx.GetIncident(ctx, g.IncidentID)
	if hypercare.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("grace of incident %s: %w", g.IncidentID, err)
	}
	if !recovering(inc) {
		return nil
	}
	ago := hypercare.HumanDuration(now.Sub(g.RecoveringSince))
	msg := fmt.Sprintf("Resolved: %s recovered %s ago; symptoms still firing become incidents of their own", inc.ServiceID, ago)
	why := fmt.Sprintf("%s recovered %s ago but this alert is still firing: now its own incident (was a symptom of incident %d)",
		inc.ServiceID, ago, inc.Number)
	return resolve(ctx, tx, inc, hypercare.SystemActor, now, msg, policies, groupings, why)
}

// recovering reports whether an open incident's own alerts have all
// resolved (correlate.Recovering; repeated here, as correlate is above
// this package).
func recovering(inc *hypercare.Incident) bool {
	return inc.Status != hypercare.StatusResolved && inc.AlertCount > 0 && inc.OpenAlertCount == 0
}

// SymptomResolved follows the resolution of a symptom (stored before the
// call): a recovering upstream incident resolves with its last symptom.
// It returns that incident as it left it.
func SymptomResolved(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, actor hypercare.Actor, now time.Time,
	policies Policies, groupings Groupings) (*hypercare.Incident, error) {
	inc, err := tx.GetIncident(ctx, a.SymptomOf)
	if err != nil {
		return nil, fmt.Errorf("resolve symptom %s: %w", a.ID, err)
	}
	if inc.Status == hypercare.StatusResolved || inc.OpenAlertCount > 0 {
		return inc, nil
	}
	symptoms, err := tx.SymptomsOf(ctx, inc.ID)
	if err != nil || len(symptoms) > 0 {
		return inc, err
	}
	return inc, markResolved(ctx, tx, inc, actor, now, fmt.Sprintf("Resolved via %s: its alerts and their symptoms cleared", actor.Name), policies, groupings)
}

// AlertSeverityRaised raises the incident's severity when an updated alert
// is now more severe than the incident. Urgency is kept: paging policy is
// decided when the incident opens.
func AlertSeverityRaised(ctx context.Context, tx hypercare.Tx, a *hypercare.Alert, now time.Time) error {
	inc, err := tx.GetIncident(ctx, a.IncidentID)
	if err != nil {
		return fmt.Errorf("raise severity of alert %s: %w", a.ID, err)
	}
	if a.Severity.Rank() <= inc.Severity.Rank() {
		return nil
	}
	inc.Severity = a.Severity
	inc.UpdatedAt = now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("raise severity of incident %d: %w", inc.Number, err)
	}
	return nil
}

func acknowledge(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, actor hypercare.Actor, now time.Time, msg string, policies Policies) error {
	inc.Status = hypercare.StatusAcknowledged
	inc.AcknowledgedAt = &now
	inc.UpdatedAt = now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("acknowledge incident %d: %w", inc.Number, err)
	}
	if err := haltEscalation(ctx, tx, inc, true, policies, now); err != nil {
		return err
	}
	return appendEntry(ctx, tx, inc.ID, hypercare.TimelineAcknowledged, actor, msg, nil, now)
}

func markResolved(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, actor hypercare.Actor, now time.Time, msg string,
	policies Policies, groupings Groupings) error {
	if recovering(inc) {
		if err := tx.ClearSymptomGrace(ctx, inc.ID); err != nil {
			return err
		}
	}
	return resolve(ctx, tx, inc, actor, now, msg, policies, groupings, "")
}

// resolve resolves inc and promotes its symptoms still firing; why, if
// set, is the promoted incidents' timeline message.
func resolve(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, actor hypercare.Actor, now time.Time,
	msg string, policies Policies, groupings Groupings, why string) error {
	inc.Status = hypercare.StatusResolved
	inc.ResolvedAt = &now
	inc.OpenAlertCount = 0
	inc.UpdatedAt = now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("resolve incident %d: %w", inc.Number, err)
	}
	if err := haltEscalation(ctx, tx, inc, false, policies, now); err != nil {
		return err
	}
	if err := appendEntry(ctx, tx, inc.ID, hypercare.TimelineResolved, actor, msg, nil, now); err != nil {
		return err
	}
	return promoteSymptoms(ctx, tx, inc, policies, groupings, now, why)
}

func appendEntry(ctx context.Context, tx hypercare.Tx, incidentID, typ string, actor hypercare.Actor, msg string, details any, now time.Time) error {
	e := &hypercare.TimelineEntry{
		ID: hypercare.NewID(now), IncidentID: incidentID, At: now, Type: typ, Actor: actor, Message: msg,
	}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return fmt.Errorf("encode %s timeline details: %w", typ, err)
		}
		e.Details = b
	}
	if err := tx.AppendTimeline(ctx, e); err != nil {
		return fmt.Errorf("append %s to timeline of %s: %w", typ, incidentID, err)
	}
	return nil
}
