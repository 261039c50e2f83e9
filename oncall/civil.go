package oncall

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// secondsPerDay is the length of a local calendar day on the wall clock.
const secondsPerDay = 86400

// LocalDateTime is a wall-clock reading without a zone, such as
// "2026-11-02T09:00". Layer starts are written this way because a person
// means "09:00 where the team is", not an instant; the schedule's zone and
// [Resolve] turn it into an instant. Minute precision matches what people
// write in a schedule.
type LocalDateTime struct {
	Year   int
	Month  time.Month
	Day    int
	Hour   int
	Minute int
}

// localLayout is the one accepted text form of a LocalDateTime.
const localLayout = "2006-01-02T15:04"

// ParseLocalDateTime parses "YYYY-MM-DDTHH:MM", the form used in
// hypercare.yaml. It rejects readings that are not on the calendar
// (2027-02-29, 24:00) so a typo is an error instead of a silent roll-over.
func ParseLocalDateTime(s string) (LocalDateTime, error) {
	t, err := time.Parse(localLayout, s)
	if err != nil {
		return LocalDateTime{}, fmt.Errorf("local date-time %q: want YYYY-MM-DDTHH:MM: %w", s, err)
	}
	return LocalDateTime{t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute()}, nil
}

// String formats the reading as "YYYY-MM-DDTHH:MM", the input form.
func (d LocalDateTime) String() string {
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d", d.Year, d.Month, d.Day, d.Hour, d.Minute)
}

// valid reports whether d is a real calendar reading (no roll-over).
func (d LocalDateTime) valid() bool {
	t := time.Date(d.Year, d.Month, d.Day, d.Hour, d.Minute, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day &&
		t.Hour() == d.Hour && t.Minute() == d.Minute
}

// seconds returns the reading as wall-clock seconds since 1970-01-01T00:00.
// Wall-clock seconds are counted on a clock that never changes offset, so
// plain integer arithmetic on them is calendar arithmetic (leap days
// included) and never sees a DST change.
func (d LocalDateTime) seconds() int64 {
	return time.Date(d.Year, d.Month, d.Day, d.Hour, d.Minute, 0, 0, time.UTC).Unix()
}

// TimeOfDay is a wall-clock time of day, used for restriction windows.
type TimeOfDay struct {
	Hour   int // 0–23
	Minute int // 0–59
}

// ParseTimeOfDay parses "HH:MM" (00:00–23:59), the form used in
// hypercare.yaml restrictions.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	if len(s) != 5 || s[2] != ':' {
		return TimeOfDay{}, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	td := TimeOfDay{twoDigits(s[:2]), twoDigits(s[3:])}
	if !td.valid() {
		return TimeOfDay{}, fmt.Errorf("time of day %q: want HH:MM between 00:00 and 23:59", s)
	}
	return td, nil
}

// twoDigits returns the value of a two-digit decimal, or -1.
func twoDigits(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// String formats the time of day as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

func (t TimeOfDay) valid() bool {
	return t.Hour >= 0 && t.Hour < 24 && t.Minute >= 0 && t.Minute < 60
}

// seconds returns the time of day as wall-clock seconds after midnight.
func (t TimeOfDay) seconds() int64 { return int64(t.Hour)*3600 + int64(t.Minute)*60 }

// ParseWeekday parses a day name as written in hypercare.yaml ("mon",
// "Monday", case-insensitive), so configuration and API share one spelling.
func ParseWeekday(s string) (time.Weekday, error) {
	l := strings.ToLower(s)
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := strings.ToLower(d.String())
		if l == full || l == full[:3] {
			return d, nil
		}
	}
	return 0, fmt.Errorf("day %q: want mon, tue, wed, thu, fri, sat or sun", s)
}

// ParseShift parses a layer's shift length: "Nh", "Nd" or "Nw" as in
// hypercare.yaml, or any Go duration of whole minutes ("90m", "1h30m").
// The result is a wall-clock length (see the package documentation): 1d is
// 24h and 1w is 168h on the local clock.
func ParseShift(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if n, unit, ok := cutUnit(s); ok {
		d, err = countOf(s, n, unit)
	} else {
		d, err = time.ParseDuration(s)
	}
	switch {
	case err != nil:
		return 0, fmt.Errorf("shift %q: want Nh, Nd, Nw or a duration such as 12h: %w", s, err)
	case d <= 0:
		return 0, fmt.Errorf("shift %q: must be positive", s)
	case d%time.Minute != 0:
		return 0, fmt.Errorf("shift %q: must be a whole number of minutes", s)
	}
	return d, nil
}

// cutUnit splits "3d"/"2w" into its count and unit length.
func cutUnit(s string) (string, time.Duration, bool) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		return n, 24 * time.Hour, true
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		return n, 7 * 24 * time.Hour, true
	}
	return "", 0, false
}

// countOf multiplies a decimal count by a unit, refusing overflow.
func countOf(s, n string, unit time.Duration) (time.Duration, error) {
	c, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("count %q is not an integer", n)
	}
	if c > int64(maxShift/unit) {
		return 0, fmt.Errorf("%s is longer than %s", s, FormatShift(maxShift))
	}
	return time.Duration(c) * unit, nil
}

// maxShift bounds shift lengths far above any real rotation, so that
// arithmetic on wall-clock seconds can never overflow.
const maxShift = 100 * 52 * 7 * 24 * time.Hour

// FormatShift formats a shift length the way a person writes it ("1w",
// "3d", "12h"), falling back to Go's duration form ("1h30m0s").
func FormatShift(d time.Duration) string {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d > 0 && d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d > 0 && d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}
