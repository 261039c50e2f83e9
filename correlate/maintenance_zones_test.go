package correlate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/oncall"
)

// TestMaintenanceAcrossDSTInEveryZone checks a daily maintenance window in
// every zone of the tz database around its clock changes of 2026 (starting
// at the reading of the change, so occurrences start or end in the
// skipped or repeated hour): Active, Next and Edges must agree with each
// other every 15 minutes from 30 hours before a change to 30 hours after.
func TestMaintenanceAcrossDSTInEveryZone(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	changes := 0
	for _, name := range clocktest.Zones(t) {
		loc, err := oncall.LoadZone(name)
		if err != nil {
			t.Fatalf("zone %s: %v", name, err)
		}
		for _, c := range clocktest.Changes(loc, from, to) {
			changes++
			r := c.At.Add(time.Duration(c.Before) * time.Second).UTC() // the reading the change starts at
			s := r.AddDate(0, 0, -3)
			for _, length := range []time.Duration{90 * time.Minute, 26 * time.Hour} {
				m := correlate.Maintenance{ID: "w", Zone: loc, Start: reading(s), End: reading(s.Add(length)),
					Recurrence: &correlate.Recurrence{Freq: correlate.FreqDaily, Interval: 1}}
				if !checkMaintenanceAround(t, &m, c.At) {
					return
				}
			}
		}
	}
	if changes < 100 {
		t.Fatalf("only %d clock changes in 2026 found; the zone walk is broken", changes)
	}
}

// reading is the local reading a UTC time's fields spell.
func reading(r time.Time) oncall.LocalDateTime {
	return oncall.LocalDateTime{Year: r.Year(), Month: r.Month(), Day: r.Day(), Hour: r.Hour(), Minute: r.Minute()}
}

// checkMaintenanceAround walks a 15-minute grid around tr: an active
// occurrence contains the instant and is what Next answers; where Active's
// answer changes between two grid points, Edges reports an edge there.
func checkMaintenanceAround(t *testing.T, m *correlate.Maintenance, tr time.Time) bool {
	t.Helper()
	fail := func(format string, args ...any) bool {
		t.Errorf("%s, daily %s–%s, clock change at %s: "+format,
			append([]any{m.Zone, m.Start, m.End, tr.UTC().Format(time.RFC3339)}, args...)...)
		return false
	}
	prev, prevOK := m.Active(tr.Add(-30 * time.Hour))
	for at := tr.Add(-30*time.Hour + 15*time.Minute); at.Before(tr.Add(30 * time.Hour)); at = at.Add(15 * time.Minute) {
		o, ok := m.Active(at)
		if ok {
			if at.Before(o.Start) || !at.Before(o.End) {
				return fail("Active(%s) = %s–%s, which does not contain it", at.UTC(), o.Start.UTC(), o.End.UTC())
			}
			if err := firstShowing(o.Start, m.Start, m.Zone); err != "" {
				return fail("occurrence %s–%s starts %s", o.Start.UTC(), o.End.UTC(), err)
			}
			if err := firstShowing(o.End, m.End, m.Zone); err != "" {
				return fail("occurrence %s–%s ends %s", o.Start.UTC(), o.End.UTC(), err)
			}
			if n, nok := m.Next(at); !nok || !n.Start.Equal(o.Start) || !n.End.Equal(o.End) {
				return fail("at %s Active says %s–%s, Next says %s–%s", at.UTC(), o.Start.UTC(), o.End.UTC(), n.Start.UTC(), n.End.UTC())
			}
		}
		if (ok != prevOK || ok && !o.Start.Equal(prev.Start)) && len(m.Edges(at.Add(-15*time.Minute), at)) == 0 {
			return fail("Active changed between %s and %s with no edge in between", at.Add(-15*time.Minute).UTC(), at.UTC())
		}
		prev, prevOK = o, ok
	}
	return true
}

// firstShowing says what is wrong, if anything, with x as the first
// instant at which loc's clock shows r's time of day (on some date) or
// jumps past it: the clock must show that reading, or one at most 3 hours
// later, at x, and a reading before it a minute earlier.
func firstShowing(x time.Time, r oncall.LocalDateTime, loc *time.Location) string {
	const day = 24 * 60 * 60
	wallAt := func(x time.Time) int64 { _, off := x.In(loc).Zone(); return x.Unix() + int64(off) }
	tod := int64(r.Hour*3600 + r.Minute*60)
	w := wallAt(x)
	want := w - ((w-tod)%day+day)%day // the latest reading of that time of day up to w
	if w-want > 3*3600 {
		return fmt.Sprintf("at %s, %d minutes after the clock last showed %02d:%02d", x.In(loc).Format(time.RFC3339), (w-want)/60, r.Hour, r.Minute)
	}
	if wallAt(x.Add(-time.Minute)) >= want {
		return fmt.Sprintf("at %s, but the clock showed %02d:%02d before", x.In(loc).Format(time.RFC3339), r.Hour, r.Minute)
	}
	return ""
}
