package oncall

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
)

// TestEveryZone runs the DST checks in every zone of the tz database that
// Go ships, not only the unusual ones the other tests pick: schedules must
// be right wherever a responder lives. For each zone, Resolve is checked at
// readings around every transition of 2000–2037, and the schedule
// properties (checkProperties) over a week around the zone's first
// transition of 2026 (or a random week in a zone without one).
func TestEveryZone(t *testing.T) {
	names := clocktest.Zones(t)
	r := rand.New(rand.NewPCG(3, 4))
	transitions := 0
	for _, name := range names {
		loc, err := LoadZone(name)
		if err != nil {
			t.Errorf("zone %s of the tz database: %v", name, err)
			continue
		}
		transitions += checkResolveAtTransitions(t, loc)
		a := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(358*24)) * time.Hour)
		if z := zoneAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), loc); !z.open1 && z.end < time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix() {
			a = time.Unix(z.end, 0).Add(-3*24*time.Hour + time.Duration(r.IntN(24*60))*time.Minute)
		}
		c := a.Add(7 * 24 * time.Hour)
		b := a.Add(time.Duration(r.Int64N(int64(c.Sub(a)))))
		s := randomScheduleIn(t, r, a.Add(-10*24*time.Hour), loc)
		t.Run(name, func(t *testing.T) { checkProperties(t, s, r, a, b, c) })
	}
	t.Logf("%d zones, %d transitions", len(names), transitions)
	if transitions < 10000 {
		t.Fatalf("only %d transitions checked; the zone walk is broken", transitions)
	}
}

// checkResolveAtTransitions compares resolve with the answer worked out
// from the two offsets at every transition of loc in 2000–2037, at readings
// every 5 minutes from 3 hours before the change's readings to 3 hours
// after. Where another transition lies within two days (a suspension of a
// few hours, say), the minute-grid brute force of checkAround decides.
func checkResolveAtTransitions(t *testing.T, loc *time.Location) int {
	t.Helper()
	checked := 0
	end := time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	prev := int64(-1 << 62)
	for x := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); x < end; {
		z := zoneAt(x, loc)
		if z.open1 {
			break
		}
		tr := z.end
		next := zoneAt(tr, loc)
		checked++
		if tr-prev < 2*secondsPerDay || (!next.open1 && next.end-tr < 2*secondsPerDay) {
			checkAround(t, loc, tr)
		} else if !checkTransition(t, loc, tr, z.off, next.off) {
			return checked
		}
		prev, x = tr, tr
	}
	return checked
}

// checkTransition checks resolve around one transition at tr from offset
// o0 to o1. The wall clock reads x+o0 before tr and x+o1 from tr on, so
// the first instant showing w or later is w-o0 if that is before tr, else
// the later of tr and w-o1.
func checkTransition(t *testing.T, loc *time.Location, tr, o0, o1 int64) bool {
	t.Helper()
	lo, hi := tr+min(o0, o1)-3*3600, tr+max(o0, o1)+3*3600
	for w := lo - lo%300; w <= hi; w += 300 {
		want := w - o0
		if want >= tr {
			want = max(tr, w-o1)
		}
		if got := resolve(w, loc); got != want {
			t.Errorf("%s: resolve(%s) = %s, want %s (transition at %s)", loc,
				time.Unix(w, 0).UTC().Format("2006-01-02T15:04"), time.Unix(got, 0).In(loc).Format(time.RFC3339),
				time.Unix(want, 0).In(loc).Format(time.RFC3339), time.Unix(tr, 0).UTC().Format(time.RFC3339))
			return false
		}
	}
	return true
}
