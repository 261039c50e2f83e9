package oncall

import (
	"time"
)

// Schedule says who is on call when. It mirrors one entry of `schedules:`
// in hypercare.yaml (see docs/oncall.md). A Schedule is a plain value: it
// is never modified by this package and is safe to share between
// goroutines.
type Schedule struct {
	ID string
	// TimeZone is the zone in which every wall-clock reading of the
	// schedule (layer starts, restriction windows) is read. Load it with
	// LoadZone. A nil zone is invalid; Shifts and OnCall then use UTC.
	TimeZone *time.Location
	// Layers are ordered from lowest to highest: later layers win over
	// earlier ones wherever they have someone on call.
	Layers []Layer
	// Overrides replace whoever would be on call for absolute periods.
	// Where overrides overlap, the later one in the list wins.
	Overrides []Override
	// Temporary schedules replace all Layers for their periods (event
	// rosters such as a Black Friday weekend). They must not overlap.
	Temporary []TemporarySchedule
}

// Layer is one rotation: Users take turns, each for one Shift, starting at
// Start. Layers are how teams express primary/secondary weekly rotations,
// business-hours coverage on top of a 24×7 rotation, or follow-the-sun.
type Layer struct {
	ID string
	// Start is the local reading, in the schedule's zone, of the first
	// handoff: Users[0] is on call from then. Before it the layer has
	// nobody on call.
	Start LocalDateTime
	// Shift is the length of one turn on the local wall clock (whole
	// minutes; see ParseShift). Handoff k is Start + k×Shift on that
	// clock, so daily and weekly handoffs keep their local time of day
	// across DST changes.
	Shift time.Duration
	// Users take turns in this order, then the order repeats. A user may
	// appear more than once to get more turns.
	Users []string
	// Restrictions, if any, limit the layer to these local windows; the
	// rotation keeps running underneath, so whoever's turn covers a
	// window is on call during it. Outside every window the layer has a
	// gap through which lower layers show. No restrictions: always on.
	Restrictions []Restriction
}

// Restriction is a window of the local day in which a layer is on call,
// such as business hours (09:00–17:00 on weekdays) or nights (22:00–06:00).
type Restriction struct {
	// Days are the local weekdays on which a window starts; empty means
	// every day. A Friday 22:00–06:00 window ends on Saturday morning.
	Days []time.Weekday
	// From is when the window opens. To is when it closes; To ≤ From
	// means it closes on the next local day, and To == From makes a
	// 24-hour window.
	From, To TimeOfDay
}

// Override puts User on call for [Start, End), whatever the layers and
// temporary schedules say: the tool for swaps, sick days and cover.
type Override struct {
	User       string
	Start, End time.Time
}

// TemporarySchedule is an event roster: during [Start, End) its Layers
// replace the schedule's normal layers entirely, so a peak such as Black
// Friday can have its own rotation without editing the normal one. Its
// layers' Start readings are in the schedule's zone.
type TemporarySchedule struct {
	ID         string
	Start, End time.Time
	Layers     []Layer
}

// OverrideSource is the Shift.Layer value of shifts that come from
// overrides.
const OverrideSource = "override"

// temporaryPrefix starts the Shift.Layer value of shifts that come from a
// temporary schedule: "temporary:<schedule id>/<layer id>".
const temporaryPrefix = "temporary:"

// Shift is a period in which one user is on call, as finally decided after
// every layer, restriction, temporary schedule and override.
type Shift struct {
	User       string
	Start, End time.Time
	// Layer says where the shift comes from, for display and audit:
	// a layer ID, OverrideSource, or "temporary:<id>/<layer id>" for a
	// layer of a temporary schedule.
	Layer string
}

// zone returns the schedule's location, UTC when unset, so that an invalid
// schedule still gives defined answers instead of a panic.
func (s *Schedule) zone() *time.Location {
	if s.TimeZone == nil {
		return time.UTC
	}
	return s.TimeZone
}

// OnCall returns the user on call at the instant at, and false when nobody
// is (a gap). It agrees with Shifts at every instant and costs one rotation
// lookup per layer, whatever the schedule's age.
func (s *Schedule) OnCall(at time.Time) (string, bool) {
	for i := len(s.Overrides) - 1; i >= 0; i-- {
		o := s.Overrides[i]
		if !at.Before(o.Start) && at.Before(o.End) && o.User != "" {
			return o.User, true
		}
	}
	loc := s.zone()
	for i := len(s.Temporary) - 1; i >= 0; i-- {
		t := s.Temporary[i]
		if !at.Before(t.Start) && at.Before(t.End) {
			return layersAt(t.Layers, loc, at)
		}
	}
	return layersAt(s.Layers, loc, at)
}

// layersAt returns the user of the highest layer with someone on call.
func layersAt(layers []Layer, loc *time.Location, at time.Time) (string, bool) {
	for i := len(layers) - 1; i >= 0; i-- {
		if u, ok := layers[i].userAt(loc, at); ok {
			return u, true
		}
	}
	return "", false
}

// Shifts returns the final shifts that intersect [from, to), clipped to it,
// sorted by start, never overlapping, with adjacent shifts of the same user
// and source merged. Periods with nobody on call are absent. Times are in
// the schedule's zone.
func (s *Schedule) Shifts(from, to time.Time) []Shift {
	loc := s.zone()
	from, to = from.In(loc), to.In(loc)
	if !from.Before(to) {
		return nil
	}
	out := layersShifts(s.Layers, loc, from, to, "")
	for _, t := range s.Temporary {
		start, end := maxTime(from, t.Start.In(loc)), minTime(to, t.End.In(loc))
		if !start.Before(end) {
			continue
		}
		roster := layersShifts(t.Layers, loc, start, end, temporaryPrefix+t.ID+"/")
		out = replace(out, []Shift{{Start: start, End: end}}, roster)
	}
	if ov := overrideShifts(s.Overrides, loc, from, to); len(ov) > 0 {
		out = overlay(out, ov)
	}
	return merge(out)
}

// layersShifts combines layers over [from, to): each higher layer is laid
// over the result of the lower ones. source prefixes the layer IDs.
func layersShifts(layers []Layer, loc *time.Location, from, to time.Time, source string) []Shift {
	var out []Shift
	for _, l := range layers {
		top := l.shifts(loc, from, to, source+l.ID)
		if len(out) == 0 {
			out = top
			continue
		}
		out = overlay(out, top)
	}
	return out
}

// overrideShifts flattens the overrides that intersect [from, to), the
// later in the list winning where they overlap.
func overrideShifts(overrides []Override, loc *time.Location, from, to time.Time) []Shift {
	var out []Shift
	for _, o := range overrides {
		start, end := maxTime(from, o.Start.In(loc)), minTime(to, o.End.In(loc))
		if o.User == "" || !start.Before(end) {
			continue
		}
		out = overlay(out, []Shift{{User: o.User, Start: start, End: end, Layer: OverrideSource}})
	}
	return out
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
