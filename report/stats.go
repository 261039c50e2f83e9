// Package report computes Hypercare's aggregate reports from rows the
// store reads over a period: the noise report (events, alerts, incidents,
// pages and verdicts per service) and the summary of a hypercare window
// (the start of the post-peak review). It is pure: no I/O and no clock, so
// every definition (what a page is, what night is, how a median is taken)
// lives in one table-tested place that the API and the CLI share.
package report

import (
	"math"
	"slices"
	"time"
)

// Durations summarises how long something took over a set of incidents
// (time to acknowledge, time to resolve), in whole seconds. Median is the
// middle value (the mean of the two middle ones for an even count); P90 is
// the nearest-rank 90th percentile (the smallest value at least 90% of the
// values do not exceed). All but Count are absent when Count is 0.
type Durations struct {
	Count         int    `json:"count"`
	MeanSeconds   *int64 `json:"mean_seconds,omitempty"`
	MedianSeconds *int64 `json:"median_seconds,omitempty"`
	P90Seconds    *int64 `json:"p90_seconds,omitempty"`
}

// summarise computes Durations of ds (in any order; ds is sorted in place).
func summarise(ds []time.Duration) Durations {
	out := Durations{Count: len(ds)}
	if len(ds) == 0 {
		return out
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	n := len(ds)
	mean := seconds(sum / time.Duration(n))
	median := ds[n/2]
	if n%2 == 0 {
		median = (ds[n/2-1] + ds[n/2]) / 2
	}
	rank := int(math.Ceil(0.9*float64(n))) - 1
	med, p90 := seconds(median), seconds(ds[rank])
	out.MeanSeconds, out.MedianSeconds, out.P90Seconds = &mean, &med, &p90
	return out
}

// seconds rounds d to the nearest whole second.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

// ratio returns 1 - part/whole rounded to four decimals, or nil when whole
// is 0 (nothing to reduce).
func ratio(part, whole int64) *float64 {
	if whole == 0 {
		return nil
	}
	r := math.Round((1-float64(part)/float64(whole))*10000) / 10000
	return &r
}
