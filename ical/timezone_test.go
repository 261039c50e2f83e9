package ical

import (
	"strings"
	"testing"
	"time"
)

// An event with a zone is written in local time with its TZID, and the
// feed defines that TZID once in a VTIMEZONE before the events, covering
// the DST change inside the event (RFC 5545 §3.2.19, §3.6.5).
func TestWriteTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 30, 18, 0, 0, 0, ny) // EDT
	cal := Calendar{Name: "Hypercare", Events: []Event{
		{UID: "window/halloween@hypercare", Start: start, End: time.Date(2026, 11, 2, 9, 0, 0, 0, ny), // EST
			Summary: "Hypercare window: Halloween, 2026", TimeZone: ny, Categories: []string{"Hypercare", "a,b"}},
		{UID: "window/tokyo@hypercare", Start: time.Date(2026, 11, 27, 9, 0, 0, 0, tokyo),
			End: time.Date(2026, 11, 28, 9, 0, 0, 0, tokyo), Summary: "Tokyo", TimeZone: tokyo},
		{UID: "window/other@hypercare", Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), Summary: "Again", TimeZone: ny},
		{UID: "shift@hypercare", Start: start, End: start.Add(time.Hour), Summary: "UTC shift"},
	}}
	var b strings.Builder
	if err := Write(&b, cal, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	nyZone := "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n" +
		"BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\n"
	tokyoZone := "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\n"
	for _, want := range []string{
		nyZone, tokyoZone,
		"DTSTART;TZID=America/New_York:20261030T180000\r\nDTEND;TZID=America/New_York:20261102T090000\r\n",
		"DTSTART;TZID=Asia/Tokyo:20261127T090000\r\n",
		"SUMMARY:Hypercare window: Halloween\\, 2026\r\n",
		"CATEGORIES:Hypercare,a\\,b\r\n",
		"DTSTART:20261030T220000Z\r\n", // no zone: UTC as before
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Count(out, "BEGIN:VTIMEZONE") != 2 {
		t.Errorf("want one VTIMEZONE per zone:\n%s", out)
	}
	if strings.Index(out, "END:VTIMEZONE") > strings.Index(out, "BEGIN:VEVENT") {
		t.Error("VTIMEZONE must come before the events that use it")
	}
	for i, l := range strings.Split(out, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets", i, len(l))
		}
	}
}

func TestUTCOffset(t *testing.T) {
	for _, c := range []struct {
		sec  int
		want string
	}{{0, "+0000"}, {-5 * 3600, "-0500"}, {5*3600 + 1800, "+0530"}, {3600 + 930, "+011530"}} {
		if got := utcOffset(c.sec); got != c.want {
			t.Errorf("utcOffset(%d) = %q, want %q", c.sec, got, c.want)
		}
	}
}

// BenchmarkWriteWindow: a feed with one zoned window event, whose
// VTIMEZONE is found by stepping through a year and a quarter of hours.
func BenchmarkWriteWindow(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 11, 26, 18, 0, 0, 0, ny)
	cal := Calendar{Name: "bench", Events: []Event{{UID: "w", Start: start, End: start.AddDate(0, 0, 92), TimeZone: ny, Summary: "w"}}}
	for b.Loop() {
		var sb strings.Builder
		if err := Write(&sb, cal, start); err != nil {
			b.Fatal(err)
		}
	}
}
