package correlate

import (
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// Maintenance is one entry of the config's maintenance section: planned
// work on some services (or on the alerts its matchers select) during
// which alerts are recorded but page nobody until it ends. Start and End
// are local readings in Zone, resolved DST-exactly (oncall.Resolve) for
// every occurrence, so "Sundays 02:00–04:00 Europe/London" stays at 02:00
// local across the clock change.
type Maintenance struct {
	ID   string
	Name string
	Zone *time.Location
	// Start and End are the first occurrence as written.
	Start, End oncall.LocalDateTime
	// Recurrence repeats the window; nil means it happens once.
	Recurrence *Recurrence
	// Services and Matchers scope the window: an event is in scope when
	// its service is listed (or none is) and every matcher matches.
	Services []string
	Matchers []Matcher
	// AnnounceTo is who hears when it starts and ends.
	AnnounceTo []hypercare.AnnounceTarget
}

// Recurrence repeats a maintenance window daily or weekly, a small subset
// of RFC 5545's RRULE (FREQ, INTERVAL, BYDAY, UNTIL) that covers planned
// work; occurrences start at the first occurrence's local time of day.
type Recurrence struct {
	// Freq is FreqDaily or FreqWeekly.
	Freq string
	// Interval is every how many days or weeks (1 or more).
	Interval int
	// ByDay are the weekdays of a weekly window; empty means the first
	// occurrence's weekday.
	ByDay []time.Weekday
	// Until is the last local reading an occurrence may start at; nil
	// means forever.
	Until *oncall.LocalDateTime
}

// The recurrence frequencies.
const (
	FreqDaily  = "daily"
	FreqWeekly = "weekly"
)

const day = 24 * 60 * 60

// wall is a local reading as wall-clock seconds since 1970-01-01T00:00,
// where integer arithmetic is calendar arithmetic and never sees DST.
func wall(d oncall.LocalDateTime) int64 {
	return time.Date(d.Year, d.Month, d.Day, d.Hour, d.Minute, 0, 0, time.UTC).Unix()
}

func reading(w int64) oncall.LocalDateTime {
	t := time.Unix(w, 0).UTC()
	return oncall.LocalDateTime{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()}
}

// floorDay rounds wall seconds down to local midnight.
func floorDay(w int64) int64 {
	r := w % day
	if r < 0 {
		r += day
	}
	return w - r
}

// Occurrence is one concrete run of a maintenance window, [Start, End).
type Occurrence struct {
	Start, End time.Time
}

// occursOn reports whether an occurrence starts on the local date whose
// midnight is d (wall seconds).
func (m *Maintenance) occursOn(d int64) bool {
	first := floorDay(wall(m.Start))
	if d < first {
		return false
	}
	r := m.Recurrence
	if r == nil {
		return d == first
	}
	if r.Until != nil && d+(wall(m.Start)-first) > wall(*r.Until) {
		return false
	}
	n := int64(max(r.Interval, 1))
	if r.Freq == FreqDaily {
		return ((d-first)/day)%n == 0
	}
	wd := time.Unix(d, 0).UTC().Weekday()
	days := r.ByDay
	if len(days) == 0 {
		days = []time.Weekday{time.Unix(first, 0).UTC().Weekday()}
	}
	if !slices.Contains(days, wd) {
		return false
	}
	// Weeks start on Monday (RRULE's default WKST).
	monday := func(x int64) int64 { return x - int64((time.Unix(x, 0).UTC().Weekday()+6)%7)*day }
	return ((monday(d)-monday(first))/(7*day))%n == 0
}

// on returns the occurrence starting on local date d.
func (m *Maintenance) on(d int64) Occurrence {
	s := d + wall(m.Start) - floorDay(wall(m.Start))
	e := s + wall(m.End) - wall(m.Start)
	return Occurrence{Start: oncall.Resolve(reading(s), m.Zone), End: oncall.Resolve(reading(e), m.Zone)}
}

// spanDays is how many local days one occurrence may reach back from at.
func (m *Maintenance) spanDays() int64 {
	return (wall(m.End)-wall(m.Start))/day + 2
}

// localDay is the local midnight (wall seconds) of the date at shows in
// the window's zone.
func (m *Maintenance) localDay(at time.Time) int64 {
	t := at.In(m.Zone)
	return floorDay(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix())
}

// Active returns the occurrence that contains at, if any.
func (m *Maintenance) Active(at time.Time) (Occurrence, bool) {
	today := m.localDay(at)
	for d := today - m.spanDays()*day; d <= today+day; d += day {
		if !m.occursOn(d) {
			continue
		}
		if o := m.on(d); !at.Before(o.Start) && at.Before(o.End) {
			return o, true
		}
	}
	return Occurrence{}, false
}

// maxLookahead bounds the search for the next occurrence: two years of
// local days covers any daily or weekly rule with a sane interval.
const maxLookahead = 2 * 366

// Next returns the first occurrence that has not ended at at (the active
// one, else the next to start); ok false when there is none.
func (m *Maintenance) Next(at time.Time) (Occurrence, bool) {
	first := floorDay(wall(m.Start))
	if m.Recurrence == nil {
		o := m.on(first)
		return o, o.End.After(at)
	}
	today := m.localDay(at)
	last := max(today, first) + maxLookahead*day
	if u := m.Recurrence.Until; u != nil {
		last = min(last, floorDay(wall(*u)))
	}
	for d := max(today-m.spanDays()*day, first); d <= last; d += day {
		if !m.occursOn(d) {
			continue
		}
		if o := m.on(d); o.End.After(at) {
			return o, true
		}
	}
	return Occurrence{}, false
}

// Edge is a start or an end of an occurrence, for announcements.
type Edge struct {
	// Kind is EdgeStart or EdgeEnd.
	Kind string
	At   time.Time
	Occurrence
}

// The edge kinds.
const (
	EdgeStart = "start"
	EdgeEnd   = "end"
)

// Edges returns the starts and ends of occurrences in (from, to], oldest
// first.
func (m *Maintenance) Edges(from, to time.Time) []Edge {
	var out []Edge
	last := m.localDay(to)
	for d := m.localDay(from) - m.spanDays()*day; d <= last+day; d += day {
		if !m.occursOn(d) {
			continue
		}
		o := m.on(d)
		for _, e := range []Edge{{EdgeStart, o.Start, o}, {EdgeEnd, o.End, o}} {
			if e.At.After(from) && !e.At.After(to) {
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Edge) int { return a.At.Compare(b.At) })
	return out
}

// InScope reports whether an event on serviceID with labels l is in the
// window's scope.
func (m *Maintenance) InScope(serviceID string, l EventLabels) bool {
	return (len(m.Services) == 0 || slices.Contains(m.Services, serviceID)) && MatchAll(m.Matchers, l)
}
