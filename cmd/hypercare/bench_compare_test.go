package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/loadgen"
)

// testAlertmanager returns the Alertmanager binary bench/alertmanager/
// build.sh makes, or "" when it has not been built. The comparison test
// then runs without it, even with CI=true: building it takes minutes and
// network access, and the rest of the comparison does not depend on it.
func testAlertmanager(t *testing.T) string {
	path, err := filepath.Abs(filepath.Join("..", "..", "bench", "alertmanager", "alertmanager"))
	if err == nil {
		if _, err = os.Stat(path); err == nil {
			return path
		}
	}
	t.Logf("Alertmanager part of bench compare not tested: %v (run bench/alertmanager/build.sh to include it)", err)
	return ""
}

// TestBenchCompareEndToEnd runs `bench compare` for real, briefly: child
// processes for Hypercare, the bare endpoint and (when built)
// Alertmanager, every scenario, one short run each.
func TestBenchCompareEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	am := testAlertmanager(t)
	amFlag := am
	if am == "" {
		amFlag = "none"
	}
	out, err := executeBench(t, "compare", "--hypercare", binary(t), "--alertmanager", amFlag,
		"--runs", "1", "--duration", "500ms", "--warmup", "0s", "--concurrency", "4", "--batch", "10",
		"--rate", "20", "--page-count", "15", "--grace", "10s", "--start-timeout", "60s", "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep loadgen.CompareReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var names []string
	for _, sc := range rep.Scenarios {
		names = append(names, sc.Name)
		checkScenario(t, sc, am != "")
	}
	want := []string{"unique", "repeat", "unique-batch", "repeat-batch", "first-page 20/s"}
	if !slices.Equal(names, want) {
		t.Errorf("scenarios %q, want %q", names, want)
	}
	if len(rep.Failures) != 0 || rep.Settings.HypercareStore != "sqlite" || rep.Settings.PageCount != 15 {
		t.Errorf("failures %q, store %q, page count %d", rep.Failures, rep.Settings.HypercareStore, rep.Settings.PageCount)
	}
	for _, sc := range rep.Scenarios {
		// 20/s for 500 ms is 10 triggers: --page-count raises it to 15.
		if strings.HasPrefix(sc.Name, "first-page") && sc.Servers[len(sc.Servers)-1].Median.Sent != 15 {
			t.Errorf("%s: %d triggers measured, want --page-count's 15", sc.Name, sc.Servers[len(sc.Servers)-1].Median.Sent)
		}
	}
}

// checkScenario checks that every server of sc was measured and the
// ratios are there.
func checkScenario(t *testing.T, sc loadgen.ScenarioReport, withAM bool) {
	t.Helper()
	page := strings.HasPrefix(sc.Name, "first-page")
	var servers []loadgen.ServerKind
	for _, s := range sc.Servers {
		servers = append(servers, s.Server)
		m := s.Median
		ok := m.Sent > 0 && m.Failed == 0 && m.P50 > 0 && m.P99 >= m.P50 && len(s.Runs) == 1
		if page {
			ok = ok && m.Paged == m.Sent
		} else {
			ok = ok && m.EventsPerSecond > 0
		}
		if ok && m.PeakRSS <= 0 && runtime.GOOS == "linux" {
			ok = false
		}
		if !ok {
			t.Errorf("%s, %s: %+v", sc.Name, s.Server, m)
		}
	}
	want := []loadgen.ServerKind{loadgen.Bare, loadgen.Hypercare}
	if page {
		want = []loadgen.ServerKind{loadgen.Hypercare}
	}
	if withAM {
		want = append([]loadgen.ServerKind{loadgen.Alertmanager}, want...)
	}
	if !slices.Equal(servers, want) {
		t.Errorf("%s: servers %q, want %q", sc.Name, servers, want)
	}
	if len(sc.Ratios) != len(want)-1 {
		t.Errorf("%s: ratios %+v", sc.Name, sc.Ratios)
	}
	for _, r := range sc.Ratios {
		if r.P99 <= 0 || (!page && r.EventsPerSecond <= 0) {
			t.Errorf("%s: ratio %+v", sc.Name, r)
		}
	}
}

// TestBenchIngestConfigIsValid loads the config bench compare serves
// Hypercare with for throughput runs.
func TestBenchIngestConfigIsValid(t *testing.T) {
	text, err := loadgen.BenchIngestConfig(loadgen.DefaultRoutingKey, "fedcba9876543210fedcba9876543210")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config does not load: %v\n%s", err, text)
	}
	if len(cfg.EscalationPolicies()) != 0 || cfg.RateLimitPerMinute() != 0 {
		t.Errorf("the throughput config must page nobody and not rate-limit:\n%s", text)
	}
}

func TestBenchCompareRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--alertmanager", "/no/such/alertmanager"}, "--alertmanager"},
		{[]string{"compare", "--alertmanager", "none", "--hypercare", "/no/such/hypercare"}, "--hypercare"},
		{[]string{"compare", "--alertmanager", "none", "--scenario", "fastest"}, `unknown scenario "fastest"`},
		{[]string{"compare", "--alertmanager", "none", "--runs", "0"}, "at least 1"},
		{[]string{"compare", "-o", "xml"}, `output format "xml"`},
	} {
		if _, err := executeBench(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
