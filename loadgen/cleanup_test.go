package loadgen

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestResolveRetriesRateLimited: each key is refused once with 429 and
// then accepted; Resolve retries and resolves them all, sending resolve
// events with the run's routing key. A key refused for good (400) is
// reported, not retried forever.
func TestResolveRetriesRateLimited(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := newEventServer(t, func(_ *http.Request, ev sentEvent) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		seen[ev.DedupKey]++
		switch {
		case ev.EventAction != "resolve" || ev.RoutingKey != "rk":
			return http.StatusBadRequest, `{"status":"invalid event"}`
		case ev.DedupKey == "bad":
			return http.StatusBadRequest, `{"status":"invalid event"}`
		case seen[ev.DedupKey] == 1:
			return http.StatusTooManyRequests, `{"status":"throttle event"}`
		}
		return http.StatusAccepted, `{"status":"success"}`
	})
	rep, err := Resolve(context.Background(), Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 2},
		[]string{"a", "b", "c", "bad"})
	if err == nil || !strings.Contains(err.Error(), "1 of 4 dedup keys not resolved") || !strings.Contains(err.Error(), "resolve bad: HTTP 400") {
		t.Errorf("err = %v", err)
	}
	if rep.Keys != 4 || rep.Resolved != 3 || rep.Failed != 1 || rep.Retries != 3 {
		t.Errorf("report %+v", rep)
	}
	if seen["a"] != 2 || seen["bad"] != 1 {
		t.Errorf("requests per key: %v", seen)
	}
}
