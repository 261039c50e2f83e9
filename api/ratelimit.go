package api

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per routing key. Only known keys reach it, so
// the map is bounded by the number of integrations.
type limiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: perMinute, buckets: map[string]*rate.Limiter{}}
}

// allow takes n events for key at now; if over the rate it returns false
// and how long to wait. The burst is ten seconds' worth of the rate, so a
// short storm passes while a runaway sender is slowed.
func (l *limiter) allow(key string, n int, now time.Time) (bool, time.Duration) {
	if l.perMinute <= 0 {
		return true, 0
	}
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		burst := max(l.perMinute/6, 1)
		b = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	r := b.ReserveN(now, n)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// retryAfterSeconds renders a wait as a Retry-After value (whole seconds,
// at least 1).
func retryAfterSeconds(d time.Duration) int {
	return max(int(math.Ceil(d.Seconds())), 1)
}
