package hypercare

import (
	"strconv"
	"strings"
	"time"
)

// HumanDuration writes d the way a sentence says it, "30 minutes",
// "1 hour 30 minutes", "2 days", for messages people read (timeline
// entries, CLI tables). Go's own form ("30m0s") is for logs and flags, not
// for an incident's timeline. Whole seconds are kept; anything finer is
// rounded to the second, and durations under a second use Go's form.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + HumanDuration(-d)
	}
	if d < time.Second {
		return d.String()
	}
	d = d.Round(time.Second)
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	var parts []string
	for _, u := range units {
		n := d / u.size
		d -= n * u.size
		switch {
		case n == 1:
			parts = append(parts, "1 "+u.name)
		case n > 1:
			parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+u.name+"s")
		}
	}
	return strings.Join(parts, " ")
}
