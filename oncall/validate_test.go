package oncall

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

func TestValidateListsEveryProblem(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := &Schedule{
		TimeZone: nil,
		Layers: []Layer{
			{ID: "a", Start: LocalDateTime{2026, 2, 29, 9, 0}, Shift: 0},
			{ID: "a", Start: LocalDateTime{2026, 3, 1, 24, 0}, Shift: 90 * time.Second, Users: []string{"x", ""},
				Restrictions: []Restriction{{Days: []time.Weekday{7}, From: TimeOfDay{25, 0}, To: TimeOfDay{9, 60}}}},
			{ID: "override", Start: LocalDateTime{2026, 3, 1, 9, 0}, Shift: -time.Hour, Users: []string{"x"}},
			{ID: "", Start: LocalDateTime{2026, 3, 1, 9, 0}, Shift: maxShift + time.Hour, Users: []string{"x"}},
		},
		Overrides: []Override{
			{User: "", Start: at, End: at.Add(time.Hour)},
			{User: "x", Start: at, End: at},
			{User: "x", Start: at},
		},
		Temporary: []TemporarySchedule{
			{ID: "bf", Start: at, End: at.Add(72 * time.Hour), Layers: []Layer{{ID: "temporary:x", Shift: time.Hour, Users: []string{"x"}, Start: LocalDateTime{2026, 3, 1, 0, 0}}}},
			{ID: "bf", Start: at.Add(24 * time.Hour), End: at.Add(48 * time.Hour)},
			{ID: "", Start: at.Add(time.Hour), End: at},
		},
	}
	err := s.Validate()
	var he *hypercare.Error
	if !errors.As(err, &he) || he.Code != hypercare.CodeInvalid {
		t.Fatalf("Validate() = %v, want an invalid_argument *hypercare.Error", err)
	}
	want := map[string]string{
		"id":                                "is required",
		"time_zone":                         "is required",
		"layers[0].start":                   "2026-02-29T09:00 is not a valid",
		"layers[0].shift":                   "must be positive",
		"layers[0].users":                   "at least one user",
		"layers[1].id":                      `duplicate layer ID "a", already used by layers[0]`,
		"layers[1].start":                   "not a valid",
		"layers[1].shift":                   "whole number of minutes",
		"layers[1].users[1]":                "is empty",
		"layers[1].restrictions[0].days[0]": "not a weekday",
		"layers[1].restrictions[0].from":    "25:00 is not a time of day",
		"layers[1].restrictions[0].to":      "09:60 is not a time of day",
		"layers[2].id":                      `"override" is reserved`,
		"layers[2].shift":                   "must be positive",
		"layers[3].id":                      "is required",
		"layers[3].shift":                   "must be at most",
		"overrides[0].user":                 "is required",
		"overrides[1].end":                  "must be after start",
		"overrides[2]":                      "start and end are required",
		"temporary[0].layers[0].id":         `"temporary:x" is reserved`,
		"temporary[1].id":                   `duplicate temporary schedule ID "bf"`,
		"temporary[1].layers":               "at least one layer",
		"temporary[1]":                      `overlaps temporary[0] ("bf")`,
		"temporary[2].id":                   "is required",
		"temporary[2].end":                  "must be after start",
		"temporary[2].layers":               "at least one layer",
	}
	got := map[string]string{}
	for _, d := range he.Details {
		if _, dup := got[d.Field]; dup {
			got[d.Field] += "; " + d.Message
		} else {
			got[d.Field] = d.Message
		}
	}
	for field, msg := range want {
		if !strings.Contains(got[field], msg) {
			t.Errorf("%s: got %q, want it to mention %q", field, got[field], msg)
		}
	}
	for field := range got {
		if _, ok := want[field]; !ok {
			t.Errorf("unexpected problem %s: %s", field, got[field])
		}
	}
	if !strings.Contains(err.Error(), "layers[1].users[1]: is empty") {
		t.Errorf("the message should list the problems: %v", err)
	}

	ok := &Schedule{ID: "ok", TimeZone: ny, Layers: []Layer{layer(t, "l", "2026-03-01T09:00", "1w", "a")}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid schedule: %v", err)
	}
	ok.TimeZone = time.Local
	if err := ok.Validate(); err == nil {
		t.Error("time.Local accepted; it depends on the machine")
	}
	ok.TimeZone, ok.Layers = ny, nil
	if err := ok.Validate(); err == nil || !strings.Contains(err.Error(), "layers: at least one layer") {
		t.Errorf("no layers: %v", err)
	}
}

func TestParse(t *testing.T) {
	shifts := map[string]time.Duration{"1w": 168 * time.Hour, "2w": 336 * time.Hour, "3d": 72 * time.Hour,
		"12h": 12 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "8h": 8 * time.Hour}
	for s, want := range shifts {
		if got, err := ParseShift(s); err != nil || got != want {
			t.Errorf("ParseShift(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "0d", "-1w", "0h", "1.5d", "w", "30s", "1h30m10s", "99999999999w", "5200w1"} {
		if got, err := ParseShift(bad); err == nil {
			t.Errorf("ParseShift(%q) = %s, want an error", bad, got)
		}
	}
	for d, want := range map[time.Duration]string{168 * time.Hour: "1w", 48 * time.Hour: "2d", 36 * time.Hour: "36h", 90 * time.Minute: "1h30m0s"} {
		if got := FormatShift(d); got != want {
			t.Errorf("FormatShift(%s) = %q, want %q", d, got, want)
		}
	}
	for _, bad := range []string{"2026-02-29T09:00", "2026-03-01 09:00", "2026-03-01T24:00", "2026-03-01", "2026-03-01T09:00Z"} {
		if _, err := ParseLocalDateTime(bad); err == nil {
			t.Errorf("ParseLocalDateTime(%q) succeeded", bad)
		}
	}
	if d := ldt(t, "2028-02-29T23:59"); d != (LocalDateTime{2028, 2, 29, 23, 59}) {
		t.Errorf("ParseLocalDateTime = %+v", d)
	}
	for _, bad := range []string{"24:00", "9:00", "09:60", "+9:00", "09-00", "0900", "-1:00"} {
		if _, err := ParseTimeOfDay(bad); err == nil {
			t.Errorf("ParseTimeOfDay(%q) succeeded", bad)
		}
	}
	if d := tod(t, "23:59"); d != (TimeOfDay{23, 59}) {
		t.Errorf("ParseTimeOfDay = %+v", d)
	}
	for s, want := range map[string]time.Weekday{"mon": time.Monday, "Sunday": time.Sunday, "SAT": time.Saturday} {
		if got, err := ParseWeekday(s); err != nil || got != want {
			t.Errorf("ParseWeekday(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseWeekday("mo"); err == nil {
		t.Error(`ParseWeekday("mo") succeeded`)
	}
}
