package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// MaxMergeSplit bounds the incidents of one merge and the alerts of one
// split, so one request stays one short transaction.
const MaxMergeSplit = 100

// Merge moves every alert and symptom of the source incidents into the
// open target incident and resolves the sources, in one store write. Only
// incidents of the target's service merge: grouping and escalation are
// per service. A merge changes which incident the alerts belong to and
// nothing else; no grouping setting or score learns from it, so future
// alerts group exactly as they would have, except that the later alerts
// of a source's Alertmanager or Grafana group join the target.
func (s *Service) Merge(ctx context.Context, ref string, sources []string, actor hypercare.Actor) (*hypercare.Incident, error) {
	if err := checkRefs("incidents", sources); err != nil {
		return nil, err
	}
	found, err := s.lookupAll(ctx, sources)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = f.ID
	}
	return s.transitionWith(ctx, ref, ids, func(tx hypercare.Tx, target *hypercare.Incident, srcs []*hypercare.Incident, now time.Time) error {
		if target.Status == hypercare.StatusResolved {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d is resolved: merge into an open incident", target.Number)
		}
		for i, src := range srcs {
			if err := checkSource(fmt.Sprintf("incidents[%d]", i), target, src); err != nil {
				return err
			}
			if err := s.mergeOne(ctx, tx, target, src, actor, now); err != nil {
				return err
			}
		}
		target.UpdatedAt = now
		if err := tx.UpdateIncident(ctx, target); err != nil {
			return fmt.Errorf("merge into incident %d: %w", target.Number, err)
		}
		return nil
	})
}

// checkSource refuses a source that cannot merge into target.
func checkSource(field string, target, src *hypercare.Incident) error {
	bad := func(msg string) error {
		return hypercare.InvalidFields("cannot merge", hypercare.FieldError{Field: field, Message: msg})
	}
	switch {
	case src.ID == target.ID:
		return bad("is the incident merged into")
	case src.Status == hypercare.StatusResolved:
		return bad(fmt.Sprintf("incident %d is resolved", src.Number))
	case src.ServiceID != target.ServiceID:
		return bad(fmt.Sprintf("incident %d is on service %q, not %q: only incidents of one service merge", src.Number, src.ServiceID, target.ServiceID))
	}
	return nil
}

// mergeOne moves src's alerts and symptoms into target and resolves src.
func (s *Service) mergeOne(ctx context.Context, tx hypercare.Tx, target, src *hypercare.Incident, actor hypercare.Actor, now time.Time) error {
	alerts, err := tx.AlertsOfIncident(ctx, src.ID)
	if err != nil {
		return fmt.Errorf("alerts of incident %d: %w", src.Number, err)
	}
	symptoms, err := tx.LockSymptomsOf(ctx, src.ID)
	if err != nil {
		return fmt.Errorf("symptoms of incident %d: %w", src.Number, err)
	}
	for i := range alerts {
		alerts[i].IncidentID = target.ID
		if err := tx.UpdateAlert(ctx, &alerts[i]); err != nil {
			return fmt.Errorf("move alert %s: %w", alerts[i].ID, err)
		}
	}
	for i := range symptoms {
		symptoms[i].SymptomOf = target.ID
		if err := tx.UpdateAlert(ctx, &symptoms[i]); err != nil {
			return fmt.Errorf("move symptom %s: %w", symptoms[i].ID, err)
		}
	}
	target.AlertCount += src.AlertCount
	target.OpenAlertCount += src.OpenAlertCount
	// The group's later alerts follow its alerts into the target instead
	// of opening, and paging, a new incident: a target of no group takes
	// src's, else the store records where src's group (and the groups
	// merged into src) now go.
	if target.GroupKey == "" {
		target.GroupKey = src.GroupKey
	}
	if err := tx.MergeGroup(ctx, src, target.ID); err != nil {
		return err
	}
	if src.Severity.Rank() > target.Severity.Rank() {
		target.Severity = src.Severity
	}
	if src.Urgency == hypercare.UrgencyHigh {
		target.Urgency = hypercare.UrgencyHigh
	}
	if src.LastAlertAt.After(target.LastAlertAt) {
		target.LastAlertAt = src.LastAlertAt
	}
	if recovering(src) { // markResolved sees the counts zeroed below: its grace timer goes here
		if err := tx.ClearSymptomGrace(ctx, src.ID); err != nil {
			return err
		}
	}
	src.AlertCount, src.OpenAlertCount = 0, 0
	msg := fmt.Sprintf("Merged into incident %d by %s", target.Number, actor.Name)
	// Its symptoms moved to target above, so this resolve finds none to
	// promote; given the service's policies and groupings all the same,
	// a symptom it ever found would page and group as any promoted one,
	// never page nobody or open an incident of its own.
	if err := markResolved(ctx, tx, src, actor, now, msg, s.Policies, s.Groupings); err != nil {
		return err
	}
	if err := appendEntry(ctx, tx, src.ID, hypercare.TimelineMerged, actor, msg,
		map[string]any{"into_incident_id": target.ID, "into_incident_number": target.Number}, now); err != nil {
		return err
	}
	return appendEntry(ctx, tx, target.ID, hypercare.TimelineMerged, actor,
		fmt.Sprintf("Merged incident %d (%d alert(s), %d symptom(s)) by %s", src.Number, len(alerts), len(symptoms), actor.Name),
		map[string]any{"from_incident_id": src.ID, "from_incident_number": src.Number}, now)
}

// lookupAll finds the incidents refs name (IDs or numbers), naming the
// field of one that does not exist.
func (s *Service) lookupAll(ctx context.Context, refs []string) ([]*hypercare.Incident, error) {
	out := make([]*hypercare.Incident, len(refs))
	for i, ref := range refs {
		inc, err := s.Lookup(ctx, ref)
		if hypercare.IsNotFound(err) {
			return nil, hypercare.InvalidFields("cannot merge",
				hypercare.FieldError{Field: fmt.Sprintf("incidents[%d]", i), Message: fmt.Sprintf("incident %q not found", ref)})
		}
		if err != nil {
			return nil, err
		}
		out[i] = inc
	}
	return out, nil
}

// checkRefs checks a list of IDs in a request: 1 to MaxMergeSplit
// distinct, non-blank values.
func checkRefs(field string, refs []string) error {
	bad := func(f, msg string) error {
		return hypercare.InvalidFields("invalid "+field, hypercare.FieldError{Field: f, Message: msg})
	}
	if len(refs) == 0 {
		return bad(field, "is required: list at least one")
	}
	if len(refs) > MaxMergeSplit {
		return bad(field, fmt.Sprintf("must list at most %d", MaxMergeSplit))
	}
	seen := map[string]bool{}
	for i, r := range refs {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case strings.TrimSpace(r) == "":
			return bad(f, "must not be blank")
		case seen[r]:
			return bad(f, fmt.Sprintf("%q is listed twice", r))
		}
		seen[r] = true
	}
	return nil
}
