// Package ical renders on-call shifts as an iCalendar (RFC 5545) feed, so
// responders see their shifts in their own calendar app. It only writes:
// the feed is read-only by design.
package ical

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one calendar entry.
type Event struct {
	// UID must be stable across refreshes so calendar apps update an
	// entry instead of duplicating it.
	UID         string
	Start, End  time.Time
	Summary     string
	Description string
	// TimeZone, if set (and not UTC), writes DTSTART and DTEND as local
	// times with its TZID, and the feed carries its VTIMEZONE: an event
	// that was planned in a zone (a hypercare window) shows its wall-clock
	// times wherever the reader is.
	TimeZone *time.Location
	// Categories label the event (CATEGORIES), e.g. "Hypercare".
	Categories []string
}

// Calendar is a feed: a name and its events.
type Calendar struct {
	Name   string
	Events []Event
}

// RefreshInterval is the refresh hint every feed carries: an hour, as an
// RFC 5545 DURATION.
const RefreshInterval = "PT1H"

// utcStamp is RFC 5545's UTC DATE-TIME form.
const utcStamp = "20060102T150405Z"

// Write renders cal as text/calendar, with CRLF line ends, escaped text and
// lines folded at 75 octets, all as RFC 5545 §3.1 and §3.3.11 require.
// stamp is the DTSTAMP of every event (the feed's generation time).
func Write(w io.Writer, cal Calendar, stamp time.Time) error {
	var b strings.Builder
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Hypercare//On-call schedule//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escape(cal.Name))
	// How often subscribers should fetch the feed again (RFC 7986 §5.7,
	// and the older property Outlook and Apple Calendar read): without it
	// they fall back to their own default, often a day, and show a swap
	// or an override that late.
	line("REFRESH-INTERVAL;VALUE=DURATION", RefreshInterval)
	line("X-PUBLISHED-TTL", RefreshInterval)
	for _, z := range zonesOf(cal.Events) {
		writeTimeZone(&b, z)
	}
	if len(cal.Events) == 0 {
		// RFC 5545 §3.6 wants at least one component; a feed with nothing
		// in its range (a user before their first turn) carries UTC's
		// definition, which no event uses and every app understands.
		writeTimeZone(&b, zoneSpan{loc: time.UTC, from: stamp, to: stamp})
	}
	for _, e := range cal.Events {
		line("BEGIN", "VEVENT")
		line("UID", escape(e.UID))
		line("DTSTAMP", stamp.UTC().Format(utcStamp))
		if zoned(e.TimeZone) {
			tzid := ";TZID=" + e.TimeZone.String()
			line("DTSTART"+tzid, e.Start.In(e.TimeZone).Format(localStamp))
			line("DTEND"+tzid, e.End.In(e.TimeZone).Format(localStamp))
		} else {
			line("DTSTART", e.Start.UTC().Format(utcStamp))
			line("DTEND", e.End.UTC().Format(utcStamp))
		}
		line("SUMMARY", escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", escape(e.Description))
		}
		if len(e.Categories) > 0 {
			var cats []string
			for _, c := range e.Categories {
				cats = append(cats, escape(c))
			}
			line("CATEGORIES", strings.Join(cats, ","))
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write calendar %q: %w", cal.Name, err)
	}
	return nil
}

// escape escapes TEXT values (RFC 5545 §3.3.11): backslash, semicolon,
// comma and newlines; other control characters are dropped.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			// CR, tabs and other controls have no place in a content line.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold writes one content line, folded so no line exceeds 75 octets and
// never inside a multi-byte UTF-8 character (§3.1).
func fold(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // continuation lines start with a space
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
