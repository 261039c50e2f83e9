package oncall

import (
	"slices"
	"time"
)

// rotation is a layer's handoff sequence. Handoff k shows the wall-clock
// reading start + k×step (wall-clock seconds) and happens at the instant
// resolve gives for it. Handoff instants never decrease with k, because
// resolve never decreases with the reading; equal neighbours are empty
// shifts (both edges in one spring-forward gap).
type rotation struct {
	loc   *time.Location
	start int64 // wall-clock seconds of handoff 0
	step  int64 // wall-clock seconds per shift
}

// rotation returns the layer's handoff sequence, or false when the layer
// cannot rotate (no users or a non-positive shift: invalid, see Validate).
func (l *Layer) rotation(loc *time.Location) (rotation, bool) {
	step := int64(l.Shift / time.Second)
	if step <= 0 || l.Shift > maxShift || len(l.Users) == 0 {
		return rotation{}, false
	}
	return rotation{loc: loc, start: l.Start.seconds(), step: step}, true
}

// handoff returns the Unix second of handoff k.
func (r rotation) handoff(k int64) int64 { return resolve(r.start+k*r.step, r.loc) }

// index returns the turn k in force at Unix second at (the largest k whose
// handoff is at or before at), with that turn's start and end, or k = -1
// before the first handoff. The turn is estimated arithmetically from the
// wall-clock seconds elapsed since the start, then corrected: resolve moves
// a reading by at most the size of an offset change, so the correction
// loops run at most a step or two.
func (r rotation) index(at int64) (k, start, end int64) {
	k = floorDiv(wallAt(at, r.loc)-r.start, r.step)
	if k < 0 {
		k = 0
	}
	start = r.handoff(k)
	for k > 0 && start > at {
		k--
		start = r.handoff(k)
	}
	if start > at {
		return -1, 0, 0
	}
	end = r.handoff(k + 1)
	for end <= at {
		k, start = k+1, end
		end = r.handoff(k + 1)
	}
	return k, start, end
}

// userAt returns the layer's user at the instant at, if any.
func (l *Layer) userAt(loc *time.Location, at time.Time) (string, bool) {
	r, ok := l.rotation(loc)
	if !ok {
		return "", false
	}
	sec := at.Unix() // handoffs are whole seconds: h ≤ at ⇔ h ≤ ⌊at⌋
	k, _, _ := r.index(sec)
	if k < 0 {
		return "", false
	}
	if len(l.Restrictions) > 0 && !inWindows(l.windows(loc, sec, sec), sec) {
		return "", false
	}
	return l.Users[k%int64(len(l.Users))], true
}

// shifts returns the layer's own shifts within [from, to), labelled source:
// the rotation's turns, cut to the restriction windows.
func (l *Layer) shifts(loc *time.Location, from, to time.Time, source string) []Shift {
	r, ok := l.rotation(loc)
	if !ok {
		return nil
	}
	k, start, end := r.index(from.Unix())
	if k < 0 {
		k, start, end = 0, r.handoff(0), r.handoff(1)
	}
	var out []Shift
	for s := time.Unix(start, 0); s.Before(to); s = time.Unix(start, 0) {
		if end > start {
			a, b := maxTime(from, s.In(loc)), minTime(to, time.Unix(end, 0).In(loc))
			if a.Before(b) {
				out = append(out, Shift{User: l.Users[k%int64(len(l.Users))], Start: a, End: b, Layer: source})
			}
		}
		k, start = k+1, end
		end = r.handoff(k + 1)
	}
	if len(l.Restrictions) > 0 {
		out = intersect(out, l.windows(loc, from.Unix(), to.Unix()))
	}
	return out
}

// windows returns the union of the layer's restriction windows that may
// intersect the Unix seconds [from, to] (a superset; callers clip), sorted
// and disjoint, in Unix seconds. A window opens at its From reading on a
// listed local day and closes at its To reading, on the next local day
// when it crosses midnight; both edges are resolved like handoffs.
func (l *Layer) windows(loc *time.Location, from, to int64) []span64 {
	first := floorDiv(wallAt(from, loc), secondsPerDay) - 1 // windows reach one day on
	last := floorDiv(wallAt(to, loc), secondsPerDay)
	var ws []span64
	for d := first; d <= last; d++ {
		day := time.Weekday(floorMod(d+4, 7)) // 1970-01-01 was a Thursday
		for i := range l.Restrictions {
			r := &l.Restrictions[i]
			if !r.on(day) {
				continue
			}
			open := d*secondsPerDay + r.From.seconds()
			s, e := resolve(open, loc), resolve(open+r.length(), loc)
			if s < e && e > from && s <= to {
				ws = append(ws, span64{s, e})
			}
		}
	}
	return unionSpans(ws)
}

// on reports whether the restriction opens a window on the local weekday.
func (r *Restriction) on(day time.Weekday) bool {
	return len(r.Days) == 0 || slices.Contains(r.Days, day)
}

// length returns the window's wall-clock length: up to the next To
// reading, a full day when To == From.
func (r *Restriction) length() int64 {
	n := floorMod(r.To.seconds()-r.From.seconds(), secondsPerDay)
	if n == 0 {
		return secondsPerDay
	}
	return n
}

// wallAt returns the wall-clock seconds loc's clock shows at Unix second
// sec.
func wallAt(sec int64, loc *time.Location) int64 {
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return sec + int64(off)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
