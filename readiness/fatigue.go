package readiness

import (
	"fmt"
	"sort"
	"time"
)

// day is the sliding window of the "hours in any 24" rule.
const day = 24 * time.Hour

// fatigue reports stints longer than the window's MaxShift, and, for
// people with no such stint, the 24 hours in which they are on call the
// most when that exceeds MaxShift. A stint is a person's continuous time
// on call across every schedule in scope (a shift on one schedule that
// ends where their shift on another begins is one stint), measured at its
// full length even where it starts before the window.
func (a *analysis) fatigue() {
	if a.w.MaxShift == 0 {
		a.notes = append(a.notes, "shift_too_long not checked: the window sets no max_shift_hours")
		return
	}
	byUser := map[string][]span{}
	var order []string
	for _, sid := range a.inScopeSchedules() {
		for _, sh := range a.scheduleShifts(sid) {
			if _, ok := byUser[sh.User]; !ok {
				order = append(order, sh.User)
			}
			byUser[sh.User] = append(byUser[sh.User], span{sh.Start, sh.End})
		}
	}
	limit := a.w.MaxShift
	for _, u := range order {
		stints := mergeSpans(byUser[u])
		long := false
		for _, st := range stints {
			if st.end.After(a.from) && st.start.Before(a.to) && st.dur() > limit {
				long = true
				a.add(Finding{Kind: ShiftTooLong, Severity: Blocking, User: u, Message: fmt.Sprintf(
					"%s is on call for %s without a break, from %s to %s, over the window's max_shift_hours (%s); "+
						"split the shift with an override or a temporary roster with shorter shifts",
					u, hours(st.dur()), fmtTime(st.start, a.loc), fmtTime(st.end, a.loc), hours(limit))}, &st)
			}
		}
		if long || limit >= day {
			continue
		}
		if t, total := busiestDay(stints, span{a.from, a.to}, a.from.Add(-day+time.Minute), a.to); total > limit {
			iv := span{t, t.Add(day)}
			a.add(Finding{Kind: ShiftTooLong, Severity: Blocking, User: u, Message: fmt.Sprintf(
				"%s is on call for %s in the 24 hours from %s, over the window's max_shift_hours (%s); "+
					"give some of those hours to someone else",
				u, hours(total), fmtTime(t, a.loc), hours(limit))}, &iv)
		}
	}
}

// busiestDay returns the start t in [lo, hi) of the 24 hours [t, t+24h)
// that hold the most on-call time of the sorted, disjoint stints, and that
// time; the earliest such t on ties. Only 24 hours in which the person is
// on call inside in (the checked span) count: hours before the window do
// not make a day in it. The total is piecewise linear in t, so its
// maximum is at a point where a stint edge enters or leaves the 24 hours,
// or at an end of [lo, hi); those are the only candidates.
func busiestDay(stints []span, in span, lo, hi time.Time) (time.Time, time.Duration) {
	var inside []span
	for _, s := range stints {
		if c := (span{maxTime(s.start, in.start), minTime(s.end, in.end)}); c.start.Before(c.end) {
			inside = append(inside, c)
		}
	}
	all, within := cumulative(stints), cumulative(inside)
	cands := []time.Time{lo}
	for _, s := range stints {
		cands = append(cands, s.start, s.end, s.start.Add(-day), s.end.Add(-day))
	}
	best, bestT := time.Duration(-1), lo
	for _, t := range cands {
		if t.Before(lo) || !t.Before(hi) || within(t.Add(day))-within(t) == 0 {
			continue
		}
		if v := all(t.Add(day)) - all(t); v > best || v == best && t.Before(bestT) {
			best, bestT = v, t
		}
	}
	return bestT, best
}

// cumulative returns the function giving the time covered by the sorted,
// disjoint spans before x, in O(log n) per call.
func cumulative(spans []span) func(x time.Time) time.Duration {
	before := make([]time.Duration, len(spans)+1)
	for i, s := range spans {
		before[i+1] = before[i] + s.dur()
	}
	return func(x time.Time) time.Duration {
		i := sort.Search(len(spans), func(i int) bool { return spans[i].end.After(x) })
		total := before[i]
		if i < len(spans) && spans[i].start.Before(x) {
			total += x.Sub(spans[i].start)
		}
		return total
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
