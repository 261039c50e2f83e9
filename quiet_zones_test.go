package hypercare_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
)

// TestQuietHoursEndInEveryZone checks QuietHours.Until around every clock
// change of 2020–2030 in every zone of the tz database against a brute
// force: the page is released at the first instant after it at which the
// wall clock's minute is outside the span. The spans end at the readings
// the change skips or repeats (where the bugs were) and at the change's
// own reading, and start 8 hours before. Every such change and its
// offsets fall on a 15-minute grid, so stepping the clock by 15 minutes
// visits every instant where the answer can change.
func TestQuietHoursEndInEveryZone(t *testing.T) {
	const grid = 15 * 60
	checked, offGrid := 0, 0
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range clocktest.Zones(t) {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatalf("zone %s: %v", name, err)
		}
		for _, c := range clocktest.Changes(loc, from, to) {
			end, o0, o1 := c.At, c.Before, c.After
			if end.Unix()%grid != 0 || o0%grid != 0 || o1%grid != 0 {
				offGrid++
				continue
			}
			checked++
			for _, ends := range []int{min(o0, o1), (o0 + o1) / 2, max(o0, o1)} {
				w := end.Unix() + int64(ends) // a reading at the change
				endMin := time.Duration((w%86400+86400)%86400/grid*grid) * time.Second
				q := &hypercare.QuietHours{Start: (endMin + 16*time.Hour) % (24 * time.Hour), End: endMin}
				if !checkQuietAround(t, q, loc, end) {
					return
				}
			}
		}
	}
	t.Logf("%d clock changes checked, %d off the 15-minute grid skipped", checked, offGrid)
	if checked < 3000 || offGrid > checked/100 {
		t.Fatalf("%d changes checked, %d skipped: the zone walk is broken", checked, offGrid)
	}
}

// checkQuietAround compares Until with the brute force for pages every
// hour from 9 hours before the change at tr to 2 hours after it.
func checkQuietAround(t *testing.T, q *hypercare.QuietHours, loc *time.Location, tr time.Time) bool {
	t.Helper()
	for at := tr.Add(-9 * time.Hour); !at.After(tr.Add(2 * time.Hour)); at = at.Add(time.Hour) {
		got, held := q.Until(at, loc)
		want, wantHeld := bruteQuietEnd(q, at, loc)
		if held != wantHeld || (held && !got.Equal(want)) {
			t.Errorf("%s, quiet %s, page at %s: held %v until %s; want %v until %s (clock change at %s)",
				loc, q.Span(), at.In(loc).Format(time.RFC3339), held, got.In(loc).Format(time.RFC3339),
				wantHeld, want.In(loc).Format(time.RFC3339), tr.UTC().Format(time.RFC3339))
			return false
		}
	}
	return true
}

// bruteQuietEnd steps loc's clock forward 15 minutes at a time from at
// (on the grid) to the first instant whose wall-clock minute is outside
// q's span.
func bruteQuietEnd(q *hypercare.QuietHours, at time.Time, loc *time.Location) (time.Time, bool) {
	quiet := func(x time.Time) bool {
		l := x.In(loc)
		m := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute
		if q.Start <= q.End {
			return m >= q.Start && m < q.End
		}
		return m >= q.Start || m < q.End
	}
	if !quiet(at) {
		return time.Time{}, false
	}
	for x := at.Add(15 * time.Minute); ; x = x.Add(15 * time.Minute) {
		if !quiet(x) {
			return x, true
		}
	}
}
