package ical

import (
	"fmt"
	"strings"
	"time"
)

// localStamp is RFC 5545's local DATE-TIME form, used with a TZID.
const localStamp = "20060102T150405"

// zoned reports whether events in loc are written with a TZID.
func zoned(loc *time.Location) bool {
	return loc != nil && loc != time.UTC && loc.String() != "UTC"
}

// zoneSpan is a zone the feed's events use and the span they cover: its
// VTIMEZONE must define every local time in it (§3.6.5).
type zoneSpan struct {
	loc      *time.Location
	from, to time.Time
}

// zonesOf returns the zones of the events written with a TZID, in order of
// first use, each with the span of its events.
func zonesOf(events []Event) []zoneSpan {
	var out []zoneSpan
	idx := map[string]int{}
	for _, e := range events {
		if !zoned(e.TimeZone) {
			continue
		}
		name := e.TimeZone.String()
		i, ok := idx[name]
		if !ok {
			idx[name] = len(out)
			out = append(out, zoneSpan{loc: e.TimeZone, from: e.Start, to: e.End})
			continue
		}
		if e.Start.Before(out[i].from) {
			out[i].from = e.Start
		}
		if e.End.After(out[i].to) {
			out[i].to = e.End
		}
	}
	return out
}

// transition is a change of a zone's UTC offset.
type transition struct {
	at                 time.Time
	fromOffset, offset int // seconds east of UTC
	name               string
	dst                bool
}

// transitions returns the offset changes of loc in (from, to], found by
// stepping an hour at a time and bisecting to the second (the time
// package does not list them). An hour is shorter than any real gap
// between two changes.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	_, prev := from.In(loc).Zone()
	for t := from; t.Before(to); {
		next := t.Add(time.Hour)
		if next.After(to) {
			next = to
		}
		if _, off := next.In(loc).Zone(); off != prev {
			lo, hi := t, next // offset at lo is prev, at hi it is off
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if _, o := mid.In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			name, _ := hi.In(loc).Zone()
			out = append(out, transition{at: hi, fromOffset: prev, offset: off, name: name, dst: hi.In(loc).IsDST()})
			prev = off
		}
		t = next
	}
	return out
}

// writeTimeZone writes z's VTIMEZONE: the observance in effect when its
// first event starts (found up to a year back) and every change up to its
// last event's end. A zone without changes in that time is one STANDARD
// observance from 1970.
func writeTimeZone(b *strings.Builder, z zoneSpan) {
	line := func(name, value string) { fold(b, name+":"+value) }
	line("BEGIN", "VTIMEZONE")
	line("TZID", z.loc.String())
	before := transitions(z.loc, z.from.AddDate(-1, 0, 0), z.from)
	list := transitions(z.loc, z.from, z.to)
	if len(before) > 0 {
		list = append([]transition{before[len(before)-1]}, list...)
	}
	if len(list) == 0 {
		name, off := z.from.In(z.loc).Zone()
		list = []transition{{at: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(off) * time.Second),
			fromOffset: off, offset: off, name: name, dst: z.from.In(z.loc).IsDST()}}
	}
	for _, tr := range list {
		kind := "STANDARD"
		if tr.dst {
			kind = "DAYLIGHT"
		}
		line("BEGIN", kind)
		// The onset is written as a local time read with the offset in
		// effect before it (§3.6.5).
		line("DTSTART", tr.at.Add(time.Duration(tr.fromOffset)*time.Second).UTC().Format(localStamp))
		line("TZOFFSETFROM", utcOffset(tr.fromOffset))
		line("TZOFFSETTO", utcOffset(tr.offset))
		line("TZNAME", escape(tr.name))
		line("END", kind)
	}
	line("END", "VTIMEZONE")
}

// utcOffset is RFC 5545's UTC-OFFSET: "-0500", "+0530", "+001530".
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
