package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hypercare/hypercare"
)

// Throttled pages queue: a page over its throttle is given the first
// place that neither it nor a page already waiting for a later place has
// to give up, so a storm's pages to one person go out in order, one place
// apart, each delayed once. The place is computed from the store (sends
// and waiting pages), so it holds across restarts. A page whose place has
// come goes if the window ending now has room, even if that moves a later
// page on a little (the page before it went late, or two nodes picked the
// same place); such a move is not told again (see delay).

// throttle delays n to its place and reports true when th's window ending
// now is full; recent are the user's sends on n's channel within it.
func (e pass) throttle(ctx context.Context, n *hypercare.Notification, user hypercare.User, th Throttle, recent []time.Time) (bool, error) {
	if len(recent) < th.Max {
		return false, nil
	}
	now := e.clock.Now()
	queued, err := e.store.QueuedSends(ctx, n.UserID, n.Type, now)
	if err != nil {
		return false, fmt.Errorf("throttle page %s: %w", n.ID, err)
	}
	until := nextPlace(now, slices.Concat(recent, queued), th)
	if !until.After(now) {
		return false, nil
	}
	return true, e.delay(ctx, n, user, th, until)
}

// nextPlace is the earliest moment at or after now a page may go under
// th given the other sends (past and planned) in events: then at most
// th.Max sends fall in the window ending at it, and in the window ending
// at every planned send after it. A place opens only now or one window
// after some send, so those are the moments tried.
func nextPlace(now time.Time, events []time.Time, th Throttle) time.Time {
	slices.SortFunc(events, func(a, b time.Time) int { return a.Compare(b) })
	tries := []time.Time{now}
	for _, ev := range events {
		if at := ev.Add(th.Per); at.After(now) {
			tries = append(tries, at)
		}
	}
	slices.SortFunc(tries, func(a, b time.Time) int { return a.Compare(b) })
	for _, at := range tries {
		if fits(at, events, th) {
			return at
		}
	}
	return tries[len(tries)-1] // unreachable: a window after the last send is empty
}

// fits reports whether one more send at t keeps every window of th that
// ends at t or at a later send within th.Per under th.Max, counting as
// the engine does (a send exactly one window ago no longer counts).
func fits(t time.Time, events []time.Time, th Throttle) bool {
	if within(events, t.Add(-th.Per), t) >= th.Max {
		return false
	}
	for _, f := range events {
		if f.After(t) && f.Before(t.Add(th.Per)) && within(events, f.Add(-th.Per), f)+1 > th.Max {
			return false
		}
	}
	return true
}

// within counts the sorted events in (from, to].
func within(events []time.Time, from, to time.Time) int {
	lo := sort.Search(len(events), func(i int) bool { return events[i].After(from) })
	hi := sort.Search(len(events), func(i int) bool { return events[i].After(to) })
	return hi - lo
}

// delay moves n to until (its place under the throttle) without counting
// the attempt. The incident's timeline says so once per page: the entry
// has an ID made from the page's, so moving the page on again (a node
// took the place first, a send ran late) adds nothing, on any node or
// after a restart. Only a move of more than a minute past the time the
// page was due adds one more entry, "still delayed", once: a responder
// reading "until ~14:03" at 14:05 must learn it is later, not be told
// every few seconds.
func (e pass) delay(ctx context.Context, n *hypercare.Notification, user hypercare.User, th Throttle, until time.Time) error {
	now, was := e.clock.Now(), n.DueAt
	n.Status, n.DueAt, n.Attempts = hypercare.NotificationPending, until, n.Attempts-1
	details := map[string]any{"notification": n.ID, "throttle": string(n.Type),
		"delay_seconds": until.Sub(now).Seconds(), "due_at": until}
	first, err := e.delayEntry(n.ID+"-throttled", n, now, details, fmt.Sprintf(
		"%s to %s delayed until ~%s (%s) by the %s throttle (%s)", channelName(n.Type), user.Name,
		clockTime(until), humanDuration(until.Sub(now)), n.Type, rate(th.Max, th.Per)))
	if err != nil {
		return err
	}
	var later *hypercare.TimelineEntry
	if until.Sub(was) > time.Minute {
		details["previous_due_at"] = was
		later, err = e.delayEntry(n.ID+"-throttled-later", n, now, details, fmt.Sprintf(
			"%s to %s still delayed by the %s throttle (%s): now until ~%s, not ~%s", channelName(n.Type),
			user.Name, n.Type, rate(th.Max, th.Per), clockTime(until), clockTime(was)))
		if err != nil {
			return err
		}
	}
	ctx = context.WithoutCancel(ctx) // like record: the move must not be lost
	err = e.store.Write(ctx, n.IncidentID, func(tx hypercare.Tx) error {
		if err := tx.UpdateNotification(ctx, n); err != nil {
			if errors.Is(err, hypercare.ErrNotificationSuperseded) {
				return nil // claimed again since: the later attempt places it
			}
			return err
		}
		added, err := tx.AppendTimelineOnce(ctx, first)
		if err != nil || added || later == nil {
			return err
		}
		_, err = tx.AppendTimelineOnce(ctx, later)
		return err
	})
	if cancelledMeanwhile(n, err) {
		return nil // cancelled while it waited for the throttle: nothing to delay
	}
	return err
}

// delayEntry is a throttle's timeline entry for n with the given ID.
func (e *Engine) delayEntry(id string, n *hypercare.Notification, now time.Time, details map[string]any, msg string) (*hypercare.TimelineEntry, error) {
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("encode timeline details: %w", err)
	}
	return &hypercare.TimelineEntry{ID: id, IncidentID: n.IncidentID, At: now, Type: TimelineNotified,
		Actor: hypercare.SystemActor, Message: msg, Details: raw}, nil
}

// clockTime is "14:03:05 UTC": timeline text is read in many zones, and
// the entry's due_at detail has the exact instant.
func clockTime(t time.Time) string {
	return t.UTC().Format("15:04:05") + " UTC"
}
