package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// executeBench runs `bench ARGS...` like main does and returns its stdout.
func executeBench(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd() // the whole tree, so errors are worded as users see them
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"bench"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func statusServer(t *testing.T, code int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"status":"x"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestBenchIngestJSON(t *testing.T) {
	url := statusServer(t, http.StatusAccepted)
	out, err := executeBench(t, "ingest", "--url", url, "--routing-key", "rk", "--concurrency", "2",
		"--duration", "100ms", "--keys", "5", "--action-mix", "trigger:3,resolve:1", "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep struct {
		Sent      int64 `json:"requests_sent"`
		Succeeded int64 `json:"succeeded"`
		Settings  struct {
			Endpoint  string `json:"endpoint"`
			Keys      int    `json:"keys"`
			ActionMix string `json:"action_mix"`
			Mode      string `json:"mode"`
		} `json:"settings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Sent == 0 || rep.Succeeded != rep.Sent || rep.Settings.Endpoint != url+"/v2/enqueue" ||
		rep.Settings.Keys != 5 || rep.Settings.ActionMix != "trigger:3,resolve:1" || rep.Settings.Mode != "closed" {
		t.Errorf("report %+v", rep)
	}
	if strings.Contains(out, `"rk"`) {
		t.Errorf("report leaks the routing key:\n%s", out)
	}
}

func TestBenchIngestFailsWhenNothingAccepted(t *testing.T) {
	url := statusServer(t, http.StatusBadRequest)
	out, err := executeBench(t, "ingest", "--url", url, "--routing-key", "rk", "--concurrency", "1", "--duration", "50ms", "--rate", "100")
	if err == nil || !strings.Contains(err.Error(), "events was accepted") {
		t.Errorf("err = %v, want a failure when every event is rejected", err)
	}
	if !strings.Contains(out, "open loop at 100/s") || !strings.Contains(out, `400     `) {
		t.Errorf("the report should still be printed:\n%s", out)
	}
}

func TestBenchIngestRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest"}, "hypercare bench ingest: --routing-key is required"},
		{[]string{"ingest", "--routing-key", "rk", "--concurrency", "0"}, "concurrency must be at least 1"},
		{[]string{"ingest", "--routing-key", "rk", "-o", "xml"}, `output format "xml"`},
	} {
		if _, err := executeBench(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// limitedServer accepts one request in ten and answers the rest 429, like
// a server whose rate limit the benchmark exceeds, except that resolves
// are always accepted; it records the dedup keys of accepted triggers and
// of resolves.
type limitedServer struct {
	URL       string
	mu        sync.Mutex
	n         int
	triggered map[string]bool
	resolved  map[string]bool
}

func newLimitedServer(t *testing.T) *limitedServer {
	s := &limitedServer{triggered: map[string]bool{}, resolved: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/enqueue" { // bench ingest also reads /metrics for the database size
			http.NotFound(w, r)
			return
		}
		var ev struct {
			Action   string `json:"event_action"`
			DedupKey string `json:"dedup_key"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		s.mu.Lock()
		defer s.mu.Unlock()
		switch s.n++; {
		case ev.Action == "resolve":
			s.resolved[ev.DedupKey] = true
		case s.n%10 == 1: // the first request is accepted, so even a starved run has one
			s.triggered[ev.DedupKey] = true
		default:
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"status":"throttle event"}`))
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"success"}`))
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// TestBenchIngestFailsLoudlyWhenRefused: a run where 90% of requests are
// answered 429 fails with a headline naming the share and the status,
// and resolves every dedup key it triggered so nobody stays paged.
func TestBenchIngestFailsLoudlyWhenRefused(t *testing.T) {
	srv := newLimitedServer(t)
	out, err := executeBench(t, "ingest", "--url", srv.URL, "--routing-key", "rk", "--concurrency", "2",
		"--duration", "100ms", "--keys", "0")
	if err == nil || !strings.HasPrefix(err.Error(), "FAILED: ") ||
		!strings.Contains(err.Error(), "% of ") || !strings.Contains(err.Error(), "(429 Too Many Requests ×") ||
		!strings.Contains(err.Error(), "ingest.rate_limit_per_minute") {
		t.Fatalf("err = %v, want the FAILED headline with the 429 share", err)
	}
	if !strings.HasPrefix(out, "FAILED: ") {
		t.Errorf("the table should start with the headline:\n%s", out)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.triggered) == 0 {
		t.Fatal("no trigger was accepted")
	}
	for key := range srv.triggered {
		if !srv.resolved[key] {
			t.Errorf("dedup key %s triggered and never resolved", key)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("Cleanup  resolved %d of %d dedup keys", len(srv.resolved), len(srv.resolved))) {
		t.Errorf("report lacks the cleanup line:\n%s", out)
	}
}

// TestBenchIngestKeep: --keep resolves nothing, and a generous
// --max-error-rate lets the same run pass.
func TestBenchIngestKeep(t *testing.T) {
	srv := newLimitedServer(t)
	out, err := executeBench(t, "ingest", "--url", srv.URL, "--routing-key", "rk", "--concurrency", "2",
		"--duration", "100ms", "--keys", "0", "--keep", "--max-error-rate", "100")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.resolved) != 0 || strings.Contains(out, "Cleanup") {
		t.Errorf("--keep resolved %d keys:\n%s", len(srv.resolved), out)
	}
}
