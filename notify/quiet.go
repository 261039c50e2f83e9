package notify

import (
	"context"
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
	// One user's pages on different channels run at once: this lock
	// (taken last, so it cannot deadlock) makes the check and the hold
	// one step for the user.
	unlock := e.pool.lock("quiet\x00" + n.UserID)
	defer unlock()
	sameMethod, sameUser, err := e.alreadyHeld(ctx, n, until)
	if err != nil {
		return true, err
	}
	n.Status, n.DueAt, n.Attempts = hypercare.NotificationPending, until, n.Attempts-1
	if sameMethod {
		n.Status = hypercare.NotificationCancelled
		e.count(n, outcomeCancelled)
		return true, e.record(ctx, n, "", nil)
	}
	if sameUser {
		return true, e.record(ctx, n, "", nil)
	}
	at := until.In(loc).Format("15:04") + " " + loc.String()
	msg := fmt.Sprintf("Low urgency: page to %s held until %s (quiet hours)", user.Name, at)
	return true, e.record(ctx, n, msg, map[string]any{"notification": n.ID, "contact_method": n.ContactMethod,
		"quiet_hours": q.Span(), "time_zone": loc.String(), "due_at": until,
		"delay_seconds": until.Sub(now).Seconds()})
}

// holdForNight holds n for quiet hours before it takes a channel slot,
// when its user's clock is inside them now: a night storm of low-urgency
// pages to one person then waits on the quiet lock without filling the
// channel's slots, which other people's (and high-urgency) pages need.
// Outside quiet hours it reads nothing. deliver checks again, with a
// fresh read, once the page has its slot.
func (e pass) holdForNight(ctx context.Context, n *hypercare.Notification) (bool, error) {
	q := e.policy.Quiet
	if q == nil || n.Kind == hypercare.NotificationDigest || n.Kind == hypercare.NotificationHeld {
		return false, nil
	}
	user, ok := e.dir.User(n.UserID)
	if !ok {
		return false, nil // deliver fails it
	}
	if _, night := q.Until(e.clock.Now(), userZone(user, q.Zone)); !night {
		return false, nil
	}
	inc, err := e.store.GetIncident(ctx, n.IncidentID)
	if err != nil {
		return false, err
	}
	if stale(n, inc) {
		return false, nil // deliver cancels it
	}
	return e.quiet(ctx, n, inc, user)
}

// alreadyHeld reports whether another waiting page of n's incident to
// n's user is due at until (held for the same morning): on the same
// contact method, or on any.
func (e pass) alreadyHeld(ctx context.Context, n *hypercare.Notification, until time.Time) (sameMethod, sameUser bool, err error) {
	all, err := e.store.ListNotifications(ctx, n.IncidentID)
	if err != nil {
		return false, false, fmt.Errorf("quiet hours: pages of incident %s: %w", n.IncidentID, err)
	}
	for _, o := range all {
		if o.ID == n.ID || o.UserID != n.UserID || o.Status != hypercare.NotificationPending || !o.DueAt.Equal(until) {
			continue
		}
		sameUser = true
		if o.ContactMethod == n.ContactMethod {
			return true, true, nil
		}
	}
	return false, sameUser, nil
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
