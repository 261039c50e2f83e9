package hypercare

import (
	"testing"
	"time"
)

// TestSystemClockIsAsPreciseAsTheStore: the wall clock reads whole
// microseconds in UTC, the precision the store keeps, so the time in the
// answer to a write (an acknowledgement's acknowledged_at, a note's at)
// is the time every later read of it shows. With nanoseconds the answer
// said 08:00:05.123456789Z and the next GET 08:00:05.123456Z.
func TestSystemClockIsAsPreciseAsTheStore(t *testing.T) {
	for range 1000 {
		now := SystemClock{}.Now()
		if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 || !now.Equal(time.UnixMicro(now.UnixMicro())) {
			t.Fatalf("SystemClock.Now() = %s, want whole microseconds in UTC", now.Format(time.RFC3339Nano))
		}
	}
}
