package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/loop"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/prometheus/client_golang/prometheus"
)

// Delivery engine defaults.
const (
	// DefaultPoll is how soon the loop looks again at a page that is due
	// but was not taken here (another node holds its lease). Otherwise the
	// loop sleeps until the next page or retry is due, or a commit wakes it.
	DefaultPoll = 100 * time.Millisecond
	// Lease is how long a claimed page is this node's to send; if the node
	// dies, another claims it after the lease (at-least-once, deduped by
	// the receiver on the notification ID).
	Lease = 3 * time.Minute
	// MaxAttempts bounds retries of transient failures.
	MaxAttempts = 8
	claimBatch  = 200
)

// Directory is what delivery needs to know about people and services: the
// current contact addresses (never stored with the page, so a changed
// address or a removed method takes effect at once) and display names.
type Directory interface {
	User(id string) (hypercare.User, bool)
}

// Engine delivers due notifications through a Sender, recording each
// outcome and a timeline entry. Build it with NewEngine; Run drives it, or
// tests call RunDue with a fake clock.
type Engine struct {
	store  hypercare.Store
	clock  hypercare.Clock
	sender Sender
	dir    func() Directory
	log    *slog.Logger
	loop   *loop.Loop
	// failures logs failed attempts, sampled per channel and reason.
	failures *failureLog
	// outcomes counts attempts by channel and outcome, for /metrics.
	outcomes *prometheus.CounterVec
	// links makes each message's incident and one-click action links.
	links actlink.Links
	// own paces delivery (per-channel limits, throttles, digests) as
	// SetPolicy set it; src, when set (Use), replaces it and dir. A pass
	// loads one policy and its sends use only it (pass).
	own atomic.Pointer[Policy]
	src atomic.Pointer[func() (Policy, Directory)]
	// pool holds the per-channel slots and per-(user, channel) locks.
	pool pool
	// inflight counts the sends Run (or Deliver while Run is active)
	// started, so Run returns after them.
	inflight sync.WaitGroup
	// run is Run's context while it is active (handoff.go).
	run running
}

// Delivery outcomes, the outcome label of hypercare_notifications_total.
const (
	outcomeSent      = "sent"
	outcomeRetry     = "retry"
	outcomeFailed    = "failed"
	outcomeCancelled = "cancelled"
)

// NewEngine returns a delivery engine. dir is called per pass so a config
// reload takes effect.
func NewEngine(st hypercare.Store, clk hypercare.Clock, sender Sender, dir func() Directory, log *slog.Logger) *Engine {
	return &Engine{store: st, clock: clk, sender: sender, dir: dir, log: log,
		loop: loop.New("delivery", clk, DefaultPoll, log), failures: newFailureLog(log, clk),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hypercare_notifications_total",
			Help: "Page delivery attempts by channel (contact type) and outcome: sent, retry (failed, will retry), failed (given up), cancelled.",
		}, []string{"channel", "outcome"})}
}

// Collector returns the engine's metrics, for the server to register: a
// page that cannot be delivered must show on /metrics, not only in logs.
func (e *Engine) Collector() prometheus.Collector { return e.outcomes }

func (e *Engine) count(n *hypercare.Notification, outcome string) {
	e.outcomes.WithLabelValues(string(n.Type), outcome).Inc()
}

// SetLinks sets how messages get their links (serve --public-url and the
// action-link signer). Call it before Run; without it messages carry no
// links.
func (e *Engine) SetLinks(l actlink.Links) { e.links = l }

// SetPolicy sets per-channel limits, throttles, the digest and the quiet
// hours of low urgency (notify.delivery, notify.throttle, notify.digest,
// notify.low_urgency).
func (e *Engine) SetPolicy(p Policy) { e.own.Store(&p) }

// Use makes the engine read its policy and directory from src at every
// pass, both from one snapshot, instead of SetPolicy's and NewEngine's:
// the server publishes one snapshot for intake, escalation and delivery
// together (package reload). Call it before Run.
func (e *Engine) Use(src func() (Policy, Directory)) { e.src.Store(&src) }

// current returns the policy and directory in force.
func (e *Engine) current() (Policy, Directory) {
	if src := e.src.Load(); src != nil {
		return (*src)()
	}
	p := Policy{}
	if own := e.own.Load(); own != nil {
		p = *own
	}
	return p, e.dir()
}

// pass is the engine as one delivery pass sees it: every send of the
// pass paces by the policy and reads the addresses of the directory the
// pass loaded, so a reload never gives one page half of two configs.
type pass struct {
	*Engine
	policy Policy
	dir    Directory
	// opened are incidents as the write that leased their first pages
	// left them (Deliver), so those pages' first attempt reads none.
	opened map[string]*hypercare.Incident
	// read is the incident the quiet-hours check of this page's attempt
	// read just before (pass is copied per attempt), so the send does not
	// read it again. It is set only when that check found the page not
	// cancelled.
	read *hypercare.Incident
}

// Wake makes the loop look for due pages now; it never blocks.
func (e *Engine) Wake() { e.loop.Wake() }

// Run delivers due pages until ctx ends, sleeping until the next one is
// due (loop.RunScheduled) unless a commit wakes it. A pass does not wait
// for its sends: each runs in its channel's slots and wakes the loop when
// it is recorded, so a hung provider never delays the next pass. Run
// returns once the sends it started have.
func (e *Engine) Run(ctx context.Context) error {
	defer e.inflight.Wait()
	e.run.start(ctx)
	defer e.run.stop() // before the Wait: Deliver adds no more sends
	pass := func(ctx context.Context) (int, error) {
		var wg sync.WaitGroup
		n, err := e.claimAndDispatch(ctx, &wg)
		e.inflight.Add(1)
		done := make(chan struct{})
		go func() { defer e.inflight.Done(); wg.Wait(); close(done) }()
		// Healthy channels answer within milliseconds: waiting that long
		// lets the pages due meanwhile be claimed in one batch (one write)
		// instead of one claim each. A slow channel's sends carry on
		// after PassWait without holding up the next pass.
		select {
		case <-done:
		case <-e.clock.After(PassWait):
		case <-ctx.Done():
		}
		return n, err
	}
	return e.loop.RunScheduled(ctx, pass, e.store.NextNotificationDue, loop.DefaultIdle)
}

// PassWait is the longest a pass waits for its sends before the loop
// looks for more due pages.
const PassWait = 50 * time.Millisecond

// RunDue claims and delivers every page due now and waits for the
// attempts; it returns how many it made. Tests drive the engine with it.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	n, err := e.claimAndDispatch(ctx, &wg)
	wg.Wait()
	return n, err
}

// claimAndDispatch claims every page due now and starts its attempt,
// counted in wg. It asks the read side first and opens no write when
// nothing is due, so an idle server commits nothing.
func (e *Engine) claimAndDispatch(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	due, ok, err := e.store.NextNotificationDue(ctx)
	if err != nil {
		return 0, fmt.Errorf("look for due pages: %w", err)
	}
	if !ok || due.After(e.clock.Now()) {
		return 0, nil
	}
	total := 0
	for {
		now := e.clock.Now()
		var claimed []hypercare.Notification
		err := e.store.Write(ctx, "deliver", func(tx hypercare.Tx) error {
			var err error
			claimed, err = tx.ClaimNotifications(ctx, now, now.Add(Lease), claimBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("claim pages: %w", err)
		}
		policy, dir := e.current()
		pass{Engine: e, policy: policy, dir: dir}.dispatch(ctx, claimed, now, wg)
		total += len(claimed)
		if len(claimed) < claimBatch {
			return total, nil
		}
	}
}

// deliver makes one attempt and records its outcome. Every failure is
// logged (sampled, see failureLog) and counted; a final one also goes on
// the incident's timeline, with the detail kept for admins. A page found
// cancelled since its claim, before the send (incident) or when its
// outcome is recorded (record), is counted cancelled and logs nothing.
func (e pass) deliver(ctx context.Context, n *hypercare.Notification, timeout time.Duration) error {
	inc, cancelled, err := e.incident(ctx, n)
	if err != nil {
		return err
	}
	if cancelled {
		e.dropCancelled(n)
		return nil
	}
	if n.Kind != hypercare.NotificationDigest && stale(n, inc) {
		n.Status = hypercare.NotificationCancelled
		e.count(n, outcomeCancelled)
		return e.record(ctx, n, "", nil)
	}
	user, ok := e.dir.User(n.UserID)
	cm, found := user.ContactMethodByID(n.ContactMethod)
	if !ok || !found {
		return e.fail(ctx, n, n.UserID, Permanent(errGone))
	}
	if n.Kind == hypercare.NotificationHeld {
		return e.collectDigest(ctx, n, user)
	}
	if held, err := e.quiet(ctx, n, inc, user); held || err != nil {
		return err
	}
	if held, err := e.pace(ctx, n, user); held || err != nil {
		return err
	}
	n.Address = cm.Address
	msg, read, err := e.message(ctx, n, inc, user)
	if err != nil || msg == nil {
		return err
	}
	if read || e.policy.paced(n.Type) {
		// The attempt read the store after the page's status (the pacing
		// count, the service's name): look at it again, last (lastLook).
		if done, err := e.lastLook(ctx, n, msg); done || err != nil {
			return err
		}
	}
	// A send once started runs to its answer (or its timeout, at most
	// half the lease) even while the server stops: cut short, the
	// provider may still have the page, and a retry after the restart
	// would page the person again. Run waits for it.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	err = e.sender.Send(sctx, *msg)
	cancel()
	now := e.clock.Now()
	switch {
	case err == nil:
		n.Status, n.SentAt, n.LastError, n.ErrorDetail = hypercare.NotificationSent, &now, "", ""
		e.count(n, outcomeSent)
		return e.record(ctx, n, sentEntry(n, msg, user.Name, cm), nil)
	case IsPermanent(err) || n.Attempts >= MaxAttempts:
		return e.fail(ctx, n, user.Name, err)
	default:
		n.LastError, n.ErrorDetail = Describe(err)
		n.Status, n.DueAt = hypercare.NotificationPending, now.Add(backoff(n.Attempts, err))
		rerr := e.record(ctx, n, "", nil)
		e.failed(n, err, false)
		return rerr
	}
}

// serviceNames is what a Directory may also answer: services' display
// names (escalate.Directory does, from the config the catalog is applied
// from), saving a store read per page.
type serviceNames interface {
	ServiceName(id string) (string, bool)
}

// serviceName returns the display name of service id: from the directory
// when it knows it, else from the store; "" when neither does. read says
// whether it read the store (the attempt then looks at its page again
// before the send, lastLook).
func (e *Engine) serviceName(ctx context.Context, id string) (name string, read bool) {
	if d, ok := e.dir().(serviceNames); ok {
		if name, ok := d.ServiceName(id); ok {
			return name, false
		}
	}
	if svc, err := e.store.GetService(ctx, id); err == nil {
		return svc.Name, true
	}
	return "", true
}

// message builds the message for page n of inc: links, service name and,
// for a digest, its incidents. nil means there is nothing left to send
// (every incident of a digest was acknowledged or resolved since): the
// digest is then cancelled. read says whether a page's message read the
// store (its service's name); a digest's always does, its incidents as
// they are now.
func (e *Engine) message(ctx context.Context, n *hypercare.Notification, inc *hypercare.Incident, user hypercare.User) (*Message, bool, error) {
	msg := Message{Notification: *n, Incident: *inc, User: user}
	var read bool
	msg.ServiceName, read = e.serviceName(ctx, inc.ServiceID)
	if n.Kind == hypercare.NotificationDigest {
		ok, err := e.fillDigest(ctx, &msg)
		if err != nil || !ok {
			if err == nil {
				n.Status = hypercare.NotificationCancelled
				e.count(n, outcomeCancelled)
				err = e.record(ctx, n, "", nil)
			}
			return nil, true, err
		}
		return &msg, true, nil
	}
	links := e.links.For(n.ID, inc.ID, inc.Number, e.clock.Now())
	msg.IncidentURL, msg.AckURL, msg.ResolveURL = links.Incident, links.Ack, links.Resolve
	msg.CallToken = links.CallToken
	return &msg, read, nil
}

// sentEntry is the timeline entry of a sent page or digest.
func sentEntry(n *hypercare.Notification, msg *Message, name string, cm hypercare.ContactMethod) string {
	if msg.Digest != nil {
		return fmt.Sprintf("Sent %s a digest via %s (%s): %s", name, cm.ID, cm.Type, msg.Digest.Summary)
	}
	return fmt.Sprintf("Paged %s via %s (%s)", name, cm.ID, cm.Type)
}

// fail records a page given up on, with a timeline entry saying why in
// words every role may read; the full error goes into the entry's details
// (error_detail), which the API shows to admins only.
func (e *Engine) fail(ctx context.Context, n *hypercare.Notification, name string, err error) error {
	n.Status = hypercare.NotificationFailed
	n.LastError, n.ErrorDetail = Describe(err)
	msg := fmt.Sprintf("Page to %s via %s (%s) failed after %d attempt(s): %s",
		name, n.ContactMethod, n.Type, n.Attempts, n.LastError)
	rerr := e.record(ctx, n, msg, map[string]any{"notification": n.ID, "reason": n.LastError,
		TimelineErrorDetail: n.ErrorDetail, "attempts": n.Attempts})
	e.failed(n, err, true)
	return rerr
}

// failed logs (sampled) and counts a failed attempt of n once record has
// written its outcome: given up on when final, else to be retried. A page
// record found cancelled meanwhile (its incident acknowledged, resolved,
// merged or reassigned while it was in flight) counts as cancelled and
// logs nothing: it will not be retried, and nobody gave up on it.
func (e *Engine) failed(n *hypercare.Notification, err error, final bool) {
	if n.Status == hypercare.NotificationCancelled {
		e.count(n, outcomeCancelled)
		return
	}
	e.failures.failed(n, err, final)
	if final {
		e.count(n, outcomeFailed)
	} else {
		e.count(n, outcomeRetry)
	}
}

// TimelineErrorDetail is the key of a failed page's full error in its
// timeline entry's details: the API removes it for everyone but admins.
const TimelineErrorDetail = "error_detail"

// errGone fails a page whose user or contact method left the config.
var errGone = errors.New("the user or contact method no longer exists")

// stale reports whether a page no longer needs sending: its incident is
// resolved, or was acknowledged after the page was made.
func stale(n *hypercare.Notification, inc *hypercare.Incident) bool {
	if inc.Status == hypercare.StatusResolved {
		return true
	}
	return inc.Status == hypercare.StatusAcknowledged && inc.AcknowledgedAt != nil && !inc.AcknowledgedAt.Before(n.CreatedAt)
}

// backoff is 5 s doubling per attempt up to 5 min, or the receiver's
// Retry-After if longer.
func backoff(attempts int, err error) time.Duration {
	d := 5 * time.Second << min(attempts-1, 6)
	d = min(d, 5*time.Minute)
	return max(d, RetryAfter(err))
}

// record writes the outcome and, if msg is set, a timeline entry with
// details, together. A page cancelled while it was in flight keeps its
// cancel unless it was sent (cancelledMeanwhile): nothing is written then,
// no timeline entry either, and n says cancelled. A page claimed again
// since this attempt's claim (ErrNotificationSuperseded) is left to that
// later attempt: nothing is written either.
func (e *Engine) record(ctx context.Context, n *hypercare.Notification, msg string, details map[string]any) error {
	now := e.clock.Now()
	var raw json.RawMessage
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return fmt.Errorf("encode timeline details: %w", err)
		}
		raw = b
	}
	// A send that happened is recorded even while the server stops, or
	// the page would go again once its lease expired.
	ctx = context.WithoutCancel(ctx)
	var cancelled bool
	err := e.store.Write(ctx, n.IncidentID, func(tx hypercare.Tx) error {
		cancelled = false // the function may run again (a rerun batch)
		err := tx.UpdateNotification(ctx, n)
		if errors.Is(err, hypercare.ErrNotificationSuperseded) {
			// Claimed again since (this attempt's lease ended): the
			// later attempt records its own outcome; nothing here.
			return nil
		}
		if errors.Is(err, hypercare.ErrNotificationCancelled) {
			// Cancelled meanwhile: the store kept why a failed attempt
			// failed, which this write commits; no timeline entry.
			cancelled = true
			return nil
		}
		if err != nil || msg == "" {
			return err
		}
		return tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: n.IncidentID,
			At: now, Type: TimelineNotified, Actor: hypercare.SystemActor, Message: msg, Details: raw})
	})
	if err == nil && cancelled {
		err = fmt.Errorf("record notification %s: %w", n.ID, hypercare.ErrNotificationCancelled)
	}
	if cancelledMeanwhile(n, err) {
		return nil
	}
	return err
}

// cancelledMeanwhile reports whether err is the store refusing n's
// outcome because n was cancelled while in flight (its incident was
// acknowledged, resolved, merged or reassigned after the claim), and then
// marks n cancelled. That is no failure: the page must not be retried,
// held or handed back (a retry would page someone the incident is no
// longer for), and the write that carried the outcome, with its timeline
// entry, was rolled back.
func cancelledMeanwhile(n *hypercare.Notification, err error) bool {
	if !errors.Is(err, hypercare.ErrNotificationCancelled) {
		return false
	}
	n.Status = hypercare.NotificationCancelled
	return true
}

// TimelineNotified is the timeline type of delivery outcomes.
const TimelineNotified = "notified"
