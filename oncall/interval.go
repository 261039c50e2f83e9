package oncall

import (
	"cmp"
	"slices"
	"time"
)

// The interval algebra behind Shifts. Every list here is sorted by start
// and its intervals are disjoint and half-open, so each operation is one
// linear merge walk.

// span64 is a half-open interval of Unix seconds.
type span64 struct{ start, end int64 }

// unionSpans sorts ws and merges overlapping or touching intervals.
func unionSpans(ws []span64) []span64 {
	if len(ws) < 2 {
		return ws
	}
	slices.SortFunc(ws, func(a, b span64) int { return cmp.Compare(a.start, b.start) })
	out := ws[:1]
	for _, w := range ws[1:] {
		last := &out[len(out)-1]
		if w.start <= last.end {
			last.end = max(last.end, w.end)
			continue
		}
		out = append(out, w)
	}
	return out
}

// inWindows reports whether Unix second sec lies in one of ws.
func inWindows(ws []span64, sec int64) bool {
	for _, w := range ws {
		if w.start <= sec && sec < w.end {
			return true
		}
	}
	return false
}

// intersect cuts shifts to the windows ws.
func intersect(shifts []Shift, ws []span64) []Shift {
	var out []Shift
	j := 0
	for _, s := range shifts {
		for j < len(ws) && !time.Unix(ws[j].end, 0).After(s.Start) {
			j++
		}
		loc := s.Start.Location()
		for i := j; i < len(ws); i++ {
			open, closed := time.Unix(ws[i].start, 0).In(loc), time.Unix(ws[i].end, 0).In(loc)
			if !open.Before(s.End) {
				break
			}
			a, b := maxTime(s.Start, open), minTime(s.End, closed)
			if a.Before(b) {
				out = append(out, Shift{User: s.User, Start: a, End: b, Layer: s.Layer})
			}
		}
	}
	return out
}

// replace returns base with every part covered by cover removed and the
// shifts of top (which lie inside cover) put in their place, in one merge
// walk. Of cover only Start and End are used.
func replace(base, cover, top []Shift) []Shift {
	if len(cover) == 0 {
		return base
	}
	out := make([]Shift, 0, len(base)+len(top)+len(cover))
	next := 0 // the first shift of top not yet in out
	emit := func(s Shift) {
		for next < len(top) && top[next].Start.Before(s.Start) {
			out = append(out, top[next])
			next++
		}
		out = append(out, s)
	}
	j := 0
	for _, s := range base {
		for j < len(cover) && !cover[j].End.After(s.Start) {
			j++
		}
		start := s.Start
		for i := j; i < len(cover) && cover[i].Start.Before(s.End); i++ {
			if cover[i].Start.After(start) {
				emit(Shift{User: s.User, Start: start, End: cover[i].Start, Layer: s.Layer})
			}
			start = maxTime(start, cover[i].End)
		}
		if start.Before(s.End) {
			emit(Shift{User: s.User, Start: start, End: s.End, Layer: s.Layer})
		}
	}
	return append(out, top[next:]...)
}

// overlay lays top over base: top everywhere it has shifts, base elsewhere.
func overlay(base, top []Shift) []Shift { return replace(base, top, top) }

// merge joins touching shifts of the same user and source, in place.
func merge(shifts []Shift) []Shift {
	if len(shifts) < 2 {
		return shifts
	}
	out := shifts[:1]
	for _, s := range shifts[1:] {
		last := &out[len(out)-1]
		if last.End.Equal(s.Start) && last.User == s.User && last.Layer == s.Layer {
			last.End = s.End
			continue
		}
		out = append(out, s)
	}
	return out
}
