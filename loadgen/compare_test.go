package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{10, 40, 20, 30}, 25}, // even count: mean of the middle two
		{[]float64{5, 5, 1}, 5},
		{[]float64{9000, 11000, 10000}, 10000},
	} {
		orig := append([]float64(nil), tc.in...)
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %g, want %g", tc.in, got, tc.want)
		}
		for i := range orig {
			if orig[i] != tc.in[i] {
				t.Errorf("median reordered its input: %v", tc.in)
			}
		}
	}
}

func TestRatio(t *testing.T) {
	for _, tc := range []struct{ a, b, want float64 }{
		{5000, 10000, 0.5},
		{12000, 10000, 1.2},
		{0, 10000, 0}, // Hypercare's figure missing
		{5000, 0, 0},  // the other side's figure missing: no division by zero
	} {
		if got := ratio(tc.a, tc.b); got != tc.want {
			t.Errorf("ratio(%g, %g) = %g, want %g", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMedianOfAndRatios(t *testing.T) {
	ms := func(eps ...float64) []Measurement {
		var out []Measurement
		for i, e := range eps {
			out = append(out, Measurement{EventsPerSecond: e, P50: time.Duration(i+1) * time.Millisecond,
				P99: time.Duration(10*(3-i)) * time.Millisecond, PeakRSS: int64(100+i) << 20})
		}
		return out
	}
	am := ms(12000, 10000, 11000)
	hc := ms(5000, 6000, 5500)
	bare := ms(40000, 30000, 33000)
	m := medianOf(hc)
	// Each figure's median is taken on its own, not the run with the
	// median events/s.
	if m.EventsPerSecond != 5500 || m.P50 != 2*time.Millisecond || m.P99 != 20*time.Millisecond || m.PeakRSS != 101<<20 {
		t.Errorf("medianOf = %+v", m)
	}
	servers := []ServerRuns{
		{Server: Alertmanager, Median: medianOf(am)},
		{Server: Bare, Median: medianOf(bare)},
		{Server: Hypercare, Median: m},
	}
	got := ratiosOf(servers)
	if len(got) != 2 || got[0].Of != "hypercare/alertmanager" || got[1].Of != "hypercare/bare" {
		t.Fatalf("ratios %+v", got)
	}
	if got[0].EventsPerSecond != 0.5 || got[0].P50 != 1 || got[0].P99 != 1 || got[0].PeakRSS != 1 {
		t.Errorf("hypercare/alertmanager = %+v", got[0])
	}
	if r := got[1].EventsPerSecond; r != 5500.0/33000 {
		t.Errorf("hypercare/bare events/s = %g", r)
	}
	if ratiosOf(servers[:2]) != nil {
		t.Error("ratios without Hypercare")
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\thypercare\nVmPeak:\t 1300000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n"
	if got, err := parseVmHWM(strings.NewReader(status)); err != nil || got != 51234<<10 {
		t.Errorf("parseVmHWM = %d, %v; want %d", got, err, 51234<<10)
	}
	for _, bad := range []string{"Name:\tx\n", "VmHWM:\t lots kB\n", "VmHWM:\t 12 MB\n"} {
		if _, err := parseVmHWM(strings.NewReader(bad)); err == nil {
			t.Errorf("parseVmHWM(%q) accepted", bad)
		}
	}
}

func TestCompareBodies(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	batch := compareAlerts{batch: 3, keys: 4, runID: "r", started: now.Add(-time.Minute)}
	var alerts []amAlert
	b, err := batch.amBody(1, now)
	if err != nil || json.Unmarshal(b, &alerts) != nil || len(alerts) != 3 {
		t.Fatalf("amBody: %v %s", err, b)
	}
	// Request 1 carries alerts 3, 4, 5: keys 3, 0, 1 of 4, re-sent as
	// firing since the run began.
	for i, want := range []string{"hc-bench-3", "hc-bench-0", "hc-bench-1"} {
		if alerts[i].Labels["dedup"] != want || alerts[i].StartsAt != "2026-12-03T07:59:00Z" {
			t.Errorf("alert %d: %+v", i, alerts[i])
		}
	}
	// A new alert starts when it is sent.
	fresh := compareAlerts{batch: 1, runID: "r", started: now.Add(-time.Minute)}
	if a := fresh.alert(0, now); a.StartsAt != "2026-12-03T08:00:00Z" {
		t.Errorf("a new alert starts at %s, want the time it is sent", a.StartsAt)
	}
	var n amWebhook
	b, err = batch.webhookBody(1, now)
	if err != nil || json.Unmarshal(b, &n) != nil || n.Version != "4" || len(n.Alerts) != 3 {
		t.Fatalf("webhookBody: %v %s", err, b)
	}
	if a := n.Alerts[1]; a.Status != "firing" || a.Fingerprint == "" || a.Fingerprint == n.Alerts[0].Fingerprint {
		t.Errorf("webhook alert %+v", a)
	}
	unique := compareAlerts{batch: 1, runID: "r"}
	var ev sentEvent
	b, err = unique.pdBody(DefaultRoutingKey)(7, now)
	if err != nil || json.Unmarshal(b, &ev) != nil || ev.DedupKey != "hc-bench-r-7" || ev.EventAction != "trigger" ||
		ev.RoutingKey != DefaultRoutingKey || ev.Payload == nil {
		t.Errorf("pdBody: %v %s", err, b)
	}
	for _, tc := range []struct {
		c    compareAlerts
		kind ServerKind
		path string
		code int
	}{
		{unique, Hypercare, "/v2/enqueue", 0},
		{unique, Bare, "/v2/enqueue", 0},
		{unique, Alertmanager, "/api/v2/alerts", http.StatusOK},
		{batch, Hypercare, "/integrations/" + compareAMKey, 0},
		{batch, Bare, "/integrations/" + compareAMKey, 0},
		{batch, Alertmanager, "/api/v2/alerts", http.StatusOK},
	} {
		if w := tc.c.wireFor(tc.kind, DefaultRoutingKey, compareAMKey); w.Path != tc.path || w.Accepted != tc.code {
			t.Errorf("wireFor(batch %d, %s) = %s %d", tc.c.batch, tc.kind, w.Path, w.Accepted)
		}
	}
}

func TestBareHandler(t *testing.T) {
	srv := httptest.NewServer(BareHandler())
	defer srv.Close()
	now := time.Now()
	pd, _ := compareAlerts{batch: 1}.pdBody(DefaultRoutingKey)(1, now)
	hook, _ := compareAlerts{batch: 5}.webhookBody(0, now)
	for _, tc := range []struct {
		path string
		body []byte
		want int
	}{
		{"/v2/enqueue", pd, http.StatusAccepted},
		{"/integrations/" + compareAMKey, hook, http.StatusAccepted},
		{"/v2/enqueue", []byte(`{"routing_key": 5`), http.StatusBadRequest},
		{"/integrations/x", []byte(`{"alerts": "no"}`), http.StatusBadRequest},
	} {
		if got := post(t, srv.URL+tc.path, tc.body); got != tc.want {
			t.Errorf("POST %s: %d, want %d", tc.path, got, tc.want)
		}
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()
}

// TestRunWithWire checks a run's Wire: path, bodies, and the status that
// counts as accepted (Alertmanager's 200).
func TestRunWithWire(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/alerts" {
			t.Errorf("path %s", r.URL.Path)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(r.Body)
		mu.Lock()
		got = append(got, b.String())
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	wire := &Wire{Path: "/api/v2/alerts", Accepted: http.StatusOK, Body: func(seq int64, _ time.Time) ([]byte, error) {
		return []byte(`[{"seq":` + string(rune('0'+seq%10)) + `}]`), nil
	}}
	rep, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 1, Duration: 50 * time.Millisecond, Wire: wire, MaxErrorRate: 0.01})
	if err != nil || rep.Sent == 0 || rep.Succeeded != rep.Sent || rep.Verdict != "" || len(rep.Triggered()) != 0 {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got[0] != `[{"seq":0}]` || got[1] != `[{"seq":1}]` {
		t.Errorf("bodies %q", got[:2])
	}
}

// TestAlertmanagerPages checks the first-page run against an
// Alertmanager: alerts posted to /api/v2/alerts, pages read from its
// webhook notifications.
func TestAlertmanagerPages(t *testing.T) {
	srv, ln := newFakeAlertmanager(t)
	rep, err := RunPage(context.Background(), PageOptions{URL: srv.URL, Receiver: ln.Addr().String(), Listener: ln,
		Count: 10, Rate: 500, Grace: 5 * time.Second, Resolve: true, Alertmanager: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triggers.Succeeded != 10 || rep.Paged != 10 || rep.Missing != 0 || rep.Resolves != nil ||
		rep.Receiver.Malformed != 0 || rep.Receiver.Foreign != 0 || !strings.HasSuffix(rep.Settings.Endpoint, "/api/v2/alerts") {
		t.Errorf("report %+v", rep)
	}
}

func TestAlertmanagerConfig(t *testing.T) {
	quiet := alertmanagerConfig("")
	paging := alertmanagerConfig("127.0.0.1:19000")
	for _, cfg := range []string{quiet, paging} {
		for _, want := range []string{"group_by: ['...']", "group_wait: 0s", "receiver: bench"} {
			if !strings.Contains(cfg, want) {
				t.Errorf("config lacks %q:\n%s", want, cfg)
			}
		}
	}
	if strings.Contains(quiet, "webhook_configs") || !strings.Contains(paging, `url: "http://127.0.0.1:19000/alertmanager"`) {
		t.Errorf("receivers:\n%s\n%s", quiet, paging)
	}
}

func TestCompareRejectsBadOptions(t *testing.T) {
	good := CompareOptions{Servers: Servers{Exe: "/bin/true"}, Concurrency: 1, Duration: time.Second, Runs: 1, Keys: 1, Batch: 1}
	if err := good.validate(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Scenarios, bad.Runs, bad.Rates = []string{"unique", "everything"}, 0, []float64{-1}
	err := bad.validate()
	for _, want := range []string{`unknown scenario "everything"`, "runs", "rates must be positive"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

// newFakeAlertmanager is an Alertmanager API that notifies like one with
// group_wait 0s: every alert posted becomes a webhook notification of its
// own to the receiver on the returned listener.
func newFakeAlertmanager(t *testing.T) (*httptest.Server, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := "http://" + ln.Addr().String() + "/alertmanager"
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var alerts []amAlert
		if r.URL.Path != "/api/v2/alerts" || json.NewDecoder(r.Body).Decode(&alerts) != nil || len(alerts) != 1 {
			http.Error(w, "bad alerts", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
		a := alerts[0]
		a.Status, a.Fingerprint = "firing", fingerprint(a.Labels["alertname"])
		body, _ := json.Marshal(amWebhook{Version: "4", GroupKey: "{}:{alertname=\"" + a.Labels["alertname"] + "\"}",
			Status: "firing", Receiver: "bench", Alerts: []amAlert{a}})
		wg.Go(func() {
			if resp, err := http.Post(hook, "application/json", bytes.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		})
	}))
	t.Cleanup(func() { srv.Close(); wg.Wait() })
	return srv, ln
}

func TestCompareTable(t *testing.T) {
	rep := CompareReport{
		Settings: CompareSettings{Concurrency: 32, Duration: 5 * time.Second, Warmup: time.Second, Runs: 2,
			HypercareStore: "sqlite", Alertmanager: "/x/alertmanager", AlertmanagerVersion: "0.35.0"},
		Scenarios: []ScenarioReport{{Name: "repeat", Description: "one alert per request",
			Servers: []ServerRuns{
				{Server: Alertmanager, Median: Measurement{EventsPerSecond: 2000, P50: time.Millisecond, P99: 4 * time.Millisecond, PeakRSS: 70 << 20},
					Runs: []Measurement{{EventsPerSecond: 1900}, {EventsPerSecond: 2100}}},
				{Server: Hypercare, Median: Measurement{EventsPerSecond: 1000, P50: 2 * time.Millisecond, P99: 8 * time.Millisecond, PeakRSS: 35 << 20},
					Runs: []Measurement{{EventsPerSecond: 1000}, {EventsPerSecond: 10, Problem: "too many errors"}}},
			},
			Ratios: []Ratio{{Of: "hypercare/alertmanager", EventsPerSecond: 0.5, P50: 2, P99: 2, PeakRSS: 0.5}}}},
		Failures: []string{"repeat, hypercare, run 2: too many errors"},
	}
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Alertmanager 0.35.0: /x/alertmanager", "1900 2100", "1000 10(FAILED)",
		"hypercare/alertmanager  0.50×", "70.0 MiB", "FAILED: repeat, hypercare, run 2"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestPageProblem: a first-page run fails on nothing sent, on too many
// triggers failed or never paged, and on Hypercare paging twice, however
// fast it was; Alertmanager's repeated pages are counted, not judged.
func TestPageProblem(t *testing.T) {
	ok := Measurement{Sent: 1000, Paged: 1000}
	twice := Measurement{Sent: 1000, Paged: 1000, PagedTwice: 1}
	lost := Measurement{Sent: 1000, Paged: 980, Failed: 20, Missing: 20, FailureRate: 0.02}
	for _, c := range []struct {
		name string
		m    Measurement
		kind ServerKind
		want string
	}{
		{"clean", ok, Hypercare, ""},
		{"nothing sent", Measurement{}, Hypercare, "no trigger was sent"},
		{"lost pages", lost, Hypercare, "20 of 1000 triggers failed or never paged"},
		{"hypercare twice", twice, Hypercare, "1 pages sent twice"},
		{"alertmanager twice", twice, Alertmanager, ""},
	} {
		if got := pageProblem(c.m, c.kind, 0.01); (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: problem %q, want %q", c.name, got, c.want)
		}
	}
}
