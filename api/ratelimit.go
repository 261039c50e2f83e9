package api

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per routing key, kept as the generic cell rate
// algorithm: one "theoretical arrival time" per key, so the arithmetic is
// exact integer nanoseconds and a Retry-After it gives is a promise. Only
// known keys reach it, so the map is bounded by the number of integrations.
//
// The bucket holds ten seconds' worth of the rate (the burst), so a short
// storm passes while a runaway sender is slowed. A request of n events
// needs min(n, burst) tokens to be admitted and is then charged all n: a
// batch larger than the burst (an Alertmanager group of 1,001 alerts at the
// default 6,000/min) is admitted once the bucket is full and leaves it in
// debt, which later requests wait out. It is never refused forever.
type limiter struct {
	perMinute int
	mu        sync.Mutex
	tat       map[string]time.Time // when each key's bucket is full again
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: perMinute, tat: map[string]time.Time{}}
}

// burst is how many events the bucket holds.
func (l *limiter) burst() int { return max(l.perMinute/6, 1) }

// cost is the time n events take to earn at the rate.
func (l *limiter) cost(n int) time.Duration {
	return time.Duration(n) * time.Minute / time.Duration(l.perMinute)
}

// allow takes n events for key at now; if over the rate it returns false
// and how long to wait. Waiting that long with no other traffic for the
// key always admits the same request.
func (l *limiter) allow(key string, n int, now time.Time) (bool, time.Duration) {
	if l.perMinute <= 0 {
		return true, 0
	}
	n = max(n, 1)
	tolerance := l.cost(l.burst())
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	// Admitted when the bucket holds min(n, burst) tokens: the time still
	// owed (tat-now) leaves room for that many.
	if wait := tat.Sub(now) - (tolerance - l.cost(min(n, l.burst()))); wait > 0 {
		return false, wait
	}
	l.tat[key] = tat.Add(l.cost(n))
	return true, 0
}

// retryAfterSeconds renders a wait as a Retry-After value (whole seconds,
// at least 1), rounding up so the promise holds.
func retryAfterSeconds(d time.Duration) int {
	return max(int(math.Ceil(d.Seconds())), 1)
}
