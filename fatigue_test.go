package hypercare

import (
	"testing"
	"time"
)

func fatigueForTest() *Fatigue {
	return &Fatigue{MaxPages: 3, Per: 4 * time.Hour, MaxNightPages: 2, NightStart: 22 * time.Hour, NightEnd: 7 * time.Hour}
}

// AtNight reads the responder's wall clock, so the night follows DST: the
// same UTC instant is night on one side of a change and day on the other.
func TestFatigueAtNight(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	f := fatigueForTest()
	cases := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want bool
	}{
		{"evening before the night", time.Date(2026, 11, 27, 21, 59, 0, 0, ny), ny, false},
		{"night starts", time.Date(2026, 11, 27, 22, 0, 0, 0, ny), ny, true},
		{"midnight", time.Date(2026, 11, 28, 0, 0, 0, 0, ny), ny, true},
		{"night ends", time.Date(2026, 11, 28, 7, 0, 0, 0, ny), ny, false},
		{"just before the end", time.Date(2026, 11, 28, 6, 59, 0, 0, ny), ny, true},
		// 11:30 UTC is 07:30 EDT on 31 October, 06:30 EST on 1 November.
		{"11:30 UTC before fall back", time.Date(2026, 10, 31, 11, 30, 0, 0, time.UTC), ny, false},
		{"11:30 UTC after fall back", time.Date(2026, 11, 1, 11, 30, 0, 0, time.UTC), ny, true},
		// The repeated 01:30 on the fall-back night is night both times.
		{"first 01:30", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), ny, true},
		{"second 01:30", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), ny, true},
		// Spring forward: 06:30 EST on 7 March is 11:30 UTC, on 8 March
		// 11:30 UTC is 07:30 EDT.
		{"11:30 UTC before spring forward", time.Date(2026, 3, 7, 11, 30, 0, 0, time.UTC), ny, true},
		{"11:30 UTC after spring forward", time.Date(2026, 3, 8, 11, 30, 0, 0, time.UTC), ny, false},
		{"same instant in UTC", time.Date(2026, 3, 8, 11, 30, 0, 0, time.UTC), time.UTC, false},
	}
	for _, c := range cases {
		if got := f.AtNight(c.at, c.loc); got != c.want {
			t.Errorf("%s: AtNight(%s) = %v, want %v", c.name, c.at.In(c.loc), got, c.want)
		}
	}
	day := &Fatigue{NightStart: 9 * time.Hour, NightEnd: 17 * time.Hour} // a night-shift worker's "night"
	if !day.AtNight(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC) || day.AtNight(time.Date(2026, 1, 1, 17, 0, 0, 0, time.UTC), time.UTC) {
		t.Error("a span that does not cross midnight is [start, end)")
	}
}

// Count counts the page being sent, the earlier pages in the trailing
// Per, and the night pages in the trailing 24 hours; Over names the first
// limit exceeded.
func TestFatigueCountAndOver(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	f := fatigueForTest()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, ny) // noon: this page is daytime
	h := func(d float64) time.Time { return now.Add(-time.Duration(d * float64(time.Hour))) }
	cases := []struct {
		name  string
		prior []time.Time
		want  FatigueLoad
		over  string
	}{
		{"first page", nil, FatigueLoad{Pages: 1}, ""},
		{"three in four hours", []time.Time{h(3.9), h(1)}, FatigueLoad{Pages: 3}, ""},
		{"four in four hours", []time.Time{h(3.9), h(2), h(1)}, FatigueLoad{Pages: 4},
			"has been paged 4 times in the last 4 h (limit 3)"},
		{"exactly 4 h ago is outside", []time.Time{h(4), h(2), h(1)}, FatigueLoad{Pages: 3}, ""},
		{"pages after now are ignored", []time.Time{h(-1), h(2), h(1)}, FatigueLoad{Pages: 3}, ""},
		{"three night pages last night", []time.Time{h(13), h(10), h(7)}, FatigueLoad{Pages: 1, NightPages: 3},
			"has been paged 3 times at night (22:00-07:00) in the last 24 h (limit 2)"},
		{"night pages of the night before last", []time.Time{h(37), h(34), h(31)}, FatigueLoad{Pages: 1}, ""},
	}
	for _, c := range cases {
		got := f.Count(c.prior, now, ny)
		if got != c.want {
			t.Errorf("%s: Count = %+v, want %+v", c.name, got, c.want)
		}
		if over := f.Over(got); over != c.over {
			t.Errorf("%s: Over = %q, want %q", c.name, over, c.over)
		}
	}
	if got := f.Since(now); !got.Equal(now.Add(-24 * time.Hour)) {
		t.Errorf("Since = %v, want a day back (the night count's span)", got)
	}
	long := &Fatigue{MaxPages: 1, Per: 36 * time.Hour}
	if got := long.Since(now); !got.Equal(now.Add(-36 * time.Hour)) {
		t.Errorf("Since = %v, want Per back when longer than a day", got)
	}
	odd := &Fatigue{MaxPages: 1, Per: 90 * time.Minute}
	if got := odd.Over(FatigueLoad{Pages: 2}); got != "has been paged 2 times in the last 90 min (limit 1)" {
		t.Errorf("Over = %q", got)
	}
}
