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
// returns how many incidents it released (first page due now) and how
// many stay held; an incident whose hold ended but that has no first page
// to make (acknowledged meanwhile, escalated by hand, no policy) is
// neither, and its timeline says so rather than "paging now". Run it in
// the transaction that expires the silence, so the release and the expiry
// commit together and a crash between them cannot lose the page.
//
// chained are the refs of the other windows and silences that may end a
// chain of overlapping holds ref was part of (correlate.Suppression
// records only the chain's last one, say a silence starting later that
// overlaps ref's end): their incidents are checked again, and those no
// longer covered now, or covered to another end, are released or held
// anew as above. An incident whose hold does not change is left alone.
func ReleaseSuppressed(ctx context.Context, tx hypercare.Tx, ref, reason string, holds *hold.Holds,
	now time.Time, chained ...string) (released, held int, err error) {
	for i, r := range append([]string{ref}, chained...) {
		ids, err := tx.SuppressedIncidents(ctx, r)
		if err != nil {
			return released, held, err
		}
		for _, id := range ids {
			inc, err := tx.GetIncident(ctx, id)
			if err != nil {
				return released, held, fmt.Errorf("release incident %s: %w", id, err)
			}
			if inc.Status == hypercare.StatusResolved || inc.SuppressedUntil == nil || !inc.SuppressedUntil.After(now) {
				continue
			}
			c, covered, err := holds.Check(ctx, tx, inc, hold.OfIncident(ctx, tx, inc.ID), now)
			if err != nil {
				return released, held, err
			}
			if i > 0 && covered && c.Until.Equal(*inc.SuppressedUntil) {
				continue // held by another chain that did not go through ref
			}
			out, err := releaseOne(ctx, tx, inc, ref, reason, c, covered, now)
			if err != nil {
				return released, held, err
			}
			switch out {
			case stillHeld:
				held++
			case pagingNow:
				released++
			}
		}
	}
	return released, held, nil
}

// What releaseOne did with an incident.
const (
	stillHeld = iota // another window or silence holds it
	pagingNow        // its first page is due now
	holdEnded        // no first page to make
)

// releaseOne ends ref's hold on inc, or moves it to c, another window or
// silence that still covers inc (covered), and says which on its
// timeline.
func releaseOne(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, ref, reason string,
	c hold.Cover, covered bool, now time.Time) (int, error) {
	st, err := tx.GetEscalation(ctx, inc.ID)
	if hypercare.IsNotFound(err) {
		st, err = nil, nil
	}
	if err != nil {
		return 0, fmt.Errorf("escalation of incident %d: %w", inc.Number, err)
	}
	// The hold is over, not the pause or rule delay it may have outlasted
	// (st.ReadyAt): a blip that clears within it still pages nobody.
	at := now
	if st != nil && st.ReadyAt.After(now) {
		at = st.ReadyAt
	}
	out, msg := pagingNow, reason+": still open, paging now"
	if at.After(now) {
		msg = fmt.Sprintf("%s: still open, paging at %s UTC if still open (the service's pause or an event rule's delay)",
			reason, at.UTC().Format("15:04:05"))
	}
	switch {
	case covered:
		out, msg = stillHeld, reason+": still held by "+c.By.Kind+" "+c.By.ID
	case inc.Status == hypercare.StatusAcknowledged:
		out, msg = holdEnded, reason+": acknowledged, nobody paged"
	case st == nil || st.Status != hypercare.EscalationActive || st.Step != 0:
		out, msg = holdEnded, reason+": still open; no first page to make (escalated by hand or no escalation policy)"
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
		return out, dueAt(ctx, tx, inc, st, c.Until, now)
	}
	inc.SuppressedUntil, inc.UpdatedAt = &now, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return 0, fmt.Errorf("release incident %d: %w", inc.Number, err)
	}
	return out, dueAt(ctx, tx, inc, st, at, now)
}

// dueAt moves the escalation st of inc (nil: none), if it has not taken
// its first step, to at.
func dueAt(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, st *hypercare.EscalationState, at, now time.Time) error {
	if st == nil || st.Status != hypercare.EscalationActive || st.Step != 0 || st.DueAt.Equal(at) {
		return nil
	}
	st.DueAt, st.UpdatedAt = at, now
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return fmt.Errorf("release escalation of incident %d: %w", inc.Number, err)
	}
	return nil
}
