package notify

import (
	"testing"
	"time"
)

// nextPlace finds the first place that keeps every window, the new
// page's and those of pages already waiting, within the throttle.
func TestNextPlace(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	two := Throttle{Max: 2, Per: time.Minute}
	for _, c := range []struct {
		name   string
		now    int
		events []int
		th     Throttle
		want   int
	}{
		{"room now", 10, []int{0}, two, 10},
		{"window full", 10, []int{0, 5}, two, 60},
		{"a send exactly a window ago no longer counts", 60, []int{0}, Throttle{Max: 1, Per: time.Minute}, 60},
		{"queued behind waiting pages", 10, []int{0, 5, 60, 65}, two, 120},
		{"a place now would crowd the waiting pages", 30, []int{0, 60, 61}, two, 120},
		{"a waiting page far off leaves room now", 10, []int{0, 3600}, Throttle{Max: 1, Per: time.Minute}, 60},
		{"unsorted", 10, []int{65, 5, 60, 0}, two, 120},
	} {
		events := make([]time.Time, len(c.events))
		for i, s := range c.events {
			events[i] = at(s)
		}
		if got := nextPlace(at(c.now), events, c.th); !got.Equal(at(c.want)) {
			t.Errorf("%s: %v, want +%d s", c.name, got.Sub(t0), c.want)
		}
	}
}
