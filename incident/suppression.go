package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/hold"
)

// TimelineSuppressionEnded is the timeline type of a hold ended early
// (a silence expired before its end).
const TimelineSuppressionEnded = "suppression_ended"

// ReleaseSuppressed ends early the hold that ref ("silence:ID") put on
// the first page of incidents still open. Each one's timeline says why
// (reason). holds are the windows and silences left once ref has ended:
// an incident one of them still covers stays held until that one ends
// (its timeline says by what, its first page is due then); any other
// incident's first page is due at now, if it has not paged yet. It
// returns how many incidents it released and how many stay held. Run it
// in the transaction that expires the silence, so the release and the
// expiry commit together and a crash between them cannot lose the page.
func ReleaseSuppressed(ctx context.Context, tx hypercare.Tx, ref, reason string, holds *hold.Holds,
	now time.Time) (released, held int, err error) {
	ids, err := tx.SuppressedIncidents(ctx, ref)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		inc, err := tx.GetIncident(ctx, id)
		if err != nil {
			return released, held, fmt.Errorf("release incident %s: %w", id, err)
		}
		if inc.Status == hypercare.StatusResolved || inc.SuppressedUntil == nil || !inc.SuppressedUntil.After(now) {
			continue
		}
		wait, err := releaseOne(ctx, tx, inc, ref, reason, holds, now)
		if err != nil {
			return released, held, err
		}
		if wait > 0 {
			held++
		} else {
			released++
		}
	}
	return released, held, nil
}

// releaseOne ends ref's hold on inc, or moves it to another window or
// silence that still covers inc, and says which on its timeline; it
// returns how long the first page still waits (0: due now).
func releaseOne(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, ref, reason string,
	holds *hold.Holds, now time.Time) (time.Duration, error) {
	c, covered, err := holds.Check(ctx, tx, inc, hold.OfIncident(ctx, tx, inc.ID), now)
	if err != nil {
		return 0, err
	}
	msg := reason + ": still open, paging now"
	if covered {
		msg = reason + ": still held by " + c.By.Kind + " " + c.By.ID
	}
	details, err := json.Marshal(map[string]string{"suppressed_by": ref})
	if err != nil {
		return 0, fmt.Errorf("encode timeline details: %w", err)
	}
	// This entry goes first, so the timeline reads in order: the hold
	// ended, then (maybe) another one holds the incident.
	if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: inc.ID, At: now,
		Type: TimelineSuppressionEnded, Actor: hypercare.SystemActor, Details: details, Message: msg}); err != nil {
		return 0, fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
	}
	if covered {
		if err := hold.Record(ctx, tx, inc, c, now); err != nil {
			return 0, err
		}
		return c.Until.Sub(now), dueAt(ctx, tx, inc, c.Until, now)
	}
	inc.SuppressedUntil, inc.UpdatedAt = &now, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return 0, fmt.Errorf("release incident %d: %w", inc.Number, err)
	}
	return 0, dueAt(ctx, tx, inc, now, now)
}

// dueAt moves the escalation of inc, if it has not taken its first step,
// to at.
func dueAt(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, at, now time.Time) error {
	st, err := tx.GetEscalation(ctx, inc.ID)
	if hypercare.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("escalation of incident %d: %w", inc.Number, err)
	}
	if st.Status != hypercare.EscalationActive || st.Step != 0 || st.DueAt.Equal(at) {
		return nil
	}
	st.DueAt, st.UpdatedAt = at, now
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("release escalation of incident %d: %w", inc.Number, err)
	}
	return nil
}
