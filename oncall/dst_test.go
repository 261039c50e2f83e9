package oncall

import (
	"testing"
	"time"
)

// TestRotationAcrossDST pins every handoff of one-layer schedules across
// the 2026 changes (verified in TestTransitions2026): daily and weekly
// handoffs keep their local time, so the shift containing a change is
// shorter or longer; 12h and 1h rotations are wall-clock too; handoffs in
// a gap happen at its end and repeated ones at their first occurrence.
func TestRotationAcrossDST(t *testing.T) {
	tests := []struct {
		name, zone   string
		start, shift string
		users        []string
		from, to     string // local readings of the window
		want         []string
		changed      time.Duration // length of the shift whose edges have different offsets
	}{{
		name: "NY daily 09:00, spring forward: 23h", zone: "America/New_York",
		start: "2026-03-06T09:00", shift: "1d", users: []string{"a", "b"},
		from: "2026-03-07T00:00", to: "2026-03-09T12:00", changed: 23 * time.Hour,
		want: []string{
			"a 2026-03-07T00:00:00-05:00 2026-03-07T09:00:00-05:00 l",
			"b 2026-03-07T09:00:00-05:00 2026-03-08T09:00:00-04:00 l",
			"a 2026-03-08T09:00:00-04:00 2026-03-09T09:00:00-04:00 l",
			"b 2026-03-09T09:00:00-04:00 2026-03-09T12:00:00-04:00 l",
		},
	}, {
		name: "NY daily 09:00, fall back: 25h", zone: "America/New_York",
		start: "2026-10-30T09:00", shift: "24h", users: []string{"a", "b"},
		from: "2026-10-31T09:00", to: "2026-11-02T09:00", changed: 25 * time.Hour,
		want: []string{
			"b 2026-10-31T09:00:00-04:00 2026-11-01T09:00:00-05:00 l",
			"a 2026-11-01T09:00:00-05:00 2026-11-02T09:00:00-05:00 l",
		},
	}, {
		name: "NY 12h 09:00/21:00 keeps its hours: 11h", zone: "America/New_York",
		start: "2026-03-07T09:00", shift: "12h", users: []string{"a", "b"},
		from: "2026-03-07T09:00", to: "2026-03-08T21:00", changed: 11 * time.Hour,
		want: []string{
			"a 2026-03-07T09:00:00-05:00 2026-03-07T21:00:00-05:00 l",
			"b 2026-03-07T21:00:00-05:00 2026-03-08T09:00:00-04:00 l",
			"a 2026-03-08T09:00:00-04:00 2026-03-08T21:00:00-04:00 l",
		},
	}, {
		name: "NY 12h across fall back: 13h", zone: "America/New_York",
		start: "2026-10-31T09:00", shift: "12h", users: []string{"a", "b"},
		from: "2026-10-31T09:00", to: "2026-11-01T21:00", changed: 13 * time.Hour,
		want: []string{
			"a 2026-10-31T09:00:00-04:00 2026-10-31T21:00:00-04:00 l",
			"b 2026-10-31T21:00:00-04:00 2026-11-01T09:00:00-05:00 l",
			"a 2026-11-01T09:00:00-05:00 2026-11-01T21:00:00-05:00 l",
		},
	}, {
		name: "NY hourly, spring forward: the 02:00 turn (c) is empty", zone: "America/New_York",
		start: "2026-03-08T00:00", shift: "1h", users: []string{"a", "b", "c"},
		from: "2026-03-08T00:00", to: "2026-03-08T05:00", changed: time.Hour,
		want: []string{
			"a 2026-03-08T00:00:00-05:00 2026-03-08T01:00:00-05:00 l",
			"b 2026-03-08T01:00:00-05:00 2026-03-08T03:00:00-04:00 l",
			"a 2026-03-08T03:00:00-04:00 2026-03-08T04:00:00-04:00 l",
			"b 2026-03-08T04:00:00-04:00 2026-03-08T05:00:00-04:00 l",
		},
	}, {
		name: "NY hourly, fall back: the first 01:00 turn lasts 2h", zone: "America/New_York",
		start: "2026-11-01T00:00", shift: "1h", users: []string{"a", "b", "c"},
		from: "2026-11-01T00:00", to: "2026-11-01T03:00", changed: 2 * time.Hour,
		want: []string{
			"a 2026-11-01T00:00:00-04:00 2026-11-01T01:00:00-04:00 l",
			"b 2026-11-01T01:00:00-04:00 2026-11-01T02:00:00-05:00 l",
			"c 2026-11-01T02:00:00-05:00 2026-11-01T03:00:00-05:00 l",
		},
	}, {
		name: "NY daily 02:30: the handoff in the gap is at 03:00", zone: "America/New_York",
		start: "2026-03-07T02:30", shift: "1d", users: []string{"a", "b"},
		from: "2026-03-07T02:30", to: "2026-03-09T02:30", changed: 23*time.Hour + 30*time.Minute,
		want: []string{
			"a 2026-03-07T02:30:00-05:00 2026-03-08T03:00:00-04:00 l",
			"b 2026-03-08T03:00:00-04:00 2026-03-09T02:30:00-04:00 l",
		},
	}, {
		name: "NY daily 01:30: the repeated handoff is the first", zone: "America/New_York",
		start: "2026-10-31T01:30", shift: "1d", users: []string{"a", "b"},
		from: "2026-10-31T01:30", to: "2026-11-02T01:30", changed: 25 * time.Hour,
		want: []string{
			"a 2026-10-31T01:30:00-04:00 2026-11-01T01:30:00-04:00 l",
			"b 2026-11-01T01:30:00-04:00 2026-11-02T01:30:00-05:00 l",
		},
	}, {
		name: "London weekly Monday 10:00: 167h", zone: "Europe/London",
		start: "2026-03-23T10:00", shift: "1w", users: []string{"a", "b"},
		from: "2026-03-23T10:00", to: "2026-04-06T10:00", changed: 167 * time.Hour,
		want: []string{
			"a 2026-03-23T10:00:00Z 2026-03-30T10:00:00+01:00 l",
			"b 2026-03-30T10:00:00+01:00 2026-04-06T10:00:00+01:00 l",
		},
	}, {
		name: "London daily 01:30, both changes", zone: "Europe/London",
		start: "2026-03-28T01:30", shift: "1d", users: []string{"a", "b"},
		from: "2026-03-28T01:30", to: "2026-03-30T01:30", changed: 23*time.Hour + 30*time.Minute,
		want: []string{
			"a 2026-03-28T01:30:00Z 2026-03-29T02:00:00+01:00 l",
			"b 2026-03-29T02:00:00+01:00 2026-03-30T01:30:00+01:00 l",
		},
	}, {
		name: "London daily 01:30, fall back", zone: "Europe/London",
		start: "2026-10-24T01:30", shift: "1d", users: []string{"a", "b"},
		from: "2026-10-24T01:30", to: "2026-10-26T01:30", changed: 25 * time.Hour,
		want: []string{
			"a 2026-10-24T01:30:00+01:00 2026-10-25T01:30:00+01:00 l",
			"b 2026-10-25T01:30:00+01:00 2026-10-26T01:30:00Z l",
		},
	}, {
		name: "Lord Howe daily 09:00, April: 24h30m", zone: "Australia/Lord_Howe",
		start: "2026-04-03T09:00", shift: "1d", users: []string{"a", "b"},
		from: "2026-04-04T09:00", to: "2026-04-06T09:00", changed: 24*time.Hour + 30*time.Minute,
		want: []string{
			"b 2026-04-04T09:00:00+11:00 2026-04-05T09:00:00+10:30 l",
			"a 2026-04-05T09:00:00+10:30 2026-04-06T09:00:00+10:30 l",
		},
	}, {
		name: "Lord Howe daily 02:15, October: the handoff in the gap is at 02:30", zone: "Australia/Lord_Howe",
		start: "2026-10-02T02:15", shift: "1d", users: []string{"a", "b"},
		from: "2026-10-03T02:15", to: "2026-10-05T02:15", changed: 23*time.Hour + 45*time.Minute,
		want: []string{
			"b 2026-10-03T02:15:00+10:30 2026-10-04T02:30:00+11:00 l",
			"a 2026-10-04T02:30:00+11:00 2026-10-05T02:15:00+11:00 l",
		},
	}, {
		name: "Chatham daily 03:00, April: first 03:00", zone: "Pacific/Chatham",
		start: "2026-04-03T03:00", shift: "1d", users: []string{"a", "b"},
		from: "2026-04-04T03:00", to: "2026-04-06T03:00", changed: 25 * time.Hour,
		want: []string{
			"b 2026-04-04T03:00:00+13:45 2026-04-05T03:00:00+13:45 l",
			"a 2026-04-05T03:00:00+13:45 2026-04-06T03:00:00+12:45 l",
		},
	}, {
		name: "Chatham daily 03:00, September: the gap ends 03:45", zone: "Pacific/Chatham",
		start: "2026-09-25T03:00", shift: "1d", users: []string{"a", "b"},
		from: "2026-09-26T03:00", to: "2026-09-28T03:00", changed: 23*time.Hour + 45*time.Minute,
		want: []string{
			"b 2026-09-26T03:00:00+12:45 2026-09-27T03:45:00+13:45 l",
			"a 2026-09-27T03:45:00+13:45 2026-09-28T03:00:00+13:45 l",
		},
	}, {
		name: "Kolkata 12h: always 12h, +05:30", zone: "Asia/Kolkata",
		start: "2026-03-07T09:00", shift: "12h", users: []string{"a", "b"},
		from: "2026-03-07T09:00", to: "2026-03-08T21:00",
		want: []string{
			"a 2026-03-07T09:00:00+05:30 2026-03-07T21:00:00+05:30 l",
			"b 2026-03-07T21:00:00+05:30 2026-03-08T09:00:00+05:30 l",
			"a 2026-03-08T09:00:00+05:30 2026-03-08T21:00:00+05:30 l",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zoneNamed(t, tt.zone)
			s := mustValid(t, &Schedule{ID: "s", TimeZone: loc, Layers: []Layer{layer(t, "l", tt.start, tt.shift, tt.users...)}})
			got := s.Shifts(local(t, loc, tt.from), local(t, loc, tt.to))
			wantShifts(t, got, tt.want...)
			changes := 0
			for _, sh := range got {
				if offset(sh.Start, loc) != offset(sh.End, loc) {
					changes++
					if d := sh.End.Sub(sh.Start); d != tt.changed {
						t.Errorf("the shift across the change lasts %s, want %s", d, tt.changed)
					}
				}
			}
			if (changes == 1) != (tt.changed != 0) {
				t.Errorf("%d shifts cross an offset change, want %v", changes, tt.changed != 0)
			}
			checkOnCall(t, s, got, local(t, loc, tt.from), local(t, loc, tt.to))
		})
	}
}

// checkOnCall asserts that OnCall agrees with shifts at every shift edge
// and just before it, and reports nobody in the gaps between.
func checkOnCall(t *testing.T, s *Schedule, shifts []Shift, from, to time.Time) {
	t.Helper()
	probes := []time.Time{from, to.Add(-time.Nanosecond)}
	for _, sh := range shifts {
		probes = append(probes, sh.Start, sh.Start.Add(-time.Nanosecond), sh.End.Add(-time.Nanosecond), sh.End)
	}
	for _, p := range probes {
		if p.Before(from) || !p.Before(to) {
			continue
		}
		want, wantOK := userIn(shifts, p)
		if got, ok := s.OnCall(p); got != want || ok != wantOK {
			t.Errorf("OnCall(%s) = %q, %v; Shifts say %q, %v", p.Format(time.RFC3339Nano), got, ok, want, wantOK)
		}
	}
}

// userIn returns the user of the shift containing at.
func userIn(shifts []Shift, at time.Time) (string, bool) {
	for _, s := range shifts {
		if !at.Before(s.Start) && at.Before(s.End) {
			return s.User, true
		}
	}
	return "", false
}
