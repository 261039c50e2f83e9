package loadgen

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestTrackerSeqOf(t *testing.T) {
	tr := newTracker("hcpage-abc-", 100)
	for _, tc := range []struct {
		title string
		seq   int
		ok    bool
	}{
		{"hypercare bench page hcpage-abc-0", 0, true},
		{"hypercare bench page hcpage-abc-42", 42, true},
		{"hcpage-abc-7 at the start, then words", 7, true},
		{"x hcpage-abc-99", 99, true},
		{"hypercare bench page hcpage-abc-100", 0, false}, // out of range
		{"hypercare bench page hcpage-abd-1", 0, false},   // another run
		{"hypercare bench page xhcpage-abc-1", 0, false},  // not a whole word
		{"hypercare bench page hcpage-abc-1x", 0, false},
		{"hypercare bench page hcpage-abc-01", 0, false},
		{"hypercare bench page hcpage-abc-+1", 0, false},
		{"hypercare bench page hcpage-abc-", 0, false},
		{"hcpage-abc-x hcpage-abc-5", 5, true}, // a later token still counts
		{"", 0, false},
	} {
		seq, ok := tr.seqOf(tc.title)
		if seq != tc.seq || ok != tc.ok {
			t.Errorf("seqOf(%q) = %d, %v; want %d, %v", tc.title, seq, ok, tc.seq, tc.ok)
		}
	}
	if got := tr.token(12); got != "hcpage-abc-12" {
		t.Errorf("token(12) = %q", got)
	}
}

// page builds a webhook body like notify/webhook's Payload.
func page(id, title string, level, loop int, created time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "incident.page", "id": id, "idempotency_key": id,
		"incident": map[string]any{"id": "inc-" + title, "number": 1, "title": title, "status": "triggered",
			"created_at": created},
		"level": level, "loop": loop, "reason": "level 1", "sent_at": created.Format(time.RFC3339),
	})
	return b
}

func startTestReceiver(t *testing.T, tr *tracker) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := startReceiver("", ln, tr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rcv.close)
	return "http://" + rcv.addr + "/page"
}

func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestReceiverMatchesPages(t *testing.T) {
	tr := newTracker("hcesc-run-", 3)
	url := startTestReceiver(t, tr)
	created := time.Date(2026, 11, 27, 9, 0, 0, 123456000, time.UTC)
	for seq := range 3 {
		tr.sending(seq, created.Add(-time.Millisecond))
	}
	tr.accept(0)
	tr.accept(1)
	tr.accept(2)

	for _, tc := range []struct {
		body []byte
		code int
	}{
		{page("n1", "hypercare bench page hcesc-run-0", 1, 0, created), 200},
		{page("n1", "hypercare bench page hcesc-run-0", 1, 0, created), 200}, // retry: duplicate ID
		{page("n2", "hypercare bench page hcesc-run-0", 2, 0, created), 200},
		{page("n3", "hypercare bench page hcesc-run-0", 2, 0, created), 200}, // level 2 again: double page
		{page("n4", "hypercare bench page hcesc-run-0", 1, 1, created), 200}, // repeat loop: deeper
		{page("n5", "hypercare bench page hcesc-run-1", 1, 0, created), 200},
		{page("n6", "hypercare bench page hcesc-old-1", 1, 0, created), 200}, // another run
		{page("n7", "disk full on db-1", 2, 0, created), 200},                // not ours at all
		{[]byte(`{"id":"x"}`), 400},
		{[]byte(`not json`), 400},
	} {
		if code := post(t, url, tc.body); code != tc.code {
			t.Errorf("POST %s: status %d, want %d", tc.body, code, tc.code)
		}
	}
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}

	items, stats := tr.snapshot()
	want := ReceiverStats{Pages: 8, Duplicates: 1, DoublePages: 1, Foreign: 2, Deeper: 1, Malformed: 2}
	if stats != want {
		t.Errorf("stats %+v, want %+v", stats, want)
	}
	if it := items[0]; it.levels[1].at.IsZero() || it.levels[2].at.IsZero() || !it.first.createdAt.Equal(created) ||
		it.levels[2].at.Before(it.levels[1].at) {
		t.Errorf("item 0: %+v", it)
	}
	if it := items[1]; it.levels[1].at.IsZero() || !it.levels[2].at.IsZero() {
		t.Errorf("item 1: %+v", it)
	}
	if accepted, paged := tr.count(0); accepted != 3 || paged != 2 {
		t.Errorf("count(any) = %d, %d; want 3 accepted, 2 paged", accepted, paged)
	}
	if _, paged := tr.count(2); paged != 1 {
		t.Errorf("count(level 2) paged %d, want 1", paged)
	}
	paged, missing, fromSend, fromCreated := pageLatencies(items)
	if paged != 2 || missing != 1 || fromSend.Count != 2 || fromCreated.Count != 2 {
		t.Errorf("pageLatencies: paged %d missing %d, %d and %d samples", paged, missing, fromSend.Count, fromCreated.Count)
	}
}

func TestMeasureEscalation(t *testing.T) {
	base := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	after := time.Minute
	const none = -time.Hour
	item := func(created time.Duration, l1, l2 time.Duration) tracked {
		c := base.Add(created)
		it := tracked{accepted: true, sentAt: c}
		if l1 != none {
			it.levels[1] = arrival{at: c.Add(l1), createdAt: c}
		}
		if l2 != none {
			it.levels[2] = arrival{at: c.Add(after + l2), createdAt: c}
		}
		return it
	}
	ms := time.Millisecond
	items := []tracked{
		item(0, 5*ms, 100*ms),                // due 09:01:00
		item(time.Second, 5*ms, 300*ms),      // due 09:01:01
		item(10*time.Second, 5*ms, 10300*ms), // due during the outage, paged 300ms after it
		item(30*time.Second, 5*ms, none),     // due after it, never paged
		item(40*time.Second, 5*ms, -2*ms),    // early!
		{sentAt: base},                       // not accepted: ignored
	}
	rep := EscalationReport{Outages: []Outage{{Down: base.Add(after + 5*time.Second), Up: base.Add(after + 20*time.Second)}}}
	rep.measure(items, after, time.Minute)

	if rep.Level1.Count != 5 || rep.Level1Missing != 0 || rep.Level2Missing != 1 || rep.Early != 1 {
		t.Errorf("level 1 %d missing %d, level 2 missing %d early %d", rep.Level1.Count, rep.Level1Missing, rep.Level2Missing, rep.Early)
	}
	if rep.Lateness.Count != 4 || rep.Lateness.Max != 10300*ms || rep.Lateness.P50 != 100*ms {
		t.Errorf("lateness %+v", rep.Lateness)
	}
	if rep.AfterLevel1.Count != 4 || rep.AfterLevel1.Max != 10295*ms {
		t.Errorf("after level 1 %+v", rep.AfterLevel1)
	}
	rr := rep.Restart
	if rr == nil || rr.DueDuringOutage != 1 || rr.DueAfterUp != 2 || rr.Missing != 1 ||
		rr.CatchUp.Count != 1 || rr.Lateness.Count != 1 {
		t.Fatalf("restart %+v", rr)
	}
	if want := 300 * ms; rr.CatchUp.Max != want {
		t.Errorf("catch-up %s, want %s", rr.CatchUp.Max, want)
	}
}

func TestHealthWatchOutages(t *testing.T) {
	var h healthWatch
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	unix := func(s float64) float64 { return float64(t0.Unix()) + s }
	for _, p := range []struct {
		ok    bool
		start float64
		at    float64
	}{
		{true, unix(-100), 0},
		{false, 0, 1}, // killed
		{false, 0, 2},
		{true, unix(2.5), 3}, // back as a new process
		{true, unix(2.5), 4},
		{true, unix(4.1), 4.25}, // killed and back between two polls
		{true, unix(4.1), 4.5},
		{false, 0, 5}, // down for good
	} {
		h.observe(p.ok, p.start, at(p.at))
	}
	got := h.outages()
	want := []Outage{
		{Down: at(1), Up: at(3), Restarted: true},
		{Down: at(4), Up: at(4.25), Restarted: true},
		{Down: at(5)},
	}
	if len(got) != len(want) {
		t.Fatalf("outages %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Down.Equal(want[i].Down) || !got[i].Up.Equal(want[i].Up) || got[i].Restarted != want[i].Restarted {
			t.Errorf("outage %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if !h.down() {
		t.Error("down() = false after a failed last poll")
	}
}

func TestProcessStart(t *testing.T) {
	m := "# HELP process_start_time_seconds Start time\n# TYPE process_start_time_seconds gauge\n" +
		"process_start_time_seconds_x 3\nprocess_start_time_seconds 1.79562204863e+09\ngo_goroutines 12\n"
	if got := processStart(m); got != 1.79562204863e+09 {
		t.Errorf("processStart = %v", got)
	}
	if got := processStart("go_goroutines 12\n"); got != 0 {
		t.Errorf("processStart without the metric = %v", got)
	}
}

func TestBenchConfig(t *testing.T) {
	cfg, err := BenchConfig(DefaultRoutingKey, "127.0.0.1:19000", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`address: "http://127.0.0.1:19000/page"`, "escalate_after_minutes: 2}", "key: " + DefaultRoutingKey,
		"rate_limit_per_minute: 0", "allow_private_networks: true"} {
		if !bytes.Contains([]byte(cfg), []byte(want)) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	for _, bad := range []struct {
		key, rcv string
		min      int
	}{{"ABC", "127.0.0.1:1", 1}, {DefaultRoutingKey, "10.0.0.1:1", 1}, {DefaultRoutingKey, "127.0.0.1:1", 0}} {
		if _, err := BenchConfig(bad.key, bad.rcv, bad.min); err == nil {
			t.Errorf("BenchConfig(%q, %q, %d) accepted", bad.key, bad.rcv, bad.min)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost", "https://[::1]:1/"} {
		if err := checkLoopbackURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://example.com", "http://10.1.2.3:8080", "ftp://127.0.0.1", "127.0.0.1:8080"} {
		if err := checkLoopbackURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, a := range []string{"0.0.0.0:19000", ":19000", "192.168.1.2:1", "127.0.0.1"} {
		if err := checkLoopbackAddr(a); err == nil {
			t.Errorf("%s accepted", a)
		}
	}
}
