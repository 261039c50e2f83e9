package readiness

import (
	"slices"
	"sort"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// shiftMargin is how far outside the checked span shifts are read, so a
// stint that starts before the window (a weekly rotation running into it)
// is measured at its real length. A stint longer than the span plus two
// margins is reported clipped to them.
const shiftMargin = 8 * 24 * time.Hour

// span is a half-open interval [start, end).
type span struct{ start, end time.Time }

func (s span) dur() time.Duration { return s.end.Sub(s.start) }

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(ss []span) []span {
	if len(ss) == 0 {
		return nil
	}
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b span) int { return a.start.Compare(b.start) })
	out := ss[:1]
	for _, s := range ss[1:] {
		last := &out[len(out)-1]
		if !s.start.After(last.end) {
			if s.end.After(last.end) {
				last.end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// segment is a stretch of the checked span in which every level of a
// policy resolves to the same users: users[i] is level i's, in target
// order without repeats.
type segment struct {
	span
	users [][]string
}

// analysis holds what one Evaluate computes once and shares among checks.
type analysis struct {
	c        *Catalog
	w        hypercare.Window
	from, to time.Time
	loc      *time.Location
	// services are the services in scope, in config order; policies maps
	// each policy in scope to its services, policyOrder lists them.
	services    []hypercare.Service
	policies    map[string][]string
	policyOrder []string
	// shifts caches each schedule's final shifts over the span widened by
	// shiftMargin.
	shifts   map[string][]oncall.Shift
	segments map[string][]segment
	findings []Finding
	notes    []string
}

func newAnalysis(c *Catalog, w hypercare.Window, from, to time.Time, loc *time.Location) *analysis {
	a := &analysis{c: c, w: w, from: from, to: to, loc: loc, policies: map[string][]string{},
		shifts: map[string][]oncall.Shift{}, segments: map[string][]segment{}}
	for _, s := range c.Services {
		if !w.InScope(s.ID) {
			continue
		}
		a.services = append(a.services, s)
		if s.EscalationPolicy == "" {
			continue
		}
		if _, ok := a.policies[s.EscalationPolicy]; !ok {
			a.policyOrder = append(a.policyOrder, s.EscalationPolicy)
		}
		a.policies[s.EscalationPolicy] = append(a.policies[s.EscalationPolicy], s.ID)
	}
	return a
}

// scheduleShifts returns the final shifts of a schedule over the widened
// span, computed once.
func (a *analysis) scheduleShifts(id string) []oncall.Shift {
	if s, ok := a.shifts[id]; ok {
		return s
	}
	var out []oncall.Shift
	if sch, ok := a.c.Directory.Schedules[id]; ok {
		out = sch.Shifts(a.from.Add(-shiftMargin), a.to.Add(shiftMargin))
	}
	a.shifts[id] = out
	return out
}

// policySegments cuts the checked span where any level of the policy
// changes hands, and resolves every level in each piece.
func (a *analysis) policySegments(policyID string) []segment {
	if segs, ok := a.segments[policyID]; ok {
		return segs
	}
	p := a.c.Directory.Policies[policyID]
	cuts := []time.Time{a.from, a.to}
	for _, l := range p.Levels {
		for _, t := range l.Targets {
			if t.Schedule == "" {
				continue
			}
			for _, sh := range a.scheduleShifts(t.Schedule) {
				cuts = append(cuts, sh.Start, sh.End)
			}
		}
	}
	slices.SortFunc(cuts, func(x, y time.Time) int { return x.Compare(y) })
	cuts = slices.CompactFunc(cuts, func(x, y time.Time) bool { return x.Equal(y) })
	var segs []segment
	for i := 0; i+1 < len(cuts); i++ {
		s := span{cuts[i], cuts[i+1]}
		if s.start.Before(a.from) || !s.end.After(s.start) || s.end.After(a.to) {
			continue
		}
		seg := segment{span: s, users: make([][]string, len(p.Levels))}
		for li, l := range p.Levels {
			seg.users[li] = a.levelUsers(l.Targets, s.start)
		}
		if n := len(segs); n > 0 && segs[n-1].end.Equal(s.start) && sameUsers(segs[n-1].users, seg.users) {
			segs[n-1].end = s.end
			continue
		}
		segs = append(segs, seg)
	}
	a.segments[policyID] = segs
	return segs
}

// levelUsers resolves a level's targets at t from the cached shifts, as
// the escalation engine would page them.
func (a *analysis) levelUsers(targets []hypercare.Target, t time.Time) []string {
	var users []string
	for _, tg := range targets {
		u := tg.User
		if u != "" {
			if _, ok := a.c.Directory.Users[u]; !ok {
				u = ""
			}
		} else {
			u = userAt(a.scheduleShifts(tg.Schedule), t)
		}
		if u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	return users
}

// userAt finds the user of the shift containing t in sorted shifts.
func userAt(shifts []oncall.Shift, t time.Time) string {
	i := sort.Search(len(shifts), func(i int) bool { return shifts[i].End.After(t) })
	if i < len(shifts) && !shifts[i].Start.After(t) {
		return shifts[i].User
	}
	return ""
}

func sameUsers(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// inScopeSchedules lists the schedules the policies in scope page, in
// order of first use.
func (a *analysis) inScopeSchedules() []string {
	var ids []string
	for _, pid := range a.policyOrder {
		for _, l := range a.c.Directory.Policies[pid].Levels {
			for _, t := range l.Targets {
				if t.Schedule != "" && !slices.Contains(ids, t.Schedule) {
					ids = append(ids, t.Schedule)
				}
			}
		}
	}
	return ids
}

// add records a finding; from and to are given for interval findings.
func (a *analysis) add(f Finding, iv *span) {
	if iv != nil {
		from, to := iv.start.In(a.loc), iv.end.In(a.loc)
		f.From, f.To = &from, &to
	}
	a.findings = append(a.findings, f)
}
