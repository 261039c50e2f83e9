package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Split moves the listed alerts of an open incident into a new incident on
// the same service, in one store write, and returns the new incident. It
// is triggered (and pages through the service's policy) when one of the
// moved alerts is still open: it is a different problem and needs its own
// responder. At least one alert must stay behind; when only resolved ones
// do, the original incident resolves. Like a merge, a split teaches the
// grouping nothing.
func (s *Service) Split(ctx context.Context, ref string, alertIDs []string, actor hypercare.Actor) (*hypercare.Incident, error) {
	if err := checkRefs("alerts", alertIDs); err != nil {
		return nil, err
	}
	var created *hypercare.Incident
	_, err := s.transition(ctx, ref, func(tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
		if inc.Status == hypercare.StatusResolved {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d is resolved: only open incidents split", inc.Number)
		}
		moved, kept, err := partition(ctx, tx, inc, alertIDs)
		if err != nil {
			return err
		}
		created, err = s.splitOff(ctx, tx, inc, moved, actor, now)
		if err != nil {
			return err
		}
		return s.afterSplit(ctx, tx, inc, kept, created, actor, now)
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// partition splits the incident's alerts into those listed and the rest,
// naming the field of a listed alert that is not the incident's.
func partition(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, ids []string) (moved, kept []hypercare.Alert, err error) {
	alerts, err := tx.AlertsOfIncident(ctx, inc.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("alerts of incident %d: %w", inc.Number, err)
	}
	want := map[string]int{}
	for i, id := range ids {
		want[id] = i
	}
	for _, a := range alerts {
		if _, ok := want[a.ID]; ok {
			moved = append(moved, a)
			delete(want, a.ID)
		} else {
			kept = append(kept, a)
		}
	}
	for i, id := range ids {
		if _, missing := want[id]; missing {
			return nil, nil, hypercare.InvalidFields("cannot split", hypercare.FieldError{
				Field: fmt.Sprintf("alerts[%d]", i), Message: fmt.Sprintf("alert %q is not an alert of incident %d", id, inc.Number)})
		}
	}
	if len(kept) == 0 {
		return nil, nil, hypercare.InvalidFields("cannot split", hypercare.FieldError{
			Field: "alerts", Message: fmt.Sprintf("lists every alert of incident %d: at least one must stay", inc.Number)})
	}
	return moved, kept, nil
}

// splitOff opens the new incident holding moved.
func (s *Service) splitOff(ctx context.Context, tx hypercare.Tx, from *hypercare.Incident, moved []hypercare.Alert, actor hypercare.Actor, now time.Time) (*hypercare.Incident, error) {
	inc := &hypercare.Incident{
		ID: hypercare.NewID(now), Title: moved[0].Summary, Status: hypercare.StatusResolved, Urgency: from.Urgency,
		Severity: moved[0].Severity, ServiceID: from.ServiceID, CreatedAt: now, UpdatedAt: now, ResolvedAt: &now,
		LastAlertAt: now,
	}
	tally(inc, moved)
	if inc.OpenAlertCount > 0 {
		inc.Status, inc.ResolvedAt = hypercare.StatusTriggered, nil
	}
	if err := tx.InsertIncident(ctx, inc); err != nil {
		return nil, fmt.Errorf("split incident %d: %w", from.Number, err)
	}
	for i := range moved {
		moved[i].IncidentID = inc.ID
		if err := tx.UpdateAlert(ctx, &moved[i]); err != nil {
			return nil, fmt.Errorf("move alert %s: %w", moved[i].ID, err)
		}
	}
	msg := fmt.Sprintf("Split off incident %d by %s (%d alert(s))", from.Number, actor.Name, len(moved))
	if err := appendEntry(ctx, tx, inc.ID, hypercare.TimelineSplit, actor, msg,
		map[string]any{"from_incident_id": from.ID, "from_incident_number": from.Number, "alert_ids": alertIDs(moved)}, now); err != nil {
		return nil, err
	}
	if inc.Status == hypercare.StatusTriggered && s.Policies != nil {
		if policy, ok := s.Policies(inc.ServiceID); ok {
			if err := StartEscalation(ctx, tx, inc, policy, now); err != nil {
				return nil, err
			}
		}
	}
	return inc, nil
}

// afterSplit recounts the original incident from the alerts it kept,
// resolving it when none of them is open.
func (s *Service) afterSplit(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, kept []hypercare.Alert, created *hypercare.Incident, actor hypercare.Actor, now time.Time) error {
	inc.Severity = kept[0].Severity
	tally(inc, kept)
	inc.UpdatedAt = now
	msg := fmt.Sprintf("Split %d alert(s) off into incident %d by %s", created.AlertCount, created.Number, actor.Name)
	if err := appendEntry(ctx, tx, inc.ID, hypercare.TimelineSplit, actor, msg,
		map[string]any{"into_incident_id": created.ID, "into_incident_number": created.Number}, now); err != nil {
		return err
	}
	if inc.OpenAlertCount == 0 {
		return markResolved(ctx, tx, inc, actor, now, "Resolved: no open alert left after the split", s.Policies, s.Groupings)
	}
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return fmt.Errorf("split incident %d: %w", inc.Number, err)
	}
	return nil
}

// tally sets the incident's alert counts and raises its severity from its
// alerts.
func tally(inc *hypercare.Incident, alerts []hypercare.Alert) {
	inc.AlertCount, inc.OpenAlertCount = int64(len(alerts)), 0
	for _, a := range alerts {
		if a.Status != hypercare.StatusResolved {
			inc.OpenAlertCount++
		}
		if a.Severity.Rank() > inc.Severity.Rank() {
			inc.Severity = a.Severity
		}
	}
}

func alertIDs(alerts []hypercare.Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = a.ID
	}
	return out
}
