package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// Policies finds a service's escalation policy, so incidents opened outside
// intake (a symptom promoted when its upstream incident resolves, an
// incident split off) page like any other. A nil Policies pages nobody.
type Policies func(serviceID string) (hypercare.EscalationPolicy, bool)

// Groupings finds a service's alert_grouping in the config in force, so
// symptoms promoted together when their upstream incident resolves group
// as that service groups its alerts (thirty checkout symptoms of one
// failure are one incident and one page, not thirty). A nil Groupings
// groups nothing.
type Groupings func(serviceID string) correlate.Grouping

// Join inserts the new alert a into the open (or, re-opening, resolved)
// incident inc: the incident's alert counts, severity and urgency follow
// the alert, a resolved incident is triggered again (the maintenance or
// silence hold of its last run cleared), a recovering one's grace timer is
// stopped, and the timeline says why (typ is alert_added
// or reopened). It pages nobody.
func Join(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, a *hypercare.Alert, urgency hypercare.Urgency,
	actor hypercare.Actor, typ, msg string, now time.Time) error {
	a.IncidentID, a.SymptomOf = inc.ID, ""
	if err := tx.InsertAlert(ctx, a); err != nil {
		return fmt.Errorf("add alert %q to incident %d: %w", a.DedupKey, inc.Number, err)
	}
	if recovering(inc) { // its own alert fires again: no longer recovering
		if err := tx.ClearSymptomGrace(ctx, inc.ID); err != nil {
			return err
		}
	}
	raised := admit(inc, a, urgency, now)
	if inc.Status == hypercare.StatusResolved {
		inc.Status, inc.ResolvedAt, inc.AcknowledgedAt, inc.Transient = hypercare.StatusTriggered, nil, nil, false
		// A new run: the hold of the last one is over. One that still
		// covers it holds it again (intake applies the holds to a
		// re-opened incident that never paged).
		inc.SuppressedBy, inc.SuppressedUntil = "", nil
	}
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("add alert %q to incident %d: %w", a.DedupKey, inc.Number, err)
	}
	if raised {
		if err := raiseEscalationUrgency(ctx, tx, inc, now); err != nil {
			return err
		}
	}
	return appendEntry(ctx, tx, inc.ID, typ, actor, msg,
		map[string]string{"alert_id": a.ID, "dedup_key": a.DedupKey}, now)
}

// admit counts the new alert a into inc in memory: its alert counts,
// severity and urgency follow the alert. raised says the urgency rose to
// high, which the escalation's pages not yet made must follow.
func admit(inc *hypercare.Incident, a *hypercare.Alert, urgency hypercare.Urgency, now time.Time) (raised bool) {
	inc.AlertCount++
	inc.OpenAlertCount++
	if a.Severity.Rank() > inc.Severity.Rank() {
		inc.Severity = a.Severity
	}
	raised = urgency == hypercare.UrgencyHigh && inc.Urgency != hypercare.UrgencyHigh
	if raised {
		inc.Urgency = urgency
	}
	inc.UpdatedAt, inc.LastAlertAt = now, now
	return raised
}

// raiseEscalationUrgency carries a raised urgency to pages not yet made.
func raiseEscalationUrgency(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
	st, err := tx.GetEscalation(ctx, inc.ID)
	if hypercare.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("escalation of incident %d: %w", inc.Number, err)
	}
	if st.Status == hypercare.EscalationDone {
		return nil
	}
	st.Urgency, st.UpdatedAt = inc.Urgency, now
	return tx.SaveEscalation(ctx, st)
}

// AttachSymptom stores the new alert a as a symptom of the upstream
// incident up: no incident of its own, no page, a timeline entry on up.
func AttachSymptom(ctx context.Context, tx hypercare.Tx, up *hypercare.Incident, a *hypercare.Alert, actor hypercare.Actor, now time.Time) error {
	a.IncidentID, a.SymptomOf = "", up.ID
	if err := tx.InsertAlert(ctx, a); err != nil {
		return fmt.Errorf("attach symptom %q to incident %d: %w", a.DedupKey, up.Number, err)
	}
	msg := fmt.Sprintf("Symptom on %s (depends on %s): %s", a.ServiceID, up.ServiceID, a.Summary)
	return appendEntry(ctx, tx, up.ID, hypercare.TimelineSymptomAdded, actor, msg,
		map[string]string{"alert_id": a.ID, "dedup_key": a.DedupKey, "service_id": a.ServiceID}, now)
}

// SymptomUrgency raises the upstream incident up to high urgency when a,
// just attached to it as a symptom, would have opened an incident of high
// urgency of its own (urgency): the symptom pages nobody, so up pages for
// it. As for an alert joining by grouping (Join), the raise reaches an
// escalation that has not finished; the timeline says why. A critical
// "Checkout down" attached to a low-urgency warning upstream used to wait
// for that warning's low-urgency page (held through the night).
func SymptomUrgency(ctx context.Context, tx hypercare.Tx, up *hypercare.Incident, a *hypercare.Alert, urgency hypercare.Urgency, now time.Time) error {
	if urgency != hypercare.UrgencyHigh || up.Urgency == hypercare.UrgencyHigh {
		return nil
	}
	was := up.Urgency
	up.Urgency, up.UpdatedAt = hypercare.UrgencyHigh, now
	if err := tx.UpdateIncident(ctx, up); err != nil {
		return fmt.Errorf("raise urgency of incident %d: %w", up.Number, err)
	}
	if err := raiseEscalationUrgency(ctx, tx, up, now); err != nil {
		return err
	}
	msg := fmt.Sprintf("Urgency raised to high (was %s) by symptom %q on %s: %s", was, a.DedupKey, a.ServiceID, a.Summary)
	return appendEntry(ctx, tx, up.ID, hypercare.TimelineUrgencyRaised, hypercare.SystemActor, msg,
		map[string]string{"alert_id": a.ID, "from": string(was)}, now)
}

// Paged reports whether the incident's escalation has paged a level (its
// escalation row exists and took a step).
func Paged(ctx context.Context, tx hypercare.Tx, incidentID string) (bool, error) {
	st, err := tx.GetEscalation(ctx, incidentID)
	if hypercare.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("escalation of incident %s: %w", incidentID, err)
	}
	return st.Step > 0, nil
}

// FirstPageDue returns when incident incidentID's first page is due but
// for holds (its escalation's ReadyAt: its opening, or re-opening, plus
// the longer of an event rule's delay_minutes and the service's pause;
// zero when neither put it off or it has no escalation), and whether it
// has paged. An incident its monitor resolves before then, unpaged, is a
// blip (transient), whichever of the two put its page off.
func FirstPageDue(ctx context.Context, tx hypercare.Tx, incidentID string) (time.Time, bool, error) {
	st, err := tx.GetEscalation(ctx, incidentID)
	if hypercare.IsNotFound(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("escalation of incident %s: %w", incidentID, err)
	}
	return st.ReadyAt, st.Step > 0, nil
}

// promoteSymptoms follows the resolution of incident up: each of its
// symptoms still open goes to an incident on its own service, at the
// urgency and priority the event rules chose for it (stored on the
// alert), in the same transaction as the resolution (so a crash cannot
// lose it). It is placed as its service places a new alert (groupings,
// GroupAlert): into an open incident of the service, one promoted just
// before it included, or else into a new incident that pages through the
// service's policy; one whose alert its sender acknowledged opens
// acknowledged, as a later acknowledgement would leave it. why, if set,
// replaces the promoted incident's default timeline message.
func promoteSymptoms(ctx context.Context, tx hypercare.Tx, up *hypercare.Incident, policies Policies, groupings Groupings,
	now time.Time, why string) error {
	symptoms, err := tx.LockSymptomsOf(ctx, up.ID)
	if err != nil {
		return fmt.Errorf("symptoms of incident %d: %w", up.Number, err)
	}
	for i := range symptoms {
		a := &symptoms[i]
		a.SymptomOf = ""
		features, joined, err := groupSymptom(ctx, tx, up, a, groupings, now)
		if err != nil || joined {
			if err != nil {
				return fmt.Errorf("promote symptom %q of incident %d: %w", a.DedupKey, up.Number, err)
			}
			continue
		}
		inc, err := OpenForAlertWith(ctx, tx, a, hypercare.SystemActor, now,
			Opening{Existing: true, Urgency: a.RuleUrgency, Priority: a.RulePriority, Features: features})
		if err != nil {
			return fmt.Errorf("promote symptom %q of incident %d: %w", a.DedupKey, up.Number, err)
		}
		msg := fmt.Sprintf("Still firing after incident %d on %s resolved: was a symptom of it", up.Number, up.ServiceID)
		if why != "" {
			msg = why
		}
		if err := appendEntry(ctx, tx, inc.ID, hypercare.TimelineSymptomPromoted, hypercare.SystemActor, msg,
			map[string]any{"upstream_incident_id": up.ID, "upstream_incident_number": up.Number}, now); err != nil {
			return err
		}
		msg = fmt.Sprintf("Symptom %q on %s still firing: opened incident %d", a.DedupKey, a.ServiceID, inc.Number)
		if err := appendEntry(ctx, tx, up.ID, hypercare.TimelineSymptomPromoted, hypercare.SystemActor, msg,
			map[string]any{"alert_id": a.ID, "incident_id": inc.ID, "incident_number": inc.Number}, now); err != nil {
			return err
		}
		if policies != nil {
			if policy, ok := policies(a.ServiceID); ok {
				if err := StartEscalation(ctx, tx, inc, policy, now); err != nil {
					return err
				}
			}
		}
		if a.Status == hypercare.StatusAcknowledged {
			// Its sender acknowledged it while it was a symptom: someone
			// is on it, and a later acknowledge event would find nothing
			// left to acknowledge, so only a person could stop the page.
			if err := acknowledge(ctx, tx, inc, hypercare.SystemActor, now,
				"Acknowledged: its alert was acknowledged while it was a symptom", policies); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupSymptom puts the symptom a, promoted, into an open incident of its
// service if the service's grouping says so, and says so on up's
// timeline. Not joined, a opens its own incident, with features (its
// encoded features when its service groups intelligently).
func groupSymptom(ctx context.Context, tx hypercare.Tx, up *hypercare.Incident, a *hypercare.Alert, groupings Groupings,
	now time.Time) (features string, joined bool, err error) {
	if groupings == nil {
		return "", false, nil
	}
	urgency := a.RuleUrgency
	if urgency == "" {
		urgency = hypercare.UrgencyFor(a.Severity)
	}
	features, joined, err = GroupAlert(ctx, StoredAlert{Tx: tx, ID: a.ID}, groupings(a.ServiceID), a, urgency, hypercare.SystemActor, now)
	if err != nil || !joined {
		return features, false, err
	}
	inc, err := tx.GetIncident(ctx, a.IncidentID)
	if err != nil {
		return "", false, fmt.Errorf("incident %s: %w", a.IncidentID, err)
	}
	msg := fmt.Sprintf("Symptom %q on %s still firing: added to incident %d", a.DedupKey, a.ServiceID, inc.Number)
	return "", true, appendEntry(ctx, tx, up.ID, hypercare.TimelineSymptomPromoted, hypercare.SystemActor, msg,
		map[string]any{"alert_id": a.ID, "incident_id": inc.ID, "incident_number": inc.Number}, now)
}

// StoredAlert is the transaction for placing or joining an alert already
// stored (a promoted symptom, an alert suppressed until now) as if it were
// new: where placing inserts alert ID, it is updated instead.
type StoredAlert struct {
	hypercare.Tx
	ID string
}

// InsertAlert updates the stored alert and inserts any other.
func (t StoredAlert) InsertAlert(ctx context.Context, a *hypercare.Alert) error {
	if a.ID == t.ID {
		return t.UpdateAlert(ctx, a)
	}
	return t.Tx.InsertAlert(ctx, a)
}
