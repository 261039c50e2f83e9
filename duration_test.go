package hypercare

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Minute, "30 minutes"},
		{time.Minute, "1 minute"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "1 hour 30 minutes"},
		{48 * time.Hour, "2 days"},
		{25*time.Hour + time.Second, "1 day 1 hour 1 second"},
		{1500 * time.Millisecond, "2 seconds"},
		{500 * time.Millisecond, "500ms"},
		{0, "0s"},
		{-5 * time.Minute, "-5 minutes"},
	} {
		if got := HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
