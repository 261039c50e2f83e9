package hypercare

import "time"

// Clock is the only source of time for engine code, so tests can drive time
// with a fake clock instead of sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed on
	// this clock.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now() in UTC, in whole microseconds: the precision
// the store keeps, so a time answered from a write is the time every
// later read of it shows.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
