package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestWrite(t *testing.T) {
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("EST", -5*3600))
	cal := Calendar{Name: "Web primary, on call", Events: []Event{{
		UID: "web-primary/alice/20261127T140000Z", Start: start, End: start.Add(24 * time.Hour),
		Summary: "On call: web-primary; Black Friday", Description: "line one\nline two, with \\ and ;",
	}}}
	var b strings.Builder
	if err := Write(&b, cal, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
		"X-WR-CALNAME:Web primary\\, on call\r\n",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n",
		"DTSTART:20261127T140000Z\r\n", "DTEND:20261128T140000Z\r\n",
		"DTSTAMP:20261125T000000Z\r\n",
		"SUMMARY:On call: web-primary\\; Black Friday\r\n",
		"DESCRIPTION:line one\\nline two\\, with \\\\ and \\;\r\n",
		"END:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("bare LF in output")
	}
}

func TestFoldKeepsLinesShortAndCharactersWhole(t *testing.T) {
	var b strings.Builder
	long := "SUMMARY:" + strings.Repeat("Bereitschaft für den Kassen-Dienst ☎ ", 10)
	fold(&b, long)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	if len(lines) < 4 {
		t.Fatalf("not folded: %d lines", len(lines))
	}
	var joined strings.Builder
	for i, l := range lines {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets", i, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i, l)
		}
		if i > 0 {
			if !strings.HasPrefix(l, " ") {
				t.Errorf("continuation line %d does not start with a space", i)
			}
			l = l[1:]
		}
		joined.WriteString(l)
	}
	if joined.String() != long {
		t.Error("unfolding does not give back the line")
	}
}
