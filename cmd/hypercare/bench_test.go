package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// executeBench runs `bench ARGS...` like main does.
func executeBench(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newBenchCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
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
		{[]string{"ingest"}, `required flag(s) "routing-key" not set`},
		{[]string{"ingest", "--routing-key", "rk", "--concurrency", "0"}, "concurrency must be at least 1"},
		{[]string{"ingest", "--routing-key", "rk", "-o", "xml"}, `output format "xml"`},
	} {
		if _, err := executeBench(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
