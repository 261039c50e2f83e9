package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// StartEscalation arms the escalation of a new incident under policy: its
// first level is due at once, so the engine pages it on its next pass (it
// is woken right after the commit).
func StartEscalation(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, policy hypercare.EscalationPolicy, now time.Time) error {
	return StartEscalationAfter(ctx, tx, inc, policy, now, 0, 0)
}

// StartEscalationAfter is StartEscalation with the first level held for
// delay (the service's pause or an event rule's delay_minutes) or, if
// longer, held (a maintenance window or silence covering the incident):
// nobody is paged before then, and acknowledging or resolving the
// incident in the meantime ends the escalation before it pages. The state
// keeps now+delay as ReadyAt, where a hold released early leaves the
// first step (ReleaseSuppressed).
func StartEscalationAfter(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, policy hypercare.EscalationPolicy,
	now time.Time, delay, held time.Duration) error {
	st := &hypercare.EscalationState{
		IncidentID: inc.ID, PolicyID: policy.ID, ServiceID: inc.ServiceID,
		Status: hypercare.EscalationActive, DueAt: now.Add(max(delay, held)), Urgency: inc.Urgency,
		AckTimeout: policy.AckTimeout, UpdatedAt: now,
	}
	if delay > 0 {
		st.ReadyAt = now.Add(delay)
	}
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("start escalation of incident %d: %w", inc.Number, err)
	}
	return nil
}

// haltEscalation follows an acknowledgement or resolution: pending pages
// are cancelled; an acknowledged incident whose policy has an ack timeout
// waits for it (then re-triggers), otherwise escalation ends. The ack
// timeout is the policy's as policies (the config in force; nil: none)
// defines it when the escalation still runs under its service's policy,
// so a reload that adds, changes or removes one applies to an incident
// acknowledged before its next step; else the one stored with the state.
func haltEscalation(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, acknowledged bool, policies Policies, now time.Time) error {
	st, err := tx.GetEscalation(ctx, inc.ID)
	if hypercare.IsNotFound(err) {
		return nil // the service has no escalation policy
	}
	if err != nil {
		return err
	}
	if _, err := tx.CancelNotifications(ctx, inc.ID); err != nil {
		return fmt.Errorf("cancel pages of incident %d: %w", inc.Number, err)
	}
	if policies != nil {
		if p, ok := policies(inc.ServiceID); ok && p.ID == st.PolicyID {
			st.AckTimeout = p.AckTimeout
		}
	}
	if !acknowledged || !AwaitAck(st, now, now) {
		st.Status, st.UpdatedAt = hypercare.EscalationDone, now
	}
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("halt escalation of incident %d: %w", inc.Number, err)
	}
	return nil
}

// AwaitAck sets st to wait for its policy's ack timeout, counted from
// acknowledgedAt (at the earliest now), and reports whether the policy has
// one; without, st is left as it was. The engine then re-triggers the
// incident unless it resolved meanwhile.
func AwaitAck(st *hypercare.EscalationState, acknowledgedAt, now time.Time) bool {
	if st.AckTimeout <= 0 {
		return false
	}
	st.Status, st.UpdatedAt = hypercare.EscalationAckWait, now
	st.DueAt = acknowledgedAt.Add(st.AckTimeout)
	if st.DueAt.Before(now) {
		st.DueAt = now
	}
	return true
}
