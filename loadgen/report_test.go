package loadgen

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestSummarizeKnownDistribution(t *testing.T) {
	// 1ms..100ms in shuffled order: nearest-rank percentiles are exact.
	samples := make([]time.Duration, 100)
	for i := range samples {
		samples[i] = time.Duration(i+1) * time.Millisecond
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })

	got := summarize(samples)
	want := Latency{Count: 100, Mean: 50500 * time.Microsecond,
		P50: 50 * time.Millisecond, P95: 95 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
}

func TestPercentileEdges(t *testing.T) {
	one := []time.Duration{7}
	for _, p := range []float64{0, 50, 99, 100} {
		if got := percentile(one, p); got != 7 {
			t.Errorf("percentile(one sample, %g) = %d, want 7", p, got)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %d", got)
	}
	// Ten samples, one outlier: p95 and p99 are the outlier, p50 is not.
	ten := []time.Duration{1, 1, 1, 1, 1, 1, 1, 1, 1, 1000}
	if percentile(ten, 50) != 1 || percentile(ten, 90) != 1 || percentile(ten, 95) != 1000 {
		t.Errorf("p50 %d p90 %d p95 %d", percentile(ten, 50), percentile(ten, 90), percentile(ten, 95))
	}
	if got := summarize(nil); got != (Latency{}) {
		t.Errorf("summarize(nil) = %+v", got)
	}
}

func TestActionMix(t *testing.T) {
	m, err := parseActionMix("trigger:8, acknowledge:1,resolve:1")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for seq := range uint64(10000) {
		counts[m.pick(splitmix64(seq))]++
	}
	for action, want := range map[string]int{"trigger": 8000, "acknowledge": 1000, "resolve": 1000} {
		if c := counts[action]; c < want*9/10 || c > want*11/10 {
			t.Errorf("%s picked %d times of 10000, want about %d", action, c, want)
		}
	}
	for _, bad := range []string{"", "trigger:x", "trigger:-1", "trigger:0", "escalate"} {
		if _, err := parseActionMix(bad); err == nil {
			t.Errorf("parseActionMix(%q) accepted", bad)
		}
	}
}

func TestEventBodies(t *testing.T) {
	mix, _ := parseActionMix("resolve")
	now := time.Date(2026, 11, 25, 14, 3, 0, 0, time.UTC)
	src := newEventSource("rk", 3, mix, now)
	b, err := src.body(4, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"routing_key":"rk","event_action":"resolve","dedup_key":"hc-bench-1","client":"hypercare bench"}`; string(b) != want {
		t.Errorf("resolve body\n got %s\nwant %s", b, want)
	}

	trig, _ := parseActionMix("trigger")
	fresh := newEventSource("rk", 0, trig, now)
	a, _ := fresh.body(1, now)
	c, _ := fresh.body(2, now)
	var ev map[string]any
	if err := json.Unmarshal(a, &ev); err != nil {
		t.Fatal(err)
	}
	payload, _ := ev["payload"].(map[string]any)
	for _, field := range []string{"summary", "source", "severity", "timestamp", "component", "custom_details"} {
		if payload[field] == nil {
			t.Errorf("trigger payload lacks %s: %s", field, a)
		}
	}
	if payload["timestamp"] != "2026-11-25T14:03:00.000Z" {
		t.Errorf("timestamp %v", payload["timestamp"])
	}
	var other map[string]any
	_ = json.Unmarshal(c, &other)
	if ev["dedup_key"] == other["dedup_key"] {
		t.Errorf("keys=0 reused dedup key %v", ev["dedup_key"])
	}
}

func TestReportJSONAndTable(t *testing.T) {
	rep := Report{
		Settings: Settings{Endpoint: "http://h/v2/enqueue", Mode: "open", Concurrency: 2, Duration: time.Second,
			Rate: 50, Keys: 0, ActionMix: "trigger", Timeout: DefaultTimeout},
		Sent: 50, Succeeded: 49, Failed: 1, TransportErrors: 1, ErrorSamples: []string{"dial tcp: refused"},
		StatusCodes:     []StatusCount{{Code: 202, Count: 49}},
		EventsPerSecond: 49, Latency: Latency{Count: 49, P50: 1500 * time.Microsecond, P99: 25 * time.Millisecond},
		LateSends: 3, MaxSendLag: 2 * time.Millisecond, Elapsed: 1010 * time.Millisecond,
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"requests_sent":50`, `"events_per_second":49`, `"p50_ns":1500000`, `"late_sends":3`,
		`"status_codes":[{"code":202,"count":49}]`, `"mode":"open"`, `"duration_ns":1000000000`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	var sb strings.Builder
	if err := rep.WriteTable(&sb); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Mode             open loop at 50/s, 2 workers\n",
		"Dedup keys       fresh key per event\n",
		"Events/s         49.0\n",
		"Latency          p50 1.5ms  p95 0s  p99 25ms  max 0s  mean 0s\n",
		"Late sends       3 over 1ms (max lag 2ms)\n",
		"202     49     \n",
		"error          dial tcp: refused\n",
	} {
		if !strings.Contains(sb.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, sb.String())
		}
	}
}
