package escalate

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/hold"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/loop"
)

// Defaults for the engine loop.
const (
	// DefaultPoll is how soon the loop looks again at a step that is due
	// but was not taken here (another node holds it). Otherwise the loop
	// sleeps until the next step is due or a commit wakes it.
	DefaultPoll = 100 * time.Millisecond
	// claimBatch bounds the steps taken in one transaction.
	claimBatch = 100
)

// Engine runs due escalation steps, and the symptom grace timers of
// recovering upstream incidents (incident.PromoteAfterGrace): both are
// timers the same due-time read covers (NextEscalationDue). Build it with
// New; Run drives it, or tests call RunDue directly with a fake clock.
type Engine struct {
	store hypercare.Store
	clock hypercare.Clock
	log   *slog.Logger
	// dir is the directory SetDirectory set; src, when set (Use),
	// replaces it. A pass loads one directory and uses only it.
	dir atomic.Pointer[Directory]
	src atomic.Pointer[func() *Directory]
	// gate, when set (SetGate), is held from a pass's directory read to
	// its commit.
	gate hypercare.GateSlot
	loop *loop.Loop
	// paged, if set, is called after a commit that created pages, to wake
	// the delivery engine.
	paged func()
	// check says why a contact method cannot be delivered to (nil: it
	// can), for dry runs; set by the wiring from the channel registry.
	check func(hypercare.ContactMethod) error
}

// New returns an engine over st with directory dir.
func New(st hypercare.Store, clk hypercare.Clock, dir *Directory, log *slog.Logger) *Engine {
	e := &Engine{store: st, clock: clk, log: log, loop: loop.New("escalation", clk, DefaultPoll, log)}
	e.SetDirectory(dir)
	return e
}

// SetDirectory replaces the directory.
func (e *Engine) SetDirectory(d *Directory) { e.dir.Store(d) }

// Use makes the engine read its directory from src at every pass instead
// of SetDirectory's: the server publishes one snapshot for intake,
// escalation and delivery together (package reload). Call it before Run.
func (e *Engine) Use(src func() *Directory) { e.src.Store(&src) }

// Directory returns the directory in force.
func (e *Engine) Directory() *Directory {
	if src := e.src.Load(); src != nil {
		return (*src)()
	}
	return e.dir.Load()
}

// OnPaged sets the function called after steps created pages.
func (e *Engine) OnPaged(f func()) { e.paged = f }

// SetDeliveryCheck sets how dry runs learn which pages this binary cannot
// deliver (notify.Registry.Check); without it every page is assumed
// deliverable.
func (e *Engine) SetDeliveryCheck(f func(hypercare.ContactMethod) error) { e.check = f }

// Wake makes the loop look for due steps now; it never blocks.
func (e *Engine) Wake() { e.loop.Wake() }

// Run takes due steps until ctx ends: at once when woken, else when the
// next step falls due (loop.RunScheduled).
func (e *Engine) Run(ctx context.Context) error {
	return e.loop.RunScheduled(ctx, e.RunDue, e.store.NextEscalationDue, loop.DefaultIdle)
}

// RunDue takes every step due now and returns how many it took. It asks
// the read side first and opens no write when nothing is due, so an idle
// server commits nothing.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	due, ok, err := e.store.NextEscalationDue(ctx)
	if err != nil {
		return 0, fmt.Errorf("look for due escalation steps: %w", err)
	}
	if !ok || due.After(e.clock.Now()) {
		return 0, nil
	}
	total := 0
	for {
		n, pages, err := e.runBatch(ctx)
		total += n
		if pages > 0 && e.paged != nil {
			e.paged()
		}
		if err != nil || n < claimBatch {
			return total, err
		}
	}
}

// runBatch claims up to claimBatch due grace timers and steps and takes
// them in one write. Graces go first: the incidents they promote start
// escalations due now, which the same write then pages.
func (e *Engine) runBatch(ctx context.Context) (steps, pages int, err error) {
	defer e.gate.Enter()()
	now := e.clock.Now()
	dir := e.Directory()
	err = e.store.Write(ctx, "escalate", func(tx hypercare.Tx) error {
		steps, pages = 0, 0
		holds := hold.New(dir.Maintenance)
		graces, err := tx.DueSymptomGraces(ctx, now, claimBatch)
		if err != nil {
			return err
		}
		for _, g := range graces {
			if err := incident.PromoteAfterGrace(ctx, tx, g, dir.Policy, dir.Grouping, now); err != nil {
				return fmt.Errorf("symptom grace of incident %s: %w", g.IncidentID, err)
			}
		}
		steps = len(graces)
		due, err := tx.DueEscalations(ctx, now, claimBatch)
		if err != nil {
			return err
		}
		states := make([]*hypercare.EscalationState, len(due))
		for i := range due {
			states[i] = &due[i]
		}
		// The batch's first turns: never out of order (ok is true).
		if _, err := lockTurns(ctx, tx, dir, states...); err != nil {
			return err
		}
		for i := range due {
			n, err := takeStep(ctx, tx, dir, &due[i], now, holds)
			if err != nil {
				return fmt.Errorf("escalation of incident %s: %w", due[i].IncidentID, err)
			}
			steps, pages = steps+1, pages+n
		}
		return nil
	})
	return steps, pages, err
}

// takeStep runs one due escalation step and returns the pages it created.
// With holds, a first step (step 0) takes the urgency floor of a
// hypercare window open when its incident was opened and, covered by a
// maintenance window or silence, waits for its end instead of paging;
// intake, which applied both when it opened the incident, passes nil.
func takeStep(ctx context.Context, tx hypercare.Tx, dir *Directory, st *hypercare.EscalationState, now time.Time, holds *hold.Holds) (int, error) {
	inc, err := tx.GetIncident(ctx, st.IncidentID)
	if err != nil {
		return 0, err
	}
	switch {
	case inc.Status == hypercare.StatusResolved:
		return 0, finish(ctx, tx, st, now)
	case st.Status == hypercare.EscalationAckWait:
		if done, err := ackTimeoutInForce(ctx, tx, dir, st, inc, now); done || err != nil {
			return 0, err
		}
		if err := retrigger(ctx, tx, inc, st, now); err != nil {
			return 0, err
		}
		if st.Assignee != "" {
			if pages, done, err := repageAssignee(ctx, tx, dir, st, inc, now); done || err != nil {
				return pages, err
			}
		}
	case inc.Status == hypercare.StatusAcknowledged:
		return 0, awaitAck(ctx, tx, st, inc, now)
	}
	policy, ok, err := currentPolicy(ctx, tx, dir, st, now)
	if err != nil || !ok {
		return 0, err
	}
	if correlate.Recovering(inc) {
		return 0, holdWhileRecovering(ctx, tx, dir, policy, st, inc, now)
	}
	if holds != nil && st.Step == 0 {
		// An incident intake did not open (a promoted symptom, a split)
		// takes the urgency floor of a hypercare window open when it was
		// opened, as intake's own incidents do, before its first page.
		if err := incident.RaiseToFloor(ctx, tx, dir.Windows, inc, inc.CreatedAt, now); err != nil {
			return 0, err
		}
		st.Urgency = inc.Urgency
	}
	if held, err := holdFirstPage(ctx, tx, holds, st, inc, now); held || err != nil {
		return 0, err
	}
	if st.Step == 0 && inc.SuppressedBy != "" && inc.SuppressedUntil != nil {
		// The first page was held by a maintenance window or silence.
		msg := fmt.Sprintf("Held by %s until %s; still open: paging now", inc.SuppressedBy, inc.SuppressedUntil.UTC().Format("2006-01-02 15:04 UTC"))
		if err := note(ctx, tx, inc.ID, msg, nil, now); err != nil {
			return 0, err
		}
	}
	st.AckTimeout = policy.AckTimeout // a reload's new ack timeout applies from this step
	pages, err := climb(st, policy, dir.Windows, now, func() (int, bool, error) {
		return pageLevel(ctx, tx, dir, policy, st, inc, now, "")
	}, func(from int) error { return note(ctx, tx, inc.ID, skipNote(from, st), nil, now) })
	if err != nil {
		return 0, err
	}
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return 0, err
	}
	return pages, nil
}

// currentPolicy returns the policy an escalation continues under after a
// config reload (ARCHITECTURE.md, "Live reload"): its own policy as the
// file now defines it, at the same level, or the last level if the policy
// shrank; if the file removed that policy, the policy its service uses
// now, at the same level (or its last), noted on the timeline. With
// neither, the escalation stops with a note saying why, never silently.
func currentPolicy(ctx context.Context, tx hypercare.Tx, dir *Directory, st *hypercare.EscalationState,
	now time.Time) (hypercare.EscalationPolicy, bool, error) {
	policy, id, found := policyInForce(dir, st)
	if !found {
		msg := fmt.Sprintf("Escalation stopped: policy %q no longer exists and service %s has no escalation policy", st.PolicyID, st.ServiceID)
		if err := note(ctx, tx, st.IncidentID, msg, nil, now); err != nil {
			return policy, false, err
		}
		return policy, false, finish(ctx, tx, st, now)
	}
	if id != st.PolicyID {
		msg := fmt.Sprintf("Escalation policy %q no longer exists: continuing under %s's policy %q at level %d",
			st.PolicyID, st.ServiceID, id, min(st.Level, len(policy.Levels)-1)+1)
		if err := note(ctx, tx, st.IncidentID, msg, nil, now); err != nil {
			return policy, false, err
		}
		st.PolicyID, st.Level = id, min(st.Level, len(policy.Levels)-1)
		return policy, true, nil
	}
	if st.Level >= len(policy.Levels) { // the policy shrank
		msg := fmt.Sprintf("Level %d of escalation policy %q no longer exists (it now has %d): paging its last level",
			st.Level+1, st.PolicyID, len(policy.Levels))
		if err := note(ctx, tx, st.IncidentID, msg, nil, now); err != nil {
			return policy, false, err
		}
		st.Level = len(policy.Levels) - 1
	}
	return policy, true, nil
}

// policyInForce is the policy an escalation runs under in the config in
// force: its own, if the file still defines it with levels, else its
// service's current one (id names it). ok is false when neither has levels.
func policyInForce(dir *Directory, st *hypercare.EscalationState) (policy hypercare.EscalationPolicy, id string, ok bool) {
	if p, found := dir.Policies[st.PolicyID]; found && len(p.Levels) > 0 {
		return p, st.PolicyID, true
	}
	id = dir.ServicePolicy[st.ServiceID]
	p, found := dir.Policies[id]
	return p, id, found && len(p.Levels) > 0
}

// ackTimeoutInForce checks a due ack timeout against the policy as the
// config in force defines it (the state keeps the timeout the policy had
// when the escalation started or last stepped): a reload that removed the
// ack timeout ends the escalation instead of re-triggering the incident,
// with a note; one that lengthened it waits until the new timeout, counted
// from the acknowledgement. done says the step is over; otherwise the
// incident re-triggers as usual.
func ackTimeoutInForce(ctx context.Context, tx hypercare.Tx, dir *Directory, st *hypercare.EscalationState,
	inc *hypercare.Incident, now time.Time) (bool, error) {
	if inc.Status != hypercare.StatusAcknowledged || inc.AcknowledgedAt == nil {
		return false, nil
	}
	var timeout time.Duration
	if policy, _, ok := policyInForce(dir, st); ok {
		timeout = policy.AckTimeout
	}
	if timeout == st.AckTimeout {
		return false, nil
	}
	st.AckTimeout = timeout
	if timeout <= 0 {
		msg := fmt.Sprintf("Not re-triggered: escalation policy %q no longer has an ack timeout", st.PolicyID)
		if err := note(ctx, tx, inc.ID, msg, nil, now); err != nil {
			return false, err
		}
		return true, finish(ctx, tx, st, now)
	}
	if due := inc.AcknowledgedAt.Add(timeout); due.After(now) {
		st.DueAt, st.UpdatedAt = due, now
		return true, tx.SaveEscalation(ctx, st)
	}
	return false, nil
}

// holdWhileRecovering keeps a recovering incident's escalation from
// climbing: its own alerts have resolved and it only waits for its
// symptoms to clear (or for its symptom grace to end, which resolves it).
// Paging the next level then would wake someone for a service that has
// already recovered. The level is kept and looked at again after its
// timeout, so an alert firing again resumes the climb where it stopped.
func holdWhileRecovering(ctx context.Context, tx hypercare.Tx, dir *Directory, policy hypercare.EscalationPolicy,
	st *hypercare.EscalationState, inc *hypercare.Incident, now time.Time) error {
	msg := fmt.Sprintf("Level %d not paged: %s' own alerts have resolved; waiting for its symptoms to clear "+
		"(escalation resumes if an alert fires again)", st.Level+1, inc.ServiceID)
	if err := note(ctx, tx, inc.ID, msg, nil, now); err != nil {
		return err
	}
	st.UpdatedAt = now
	st.DueAt = NextDue(policy, st.Level, dir.Windows, st.ServiceID, now)
	return tx.SaveEscalation(ctx, st)
}

// advance moves the state past the level just paged: the next level is due
// after this level's timeout (NextDue: shortened by an open hypercare
// window); after the last level the policy repeats, and after the last
// repeat nothing more happens.
func advance(st *hypercare.EscalationState, policy hypercare.EscalationPolicy, windows []hypercare.Window, now time.Time) {
	st.Step++
	st.UpdatedAt = now
	st.DueAt = NextDue(policy, st.Level, windows, st.ServiceID, now)
	switch {
	case st.Level+1 < len(policy.Levels):
		st.Level++
	case st.Loop < policy.Repeat:
		st.Level, st.Loop = 0, st.Loop+1
	default:
		st.Status = hypercare.EscalationDone
	}
}

// retrigger re-opens an incident acknowledged longer than the policy's ack
// timeout and restarts its escalation from the first level (takeStep
// pages a reassigned incident's assignee instead: repageAssignee).
func retrigger(ctx context.Context, tx hypercare.Tx, inc *hypercare.Incident, st *hypercare.EscalationState, now time.Time) error {
	st.Status, st.Level, st.Loop = hypercare.EscalationActive, 0, 0
	if inc.Status != hypercare.StatusAcknowledged {
		return nil
	}
	inc.Status, inc.AcknowledgedAt, inc.UpdatedAt = hypercare.StatusTriggered, nil, now
	if err := tx.UpdateIncident(ctx, inc); err != nil {
		return err
	}
	msg := "Re-triggered: acknowledged but not resolved within " + hypercare.HumanDuration(st.AckTimeout)
	return appendTimeline(ctx, tx, inc.ID, hypercare.TimelineTriggered, msg, nil, now)
}

func finish(ctx context.Context, tx hypercare.Tx, st *hypercare.EscalationState, now time.Time) error {
	st.Status, st.UpdatedAt = hypercare.EscalationDone, now
	return tx.SaveEscalation(ctx, st)
}

// awaitAck ends the steps of an acknowledged incident that was escalated
// by hand after its acknowledgement: with an ack timeout it waits for it,
// counted from the acknowledgement (an escalation must not cancel the
// re-trigger the acknowledgement armed); without one escalation ends.
func awaitAck(ctx context.Context, tx hypercare.Tx, st *hypercare.EscalationState, inc *hypercare.Incident, now time.Time) error {
	if inc.AcknowledgedAt == nil || !incident.AwaitAck(st, *inc.AcknowledgedAt, now) {
		return finish(ctx, tx, st, now)
	}
	return tx.SaveEscalation(ctx, st)
}

// TimelineEscalated is the timeline type of escalation steps.
const TimelineEscalated = "escalated"

func note(ctx context.Context, tx hypercare.Tx, incidentID, msg string, details any, now time.Time) error {
	return appendTimeline(ctx, tx, incidentID, TimelineEscalated, msg, details, now)
}

func appendTimeline(ctx context.Context, tx hypercare.Tx, incidentID, typ, msg string, details any, now time.Time) error {
	e := &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: incidentID, At: now, Type: typ,
		Actor: hypercare.SystemActor, Message: msg}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return fmt.Errorf("encode timeline details: %w", err)
		}
		e.Details = b
	}
	return tx.AppendTimeline(ctx, e)
}

// holdFirstPage defers a first step while a maintenance window or silence
// covers the incident (hold.Holds.Apply: marked held, a timeline entry):
// the step falls due again when the last covering one ends. The labels
// matchers test are its oldest alert's, as that alert's latest trigger
// left them. An incident intake opened with its first page delayed (the
// service's pause or an event rule's delay: ReadyAt) and held by nothing
// was opened before any window or silence covering it now started, and
// is not affected (as documented): a window starting during the pause
// used to hold an outage that began before it until the window's end.
func holdFirstPage(ctx context.Context, tx hypercare.Tx, holds *hold.Holds, st *hypercare.EscalationState,
	inc *hypercare.Incident, now time.Time) (bool, error) {
	if holds == nil || st.Step != 0 || (inc.SuppressedBy == "" && !st.ReadyAt.IsZero()) {
		return false, nil
	}
	wait, err := holds.Apply(ctx, tx, inc, hold.OfIncident(ctx, tx, inc.ID), now)
	if err != nil || wait <= 0 {
		return false, err
	}
	st.DueAt, st.UpdatedAt = now.Add(wait), now
	if err := tx.SaveEscalation(ctx, st); err != nil {
		return false, fmt.Errorf("hold the first page of incident %d: %w", inc.Number, err)
	}
	return true, nil
}
