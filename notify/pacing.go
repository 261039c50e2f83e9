package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// Policy paces delivery under a storm (notify.delivery, notify.throttle,
// notify.digest in the config). The zero value is the defaults: every
// channel DefaultConcurrency sends at once, DefaultAttemptTimeout per attempt, no
// throttle, no digest.
type Policy struct {
	// Channels are per-channel limits, by contact type.
	Channels map[hypercare.ContactType]ChannelLimits
	// Throttles limit how often one user is sent pages on a channel; a
	// page over the limit waits (durably: its due time moves) and its
	// incident's timeline says how long and why.
	Throttles map[hypercare.ContactType]Throttle
	// Digest, when set, replaces a flood of pages to one user on one
	// channel with one message listing the incidents.
	Digest DigestPolicy
	// Quiet, when set, holds low-urgency pages that would reach a user
	// during their night until it ends (notify.low_urgency; see quiet.go).
	Quiet *hypercare.QuietHours
}

// Throttle allows Max pages per user in any Per.
type Throttle struct {
	Max int
	Per time.Duration
}

// DigestPolicy: once a user was sent MaxPages pages on a channel within
// Per, further pages wait until that window ends and go out together as
// one digest. MaxPages 0 turns digests off.
type DigestPolicy struct {
	MaxPages int
	Per      time.Duration
}

// paced reports whether pages of type t are throttled or digested, and so
// need the per-(user, channel) lock: a count of recent pages and the send
// it allows must be one step. Quiet hours do not pace: they hold only
// low-urgency pages, under their own per-user lock (quiet.go), so with the
// default quiet hours a storm's high-urgency pages to one person still go
// out in parallel, not one send and one commit at a time.
func (p Policy) paced(t hypercare.ContactType) bool {
	return p.Digest.MaxPages > 0 || p.Throttles[t].Max > 0
}

// pace holds n for a digest or delays it for a throttle when its user was
// sent too many pages on its channel lately; it reports whether it did
// (and recorded it). The caller holds the (user, channel) lock, so the
// count it reads cannot change under it on this node.
func (e pass) pace(ctx context.Context, n *hypercare.Notification, user hypercare.User) (bool, error) {
	th, dg := e.policy.Throttles[n.Type], e.policy.Digest
	digest := dg.MaxPages > 0 && n.Kind != hypercare.NotificationDigest
	if th.Max <= 0 && !digest {
		return false, nil
	}
	now := e.clock.Now()
	window := max(th.Per, dg.Per)
	sends, err := e.store.RecentSends(ctx, n.UserID, n.Type, now.Add(-window))
	if err != nil {
		return false, fmt.Errorf("pace page %s: %w", n.ID, err)
	}
	if digest {
		if recent := since(sends, now.Add(-dg.Per)); len(recent) >= dg.MaxPages {
			return true, e.hold(ctx, n, user, recent[len(recent)-dg.MaxPages].Add(dg.Per))
		}
	}
	if th.Max > 0 {
		return e.throttle(ctx, n, user, th, since(sends, now.Add(-th.Per)))
	}
	return false, nil
}

// since returns the times in sorted ts after t: a send exactly one
// window ago no longer counts.
func since(ts []time.Time, t time.Time) []time.Time {
	for i, at := range ts {
		if at.After(t) {
			return ts[i:]
		}
	}
	return nil
}

// hold makes n wait for its user's digest on this channel, sent when the
// window ends (at until), without counting the attempt.
func (e pass) hold(ctx context.Context, n *hypercare.Notification, user hypercare.User, until time.Time) error {
	n.Kind, n.Status, n.DueAt, n.Attempts = hypercare.NotificationHeld, hypercare.NotificationPending, until, n.Attempts-1
	dg := e.policy.Digest
	msg := fmt.Sprintf("%s to %s held for a digest: %s was sent %s on %s; the digest goes in %s",
		channelName(n.Type), user.Name, user.Name, rate(dg.MaxPages, dg.Per), n.Type,
		humanDuration(until.Sub(e.clock.Now())))
	return e.record(ctx, n, msg, map[string]any{"notification": n.ID, "digest_at": until})
}

// channelName is how the timeline names a channel: "SMS", "E-mail".
func channelName(t hypercare.ContactType) string {
	switch t {
	case hypercare.ContactSMS:
		return "SMS"
	case hypercare.ContactEmail:
		return "E-mail"
	case hypercare.ContactVoice:
		return "Call"
	case "":
		return "Page"
	}
	return strings.ToUpper(string(t[:1])) + string(t[1:]) + " page"
}

// rate is "1 per minute", "5 per 10 minutes".
func rate(n int, per time.Duration) string {
	if per == time.Minute {
		return fmt.Sprintf("%d per minute", n)
	}
	if per%time.Minute == 0 {
		return fmt.Sprintf("%d per %d minutes", n, int(per/time.Minute))
	}
	return fmt.Sprintf("%d per %s", n, per)
}

// humanDuration is "40 s", "2 min 5 s", rounded up to the second.
func humanDuration(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}
