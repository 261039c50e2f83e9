package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// TimelineSuppressionEnded is the timeline type of a hold ended early
// (a silence expired before its end).
const TimelineSuppressionEnded = "suppression_ended"

// ReleaseSuppressed ends early the hold that ref ("silence:ID") put on
// the first page of incidents still open: each one's escalation, if it has
// not paged yet, is due at now, and its timeline says why. It returns how
// many incidents it released. Run it in the transaction that expires the
// silence, so the release and the expiry commit together and a crash
// between them cannot lose the page.
func ReleaseSuppressed(ctx context.Context, tx hypercare.Tx, ref, reason string, now time.Time) (int, error) {
	ids, err := tx.SuppressedIncidents(ctx, ref)
	if err != nil {
		return 0, err
	}
	released := 0
	for _, id := range ids {
		inc, err := tx.GetIncident(ctx, id)
		if err != nil {
			return released, fmt.Errorf("release incident %s: %w", id, err)
		}
		if inc.Status == hypercare.StatusResolved || inc.SuppressedUntil == nil || !inc.SuppressedUntil.After(now) {
			continue
		}
		inc.SuppressedUntil, inc.UpdatedAt = &now, now
		if err := tx.UpdateIncident(ctx, inc); err != nil {
			return released, fmt.Errorf("release incident %d: %w", inc.Number, err)
		}
		if err := dueNow(ctx, tx, inc, now); err != nil {
			return released, err
		}
		details, err := json.Marshal(map[string]string{"suppressed_by": ref})
		if err != nil {
			return released, fmt.Errorf("encode timeline details: %w", err)
		}
		if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID,
			At: now, Type: TimelineSuppressionEnded, Actor: hypercare.SystemActor, Details: details,
			Message: reason}); err != nil {
			return released, fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
		}
		released++
	}
	return released, nil
}

// dueNow moves an escalation that has not taken its first step to now.
func dueNow(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, now time.Time) error {
	st, err := tx.GetEscalation(ctx, inc.ID)
	if hypercare.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("escalation of incident %d: %w", inc.Number, err)
	}
	if st.Status != hypercare.EscalationActive || st.Step != 0 || !st.DueAt.After(now) {
		return nil
	}
	st.DueAt, st.UpdatedAt = now, now
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("release escalation of incident %d: %w", inc.Number, err)
	}
	return nil
}
