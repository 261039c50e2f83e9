package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare/oncall"
)

// Two users for schedules to name. Lines: 1 users, 2 ann, 3 bob; the
// schedules of a case start on line 4.
var twoUsers = []string{
	"users:",
	"  - {id: ann, name: Ann}",
	"  - {id: bob, name: Bob}",
}

// weekly is a valid layer, for cases about something else.
const weekly = `      - {id: weekly, start: "2026-11-02T09:00", shift: 1w, users: [ann, bob]}`

// TestParseScheduleRules covers the checks made on a schedule as a whole.
func TestParseScheduleRules(t *testing.T) {
	runProblemCases(t, []problemCase{
		{"schedule required fields", with(twoUsers,
			"schedules:",
			"  - name: Nameless",
		), []string{
			"hypercare.yaml:5:5: schedules[0].id: is required",
			"hypercare.yaml:5:5: schedules[0].time_zone: is required (an IANA name such as Europe/London)",
			"hypercare.yaml:5:5: schedules[0].layers: at least one layer is required",
		}},
		{"schedule ids and zones", with(twoUsers,
			"schedules:",
			"  - id: web",
			"    time_zone: Mars/Olympus_Mons",
			"    layers:",
			weekly,
			"  - id: web",
			"    time_zone: Local",
			"    layers:",
			weekly,
			"  - id: ops",
			"    time_zone: UTC",
			"    layers:",
			weekly,
		), []string{
			`hypercare.yaml:6:16: schedules[0].time_zone: must be an IANA time zone name such as Europe/London, not "Mars/Olympus_Mons"`,
			`hypercare.yaml:9:9: schedules[1].id: duplicate schedule ID "web", already used by schedules[0] at line 5`,
			`hypercare.yaml:10:16: schedules[1].time_zone: must be an IANA time zone name such as Europe/London, not "Local"`,
		}},
		{"a bad zone does not make local times wrong", with(twoUsers,
			"schedules:",
			"  - id: web",
			"    time_zone: Europe/Londn",
			"    layers:",
			weekly,
			"    overrides:",
			`      - {user: ann, start: "2026-11-27T10:00", end: "2026-11-27T12:00"}`,
			`      - {user: ann, start: "2026-11-27T10:00", end: "2026-11-27T09:00:00Z"}`,
		), []string{
			`hypercare.yaml:6:16: schedules[0].time_zone: must be an IANA time zone name such as Europe/London, not "Europe/Londn"`,
		}},
	}, noEnv)
}

// TestParseLayerRules covers layers and their restrictions.
func TestParseLayerRules(t *testing.T) {
	schedule := func(layers ...string) string {
		return with(twoUsers, append([]string{"schedules:", "  - id: web", "    time_zone: Europe/London", "    layers:"}, layers...)...)
	}
	runProblemCases(t, []problemCase{
		{"valid layers", schedule(
			weekly,
			`      - {id: days, start: "2026-11-02T09:00", shift: 12h, users: [ann, bob, ann]}`,
			`      - {id: odd, start: 2026-11-02T09:00, shift: 90m, users: [bob]}`,
		), nil},
		{"layer ids", schedule(
			`      - {start: "2026-11-02T09:00", shift: 1w, users: [ann]}`,
			`      - {id: Weekly, start: "2026-11-02T09:00", shift: 1w, users: [ann]}`,
			`      - {id: a, start: "2026-11-02T09:00", shift: 1w, users: [ann]}`,
			`      - {id: a, start: "2026-11-02T09:00", shift: 1w, users: [ann]}`,
			`      - {id: override, start: "2026-11-02T09:00", shift: 1w, users: [ann]}`,
		), []string{
			"hypercare.yaml:8:9: schedules[0].layers[0].id: is required",
			"hypercare.yaml:9:14: schedules[0].layers[1].id: must be 1 to 64 lowercase letters, digits, '-' or '_'",
			`hypercare.yaml:11:14: schedules[0].layers[3].id: duplicate layer ID "a", already used by schedules[0].layers[2] at line 10`,
			`hypercare.yaml:12:14: schedules[0].layers[4].id: "override" is reserved for the sources of shifts`,
		}},
		{"start and shift", schedule(
			`      - {id: a, shift: 1w, users: [ann]}`,
			`      - {id: b, start: "2026-11-02 09:00", users: [ann]}`,
			`      - {id: c, start: "2027-02-29T09:00", shift: 1x, users: [ann]}`,
			`      - {id: d, start: "2026-11-02T09:00", shift: 0h, users: [ann]}`,
			`      - {id: e, start: "2026-11-02T09:00", shift: 90s, users: [ann]}`,
		), []string{
			"hypercare.yaml:8:9: schedules[0].layers[0].start: is required",
			"hypercare.yaml:9:9: schedules[0].layers[1].shift: is required",
			`hypercare.yaml:9:24: schedules[0].layers[1].start: must be a local date and time "YYYY-MM-DDTHH:MM", not "2026-11-02 09:00"`,
			`hypercare.yaml:10:24: schedules[0].layers[2].start: must be a local date and time "YYYY-MM-DDTHH:MM", not "2027-02-29T09:00"`,
			`hypercare.yaml:10:51: schedules[0].layers[2].shift: must be a positive length of whole minutes such as 12h, 1d or 1w, not "1x"`,
			`hypercare.yaml:11:51: schedules[0].layers[3].shift: must be a positive length of whole minutes such as 12h, 1d or 1w, not "0h"`,
			`hypercare.yaml:12:51: schedules[0].layers[4].shift: must be a positive length of whole minutes such as 12h, 1d or 1w, not "90s"`,
		}},
		{"users must be declared", schedule(
			`      - {id: a, start: "2026-11-02T09:00", shift: 1w}`,
			`      - {id: b, start: "2026-11-02T09:00", shift: 1w, users: [ann, carol, ""]}`,
		), []string{
			"hypercare.yaml:8:9: schedules[0].layers[0].users: at least one user is required",
			`hypercare.yaml:9:68: schedules[0].layers[1].users[1]: user "carol" is not declared under users`,
			"hypercare.yaml:9:75: schedules[0].layers[1].users[2]: is empty",
		}},
		{"restrictions", schedule(
			`      - id: a`,
			`        start: "2026-11-02T09:00"`,
			`        shift: 1d`,
			`        users: [ann]`,
			`        restrictions:`,
			`          - {days: [mon, Tuesday, WED], from: "09:00", to: "17:00"}`,
			`          - {from: "22:00", to: "06:00"}`,
			`          - {days: [monday, fry], from: "9:00", to: "24:00"}`,
			`          - {days: [sat]}`,
		), []string{
			`hypercare.yaml:15:29: schedules[0].layers[0].restrictions[2].days[1]: must be a day: mon, tue, wed, thu, fri, sat or sun, not "fry"`,
			`hypercare.yaml:15:41: schedules[0].layers[0].restrictions[2].from: must be a time of day "HH:MM" from 00:00 to 23:59, not "9:00"`,
			`hypercare.yaml:15:53: schedules[0].layers[0].restrictions[2].to: must be a time of day "HH:MM" from 00:00 to 23:59, not "24:00"`,
			"hypercare.yaml:16:13: schedules[0].layers[0].restrictions[3].from: is required",
			"hypercare.yaml:16:13: schedules[0].layers[0].restrictions[3].to: is required",
		}},
	}, noEnv)
}

// TestParseOverrideRules covers overrides and temporary schedules.
func TestParseOverrideRules(t *testing.T) {
	schedule := func(more ...string) string {
		return with(twoUsers, append([]string{"schedules:", "  - id: web", "    time_zone: Europe/London", "    layers:", weekly}, more...)...)
	}
	runProblemCases(t, []problemCase{
		{"valid overrides in both forms", schedule(
			"    overrides:",
			`      - {user: ann, start: "2026-11-27T00:00", end: "2026-11-28T00:00"}`,
			`      - {user: bob, start: "2026-11-27T09:00:00+01:00", end: "2026-11-27T12:00"}`,
		), nil},
		{"overrides", schedule(
			"    overrides:",
			`      - {user: carol, start: "2026-11-27T00:00", end: "2026-11-28T00:00"}`,
			`      - {start: "2026-11-27T00:00", end: "2026-11-28T00:00"}`,
			`      - {user: ann, start: "2026-11-27", end: "2026-11-28T00:00"}`,
			`      - {user: ann, start: "2026-11-28T00:00", end: "2026-11-27T23:00:00Z"}`,
			`      - {user: ann}`,
		), []string{
			`hypercare.yaml:10:16: schedules[0].overrides[0].user: user "carol" is not declared under users`,
			"hypercare.yaml:11:9: schedules[0].overrides[1].user: is required",
			`hypercare.yaml:12:28: schedules[0].overrides[2].start: must be a local date and time "YYYY-MM-DDTHH:MM" in the schedule's time zone, or an RFC 3339 time with an offset, not "2026-11-27"`,
			"hypercare.yaml:13:53: schedules[0].overrides[3].end: must be after start (2026-11-28T00:00:00Z), got 2026-11-27T23:00:00Z",
			"hypercare.yaml:14:9: schedules[0].overrides[4].start: is required",
			"hypercare.yaml:14:9: schedules[0].overrides[4].end: is required",
		}},
		{"temporary schedules", schedule(
			"    temporary:",
			`      - id: bf`,
			`        start: "2026-11-27T00:00"`,
			`        end: "2026-12-01T00:00"`,
			`        layers: [{id: war-room, start: "2026-11-27T08:00", shift: 12h, users: [ann, dave]}]`,
			`      - id: bf`,
			`        start: "2026-11-30T00:00"`,
			`        end: "2026-12-02T00:00"`,
			`      - id: xmas`,
			`        start: "2026-12-24T00:00"`,
		), []string{
			`hypercare.yaml:13:85: schedules[0].temporary[0].layers[0].users[1]: user "dave" is not declared under users`,
			"hypercare.yaml:14:9: schedules[0].temporary[1].layers: at least one layer is required",
			`hypercare.yaml:14:9: schedules[0].temporary[1]: overlaps temporary[0] ("bf"); temporary schedules must not overlap`,
			`hypercare.yaml:14:13: schedules[0].temporary[1].id: duplicate temporary schedule ID "bf", already used by schedules[0].temporary[0] at line 10`,
			"hypercare.yaml:17:9: schedules[0].temporary[2].end: is required",
			"hypercare.yaml:17:9: schedules[0].temporary[2].layers: at least one layer is required",
		}},
	}, noEnv)
}

// TestSchedules checks the conversion to oncall values, including local
// and RFC 3339 override times and the DST rule for local readings.
func TestSchedules(t *testing.T) {
	cfg := mustParse(t, with(twoUsers,
		"schedules:",
		"  - id: ny",
		"    name: New York",
		"    time_zone: America/New_York",
		"    layers:",
		`      - id: days`,
		`        start: "2026-03-02T09:00"`,
		`        shift: 1d`,
		`        users: [ann, bob]`,
		`        restrictions: [{days: [mon, fri], from: "09:00", to: "17:00"}, {from: "22:00", to: "06:00"}]`,
		"    overrides:",
		`      - {user: bob, start: "2026-03-08T02:30", end: "2026-03-08T12:00:00Z"}`,
		"    temporary:",
		`      - id: bf`,
		`        start: "2026-11-27T00:00"`,
		`        end: "2026-11-30T00:00:00-05:00"`,
		`        layers: [{id: war-room, start: "2026-11-27T08:00", shift: 12h, users: [bob]}]`,
	))
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Schedules()
	if len(got) != 1 {
		t.Fatalf("Schedules() = %d schedules, want 1", len(got))
	}
	s := got[0]
	if s.ID != "ny" || s.TimeZone.String() != "America/New_York" {
		t.Errorf("schedule %q in %v", s.ID, s.TimeZone)
	}
	wantLayers := []oncall.Layer{{
		ID: "days", Start: oncall.LocalDateTime{Year: 2026, Month: 3, Day: 2, Hour: 9}, Shift: 24 * time.Hour,
		Users: []string{"ann", "bob"},
		Restrictions: []oncall.Restriction{
			{Days: []time.Weekday{time.Monday, time.Friday}, From: oncall.TimeOfDay{Hour: 9}, To: oncall.TimeOfDay{Hour: 17}},
			{From: oncall.TimeOfDay{Hour: 22}, To: oncall.TimeOfDay{Hour: 6}},
		},
	}}
	if !reflect.DeepEqual(s.Layers, wantLayers) {
		t.Errorf("layers = %+v\nwant %+v", s.Layers, wantLayers)
	}
	// 02:30 on 2026-03-08 does not exist in New York: it means the jump,
	// 03:00 EDT = 07:00 UTC.
	if len(s.Overrides) != 1 || s.Overrides[0].User != "bob" ||
		!s.Overrides[0].Start.Equal(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)) ||
		!s.Overrides[0].End.Equal(time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("overrides = %+v", s.Overrides)
	}
	if len(s.Temporary) != 1 || s.Temporary[0].ID != "bf" ||
		!s.Temporary[0].Start.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, ny)) ||
		!s.Temporary[0].End.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, ny)) ||
		len(s.Temporary[0].Layers) != 1 || s.Temporary[0].Layers[0].Shift != 12*time.Hour {
		t.Errorf("temporary = %+v", s.Temporary)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	// Fresh values on every call: changing one does not change the next.
	s.Layers[0].Users[0] = "mallory"
	if cfg.Schedules()[0].Layers[0].Users[0] != "ann" {
		t.Error("Schedules() shares state between calls")
	}
	if (*Config)(nil).Schedules() != nil || (&Config{}).Schedules() != nil {
		t.Error("a nil or zero Config has schedules")
	}
}
