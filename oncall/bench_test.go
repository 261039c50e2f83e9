package oncall

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchSchedules builds n realistic schedules: a weekly 24×7 base, a daily
// business-hours layer and a 12h night layer, started between 2020 and
// 2025, with 50 overrides spread over 2026, in zones with and without DST.
func benchSchedules(b *testing.B, n int) []*Schedule {
	r := rand.New(rand.NewPCG(42, 42))
	zones := []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata"}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*Schedule, n)
	for i := range out {
		loc := zoneNamed(b, zones[i%len(zones)])
		since := LocalDateTime{2020 + r.IntN(6), time.Month(1 + r.IntN(12)), 1 + r.IntN(28), 9, 0}
		weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
		s := &Schedule{ID: fmt.Sprint("s", i), TimeZone: loc, Layers: []Layer{
			{ID: "base", Start: since, Shift: 7 * 24 * time.Hour, Users: []string{"a", "b", "c", "d"}},
			{ID: "business", Start: since, Shift: 24 * time.Hour, Users: []string{"e", "f", "g"},
				Restrictions: []Restriction{{Days: weekdays, From: TimeOfDay{9, 0}, To: TimeOfDay{17, 0}}}},
			{ID: "nights", Start: since, Shift: 12 * time.Hour, Users: []string{"h", "i"},
				Restrictions: []Restriction{{From: TimeOfDay{22, 0}, To: TimeOfDay{6, 0}}}},
		}}
		for j := range 50 {
			start := year.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Minute)
			s.Overrides = append(s.Overrides, Override{User: fmt.Sprint("o", j), Start: start,
				End: start.Add(time.Duration(1+r.IntN(48)) * time.Hour)})
		}
		mustValid(b, s)
		out[i] = s
	}
	return out
}

// BenchmarkOnCall: one OnCall per op, cycling through 1,000 schedules at
// random instants in 2026–2027.
func BenchmarkOnCall(b *testing.B) {
	schedules := benchSchedules(b, 1000)
	r := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ats := make([]time.Time, 1000)
	for i := range ats {
		ats[i] = base.Add(time.Duration(r.Int64N(int64(2 * 365 * 24 * time.Hour))))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		schedules[i%1000].OnCall(ats[i%1000])
	}
}

// BenchmarkShiftsYear: the final shifts of one schedule for all of 2026
// per op, cycling through 1,000 schedules.
func BenchmarkShiftsYear(b *testing.B) {
	schedules := benchSchedules(b, 1000)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(schedules[i%1000].Shifts(from, to))
	}
	b.ReportMetric(float64(n)/float64(b.N), "shifts/op")
}

// BenchmarkOnCallOldSchedule: a weekly rotation started in 2020, asked
// about 2027 — cost must not depend on the schedule's age.
func BenchmarkOnCallOldSchedule(b *testing.B) {
	ny := zoneNamed(b, "America/New_York")
	s := &Schedule{ID: "old", TimeZone: ny, Layers: []Layer{layer(b, "l", "2020-01-06T09:00", "1w", "a", "b", "c")}}
	at := time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		s.OnCall(at)
	}
}
