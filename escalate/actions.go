package escalate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
)

// Escalate pages the next level of the incident's policy now (or level,
// when level ≥ 1), by a responder's hand, and continues the escalation from
// there. It is how "this needs more people" is said. Before the first page
// went out, the next level is level 1 (chooseLevel).
func (e *Engine) Escalate(ctx context.Context, inc *hypercare.Incident, level int, actor hypercare.Actor) (*hypercare.EscalationState, error) {
	dir := e.Directory()
	var out *hypercare.EscalationState
	err := e.store.Write(ctx, inc.ServiceID, func(tx hypercare.Tx) error {
		cur, err := tx.GetIncident(ctx, inc.ID)
		if err != nil {
			return err
		}
		if cur.Status == hypercare.StatusResolved {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d is resolved", cur.Number)
		}
		st, err := tx.GetEscalation(ctx, cur.ID)
		if hypercare.IsNotFound(err) {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d's service has no escalation policy", cur.Number)
		}
		if err != nil {
			return err
		}
		policy, ok := dir.Policies[st.PolicyID]
		if next, found := dir.Policies[dir.ServicePolicy[st.ServiceID]]; (!ok || len(policy.Levels) == 0) && found {
			// Removed by a reload: the service's policy now (currentPolicy).
			st.PolicyID, policy, ok = next.ID, next, true
		}
		if !ok || len(policy.Levels) == 0 {
			return hypercare.Errorf(hypercare.CodeConflict, "escalation policy %q no longer exists", st.PolicyID)
		}
		if err := chooseLevel(st, policy, level); err != nil {
			return err
		}
		// A person asked: paged now, but not by taking a turn counter out
		// of the global order (an earlier request of the batch holds one
		// after this policy's: ok false), which deadlocked with another
		// node's batch taking both. The store runs it again alone.
		ok, err = tx.LockTurns(ctx, turnKeys(policy))
		if err != nil {
			return fmt.Errorf("lock round-robin turns: %w", err)
		}
		if !ok {
			return fmt.Errorf("escalate incident %d: a batch-mate holds a later turn counter: %w", cur.Number, hypercare.ErrRunAlone)
		}
		now := e.clock.Now()
		// Escalating puts a reassigned incident back on its policy.
		st.Status, st.Assignee = hypercare.EscalationActive, ""
		_, err = climb(st, policy, dir.Windows, now, func() (int, bool, error) {
			reason := fmt.Sprintf("manually escalated by %s to level %d", actor.Name, st.Level+1)
			return pageLevel(ctx, tx, dir, policy, st, cur, now, reason)
		}, func(from int) error { return note(ctx, tx, cur.ID, skipNote(from, st), nil, now) })
		if err != nil {
			return err
		}
		out = st
		return tx.SaveEscalation(ctx, st)
	})
	if err == nil && e.paged != nil {
		e.paged()
	}
	return out, err
}

// chooseLevel sets the level a manual escalation pages: the given one
// (1-based) or the one after the level last paged. Before any level was
// paged (the first page held by the service's pause, an event rule's
// delay, a maintenance window or silence) that is level 1: PagerDuty
// assigns an incident to level 1 the moment it triggers, and "escalate"
// moves it on from the level that was told; paging level 2 left the
// people on call at level 1 never told of the incident.
func chooseLevel(st *hypercare.EscalationState, policy hypercare.EscalationPolicy, level int) error {
	n := len(policy.Levels)
	if level > 0 {
		if level > n {
			return hypercare.InvalidFields("invalid escalation", hypercare.FieldError{
				Field: "level", Message: fmt.Sprintf("policy %s has %d levels", policy.ID, n)})
		}
		st.Level = level - 1
		return nil
	}
	// st.Level is the next level due: level 1 itself while nothing was
	// paged yet (step 0), otherwise already "the next".
	st.Level = min(st.Level, n-1)
	return nil
}

// Reassign pages user directly and stops the policy's escalation: the
// incident is now theirs (the state's Assignee), though an acknowledged
// incident keeps the ack timeout its acknowledgement armed, and the ack
// timeout re-triggers it to them (retrigger), not to the policy. A user who cannot respond
// (cannotRespond: a viewer, or nobody a page for the incident's urgency
// would reach) is refused (invalid_argument on user): the incident would
// go silent, or rest with someone who cannot acknowledge it. No user at
// all (empty or blank) is invalid_argument "is required" on user.
func (e *Engine) Reassign(ctx context.Context, inc *hypercare.Incident, userID string, actor hypercare.Actor) error {
	if strings.TrimSpace(userID) == "" {
		return hypercare.InvalidFields("invalid reassignment", hypercare.FieldError{Field: "user", Message: "is required"})
	}
	dir := e.Directory()
	u, ok := dir.Users[userID]
	if !ok {
		return hypercare.InvalidFields("invalid reassignment", hypercare.FieldError{Field: "user", Message: fmt.Sprintf("no user %q", userID)})
	}
	err := e.store.Write(ctx, inc.ServiceID, func(tx hypercare.Tx) error {
		cur, err := tx.GetIncident(ctx, inc.ID)
		if err != nil {
			return err
		}
		if cur.Status == hypercare.StatusResolved {
			return hypercare.Errorf(hypercare.CodeConflict, "incident %d is resolved", cur.Number)
		}
		now := e.clock.Now()
		if why := e.cannotRespond(u, cur.Urgency, now); why != "" {
			return hypercare.InvalidFields("invalid reassignment", hypercare.FieldError{Field: "user", Message: why})
		}
		st, err := tx.GetEscalation(ctx, cur.ID)
		if hypercare.IsNotFound(err) {
			st = &hypercare.EscalationState{IncidentID: cur.ID, ServiceID: cur.ServiceID, Urgency: cur.Urgency}
		} else if err != nil {
			return err
		}
		if _, err := tx.CancelNotifications(ctx, cur.ID); err != nil {
			return err
		}
		reason := fmt.Sprintf("reassigned by %s", actor.Name)
		if _, err := pageUsers(ctx, tx, dir, st, cur, []string{userID}, nil, reason, now); err != nil {
			return err
		}
		st.Step++
		st.Status, st.UpdatedAt, st.DueAt, st.Assignee = hypercare.EscalationDone, now, now, userID
		if cur.Status == hypercare.StatusAcknowledged && cur.AcknowledgedAt != nil {
			// Keep the re-trigger the acknowledgement armed (as awaitAck
			// does after Escalate): a reassignment cannot silence it forever.
			incident.AwaitAck(st, *cur.AcknowledgedAt, now)
		}
		return tx.SaveEscalation(ctx, st)
	})
	if err == nil && e.paged != nil {
		e.paged()
	}
	return err
}

// ReassignCandidates are the users inc can be reassigned to now, by ID:
// those Reassign accepts (cannotRespond), so a list offering them never
// offers a refusal.
func (e *Engine) ReassignCandidates(inc *hypercare.Incident) []hypercare.User {
	dir := e.Directory()
	now := e.clock.Now()
	ids := make([]string, 0, len(dir.Users))
	for id := range dir.Users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []hypercare.User{}
	for _, id := range ids {
		if e.cannotRespond(dir.Users[id], inc.Urgency, now) == "" {
			out = append(out, dir.Users[id])
		}
	}
	return out
}

// cannotRespond says why u cannot take an incident of urgency by
// reassignment ("" when they can): their role cannot act on incidents (a
// viewer could not acknowledge it), they have no notification rule for
// the urgency (nobody would be paged), or none of those pages can be
// delivered by this binary (SetDeliveryCheck: no channel for its type).
func (e *Engine) cannotRespond(u hypercare.User, urgency hypercare.Urgency, now time.Time) string {
	if u.Role != "" && u.Role.Rank() < hypercare.RoleResponder.Rank() { // "": the config's default, responder
		return fmt.Sprintf("%s is a %s, who cannot act on incidents", u.ID, u.Role)
	}
	planned := pagesFor(u, urgency, now)
	if len(planned) == 0 {
		return fmt.Sprintf("%s has no notification rule for %s-urgency incidents, so nobody would be paged", u.ID, urgency)
	}
	if e.check == nil {
		return ""
	}
	for _, n := range planned {
		if cm, ok := u.ContactMethodByID(n.ContactMethod); ok && e.check(cm) == nil {
			return ""
		}
	}
	return fmt.Sprintf("none of the pages to %s for %s-urgency incidents can be delivered, so nobody would be paged", u.ID, urgency)
}
