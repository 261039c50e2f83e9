package oncall

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// propertyZones favour zones with DST, odd offsets and 30-minute changes.
var propertyZones = []string{"America/New_York", "Europe/London", "Australia/Lord_Howe",
	"Pacific/Chatham", "Asia/Kolkata", "UTC", "America/Sao_Paulo"}

// randomSchedule builds a valid schedule from r: 1–3 layers started in
// 2025–2026 at any quarter hour (gap and overlap readings included), with
// short and long shifts, restrictions, overrides and temporary schedules
// around the window [base, base+40d).
func randomSchedule(t testing.TB, r *rand.Rand, base time.Time) *Schedule {
	return randomScheduleIn(t, r, base, zoneNamed(t, propertyZones[r.IntN(len(propertyZones))]))
}

// randomScheduleIn is randomSchedule in the zone loc.
func randomScheduleIn(t testing.TB, r *rand.Rand, base time.Time, loc *time.Location) *Schedule {
	s := &Schedule{ID: "random", TimeZone: loc, Layers: randomLayers(r, "l")}
	for i := range r.IntN(6) {
		start := base.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour)))).Truncate(time.Minute)
		end := start.Add(time.Duration(1+r.IntN(72*60)) * time.Minute)
		s.Overrides = append(s.Overrides, Override{User: fmt.Sprintf("o%d", i), Start: start, End: end})
	}
	start := base.Add(time.Duration(r.Int64N(int64(10 * 24 * time.Hour)))).Truncate(time.Minute)
	for i := range r.IntN(3) {
		end := start.Add(time.Duration(1+r.IntN(5*24*60)) * time.Minute)
		s.Temporary = append(s.Temporary, TemporarySchedule{ID: fmt.Sprintf("t%d", i), Start: start, End: end,
			Layers: randomLayers(r, fmt.Sprintf("t%d-", i))})
		start = end.Add(time.Duration(r.IntN(5*24*60)) * time.Minute)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("generated an invalid schedule: %v", err)
	}
	return s
}

func randomLayers(r *rand.Rand, prefix string) []Layer {
	shifts := []time.Duration{time.Hour, 30 * time.Minute, 2 * time.Hour, 8 * time.Hour, 12 * time.Hour,
		24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 90 * time.Minute, 36 * time.Hour}
	users := []string{"a", "b", "c", "d"}
	layers := make([]Layer, 1+r.IntN(3))
	for i := range layers {
		l := &layers[i]
		l.ID = fmt.Sprintf("%s%d", prefix, i)
		l.Start = LocalDateTime{2025 + r.IntN(2), time.Month(1 + r.IntN(12)), 1 + r.IntN(28), r.IntN(24), 15 * r.IntN(4)}
		l.Shift = shifts[r.IntN(len(shifts))]
		for range 1 + r.IntN(3) {
			l.Users = append(l.Users, users[r.IntN(len(users))])
		}
		for range r.IntN(3) {
			rs := Restriction{From: TimeOfDay{r.IntN(24), 30 * r.IntN(2)}, To: TimeOfDay{r.IntN(24), 30 * r.IntN(2)}}
			for d := time.Sunday; d <= time.Saturday; d++ {
				if r.IntN(3) == 0 {
					rs.Days = append(rs.Days, d)
				}
			}
			l.Restrictions = append(l.Restrictions, rs)
		}
	}
	return layers
}

// checkProperties asserts the contract of Shifts and OnCall on s over
// [a, c) split at b: sorted, disjoint, non-empty, merged, inside the
// window; OnCall agrees with Shifts at shift edges and random instants;
// and Shifts over [a, c) equals Shifts over [a, b) and [b, c) merged.
func checkProperties(t *testing.T, s *Schedule, r *rand.Rand, a, b, c time.Time) {
	t.Helper()
	whole := s.Shifts(a, c)
	for i, sh := range whole {
		if !sh.Start.Before(sh.End) || sh.Start.Before(a) || sh.End.After(c) {
			t.Fatalf("shift %d %v is empty or outside [%s, %s)", i, sh, a, c)
		}
		if i > 0 {
			prev := whole[i-1]
			if sh.Start.Before(prev.End) {
				t.Fatalf("shifts %d and %d overlap or are unsorted: %v, %v", i-1, i, prev, sh)
			}
			if sh.Start.Equal(prev.End) && sh.User == prev.User && sh.Layer == prev.Layer {
				t.Fatalf("shifts %d and %d should be merged: %v, %v", i-1, i, prev, sh)
			}
		}
	}
	checkOnCall(t, s, whole, a, c)
	for range 50 {
		at := a.Add(time.Duration(r.Int64N(int64(c.Sub(a)))))
		want, wantOK := userIn(whole, at)
		if got, ok := s.OnCall(at); got != want || ok != wantOK {
			t.Fatalf("OnCall(%s) = %q, %v; Shifts say %q, %v", at, got, ok, want, wantOK)
		}
	}
	joined := merge(append(s.Shifts(a, b), s.Shifts(b, c)...))
	if g, w := format(joined), format(whole); fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("split at %s differs:\n split: %v\n whole: %v", b, g, w)
	}
}

// windowFrom derives a window [a, c) split at b from three numbers, near
// the DST changes of 2026 (the window can start anywhere in the year).
func windowFrom(startMin, lenMin, splitMin uint32) (a, b, c time.Time) {
	a = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(startMin%(366*24*60)) * time.Minute)
	a = a.Add(time.Duration(startMin%7919) * time.Millisecond) // instants need not be whole minutes
	minutes := 1 + lenMin%(20*24*60)
	c = a.Add(time.Duration(minutes) * time.Minute)
	b = a.Add(time.Duration(splitMin%minutes) * time.Minute)
	return a, b, c
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := range n {
		a, b, c := windowFrom(r.Uint32(), r.Uint32(), r.Uint32())
		s := randomSchedule(t, r, a.Add(-10*24*time.Hour))
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkProperties(t, s, r, a, b, c) })
	}
}

// FuzzSchedule explores random schedules and windows: run it with
// go test -fuzz FuzzSchedule ./oncall/.
func FuzzSchedule(f *testing.F) {
	f.Add(uint64(1), uint32(0), uint32(60*24*3), uint32(60*24))
	f.Add(uint64(7), uint32(66*24*60), uint32(60*24*2), uint32(60*20))   // 2026-03-08
	f.Add(uint64(99), uint32(304*24*60), uint32(60*24*4), uint32(60*28)) // 2026-11-01
	f.Fuzz(func(t *testing.T, seed uint64, startMin, lenMin, splitMin uint32) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		a, b, c := windowFrom(startMin, lenMin, splitMin)
		checkProperties(t, randomSchedule(t, r, a.Add(-10*24*time.Hour)), r, a, b, c)
	})
}

// FuzzParse checks that the text forms never panic and round-trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1w", "12h", "90m", "3d", "0d", "-1w", "2026-02-29T09:00", "2028-02-29T09:00", "22:00", "24:00", "9:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseShift(s); err == nil {
			if back, err := ParseShift(FormatShift(d)); err != nil || back != d {
				t.Errorf("ParseShift(%q) = %s, formatted %q, reparsed %s, %v", s, d, FormatShift(d), back, err)
			}
		}
		if d, err := ParseLocalDateTime(s); err == nil && (d.String() != s || !d.valid()) {
			t.Errorf("ParseLocalDateTime(%q) = %s", s, d)
		}
		if d, err := ParseTimeOfDay(s); err == nil && d.String() != s {
			t.Errorf("ParseTimeOfDay(%q) = %s", s, d)
		}
	})
}
