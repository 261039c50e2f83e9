package escalate

import (
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// climb takes one due step of st under policy at now: take pages st's
// level (returning its pages and whether the level reached anyone), then
// advance moves past it. A level that reaches nobody (a schedule gap, only
// users without a notification rule for the urgency) cannot be
// acknowledged, so waiting out its timeout would leave the incident
// silent: the next level is taken at once, in the same step, as PagerDuty
// assigns an incident to the first level with someone on call. It stops at
// a level that reaches someone, at the end of the policy, or after a whole
// round of levels reached nobody: that round waits the last level's
// timeout as usual, so a policy with nobody anywhere keeps looking instead
// of running through its repeats at once. skipped, if set, is told of
// each level passed over (from) and the one taken at once instead (st,
// already advanced). The engine, manual escalation and the dry run all
// climb with it, so they cannot disagree about when a level is paged.
func climb(st *hypercare.EscalationState, policy hypercare.EscalationPolicy, windows []hypercare.Window, now time.Time,
	take func() (pages int, reached bool, err error), skipped func(from int) error) (int, error) {
	total := 0
	for round := len(policy.Levels); ; round-- {
		pages, reached, err := take()
		total += pages
		if err != nil {
			return total, err
		}
		from := st.Level
		advance(st, policy, windows, now)
		if reached || st.Status == hypercare.EscalationDone || round <= 1 {
			return total, nil
		}
		st.DueAt = now
		if skipped != nil {
			if err := skipped(from); err != nil {
				return total, err
			}
		}
	}
}

// roundRobin is whom a round-robin level of targets pages at now: the
// target whose turn it is (next advances the level's turn counter and
// returns it) or, when that target reaches nobody at urgency (a schedule
// in a gap, users without a rule for it), the next target in turn, and so
// on through every target once: a level of peers hands an incident to the
// next peer before the policy hands it to the next level, as PagerDuty's
// round robin does. Every turn tried is taken, so the next incident starts
// after the target that was paged. gaps say why the targets passed over
// reach nobody. When no target reaches anyone, the level pages nobody
// and climb passes it over; the dry run, which lists every candidate of a
// round-robin level, decides the same (Directory.reaches over them all).
func (d *Directory) roundRobin(targets []hypercare.Target, urgency hypercare.Urgency, now time.Time,
	next func() (int, error)) (users, gaps []string, err error) {
	for range targets {
		turn, err := next()
		if err != nil {
			return nil, nil, err
		}
		users, why := d.Resolve([]hypercare.Target{targets[turn%len(targets)]}, now)
		if d.reaches(users, urgency, now) {
			return users, gaps, nil
		}
		for _, id := range users {
			why = append(why, noRule(d.Users[id], urgency))
		}
		for _, w := range why {
			gaps = append(gaps, w+" (its round-robin turn passes on)")
		}
	}
	return nil, gaps, nil
}

// skipNote is the timeline's (and the dry run's) account of a level
// passed over: "Level 1 has nobody to page: level 2 is paged at once".
func skipNote(from int, st *hypercare.EscalationState) string {
	next := fmt.Sprintf("level %d", st.Level+1)
	if st.Loop > 0 {
		next += fmt.Sprintf(" (repeat %d)", st.Loop)
	}
	return fmt.Sprintf("Level %d has nobody to page: %s is paged at once", from+1, next)
}

// reaches reports whether a level resolved to users pages anyone: one of
// them has a notification rule for the urgency.
func (d *Directory) reaches(users []string, urgency hypercare.Urgency, now time.Time) bool {
	for _, id := range users {
		if len(pagesFor(d.Users[id], urgency, now)) > 0 {
			return true
		}
	}
	return false
}
