package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// quiet holds a low-urgency page that would reach its user inside the
// quiet hours (Policy.Quiet) on their wall clock: its due time moves to
// the end of their night, durably, without counting the attempt, and the
// incident's timeline says until when. When it comes due the usual
// checks run again, so a page whose incident was acknowledged or
// resolved meanwhile is cancelled, never sent. It reports whether it
// held n. High urgency and digests never wait.
//
// A user paged again for the same incident during the night (the policy
// escalated or repeated) gets one morning page per contact method: a
// second page already held until the same moment is cancelled, and only
// the first held page of the user says so on the timeline.
func (e pass) quiet(ctx context.Context, n *hypercare.Notification, inc *hypercare.Incident, user hypercare.User) (bool, error) {
	q := e.policy.Quiet
	if q == nil || inc.Urgency != hypercare.UrgencyLow || n.Kind == hypercare.NotificationDigest {
		return false, nil
	}
	loc := userZone(user, q.Zone)
	now := e.clock.Now()
	until, ok := q.Until(now, loc)
	if !ok {
		return false, nil
	}
	// One user's pages on different channels run at once, here and on
	// other nodes: holdUntilMorning makes the check and the hold one
	// write (Tx.HeldPages serialises them per incident and user).
	n.Status, n.DueAt, n.Attempts = hypercare.NotificationPending, until, n.Attempts-1
	at := until.In(loc).Format("15:04") + " " + loc.String()
	held := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: n.IncidentID, At: now,
		Type: TimelineNotified, Actor: hypercare.SystemActor,
		Message: fmt.Sprintf("Low urgency: page to %s held until %s (quiet hours)", user.Name, at)}
	details, err := json.Marshal(map[string]any{"notification": n.ID, "contact_method": n.ContactMethod,
		"quiet_hours": q.Span(), "time_zone": loc.String(), "due_at": until,
		"delay_seconds": until.Sub(now).Seconds()})
	if err != nil {
		return true, fmt.Errorf("encode timeline details: %w", err)
	}
	held.Details = details
	cancelled, err := e.holdUntilMorning(ctx, n, held)
	if cancelled {
		e.count(n, outcomeCancelled)
	}
	return true, err
}

// holdUntilMorning records n held until its due time, deciding in the same
// write from the incident's other pages to the user held until then
// (Tx.HeldPages): when one is on n's contact method, n is cancelled (one
// morning page); when one is on another method, n is held without a second
// timeline entry; otherwise it is held and entry says so. It reports
// whether n was cancelled.
func (e pass) holdUntilMorning(ctx context.Context, n *hypercare.Notification, entry *hypercare.TimelineEntry) (bool, error) {
	var cancelled bool
	// Recorded even while the server stops, like every outcome (record).
	ctx = context.WithoutCancel(ctx)
	err := e.store.Write(ctx, n.IncidentID, func(tx hypercare.Tx) error {
		others, err := tx.HeldPages(ctx, n.IncidentID, n.UserID, n.DueAt)
		if err != nil {
			return fmt.Errorf("quiet hours: pages of incident %s held for %s: %w", n.IncidentID, n.UserID, err)
		}
		sameMethod, sameUser := heldAlready(others, n)
		cancelled = sameMethod // this function may run again (a rerun batch): decide afresh
		n.Status = hypercare.NotificationPending
		if sameMethod {
			n.Status = hypercare.NotificationCancelled
		}
		if err := tx.UpdateNotification(ctx, n); err != nil {
			if errors.Is(err, hypercare.ErrNotificationSuperseded) {
				cancelled = false
				return nil // claimed again since: the later attempt holds it
			}
			return err
		}
		if sameUser {
			return nil
		}
		return tx.AppendTimeline(ctx, entry)
	})
	if cancelledMeanwhile(n, err) {
		return true, nil // cancelled since its claim: nothing to hold
	}
	return cancelled, err
}

// heldAlready reports whether another of pages (waiting pages of n's
// incident to n's user, held for the same morning) is on n's contact
// method, or on any.
func heldAlready(pages []hypercare.Notification, n *hypercare.Notification) (sameMethod, sameUser bool) {
	for _, o := range pages {
		if o.ID == n.ID {
			continue
		}
		sameUser = true
		if o.ContactMethod == n.ContactMethod {
			return true, true
		}
	}
	return false, sameUser
}

// holdForNight holds n for quiet hours before it takes a channel slot,
// when its user's clock is inside them now: a night storm of low-urgency
// pages to one person then waits on its hold writes without filling the
// channel's slots, which other people's (and high-urgency) pages need.
// Outside quiet hours it reads nothing. deliver checks again once the page
// has its slot. It returns the incident it read (nil if none), which the
// send may use if it did not wait for its slot, and whether it is done
// with n: held, or found cancelled since its claim (dropped, no slot
// taken).
func (e pass) holdForNight(ctx context.Context, n *hypercare.Notification) (*hypercare.Incident, bool, error) {
	q := e.policy.Quiet
	if q == nil || n.Kind == hypercare.NotificationDigest || n.Kind == hypercare.NotificationHeld {
		return nil, false, nil
	}
	user, ok := e.dir.User(n.UserID)
	if !ok {
		return nil, false, nil // deliver fails it
	}
	if _, night := q.Until(e.clock.Now(), userZone(user, q.Zone)); !night {
		return nil, false, nil
	}
	// A first page handed over by the write that opened its incident has
	// that write's snapshot (what deliver would use too), so a night of
	// high-urgency first pages reads nothing more.
	inc, cancelled, err := e.incident(ctx, n)
	if err != nil {
		return nil, false, err
	}
	if cancelled {
		e.dropCancelled(n)
		return nil, true, nil
	}
	if stale(n, inc) {
		return inc, false, nil // deliver cancels it
	}
	held, err := e.quiet(ctx, n, inc, user)
	return inc, held, err
}

// QuietUntil is when the quiet hours q that hold a low-urgency page to
// user at now end, read on the user's clock as delivery reads it (their
// time_zone, else q's zone, else UTC): the due time of the pages they hold
// tonight. ok is false when q is nil (off) or now is outside them. A
// config reload compares it under the old and new files to find the holds
// it lifts or moves.
func QuietUntil(q *hypercare.QuietHours, user hypercare.User, now time.Time) (time.Time, bool) {
	if q == nil {
		return time.Time{}, false
	}
	return q.Until(now, userZone(user, q.Zone))
}

// userZone is the zone a user's night is read in: their time_zone, else
// fallback (notify.low_urgency.time_zone), else UTC.
func userZone(u hypercare.User, fallback *time.Location) *time.Location {
	if u.TimeZone != "" {
		if loc, err := oncall.LoadZone(u.TimeZone); err == nil {
			return loc
		}
	}
	if fallback == nil {
		return time.UTC
	}
	return fallback
}
