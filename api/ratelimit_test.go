package api

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
)

// TestRetryAfterIsAPromise checks the limiter's contract for any batch size
// and any prior state: after waiting the Retry-After it gave (in whole
// seconds, as sent), with no other traffic, the same request is admitted.
func TestRetryAfterIsAPromise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, perMinute := range []int{1, 7, 60, 600, 6000} {
		l := newLimiter(perMinute)
		clk := clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
		burst := l.burst()
		for i := 0; i < 2000; i++ {
			// Random prior traffic, sometimes with time passing.
			for j := rng.IntN(4); j > 0; j-- {
				l.allow("k", 1+rng.IntN(3*burst), clk.Now())
				clk.Advance(time.Duration(rng.IntN(5000)) * time.Millisecond)
			}
			n := 1 + rng.IntN(3*burst)
			ok, wait := l.allow("k", n, clk.Now())
			if ok {
				continue
			}
			clk.Advance(time.Duration(retryAfterSeconds(wait)) * time.Second)
			if ok, again := l.allow("k", n, clk.Now()); !ok {
				t.Fatalf("%d/min: batch of %d refused after waiting Retry-After %ds (burst %d); wait now %s",
					perMinute, n, retryAfterSeconds(wait), burst, again)
			}
		}
	}
}

// TestBatchLargerThanBurst pins the default: 6,000/min, burst 1,000. A batch
// of 1,001 passes on a full bucket, puts the key in debt, and the next
// request waits for the debt to be earned back.
func TestBatchLargerThanBurst(t *testing.T) {
	l := newLimiter(6000)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	if ok, _ := l.allow("k", 1001, now); !ok {
		t.Fatal("batch of 1,001 refused on a full bucket")
	}
	ok, wait := l.allow("k", 1001, now)
	if ok || wait != 10*time.Second+10*time.Millisecond {
		t.Fatalf("second batch at once: ok=%v wait=%s, want refused for 10.01s", ok, wait)
	}
	// The debt of one event (10 ms) plus the token a single event needs.
	if ok, wait := l.allow("k", 1, now.Add(10*time.Millisecond)); ok || wait != 10*time.Millisecond {
		t.Fatalf("single event 10 ms later: ok=%v wait=%s, want refused for 10ms", ok, wait)
	}
	if ok, _ := l.allow("k", 1, now.Add(20*time.Millisecond)); !ok {
		t.Fatal("single event refused once the debt is repaid and a token earned")
	}
}
