package escalate

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/hold"
)

// PlannedPage is one page a dry run predicts.
type PlannedPage struct {
	At            time.Time             `json:"at"`
	Level         int                   `json:"level"`
	Loop          int                   `json:"loop"`
	User          string                `json:"user"`
	UserName      string                `json:"user_name"`
	ContactMethod string                `json:"contact_method"`
	Type          hypercare.ContactType `json:"type"`
	// RoundRobin is set when the level takes turns: this user is one of
	// the candidates, whichever's turn it is then.
	RoundRobin bool `json:"round_robin,omitempty"`
	// Undeliverable, if set, says why this page would fail: no channel
	// for its contact type in this version, or an address that can never
	// work. A real incident would record the page and its failure.
	Undeliverable string `json:"undeliverable,omitempty"`
	// Help, if set, says this page is the fatigue guardrail's help for an
	// overloaded responder of the level before (the timeline's words).
	Help string `json:"help,omitempty"`
	// HeldUntil and Held, if set, say a low-urgency page falls in its
	// user's quiet hours (notify.low_urgency): delivery holds it until
	// HeldUntil, and sends it then only if the incident is still open.
	HeldUntil *time.Time `json:"held_until,omitempty"`
	Held      string     `json:"held,omitempty"`
}

// Simulation is the dry run's answer: the pages, and the reasons some
// targets would reach nobody (a gap in a schedule, a user with no
// notification rule, or whose every page is undeliverable).
type Simulation struct {
	ServiceID string            `json:"service_id"`
	PolicyID  string            `json:"policy_id"`
	At        time.Time         `json:"at"`
	Urgency   hypercare.Urgency `json:"urgency"`
	Pages     []PlannedPage     `json:"pages"`
	Gaps      []string          `json:"gaps"`
	// HeldBy and HeldUntil, if set, say a maintenance window or silence
	// without label matchers ("maintenance:ID", "silence:ID") covers the
	// service at At: the first page waits until HeldUntil (overlapping
	// ones chained, as the engine holds it), and the walk starts there.
	HeldBy    string     `json:"held_by,omitempty"`
	HeldUntil *time.Time `json:"held_until,omitempty"`
	// PausedUntil, if set, is when the service's pause
	// (pause_notifications_minutes) lets the first page go, when that is
	// after At and any hold: an incident whose alerts resolve before then
	// pages nobody; the walk starts there.
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// MaybeHeldBy are the windows and silences with label matchers in
	// force on the service at At: whether they hold an incident depends on
	// its alert's labels, which a dry run does not have.
	MaybeHeldBy []string `json:"maybe_held_by,omitempty"`
}

// Simulate answers "who would be paged, and when, for an incident on
// service at t if nobody acknowledges": it walks the whole policy with its
// repeats, resolving schedules at the moment each level would be paged. It
// reads nothing but the directory, so teams can check coverage before a
// peak without touching live data. check, if set, says why a contact
// method cannot be delivered to (notify.Registry.Check). Inside a window
// with a fatigue guardrail it counts the pages it plans itself; Engine.
// Simulate also counts the pages already sent.
func (d *Directory) Simulate(serviceID string, at time.Time, urgency hypercare.Urgency,
	check func(hypercare.ContactMethod) error) (*Simulation, error) {
	return d.simulate(serviceID, at, urgency, check, nil, correlate.Suppressors(d.Maintenance, at))
}

// maxSimulatedSilences bounds the silences a dry run reads (newest
// first); a site keeps a handful.
const maxSimulatedSilences = 1000

// holdsAt are the maintenance windows and silences that may hold a first
// page at at: the directory's windows and the silences not ended then.
func (e *Engine) holdsAt(ctx context.Context, d *Directory, at time.Time) ([]correlate.Suppressor, error) {
	silences, err := e.store.ListLiveSilences(ctx, at, maxSimulatedSilences)
	if err != nil {
		return nil, fmt.Errorf("read silences: %w", err)
	}
	return append(correlate.Suppressors(d.Maintenance, at), hold.Silences(silences)...), nil
}

// Simulate is Directory.Simulate on the current directory, flagging the
// pages the delivery engine could not send and those it would hold for
// quiet hours; the fatigue guardrail counts the pages responders already
// had (the store's RecentPages).
func (e *Engine) Simulate(ctx context.Context, serviceID string, at time.Time, urgency hypercare.Urgency) (*Simulation, error) {
	history := func(id string, since time.Time) ([]time.Time, error) { return e.store.RecentPages(ctx, id, since) }
	d := e.Directory()
	holds, err := e.holdsAt(ctx, d, at)
	if err != nil {
		return nil, err
	}
	sim, err := d.simulate(serviceID, at, urgency, e.check, history, holds)
	if err == nil {
		holdLowUrgency(sim, d, d.Quiet)
	}
	return sim, err
}

// simulate is Simulate with earlier pages read from history (nil: none)
// and the maintenance windows and silences that may hold the first page
// (holds).
func (d *Directory) simulate(serviceID string, at time.Time, urgency hypercare.Urgency,
	check func(hypercare.ContactMethod) error, history PageHistory, holds []correlate.Suppressor) (*Simulation, error) {
	policyID, ok := d.ServicePolicy[serviceID]
	if !ok {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "service %q has no escalation policy", serviceID)
	}
	policy, ok := d.Policies[policyID]
	if !ok || len(policy.Levels) == 0 {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "escalation policy %q does not exist", policyID)
	}
	// Intake raises an incident opened inside a window with urgency: high
	// to high urgency (its urgency floor); the dry run pages as it would.
	if urgency != hypercare.UrgencyHigh && urgencyFloor(d.Windows, serviceID, at) {
		urgency = hypercare.UrgencyHigh
	}
	sim := &Simulation{ServiceID: serviceID, PolicyID: policyID, At: at, Urgency: urgency, Pages: []PlannedPage{}, Gaps: []string{}}
	r := &simRun{d: d, sim: sim, urgency: urgency, check: check, history: history, planned: map[string][]time.Time{}}
	st := hypercare.EscalationState{Status: hypercare.EscalationActive, ServiceID: serviceID}
	now := at
	if by, until, maybe := firstPageHold(holds, serviceID, at); by != nil {
		sim.HeldBy, sim.HeldUntil, sim.MaybeHeldBy = by.Ref(), &until, maybe
		now = until
	} else {
		sim.MaybeHeldBy = maybe
	}
	// The engine's first step is due at the later of the pause's end and
	// the hold's (incident.StartEscalationAfter).
	if paused := at.Add(d.Pauses[serviceID]); paused.After(now) {
		sim.PausedUntil, now = &paused, paused
	}
	for st.Status != hypercare.EscalationDone {
		_, err := climb(&st, policy, d.Windows, now, func() (int, bool, error) {
			users, gaps := d.Resolve(policy.Levels[st.Level].Targets, now)
			var over []overload
			w := fatigueWindow(d.Windows, serviceID, now)
			if w != nil {
				var err error
				if over, err = d.overloaded(w, users, urgency, now, r.pagesOf); err != nil {
					return 0, false, err
				}
			}
			r.level(policy, st.Level, st.Loop, users, gaps, now, "")
			if len(over) > 0 {
				r.help(policy, st, w, over, users, now)
			}
			return 0, d.reaches(users, urgency, now), nil
		}, func(from int) error {
			sim.Gaps = append(sim.Gaps, now.Format(time.RFC3339)+": "+skipNote(from, &st))
			return nil
		})
		if err != nil {
			return nil, err
		}
		now = st.DueAt
	}
	// Rules with delays interleave with later levels: list pages by time.
	sort.SliceStable(sim.Pages, func(i, j int) bool { return sim.Pages[i].At.Before(sim.Pages[j].At) })
	return sim, nil
}

// firstPageHold is the hold the engine would put on the first page of an
// incident opening on serviceID at at (correlate.Suppression over holds
// without matchers: by, nil when none), and the refs of those with
// matchers in scope and in force then, which may hold it or not.
func firstPageHold(holds []correlate.Suppressor, serviceID string, at time.Time) (by *correlate.Suppressor, until time.Time, maybe []string) {
	var plain []correlate.Suppressor
	for _, h := range holds {
		switch {
		case len(h.Matchers) == 0:
			plain = append(plain, h)
		case (len(h.Services) == 0 || slices.Contains(h.Services, serviceID)) && !h.Start.After(at) && h.End.After(at):
			maybe = append(maybe, h.Ref())
		}
	}
	by, until, ok := correlate.Suppression(plain, serviceID, correlate.EventLabels{}, at)
	if !ok {
		return nil, time.Time{}, maybe
	}
	return by, until, maybe
}

// simRun is one dry run in progress: the simulation it fills and the
// pages it planned per user (the fatigue guardrail counts them).
type simRun struct {
	d       *Directory
	sim     *Simulation
	urgency hypercare.Urgency
	check   func(hypercare.ContactMethod) error
	history PageHistory
	planned map[string][]time.Time
}

// pagesOf is the PageHistory of the dry run: earlier real pages, if it
// has a history, and the pages it planned so far.
func (r *simRun) pagesOf(userID string, since time.Time) ([]time.Time, error) {
	var out []time.Time
	if r.history != nil {
		real, err := r.history(userID, since)
		if err != nil {
			return nil, err
		}
		out = append(out, real...)
	}
	for _, t := range r.planned[userID] {
		if !t.Before(since) {
			out = append(out, t)
		}
	}
	return out, nil
}

// level plans the pages of one level's users at now (help, if set, marks
// them as the fatigue guardrail's).
func (r *simRun) level(policy hypercare.EscalationPolicy, level, loop int, users, gaps []string, now time.Time, help string) {
	lv := policy.Levels[level]
	rr := lv.Mode == hypercare.RoundRobin && len(lv.Targets) > 1
	prefix := now.Format(time.RFC3339) + ": level " + strconv.Itoa(level+1) + ": "
	for _, g := range gaps {
		r.sim.Gaps = append(r.sim.Gaps, prefix+g)
	}
	for _, id := range users {
		pages, gap := r.d.simulateUser(r.d.Users[id], r.urgency, now, r.check)
		for _, p := range pages {
			p.Level, p.Loop, p.RoundRobin, p.Help = level+1, loop, rr, help
			r.sim.Pages = append(r.sim.Pages, p)
		}
		if len(pages) > 0 {
			r.planned[id] = append(r.planned[id], now)
		}
		if gap != "" {
			r.sim.Gaps = append(r.sim.Gaps, prefix+gap)
		}
	}
}

// help plans the fatigue guardrail's help as pageHelp does: the next
// level's users besides those just paged, or, after the last level, a gap
// saying nobody is left to ask.
func (r *simRun) help(policy hypercare.EscalationPolicy, st hypercare.EscalationState, w *hypercare.Window,
	over []overload, paged []string, now time.Time) {
	if st.Level+1 >= len(policy.Levels) {
		r.sim.Gaps = append(r.sim.Gaps, now.Format(time.RFC3339)+": "+helpNote(over, st.Level+2, nil, nil, true))
		return
	}
	users, gaps := r.d.Resolve(policy.Levels[st.Level+1].Targets, now)
	users = withoutUsers(users, paged)
	why := helpNote(over, st.Level+2, r.d.userNames(users), gaps, false)
	if len(users) == 0 {
		r.sim.Gaps = append(r.sim.Gaps, now.Format(time.RFC3339)+": "+why)
		return
	}
	r.level(policy, st.Level+1, st.Loop, users, nil, now, why)
}

// simulateUser plans the pages of one user and, if none of them would
// reach the user, says why.
func (d *Directory) simulateUser(u hypercare.User, urgency hypercare.Urgency, now time.Time,
	check func(hypercare.ContactMethod) error) ([]PlannedPage, string) {
	planned := pagesFor(u, urgency, now)
	if len(planned) == 0 {
		return nil, noRule(u, urgency)
	}
	out := make([]PlannedPage, 0, len(planned))
	failing := 0
	for _, n := range planned {
		p := PlannedPage{At: n.DueAt, User: u.ID, UserName: u.Name, ContactMethod: n.ContactMethod, Type: n.Type}
		if cm, ok := u.ContactMethodByID(n.ContactMethod); ok && check != nil {
			if err := check(cm); err != nil {
				p.Undeliverable = err.Error()
				failing++
			}
		}
		out = append(out, p)
	}
	if failing == len(out) {
		return out, fmt.Sprintf("none of the pages to %s (%s) can be delivered", u.Name, u.ID)
	}
	return out, ""
}

// urgencyFloor reports whether a hypercare window open at at, with
// serviceID in scope, raises new incidents to high urgency (intake's
// floor).
func urgencyFloor(windows []hypercare.Window, serviceID string, at time.Time) bool {
	for i := range windows {
		w := &windows[i]
		if w.Urgency == hypercare.UrgencyHigh && w.Active(at) && w.InScope(serviceID) {
			return true
		}
	}
	return false
}
