package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// Defaults of a window's fatigue block: keys left out take these, so
// `fatigue: {}` is a complete guardrail. Eight pages in four hours is a
// responder doing nothing else; two night pages is a night without sleep.
const (
	DefaultFatigueMaxPages      = 8
	DefaultFatiguePerHours      = 4
	DefaultFatigueMaxNightPages = 2
	DefaultFatigueNight         = "22:00-07:00"
	maxFatiguePages             = 1000
)

// FatigueSpec is a window's fatigue block as written in the file: when a
// responder has been paged more than max_pages times in per_hours, or
// more than max_night_pages times at night (in the trailing 24 hours),
// their next page also goes to the next escalation level.
type FatigueSpec struct {
	MaxPages      *int   `yaml:"max_pages"`
	PerHours      *int   `yaml:"per_hours"`
	MaxNightPages *int   `yaml:"max_night_pages"`
	Night         string `yaml:"night"`
}

// domain returns the effective guardrail, defaults filled in.
func (f *FatigueSpec) domain() *hypercare.Fatigue {
	out := &hypercare.Fatigue{
		MaxPages:      orDefault(f.MaxPages, DefaultFatigueMaxPages),
		Per:           time.Duration(orDefault(f.PerHours, DefaultFatiguePerHours)) * time.Hour,
		MaxNightPages: orDefault(f.MaxNightPages, DefaultFatigueMaxNightPages),
	}
	night := f.Night
	if night == "" {
		night = DefaultFatigueNight
	}
	out.NightStart, out.NightEnd, _ = parseNight(night)
	return out
}

func orDefault(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// checkFatigue checks a window's fatigue block.
func (c *checker) checkFatigue(path string, f *FatigueSpec) {
	if n := f.MaxPages; n != nil && (*n < 1 || *n > maxFatiguePages) {
		c.add(path+".max_pages", "must be between 1 and %d", maxFatiguePages)
	}
	if h := f.PerHours; h != nil && (*h < 1 || *h > maxShiftHoursLimit) {
		c.add(path+".per_hours", "must be between 1 and %d (a week)", maxShiftHoursLimit)
	}
	if n := f.MaxNightPages; n != nil && (*n < 1 || *n > maxFatiguePages) {
		c.add(path+".max_night_pages", "must be between 1 and %d", maxFatiguePages)
	}
	if f.Night != "" {
		if _, _, err := parseNight(f.Night); err != nil {
			c.add(path+".night", "%v", err)
		}
	}
}

// parseNight reads "HH:MM-HH:MM", the night on the responder's wall clock;
// a start later than the end spans midnight.
func parseNight(s string) (start, end time.Duration, err error) {
	bad := fmt.Errorf(`must be a local time span "HH:MM-HH:MM" such as "22:00-07:00", not %q`, s)
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, bad
	}
	start, ok1 := clockOffset(a)
	end, ok2 := clockOffset(b)
	if !ok1 || !ok2 {
		return 0, 0, bad
	}
	if start == end {
		return 0, 0, fmt.Errorf("must not start and end at the same time (%q)", s)
	}
	return start, end, nil
}

// clockOffset reads "HH:MM" as an offset from midnight.
func clockOffset(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}
