package announce

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/notify"
)

// Announcement statuses (as notifications').
const (
	statusPending = "pending"
	statusSent    = "sent"
	statusFailed  = "failed"
)

// errGone fails an announcement whose window, user, method or direct
// target left the config before it was sent.
var errGone = errors.New("the window or recipient no longer exists")

// deliver makes one attempt and records its outcome.
func (e *Engine) deliver(ctx context.Context, a *hypercare.Announcement) error {
	msg, err := e.message(a)
	if err == nil {
		// Not cut short by a shutdown: the receiver may have it already
		// (as the delivery engine's sends).
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		err = e.sender.Send(sctx, msg)
		cancel()
	}
	now := e.clock.Now()
	switch {
	case err == nil:
		a.Status, a.SentAt, a.LastError = statusSent, &now, ""
	case notify.IsPermanent(err) || a.Attempts >= MaxAttempts:
		a.Status = statusFailed
		a.LastError, _ = notify.Describe(err)
		e.log.Warn("announcement failed", "announcement", a.ID, "subject", a.Subject, "reason", a.LastError)
	default:
		a.Status, a.DueAt = statusPending, now.Add(backoff(a.Attempts, err))
		a.LastError, _ = notify.Describe(err)
	}
	// A send that happened is recorded even while the server stops, or
	// the row would go again once its lease expired.
	return e.store.UpdateAnnouncement(context.WithoutCancel(ctx), a)
}

// handBack returns a claimed announcement unsent, its attempt uncounted,
// due now, for the next claim (here or on another node).
func (e *Engine) handBack(ctx context.Context, a *hypercare.Announcement) error {
	a.Status, a.DueAt, a.Attempts = statusPending, e.clock.Now(), a.Attempts-1
	return e.store.UpdateAnnouncement(context.WithoutCancel(ctx), a)
}

// message builds what the channels send: like a test page, a message with
// no incident behind it, whose ID (the row's) is the idempotency key.
func (e *Engine) message(a *hypercare.Announcement) (notify.Message, error) {
	s, ok := e.subjects().byRef[a.Subject]
	if !ok {
		// The end of an open window a reload removed (cutEnds).
		e.mu.Lock()
		s, ok = e.gone[a.Subject]
		e.mu.Unlock()
		ok = ok && a.Edge == correlate.EdgeEnd
	}
	if !ok {
		return notify.Message{}, notify.Permanent(errGone)
	}
	n := hypercare.Notification{ID: a.ID, IncidentID: "announcement-" + a.ID, Reason: a.Message,
		Status: hypercare.NotificationSending, Attempts: a.Attempts, DueAt: a.DueAt, CreatedAt: a.CreatedAt}
	user := hypercare.User{ID: "announcements", Name: "Hypercare announcements"}
	switch kind, rest, _ := strings.Cut(a.Target, ":"); kind {
	case "user":
		uid, cmID, _ := strings.Cut(rest, ":")
		u, found := e.dir().User(uid)
		cm, hasCM := u.ContactMethodByID(cmID)
		if !found || !hasCM {
			return notify.Message{}, notify.Permanent(errGone)
		}
		user, n.UserID, n.ContactMethod, n.Type, n.Address = u, u.ID, cm.ID, cm.Type, cm.Address
	case "direct":
		t, found := directTarget(s, rest)
		if !found {
			return notify.Message{}, notify.Permanent(errGone)
		}
		n.Type, n.Address, n.ContactMethod = t.Type, t.Address, "announce"
	default:
		return notify.Message{}, notify.Permanent(errGone)
	}
	status := hypercare.StatusTriggered
	if a.Edge == correlate.EdgeEnd {
		status = hypercare.StatusResolved
	}
	inc := hypercare.Incident{ID: "announcement-" + a.ID, Title: a.Message, Status: status,
		Urgency: hypercare.UrgencyLow, Severity: hypercare.SeverityInfo, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt}
	return notify.Message{Notification: n, Incident: inc, User: user, ServiceName: "Hypercare"}, nil
}

func directTarget(s Subject, key string) (hypercare.AnnounceTarget, bool) {
	for _, t := range s.Targets {
		if t.User == "" && directKey(t) == key {
			return t, true
		}
	}
	return hypercare.AnnounceTarget{}, false
}

// backoff is 5 s doubling per attempt up to 5 min, or the receiver's
// Retry-After if longer (as the delivery engine's).
func backoff(attempts int, err error) time.Duration {
	d := min(5*time.Second<<min(max(attempts-1, 0), 6), 5*time.Minute)
	return max(d, notify.RetryAfter(err))
}
