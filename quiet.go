package hypercare

import (
	"fmt"
	"time"
)

// QuietHours is when a low-urgency page must not wake anyone: a span of
// the responder's wall clock (notify.low_urgency.quiet_hours, 22:00-07:00
// by default, like PagerDuty's support hours). A low-urgency page due
// inside it waits for its end; a high-urgency page never waits.
type QuietHours struct {
	// Start and End are offsets from local midnight; Start > End means
	// the span crosses midnight.
	Start, End time.Duration
	// Zone is whose wall clock is read for a user without a time_zone.
	Zone *time.Location
}

// Span is the quiet hours as configured, "22:00-07:00".
func (q *QuietHours) Span() string {
	return clockReading(q.Start) + "-" + clockReading(q.End)
}

// Until reports whether t falls in the quiet hours on loc's wall clock
// and, if so, when they end: the next moment loc's clock reads End. It
// builds that moment from the local date, not by adding hours, so it is
// 07:00 local on a day clocks change too; an End the clock skips that
// night (midnight in Santiago or Beirut) ends them when the clock jumps
// past it, and one it reads twice ends them at its next reading after t.
// The end is always after t, so a held page is never due in the past.
func (q *QuietHours) Until(t time.Time, loc *time.Location) (time.Time, bool) {
	l := t.In(loc)
	m := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute
	if !inSpan(m, q.Start, q.End) {
		return time.Time{}, false
	}
	day := l.Day()
	if m >= q.End { // before midnight of a span that crosses it
		day++
	}
	h, mm := int(q.End/time.Hour), int(q.End%time.Hour/time.Minute)
	return nextReading(l, time.Date(l.Year(), l.Month(), day, h, mm, 0, 0, time.UTC)), true
}

// nextReading is the first instant after l at which l's wall clock shows
// the reading wall (given in UTC, a reading later than l's and less than
// a day ahead) or jumps past it. time.Date is not used in l's zone
// because for a skipped reading it may answer an instant before the jump,
// even before l, and for a repeated one the first occurrence, even when l
// is past it.
func nextReading(l time.Time, wall time.Time) time.Time {
	_, off := l.Zone()
	at := wall.Add(-time.Duration(off) * time.Second) // if the offset holds
	_, change := l.ZoneBounds()
	if change.IsZero() || at.Before(change) {
		return at.In(l.Location())
	}
	_, after := change.In(l.Location()).Zone()
	if at = wall.Add(-time.Duration(after) * time.Second); at.Before(change) {
		at = change // the clock skipped the reading: it ends when the clock jumps
	}
	return at.In(l.Location())
}

// inSpan reports whether the local minute m is in [start, end), a span
// that crosses midnight when start > end.
func inSpan(m, start, end time.Duration) bool {
	if start <= end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

// String is "22:00-07:00 in Europe/London", for logs and the dry run.
func (q *QuietHours) String() string {
	return fmt.Sprintf("%s in %s", q.Span(), q.Zone)
}
