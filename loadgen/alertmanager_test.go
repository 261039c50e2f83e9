package loadgen

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// An alertmanager run posts webhook notifications of Batch alerts to
// /integrations/KEY, keys cycle over the alerts (not the requests), a
// re-sent alert keeps its startsAt, and events/s counts alerts.
func TestAlertmanagerFormat(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	starts := map[string]string{} // fingerprint → its first startsAt
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n amWebhook
		if r.Method != http.MethodPost || r.URL.Path != "/integrations/abab" {
			http.Error(w, "wrong request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil || n.Version != "4" || len(n.Alerts) != 10 {
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		mu.Lock()
		requests++
		for _, a := range n.Alerts {
			if a.Status != "firing" || a.Labels["alertname"] == "" || a.Annotations["summary"] == "" {
				http.Error(w, "bad alert", http.StatusBadRequest)
				mu.Unlock()
				return
			}
			seen[a.Fingerprint]++
			if first, ok := starts[a.Fingerprint]; ok && first != a.StartsAt {
				http.Error(w, "a re-send moved startsAt", http.StatusBadRequest)
				mu.Unlock()
				return
			}
			starts[a.Fingerprint] = a.StartsAt
		}
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	rep, err := Run(context.Background(), Options{URL: srv.URL, RoutingKey: "abab", Concurrency: 2,
		Duration: 200 * time.Millisecond, Keys: 25, Format: FormatAlertmanager, Batch: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 || rep.Succeeded == 0 {
		t.Fatalf("report: %+v", rep)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 25 {
		t.Errorf("distinct fingerprints %d, want 25", len(seen))
	}
	for k := range seen {
		if !strings.HasPrefix(k, "hc-bench-") {
			t.Errorf("fingerprint %q", k)
		}
	}
	window := rep.Settings.Duration.Seconds()
	if got, want := rep.EventsPerSecond, float64(rep.Succeeded*10)/window; got != want {
		t.Errorf("events/s %g, want alerts per second %g", got, want)
	}
	if len(rep.Triggered()) != 0 {
		t.Errorf("an alertmanager run cannot resolve through events-v2, but listed %d keys", len(rep.Triggered()))
	}
}

// The events-v2 format sends one event per request: a batch is refused.
func TestBatchNeedsAlertmanagerFormat(t *testing.T) {
	_, err := newPlan(Options{URL: "http://x", RoutingKey: "k", Concurrency: 1, Duration: time.Second, Batch: 100}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "one event per request") {
		t.Errorf("err = %v", err)
	}
	_, err = newPlan(Options{URL: "http://x", RoutingKey: "k", Concurrency: 1, Duration: time.Second, Format: "xml"}, time.Now())
	if err == nil || !strings.Contains(err.Error(), `format "xml"`) {
		t.Errorf("err = %v", err)
	}
}
