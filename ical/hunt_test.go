package ical

import (
	"strings"
	"testing"
	"time"
)

// RFC 5545 §3.6: icalbody = calprops component, component =
// 1*(eventc / todoc / journalc / freebusyc / timezonec / iana-comp /
// x-comp). A feed with no shifts in its range (a user before their first
// turn) is written as a VCALENDAR with no component at all, which strict
// parsers and validators reject.
func TestEmptyCalendarHasAComponent(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, Calendar{Name: "On call: Alice"}, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Count(out, "BEGIN:") < 2 {
		t.Fatalf("a calendar without any component:\n%s", out)
	}
}
