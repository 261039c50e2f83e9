package hypercare

import (
	"fmt"
	"time"
)

// Fatigue is a hypercare window's fatigue guardrail: a responder paged too
// often lately, or woken too often at night, gets help automatically: the
// next page also goes to the next escalation level. A tired responder
// misses things; the guardrail makes a second pair of eyes the default
// instead of something they must remember to ask for at 3 a.m.
type Fatigue struct {
	// MaxPages is how many pages in the trailing Per a responder may get;
	// the page after that brings help.
	MaxPages int
	Per      time.Duration
	// MaxNightPages is how many pages inside the night span a responder
	// may get in the trailing NightPer (24 hours: one night).
	MaxNightPages int
	// NightStart and NightEnd bound the night as offsets from local
	// midnight; NightStart > NightEnd means the night spans midnight.
	NightStart, NightEnd time.Duration
}

// NightPer is how far back night pages are counted: one night, whatever
// the hour of the page that asks.
const NightPer = 24 * time.Hour

// FatigueLoad is how often a responder has been paged lately, counting
// the page about to be sent.
type FatigueLoad struct {
	Pages      int `json:"pages"`
	NightPages int `json:"night_pages"`
}

// Since is how far back the store must be read to count a load at now.
func (f *Fatigue) Since(now time.Time) time.Time {
	return now.Add(-max(f.Per, NightPer))
}

// AtNight reports whether t falls in the night span on loc's wall clock.
// It reads the local clock, so it stays right across DST changes (a night
// that is 8 or 10 hours long is still one night).
func (f *Fatigue) AtNight(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	m := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute
	return inSpan(m, f.NightStart, f.NightEnd)
}

// Count returns the load at now from the times of earlier pages (any
// order; those after now are ignored) plus the page being sent now. Night
// pages are judged in loc, the responder's zone.
func (f *Fatigue) Count(prior []time.Time, now time.Time, loc *time.Location) FatigueLoad {
	var l FatigueLoad
	for _, t := range append(prior, now) {
		if t.After(now) {
			continue
		}
		if now.Sub(t) < f.Per {
			l.Pages++
		}
		if now.Sub(t) < NightPer && f.AtNight(t, loc) {
			l.NightPages++
		}
	}
	return l
}

// Over says why the load is over the guardrail ("" when it is not), as
// the timeline puts it: "has been paged 9 times in the last 4 h (limit 8)".
func (f *Fatigue) Over(l FatigueLoad) string {
	switch {
	case f.MaxPages > 0 && l.Pages > f.MaxPages:
		return fmt.Sprintf("has been paged %d times in the last %s (limit %d)", l.Pages, shortHours(f.Per), f.MaxPages)
	case f.MaxNightPages > 0 && l.NightPages > f.MaxNightPages:
		return fmt.Sprintf("has been paged %d times at night (%s) in the last 24 h (limit %d)",
			l.NightPages, f.NightSpan(), f.MaxNightPages)
	}
	return ""
}

// NightSpan is the night as configured, "22:00-07:00".
func (f *Fatigue) NightSpan() string {
	return clockReading(f.NightStart) + "-" + clockReading(f.NightEnd)
}

func clockReading(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// shortHours is "4 h", or "90 min" for a span that is not whole hours.
func shortHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d min", int(d/time.Minute))
}
