package oncall

import (
	"testing"
	"time"
)

// TestHigherLayersWin: a business-hours layer on top of a 24×7 rotation;
// the base shows through the restriction gaps and its pieces are merged.
func TestHigherLayersWin(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	business := layer(t, "business", "2026-03-02T09:00", "1d", "c", "d")
	business.Restrictions = []Restriction{restrict(t, "09:00", "17:00", "mon", "tue", "wed", "thu", "fri")}
	s := mustValid(t, &Schedule{ID: "web", TimeZone: ny, Layers: []Layer{
		layer(t, "base", "2026-03-02T00:00", "1w", "a", "b"),
		business,
	}})
	from, to := local(t, ny, "2026-03-06T00:00"), local(t, ny, "2026-03-09T12:00")
	got := s.Shifts(from, to)
	wantShifts(t, got,
		"a 2026-03-06T00:00:00-05:00 2026-03-06T09:00:00-05:00 base",
		"c 2026-03-06T09:00:00-05:00 2026-03-06T17:00:00-05:00 business",
		"a 2026-03-06T17:00:00-05:00 2026-03-09T00:00:00-04:00 base",
		"b 2026-03-09T00:00:00-04:00 2026-03-09T09:00:00-04:00 base",
		"d 2026-03-09T09:00:00-04:00 2026-03-09T12:00:00-04:00 business",
	)
	checkOnCall(t, s, got, from, to)
}

// TestFollowTheSun: one schedule zone (London), three layers whose
// restrictions tile the day; the night window across spring forward is 7h
// and the day is covered without a gap.
func TestFollowTheSun(t *testing.T) {
	lon := zoneNamed(t, "Europe/London")
	emea := layer(t, "emea", "2026-03-23T07:00", "1d", "l1", "l2")
	emea.Restrictions = []Restriction{restrict(t, "07:00", "15:00")}
	amer := layer(t, "amer", "2026-03-23T15:00", "1d", "n1")
	amer.Restrictions = []Restriction{restrict(t, "15:00", "23:00")}
	apac := layer(t, "apac", "2026-03-23T23:00", "1d", "s1", "s2")
	apac.Restrictions = []Restriction{restrict(t, "23:00", "07:00")}
	s := mustValid(t, &Schedule{ID: "sun", TimeZone: lon, Layers: []Layer{emea, amer, apac}})
	from, to := local(t, lon, "2026-03-28T07:00"), local(t, lon, "2026-03-29T23:00")
	got := s.Shifts(from, to)
	wantShifts(t, got,
		"l2 2026-03-28T07:00:00Z 2026-03-28T15:00:00Z emea",
		"n1 2026-03-28T15:00:00Z 2026-03-28T23:00:00Z amer",
		"s2 2026-03-28T23:00:00Z 2026-03-29T07:00:00+01:00 apac",
		"l1 2026-03-29T07:00:00+01:00 2026-03-29T15:00:00+01:00 emea",
		"n1 2026-03-29T15:00:00+01:00 2026-03-29T23:00:00+01:00 amer",
	)
	checkOnCall(t, s, got, from, to)
	// Coverage is continuous over a whole month around the change.
	month := s.Shifts(local(t, lon, "2026-03-15T00:00"), local(t, lon, "2026-04-15T00:00"))
	for i := 1; i < len(month); i++ {
		if !month[i].Start.Equal(month[i-1].End) {
			t.Errorf("gap between %v and %v", month[i-1], month[i])
		}
	}
}

// TestOverrides: an override replaces whoever is on call for its period,
// partially covering shifts on both sides; a later override wins over an
// earlier one; an override of the same user stays a separate source; an
// override fills a restriction gap.
func TestOverrides(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	s := mustValid(t, &Schedule{ID: "web", TimeZone: ny,
		Layers: []Layer{layer(t, "daily", "2026-03-09T09:00", "1d", "a", "b")},
		Overrides: []Override{
			{User: "carol", Start: local(t, ny, "2026-03-10T12:00"), End: local(t, ny, "2026-03-11T12:00")},
			{User: "dave", Start: local(t, ny, "2026-03-11T06:00"), End: local(t, ny, "2026-03-11T08:00")},
			{User: "a", Start: local(t, ny, "2026-03-11T15:00"), End: local(t, ny, "2026-03-11T16:00")},
			{User: "erin", Start: local(t, ny, "2026-03-11T23:00"), End: local(t, ny, "2026-03-13T00:00")},
		}})
	from, to := local(t, ny, "2026-03-10T00:00"), local(t, ny, "2026-03-12T00:00")
	got := s.Shifts(from, to)
	wantShifts(t, got,
		"a 2026-03-10T00:00:00-04:00 2026-03-10T09:00:00-04:00 daily",
		"b 2026-03-10T09:00:00-04:00 2026-03-10T12:00:00-04:00 daily",
		"carol 2026-03-10T12:00:00-04:00 2026-03-11T06:00:00-04:00 override",
		"dave 2026-03-11T06:00:00-04:00 2026-03-11T08:00:00-04:00 override",
		"carol 2026-03-11T08:00:00-04:00 2026-03-11T12:00:00-04:00 override",
		"a 2026-03-11T12:00:00-04:00 2026-03-11T15:00:00-04:00 daily",
		"a 2026-03-11T15:00:00-04:00 2026-03-11T16:00:00-04:00 override",
		"a 2026-03-11T16:00:00-04:00 2026-03-11T23:00:00-04:00 daily",
		"erin 2026-03-11T23:00:00-04:00 2026-03-12T00:00:00-04:00 override",
	)
	checkOnCall(t, s, got, from, to)

	gappy := layer(t, "nights", "2026-03-09T00:00", "1w", "n")
	gappy.Restrictions = []Restriction{restrict(t, "22:00", "06:00")}
	s = mustValid(t, &Schedule{ID: "nights", TimeZone: ny, Layers: []Layer{gappy},
		Overrides: []Override{{User: "x", Start: local(t, ny, "2026-03-10T05:00"), End: local(t, ny, "2026-03-10T08:00")}}})
	wantShifts(t, s.Shifts(local(t, ny, "2026-03-10T00:00"), local(t, ny, "2026-03-10T12:00")),
		"n 2026-03-10T00:00:00-04:00 2026-03-10T05:00:00-04:00 nights",
		"x 2026-03-10T05:00:00-04:00 2026-03-10T08:00:00-04:00 override",
	)
}

// TestTemporarySchedule: a Black Friday roster replaces the normal layers
// for its window, its own gaps stay gaps, and overrides still win.
func TestTemporarySchedule(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	s := mustValid(t, &Schedule{ID: "shop", TimeZone: ny,
		Layers: []Layer{layer(t, "weekly", "2026-11-23T09:00", "1w", "a", "b")},
		Temporary: []TemporarySchedule{{
			ID:     "black-friday",
			Start:  local(t, ny, "2026-11-27T00:00"),
			End:    local(t, ny, "2026-11-30T00:00"),
			Layers: []Layer{layer(t, "war-room", "2026-11-27T08:00", "12h", "x", "y")},
		}},
		Overrides: []Override{{User: "z", Start: local(t, ny, "2026-11-28T10:00"), End: local(t, ny, "2026-11-28T11:00")}},
	})
	from, to := local(t, ny, "2026-11-26T00:00"), local(t, ny, "2026-12-01T00:00")
	got := s.Shifts(from, to)
	const bf = "temporary:black-friday/war-room"
	wantShifts(t, got,
		"a 2026-11-26T00:00:00-05:00 2026-11-27T00:00:00-05:00 weekly",
		// 00:00–08:00 on Friday: the roster has not started; nobody.
		"x 2026-11-27T08:00:00-05:00 2026-11-27T20:00:00-05:00 "+bf,
		"y 2026-11-27T20:00:00-05:00 2026-11-28T08:00:00-05:00 "+bf,
		"x 2026-11-28T08:00:00-05:00 2026-11-28T10:00:00-05:00 "+bf,
		"z 2026-11-28T10:00:00-05:00 2026-11-28T11:00:00-05:00 override",
		"x 2026-11-28T11:00:00-05:00 2026-11-28T20:00:00-05:00 "+bf,
		"y 2026-11-28T20:00:00-05:00 2026-11-29T08:00:00-05:00 "+bf,
		"x 2026-11-29T08:00:00-05:00 2026-11-29T20:00:00-05:00 "+bf,
		"y 2026-11-29T20:00:00-05:00 2026-11-30T00:00:00-05:00 "+bf,
		"a 2026-11-30T00:00:00-05:00 2026-11-30T09:00:00-05:00 weekly",
		"b 2026-11-30T09:00:00-05:00 2026-12-01T00:00:00-05:00 weekly",
	)
	checkOnCall(t, s, got, from, to)
	if u, ok := s.OnCall(local(t, ny, "2026-11-27T03:00")); ok {
		t.Errorf("OnCall before the roster's first handoff = %q, want nobody (normal layers must not show through)", u)
	}
}

// TestLeapDays: daily and weekly rotations across 2028-02-29, and a layer
// starting on Feb 29 answering four years later.
func TestLeapDays(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	daily := mustValid(t, &Schedule{ID: "d", TimeZone: ny, Layers: []Layer{layer(t, "l", "2028-02-27T09:00", "1d", "a", "b", "c")}})
	wantShifts(t, daily.Shifts(local(t, ny, "2028-02-28T09:00"), local(t, ny, "2028-03-02T09:00")),
		"b 2028-02-28T09:00:00-05:00 2028-02-29T09:00:00-05:00 l",
		"c 2028-02-29T09:00:00-05:00 2028-03-01T09:00:00-05:00 l",
		"a 2028-03-01T09:00:00-05:00 2028-03-02T09:00:00-05:00 l",
	)
	weekly := mustValid(t, &Schedule{ID: "w", TimeZone: ny, Layers: []Layer{layer(t, "l", "2028-02-24T09:00", "1w", "a", "b")}})
	wantShifts(t, weekly.Shifts(local(t, ny, "2028-02-24T09:00"), local(t, ny, "2028-03-09T09:00")),
		"a 2028-02-24T09:00:00-05:00 2028-03-02T09:00:00-05:00 l",
		"b 2028-03-02T09:00:00-05:00 2028-03-09T09:00:00-05:00 l",
	)
	// 2028-02-29 and 2032-02-24 are both Tuesdays, 208 weeks apart;
	// 208 mod 3 = 1, so b's turn covers 2032-02-29.
	leap := mustValid(t, &Schedule{ID: "p", TimeZone: ny, Layers: []Layer{layer(t, "l", "2028-02-29T09:00", "1w", "a", "b", "c")}})
	wantShifts(t, leap.Shifts(local(t, ny, "2032-02-29T10:00"), local(t, ny, "2032-02-29T11:00")),
		"b 2032-02-29T10:00:00-05:00 2032-02-29T11:00:00-05:00 l")
	wantShifts(t, leap.Shifts(local(t, ny, "2032-02-20T00:00"), local(t, ny, "2032-03-03T00:00")),
		"a 2032-02-20T00:00:00-05:00 2032-02-24T09:00:00-05:00 l",
		"b 2032-02-24T09:00:00-05:00 2032-03-02T09:00:00-05:00 l",
		"c 2032-03-02T09:00:00-05:00 2032-03-03T00:00:00-05:00 l",
	)
	if u, ok := leap.OnCall(local(t, ny, "2028-02-29T08:59")); ok {
		t.Errorf("OnCall before the layer start = %q, want nobody", u)
	}
}

// TestIndexMatchesWalk: the arithmetic jump to the turn in force agrees
// with walking every handoff from the start (computed independently with
// time.Date's own wall-clock normalisation) for layers started in 2020 and
// instants up to 2027. Handoffs are at 09:00/21:00, never in a gap, where
// time.Date's choice would be unspecified.
func TestIndexMatchesWalk(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata"} {
		loc := zoneNamed(t, zone)
		for _, shift := range []time.Duration{12 * time.Hour, 24 * time.Hour, 72 * time.Hour, 168 * time.Hour, 336 * time.Hour} {
			l := Layer{ID: "l", Start: ldt(t, "2020-01-06T09:00"), Shift: shift, Users: []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6"}}
			r, _ := l.rotation(loc)
			at := time.Date(2020, 1, 1, 0, 0, 0, 0, loc)
			k := int64(0)
			for at.Before(time.Date(2027, 12, 31, 0, 0, 0, 0, loc)) {
				for !time.Date(2020, 1, 6, 9, int(int64(shift/time.Minute)*(k+1)), 0, 0, loc).After(at) {
					k++
				}
				want := k
				if at.Before(time.Date(2020, 1, 6, 9, 0, 0, 0, loc)) {
					want = -1
				}
				if got, _, _ := r.index(at.Unix()); got != want {
					t.Fatalf("%s %s: index(%s) = %d, walking says %d", zone, shift, at.Format(time.RFC3339), got, want)
				}
				at = at.Add(37*time.Hour + 11*time.Minute) // lands at every time of day over the years
			}
		}
	}
}

// TestDegenerate: empty windows, windows before a layer starts, and
// invalid schedules give empty or defined answers, never a panic.
func TestDegenerate(t *testing.T) {
	ny := zoneNamed(t, "America/New_York")
	s := &Schedule{ID: "s", TimeZone: ny, Layers: []Layer{layer(t, "l", "2026-03-02T00:00", "1d", "a")}}
	at := local(t, ny, "2026-03-05T00:00")
	if got := s.Shifts(at, at); got != nil {
		t.Errorf("empty window: %v", got)
	}
	if got := s.Shifts(at, at.Add(-time.Hour)); got != nil {
		t.Errorf("reversed window: %v", got)
	}
	if got := s.Shifts(at.AddDate(-1, 0, 0), local(t, ny, "2026-03-02T00:00")); got != nil {
		t.Errorf("window before the start: %v", got)
	}
	broken := &Schedule{Layers: []Layer{{ID: "none"}, {ID: "zero", Users: []string{"a"}},
		{ID: "neg", Shift: -time.Hour, Users: []string{"a"}}}, Overrides: []Override{{Start: at, End: at.Add(time.Hour)}}}
	if got := broken.Shifts(at, at.Add(time.Hour)); got != nil {
		t.Errorf("broken schedule: %v", got)
	}
	if u, ok := broken.OnCall(at); ok {
		t.Errorf("broken schedule: OnCall = %q", u)
	}
	// A one-user layer is one merged shift, whatever the number of turns.
	wantShifts(t, s.Shifts(local(t, ny, "2026-03-02T00:00"), local(t, ny, "2026-04-02T00:00")),
		"a 2026-03-02T00:00:00-05:00 2026-04-02T00:00:00-04:00 l")
}
