package oncall

import (
	"testing"
	"time"
)

func TestStint(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	weekly := &Schedule{ID: "w", TimeZone: time.UTC,
		Layers:    []Layer{{ID: "weekly", Start: LocalDateTime{Year: 2026, Month: 11, Day: 16, Hour: 9}, Shift: 7 * 24 * time.Hour, Users: []string{"bob", "alice"}}},
		Overrides: []Override{{User: "alice", Start: day(22, 9), End: day(23, 9)}}}
	solo := &Schedule{ID: "s", TimeZone: time.UTC,
		Layers: []Layer{{ID: "solo", Start: LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 24 * time.Hour, Users: []string{"alice"}}}}
	for _, tc := range []struct {
		name    string
		s       *Schedule
		at      time.Time
		horizon time.Duration
		user    string
		end     time.Time // zero: beyond the horizon
		ok      bool
	}{
		{"override runs into her own week", weekly, day(22, 12), 90 * 24 * time.Hour, "alice", day(30, 9), true},
		{"bob's week ends where alice's override starts", weekly, day(20, 0), 90 * 24 * time.Hour, "bob", day(22, 9), true},
		{"a stint ending exactly at the horizon", weekly, day(29, 9), 24 * time.Hour, "alice", day(30, 9), true},
		{"a stint beyond the horizon", weekly, day(29, 8), 24 * time.Hour, "alice", time.Time{}, true},
		{"one person for good", solo, day(27, 9), 90 * 24 * time.Hour, "alice", time.Time{}, true},
		{"before the first handoff", weekly, day(1, 0), time.Hour, "", time.Time{}, false},
	} {
		user, end, ok := tc.s.Stint(tc.at, tc.horizon)
		if user != tc.user || !end.Equal(tc.end) || ok != tc.ok {
			t.Errorf("%s: Stint = %q %v %v, want %q %v %v", tc.name, user, end, ok, tc.user, tc.end, tc.ok)
		}
	}
}
