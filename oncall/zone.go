package oncall

import (
	"fmt"
	"time"
)

// LoadZone loads a schedule's IANA time zone. Unlike [time.LoadLocation] it
// refuses "" (which means UTC) and "Local" (which means whatever machine
// runs the binary), because a schedule must mean the same thing on every
// node.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q: want an IANA name such as Europe/London", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: %w", name, err)
	}
	return loc, nil
}

// Resolve returns the instant that the local reading d denotes in loc: the
// first instant at which loc's wall clock shows d or a later reading. A
// reading in a spring-forward gap becomes the instant of the jump (shown
// as the end of the gap); a reading that happens twice on a fall-back
// night becomes its first occurrence. Configuration uses it for overrides
// and temporary schedules written as local readings, so that every local
// reading in Hypercare follows the same rule.
func Resolve(d LocalDateTime, loc *time.Location) time.Time {
	return time.Unix(resolve(d.seconds(), loc), 0).In(loc)
}

// zone is one period of constant UTC offset in a location: [start, end) in
// Unix seconds, with open ends where the location has no transition.
type zone struct {
	off        int64
	start, end int64
	open0      bool // no start: the zone reaches back to the beginning of time
	open1      bool // no end: the zone goes on forever
}

func zoneAt(sec int64, loc *time.Location) zone {
	t := time.Unix(sec, 0).In(loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	return zone{off: int64(off), start: s.Unix(), end: e.Unix(), open0: s.IsZero(), open1: e.IsZero()}
}

// contains reports whether the instant x lies in z.
func (z zone) contains(x int64) bool {
	return (z.open0 || x >= z.start) && (z.open1 || x < z.end)
}

// farFromEdges reports whether x is more than two days from z's edges, so
// that no other zone can also map a reading to an instant near x.
func (z zone) farFromEdges(x int64) bool {
	const margin = 2 * secondsPerDay
	return (z.open0 || x-z.start > margin) && (z.open1 || z.end-x > margin)
}

// resolve implements Resolve on wall-clock seconds, returning Unix seconds.
// The instant showing reading w is w minus the offset in force at that
// instant; it is searched in the zone around a first guess and its two
// neighbours, which covers every offset change (they are hours, zones last
// weeks).
func resolve(w int64, loc *time.Location) int64 {
	guess := zoneAt(w, loc) // the offset if w were an instant: near the answer
	z := zoneAt(w-guess.off, loc)
	if x := w - z.off; z.contains(x) && z.farFromEdges(x) {
		return x // the common case: no offset change within two days
	}
	zs := [3]zone{z, z, z}
	n := 0
	if !z.open0 {
		zs[n] = zoneAt(z.start-1, loc)
		n++
	}
	zs[n] = z
	n++
	if !z.open1 {
		zs[n] = zoneAt(z.end, loc)
		n++
	}
	best, found := int64(0), false
	for _, c := range zs[:n] {
		if x := w - c.off; c.contains(x) && (!found || x < best) {
			best, found = x, true
		}
	}
	if found {
		return best
	}
	// A gap: w lies in the readings [T+before.off, T+after.off) that the
	// clock skips at the transition T, so T is the first instant showing w
	// or later.
	for i := 0; i+1 < n; i++ {
		t := zs[i+1].start
		if w >= t+zs[i].off && w < t+zs[i+1].off {
			return t
		}
	}
	return w - z.off // unreachable with real zone data; keep a defined answer
}
