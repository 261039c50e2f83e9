package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// sentEvent is what the test servers decode from each request.
type sentEvent struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Payload     *struct {
		Summary       string        `json:"summary"`
		Source        string        `json:"source"`
		Severity      string        `json:"severity"`
		Timestamp     time.Time     `json:"timestamp"`
		Component     string        `json:"component"`
		CustomDetails customDetails `json:"custom_details"`
	} `json:"payload"`
}

// eventServer answers each decoded event with respond's status and body and
// remembers every event it saw.
type eventServer struct {
	*httptest.Server
	mu     sync.Mutex
	events []sentEvent
}

func newEventServer(t *testing.T, respond func(r *http.Request, ev sentEvent) (int, string)) *eventServer {
	t.Helper()
	s := &eventServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev sentEvent
		if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "wrong request", http.StatusBadRequest)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.events = append(s.events, ev)
		s.mu.Unlock()
		code, body := respond(r, ev)
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func accepted(*http.Request, sentEvent) (int, string) {
	return http.StatusAccepted, `{"status":"success","message":"Event processed"}`
}

func run(t *testing.T, opts Options) Report {
	t.Helper()
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func TestRunClosedLoopCountsAndEvents(t *testing.T) {
	srv := newEventServer(t, accepted)
	rep := run(t, Options{URL: srv.URL + "/", RoutingKey: "rk", Concurrency: 4,
		Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond, Keys: 10})

	if rep.Sent == 0 || rep.Succeeded != rep.Sent || rep.Failed != 0 || rep.TransportErrors != 0 {
		t.Fatalf("sent %d succeeded %d failed %d errors %d; want all sent to succeed", rep.Sent, rep.Succeeded, rep.Failed, rep.TransportErrors)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if got := int64(len(srv.events)); got != rep.Sent+rep.WarmupSent {
		t.Errorf("server saw %d events, report says %d sent + %d warmup", got, rep.Sent, rep.WarmupSent)
	}
	keys := map[string]bool{}
	for _, ev := range srv.events {
		keys[ev.DedupKey] = true
		if ev.RoutingKey != "rk" || ev.EventAction != "trigger" || ev.Payload == nil ||
			ev.Payload.Summary == "" || ev.Payload.Source == "" || ev.Payload.Timestamp.IsZero() ||
			ev.Payload.CustomDetails.Generator != "hypercare bench" {
			t.Fatalf("malformed event %+v", ev)
		}
	}
	if len(srv.events) >= 10 && len(keys) != 10 {
		t.Errorf("saw %d distinct dedup keys, want 10", len(keys))
	}
	if rep.Latency.Count != rep.Sent || rep.EventsPerSecond <= 0 || len(rep.StatusCodes) != 1 || rep.StatusCodes[0].Code != 202 {
		t.Errorf("latency count %d, events/s %f, statuses %+v", rep.Latency.Count, rep.EventsPerSecond, rep.StatusCodes)
	}
}

func TestRunStatusBreakdown(t *testing.T) {
	srv := newEventServer(t, func(_ *http.Request, ev sentEvent) (int, string) {
		switch ev.Payload.CustomDetails.Seq % 4 {
		case 1:
			return http.StatusTooManyRequests, `{"status":"throttled"}`
		case 2:
			return http.StatusInternalServerError, "boom\n\x1b[31m"
		}
		return accepted(nil, ev)
	})
	rep := run(t, Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 3, Duration: 150 * time.Millisecond})

	// Without warmup every slot 0..Sent-1 was sent, so the split is exact.
	n := rep.Sent
	want := map[int]int64{202: (n+3)/4 + (n+0)/4, 429: (n + 2) / 4, 500: (n + 1) / 4}
	got := map[int]StatusCount{}
	for _, sc := range rep.StatusCodes {
		got[sc.Code] = sc
	}
	for code, count := range want {
		if got[code].Count != count {
			t.Errorf("status %d: count %d, want %d (of %d sent)", code, got[code].Count, count, n)
		}
	}
	if n < 3 {
		t.Fatalf("only %d requests sent", n)
	}
	if got[202].SampleBody != "" || got[429].SampleBody != `{"status":"throttled"}` {
		t.Errorf("sample bodies: 202 %q, 429 %q", got[202].SampleBody, got[429].SampleBody)
	}
	if rep.Succeeded != want[202] || rep.Failed != want[429]+want[500] {
		t.Errorf("succeeded %d failed %d", rep.Succeeded, rep.Failed)
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), `429     `) || strings.Contains(table.String(), "\x1b") {
		t.Errorf("table lacks the 429 row or leaks control characters:\n%s", table.String())
	}
}

func TestRunLatencyReflectsSlowResponses(t *testing.T) {
	const slow = 100 * time.Millisecond
	srv := newEventServer(t, func(r *http.Request, ev sentEvent) (int, string) {
		if ev.Payload.CustomDetails.Seq%10 == 0 { // 10% of requests are slow
			select {
			case <-time.After(slow):
			case <-r.Context().Done():
			}
		}
		return accepted(r, ev)
	})
	rep := run(t, Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 8, Duration: 400 * time.Millisecond})

	l := rep.Latency
	if l.P50 >= slow || l.P95 < slow || l.P99 < slow || l.Max < slow {
		t.Errorf("with 10%% of responses taking %s: p50 %s p95 %s p99 %s max %s", slow, l.P50, l.P95, l.P99, l.Max)
	}
}

func TestRunOpenLoopKeepsRate(t *testing.T) {
	srv := newEventServer(t, accepted)
	opts := Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 4, Rate: 200,
		Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond}
	rep := run(t, opts)

	// Slots are due every 5ms: 20 in warmup, 100 in the window, whatever
	// the machine's speed; a slow machine shows up as late or missed.
	if rep.Sent+rep.MissedSends != 100 || rep.WarmupSent > 20 {
		t.Errorf("sent %d + missed %d, warmup %d; want 100 scheduled in the window, 20 in warmup", rep.Sent, rep.MissedSends, rep.WarmupSent)
	}
	// The last slot is due at 595ms, so the run cannot finish sooner: the
	// requests were spread out, not fired at once.
	if rep.Elapsed < 590*time.Millisecond || rep.Elapsed > 5*time.Second {
		t.Errorf("elapsed %s, want about 600ms", rep.Elapsed)
	}
	if rep.Settings.Mode != "open" || rep.Settings.Rate != 200 {
		t.Errorf("settings %+v", rep.Settings)
	}
}

func TestRunOpenLoopChargesQueueingToLatency(t *testing.T) {
	const stall = 100 * time.Millisecond
	srv := newEventServer(t, func(r *http.Request, ev sentEvent) (int, string) {
		if ev.Payload.CustomDetails.Seq == 0 {
			time.Sleep(stall)
		}
		return accepted(r, ev)
	})
	// One worker at 100/s: while request 0 stalls, requests 1..9 fall due
	// and must wait; their latency counts from when they were due.
	rep := run(t, Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 1, Rate: 100, Duration: 300 * time.Millisecond})

	if rep.LateSends < 9 || rep.MaxSendLag < stall-10*time.Millisecond {
		t.Errorf("late %d, max lag %s; want at least 9 late and a lag near %s", rep.LateSends, rep.MaxSendLag, stall)
	}
	if rep.Latency.P95 < stall-20*time.Millisecond || rep.Latency.P99 < stall-10*time.Millisecond {
		t.Errorf("p95 %s p99 %s: queueing behind the stall was not charged", rep.Latency.P95, rep.Latency.P99)
	}
}

func TestRunStopsAtDurationWhenServerHangs(t *testing.T) {
	srv := newEventServer(t, func(r *http.Request, ev sentEvent) (int, string) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return accepted(r, ev)
	})
	start := time.Now()
	rep := run(t, Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 2,
		Duration: 200 * time.Millisecond, Timeout: 300 * time.Millisecond})

	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Run took %s against a hung server; want about duration + timeout", took)
	}
	if rep.Sent > 2 || rep.TransportErrors != rep.Sent || rep.Succeeded != 0 {
		t.Errorf("sent %d, transport errors %d, succeeded %d; want each worker's one request to time out", rep.Sent, rep.TransportErrors, rep.Succeeded)
	}
	if rep.Sent > 0 && (len(rep.ErrorSamples) == 0 || !strings.Contains(rep.ErrorSamples[0], "deadline exceeded")) {
		t.Errorf("error samples %q", rep.ErrorSamples)
	}
}

func TestRunCancelledReturnsPartialReport(t *testing.T) {
	srv := newEventServer(t, accepted)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := Run(ctx, Options{URL: srv.URL, RoutingKey: "rk", Concurrency: 2, Duration: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's error", err)
	}
	if time.Since(start) > 3*time.Second || rep.Sent == 0 {
		t.Errorf("took %s, sent %d; want a prompt stop with a partial report", time.Since(start), rep.Sent)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	_, err := Run(context.Background(), Options{URL: "ftp://x", Concurrency: 0, Duration: -1, Rate: -1, ActionMix: "page"})
	if err == nil {
		t.Fatal("Run accepted invalid options")
	}
	for _, want := range []string{"url", "routing key", "concurrency", "duration", "negative", "unknown action"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
