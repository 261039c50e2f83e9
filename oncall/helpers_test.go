package oncall

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zone data on every machine
)

// zoneNamed loads an IANA zone or fails the test.
func zoneNamed(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// ldt parses a LocalDateTime or fails the test.
func ldt(t testing.TB, s string) LocalDateTime {
	t.Helper()
	d, err := ParseLocalDateTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tod parses a TimeOfDay or fails the test.
func tod(t testing.TB, s string) TimeOfDay {
	t.Helper()
	d, err := ParseTimeOfDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// instant parses an RFC 3339 instant ("2026-03-08T03:00:00-04:00") or
// fails the test.
func instant(t testing.TB, s string) time.Time {
	t.Helper()
	x, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// local returns the instant of a local reading in loc, by the package rule.
func local(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	return Resolve(ldt(t, s), loc)
}

// format renders shifts as "user start end source" lines with offsets, the
// form the tables below are written in.
func format(shifts []Shift) []string {
	out := make([]string, len(shifts))
	for i, s := range shifts {
		out[i] = fmt.Sprintf("%s %s %s %s", s.User, s.Start.Format(time.RFC3339), s.End.Format(time.RFC3339), s.Layer)
	}
	return out
}

// wantShifts compares shifts against expected lines, printing both in full
// on a mismatch so the difference is easy to read.
func wantShifts(t *testing.T, got []Shift, want ...string) {
	t.Helper()
	g := format(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("shifts:\n got:\n  %s\n want:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

// layer builds a Layer from text fields.
func layer(t testing.TB, id, start, shift string, users ...string) Layer {
	t.Helper()
	d, err := ParseShift(shift)
	if err != nil {
		t.Fatal(err)
	}
	return Layer{ID: id, Start: ldt(t, start), Shift: d, Users: users}
}

// restrict returns a restriction from "HH:MM" edges and day names.
func restrict(t testing.TB, from, to string, days ...string) Restriction {
	t.Helper()
	r := Restriction{From: tod(t, from), To: tod(t, to)}
	for _, d := range days {
		wd, err := ParseWeekday(d)
		if err != nil {
			t.Fatal(err)
		}
		r.Days = append(r.Days, wd)
	}
	return r
}

// mustValid fails the test if s does not validate: every schedule a test
// uses must be one the config loader would accept.
func mustValid(t testing.TB, s *Schedule) *Schedule {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}
