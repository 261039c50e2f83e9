package escalate

// Paging one level of a policy: who its targets resolve to now, the pages
// each of them gets under their notification rules, and the timeline's
// account of it. The engine's steps, manual escalation and the dry run's
// counterpart (simulate.go) share these.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// pageLevel pages the targets of the state's current level and records it
// on the timeline. reason, if set, replaces the default "level N" reason.
// Inside a hypercare window with a fatigue guardrail, a responder over it
// gets help: the next level is paged in the same step (pageHelp). reached
// says whether the level itself had anyone to page (climb).
func pageLevel(ctx context.Context, tx hypercare.Tx, dir *Directory, policy hypercare.EscalationPolicy,
	st *hypercare.EscalationState, inc *hypercare.Incident, now time.Time, reason string) (pages int, reached bool, err error) {
	users, gaps, err := levelUsers(ctx, tx, dir, policy, st.Level, inc.Urgency, now)
	if err != nil {
		return 0, false, err
	}
	reached = dir.reaches(users, inc.Urgency, now)
	// Count before paging, so this step's own pages are counted once (as
	// "this page") and a retried step decides the same.
	w := fatigueWindow(dir.Windows, inc.ServiceID, now)
	var over []overload
	if w != nil {
		history := func(id string, since time.Time) ([]time.Time, error) { return tx.RecentPages(ctx, id, since) }
		if over, err = dir.overloaded(w, users, inc.Urgency, now, history); err != nil {
			return 0, false, err
		}
	}
	if reason == "" {
		reason = fmt.Sprintf("level %d of escalation policy %s", st.Level+1, policy.ID)
		if st.Loop > 0 {
			reason += fmt.Sprintf(" (repeat %d)", st.Loop)
		}
	}
	pages, err = pageUsers(ctx, tx, dir, st, inc, users, gaps, reason, now)
	if err != nil || len(over) == 0 {
		return pages, reached, err
	}
	helped, err := pageHelp(ctx, tx, dir, policy, st, inc, w, over, users, now)
	return pages + helped, reached, err
}

// turnKeys are the turn counters a step under policy may take: those of
// its round-robin levels of more than one target (levelUsers), any of
// which climbing, a repeat or the fatigue guardrail's help may page.
func turnKeys(policy hypercare.EscalationPolicy) []hypercare.TurnKey {
	var keys []hypercare.TurnKey
	for i, l := range policy.Levels {
		if l.Mode == hypercare.RoundRobin && len(l.Targets) > 1 {
			keys = append(keys, hypercare.TurnKey{PolicyID: policy.ID, Level: i})
		}
	}
	return keys
}

// lockTurns locks, before a step takes any, the turn counters the steps
// of states (under the policies in force for them) may take, in the
// store's one global order (Tx.LockTurns). Taken as each step paged, two
// transactions stepping incidents of two round-robin policies in
// opposite orders each held one counter and waited for the other. ok is
// false, nothing locked, when tx already holds a counter sorting after
// one of them (an earlier request of its batch took it).
func lockTurns(ctx context.Context, tx hypercare.Tx, dir *Directory, states ...*hypercare.EscalationState) (bool, error) {
	var keys []hypercare.TurnKey
	for _, st := range states {
		if policy, _, ok := policyInForce(dir, st); ok {
			keys = append(keys, turnKeys(policy)...)
		}
	}
	if len(keys) == 0 {
		return true, nil
	}
	ok, err := tx.LockTurns(ctx, keys)
	if err != nil {
		return false, fmt.Errorf("lock round-robin turns: %w", err)
	}
	return ok, nil
}

// levelUsers resolves a level's targets at now into users; a round-robin
// level takes its next turn that reaches someone at urgency (roundRobin).
func levelUsers(ctx context.Context, tx hypercare.Tx, dir *Directory, policy hypercare.EscalationPolicy,
	level int, urgency hypercare.Urgency, now time.Time) ([]string, []string, error) {
	targets := policy.Levels[level].Targets
	if policy.Levels[level].Mode == hypercare.RoundRobin && len(targets) > 1 {
		return dir.roundRobin(targets, urgency, now, func() (int, error) {
			turn, err := tx.NextTurn(ctx, policy.ID, level)
			if err != nil {
				return 0, fmt.Errorf("round-robin turn of level %d of policy %s: %w", level+1, policy.ID, err)
			}
			return turn, nil
		})
	}
	users, gaps := dir.Resolve(targets, now)
	return users, gaps, nil
}

// pageHelp is the fatigue guardrail's help: it says on the timeline who
// is over the guardrail and pages the level after st's in the same step
// (the notifications' uniqueness per step makes a retried step page the
// helpers once). After the last level there is nobody further: the
// timeline says so and the level's own pages stand.
func pageHelp(ctx context.Context, tx hypercare.Tx, dir *Directory, policy hypercare.EscalationPolicy,
	st *hypercare.EscalationState, inc *hypercare.Incident, w *hypercare.Window, over []overload,
	paged []string, now time.Time) (int, error) {
	details := map[string]any{"window_id": w.ID, "fatigue": overloadDetails(over), "level": st.Level + 1, "step": st.Step}
	if st.Level+1 >= len(policy.Levels) {
		return 0, note(ctx, tx, inc.ID, helpNote(over, st.Level+2, nil, nil, true), details, now)
	}
	help := *st
	help.Level++
	users, gaps, err := levelUsers(ctx, tx, dir, policy, help.Level, inc.Urgency, now)
	if err != nil {
		return 0, err
	}
	users = withoutUsers(users, paged)
	details["help_level"], details["helpers"] = help.Level+1, users
	if err := note(ctx, tx, inc.ID, helpNote(over, help.Level+1, dir.userNames(users), gaps, false), details, now); err != nil {
		return 0, err
	}
	if len(users) == 0 {
		return 0, nil
	}
	return pageUsers(ctx, tx, dir, &help, inc, users, nil, helpReason(w, over, help.Level+1, policy.ID), now)
}

// pageUsers records notifications for users and a timeline entry saying
// whom it is paging, how and why (and which targets yielded nobody). The
// entry says "Paging", not "Paged": delivery records its own entry per
// page once the receiver accepted it or it was given up on.
func pageUsers(ctx context.Context, tx hypercare.Tx, dir *Directory, st *hypercare.EscalationState,
	inc *hypercare.Incident, users, gaps []string, reason string, now time.Time) (int, error) {
	pages := 0
	var paging []string
	for _, id := range users {
		u := dir.Users[id]
		planned := pagesFor(u, inc.Urgency, now)
		if len(planned) == 0 {
			gaps = append(gaps, noRule(u, inc.Urgency))
			continue
		}
		var via []string
		for _, n := range planned {
			via = append(via, describePage(n, now))
			n.ID, n.IncidentID = hypercare.NewID(now), inc.ID
			n.Level, n.Loop, n.Step, n.Reason = st.Level+1, st.Loop, st.Step, reason
			err := tx.InsertNotification(ctx, &n)
			if hypercare.ErrorCode(err) == hypercare.CodeConflict {
				continue // this step already paged them (a retried step)
			}
			if err != nil {
				return 0, err
			}
			pages++
		}
		paging = append(paging, u.Name+" via "+strings.Join(via, ", "))
	}
	msg := "Paging " + strings.Join(paging, "; ") + " (" + reason + ")"
	if len(paging) == 0 {
		msg = "Nobody to page (" + reason + ")"
	}
	if len(gaps) > 0 {
		msg += "; " + strings.Join(gaps, "; ")
	}
	details := map[string]any{"users": users, "level": st.Level + 1, "loop": st.Loop, "step": st.Step}
	return pages, note(ctx, tx, inc.ID, msg, details, now)
}

// describePage is "bob-hook (webhook)", with " in 2 minutes" for a delayed rule.
func describePage(n hypercare.Notification, now time.Time) string {
	s := n.ContactMethod + " (" + string(n.Type) + ")"
	if d := n.DueAt.Sub(now); d > 0 {
		s += " in " + hypercare.HumanDuration(d)
	}
	return s
}

// noRule explains why a user a level targets gets no page at all.
func noRule(u hypercare.User, urgency hypercare.Urgency) string {
	return fmt.Sprintf("%s (%s) has no notification rule for %s-urgency incidents and is not paged", u.Name, u.ID, urgency)
}
