package oncall

import "testing"

// TestRestrictions pins restriction windows: crossing midnight, crossing
// DST changes (a 22:00–06:00 night is 7h in spring and 9h in autumn),
// edges inside a gap or an overlap, day filters, 24-hour windows and
// overlapping windows. Each layer is weekly from Monday 00:00, a then b.
func TestRestrictions(t *testing.T) {
	tests := []struct {
		name, zone, start string
		restrictions      [][]string // from, to, days…
		from, to          string
		want              []string
	}{{
		name: "nights across spring forward and a handoff", zone: "America/New_York", start: "2026-03-02T00:00",
		restrictions: [][]string{{"22:00", "06:00"}},
		from:         "2026-03-07T12:00", to: "2026-03-09T12:00",
		want: []string{
			"a 2026-03-07T22:00:00-05:00 2026-03-08T06:00:00-04:00 l", // 7h
			"a 2026-03-08T22:00:00-04:00 2026-03-09T00:00:00-04:00 l",
			"b 2026-03-09T00:00:00-04:00 2026-03-09T06:00:00-04:00 l",
		},
	}, {
		name: "nights across fall back: 9h", zone: "America/New_York", start: "2026-10-26T00:00",
		restrictions: [][]string{{"22:00", "06:00"}},
		from:         "2026-10-31T12:00", to: "2026-11-01T12:00",
		want: []string{"a 2026-10-31T22:00:00-04:00 2026-11-01T06:00:00-05:00 l"},
	}, {
		name: "Friday nights end on Saturday morning", zone: "America/New_York", start: "2026-03-02T00:00",
		restrictions: [][]string{{"22:00", "06:00", "fri"}},
		from:         "2026-03-02T00:00", to: "2026-03-09T00:00",
		want: []string{"a 2026-03-06T22:00:00-05:00 2026-03-07T06:00:00-05:00 l"},
	}, {
		name: "edge in the gap moves to 03:00", zone: "America/New_York", start: "2026-03-02T00:00",
		restrictions: [][]string{{"02:30", "03:30", "sun"}},
		from:         "2026-03-08T00:00", to: "2026-03-08T12:00",
		want: []string{"a 2026-03-08T03:00:00-04:00 2026-03-08T03:30:00-04:00 l"},
	}, {
		name: "both edges in the gap: no window", zone: "America/New_York", start: "2026-03-02T00:00",
		restrictions: [][]string{{"02:00", "02:30", "sun"}},
		from:         "2026-03-08T00:00", to: "2026-03-08T12:00",
	}, {
		name: "edge in the overlap is the first occurrence", zone: "America/New_York", start: "2026-10-26T00:00",
		restrictions: [][]string{{"01:30", "03:00", "sun"}},
		from:         "2026-11-01T00:00", to: "2026-11-01T12:00",
		want: []string{"a 2026-11-01T01:30:00-04:00 2026-11-01T03:00:00-05:00 l"}, // 2h30m
	}, {
		name: "From == To is a 24-hour window", zone: "Europe/London", start: "2026-03-23T00:00",
		restrictions: [][]string{{"09:00", "09:00", "sat"}},
		from:         "2026-03-23T00:00", to: "2026-04-06T00:00",
		want: []string{
			"a 2026-03-28T09:00:00Z 2026-03-29T09:00:00+01:00 l", // 23h
			"b 2026-04-04T09:00:00+01:00 2026-04-05T09:00:00+01:00 l",
		},
	}, {
		name: "overlapping windows are one", zone: "Asia/Kolkata", start: "2026-03-02T00:00",
		restrictions: [][]string{{"09:00", "17:00", "mon"}, {"12:00", "20:00", "mon", "tue"}},
		from:         "2026-03-02T00:00", to: "2026-03-04T00:00",
		want: []string{
			"a 2026-03-02T09:00:00+05:30 2026-03-02T20:00:00+05:30 l",
			"a 2026-03-03T12:00:00+05:30 2026-03-03T20:00:00+05:30 l",
		},
	}, {
		name: "London nights across spring forward: 7h", zone: "Europe/London", start: "2026-03-23T00:00",
		restrictions: [][]string{{"23:00", "07:00", "sat"}},
		from:         "2026-03-23T00:00", to: "2026-03-30T00:00",
		want: []string{"a 2026-03-28T23:00:00Z 2026-03-29T07:00:00+01:00 l"},
	}, {
		name: "Lord Howe nights across the 30-minute change", zone: "Australia/Lord_Howe", start: "2026-09-28T00:00",
		restrictions: [][]string{{"22:00", "06:00", "sat"}},
		from:         "2026-09-28T00:00", to: "2026-10-05T00:00",
		want: []string{"a 2026-10-03T22:00:00+10:30 2026-10-04T06:00:00+11:00 l"}, // 7h30m
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zoneNamed(t, tt.zone)
			l := layer(t, "l", tt.start, "1w", "a", "b")
			for _, r := range tt.restrictions {
				l.Restrictions = append(l.Restrictions, restrict(t, r[0], r[1], r[2:]...))
			}
			s := mustValid(t, &Schedule{ID: "s", TimeZone: loc, Layers: []Layer{l}})
			from, to := local(t, loc, tt.from), local(t, loc, tt.to)
			got := s.Shifts(from, to)
			wantShifts(t, got, tt.want...)
			checkOnCall(t, s, got, from, to)
		})
	}
}
