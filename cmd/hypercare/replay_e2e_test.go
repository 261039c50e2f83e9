//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

// Keys of replayConfig.
const (
	rtWebAM      = "aa000000000000000000000000000001"
	rtWebGeneric = "aa000000000000000000000000000002"
	rtDBEvents   = "aa000000000000000000000000000003"
)

// replayConfig groups web's alerts by their Alertmanager alert name (a
// label, so labels must survive the export) and drops Watchdog events.
const replayConfig = `teams:
  - {id: ops, name: Operations}
services:
  - id: web
    name: Web
    team: ops
    alert_grouping: {type: content, fields: [labels.alertname], window_minutes: 60}
    integrations:
      - {type: alertmanager, name: Prometheus, key: ` + rtWebAM + `}
      - {type: generic, name: Jobs, key: ` + rtWebGeneric + `}
  - id: db
    name: Database
    team: ops
    integrations:
      - {type: events-v2, name: DB monitor, key: ` + rtDBEvents + `}
rules:
  - {id: drop-watchdog, when: 'class == "Watchdog"', then: {drop: true}}
ingest:
  rate_limit_per_minute: 0
`

// amBody is an Alertmanager webhook with one alert per instance.
func amBody(status, alertname string, instances ...string) map[string]any {
	var alerts []map[string]any
	for _, in := range instances {
		alerts = append(alerts, map[string]any{"status": status, "fingerprint": fmt.Sprintf("%x", alertname+in),
			"labels":      map[string]string{"alertname": alertname, "instance": in, "severity": "critical"},
			"annotations": map[string]string{"summary": alertname + " on " + in}, "startsAt": "2026-11-27T09:00:00Z"})
	}
	return map[string]any{"version": "4", "status": status, "receiver": "hypercare", "groupKey": alertname, "alerts": alerts}
}

// TestReplayOfAnExportMatchesProduction: events sent to a real server over
// HTTP (Alertmanager batches, a keyless generic event, PagerDuty triggers
// and resolves, a dropped Watchdog), exported with `hypercare events
// export` while it runs, and replayed through the same config give the
// incidents production made: same numbers, services, statuses and alerts
// (the generated dedup key included), on both stores.
func TestReplayOfAnExportMatchesProduction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServerWithConfig(t, replayConfig, storeArgs)
		send := func(path string, body any) {
			t.Helper()
			if status, out := srv.post(t, path, body); status/100 != 2 {
				t.Fatalf("POST %s: %d %s", path, status, out)
			}
		}
		v2 := func(action, key, summary, class string) map[string]any {
			return map[string]any{"routing_key": rtDBEvents, "event_action": action, "dedup_key": key,
				"payload": map[string]any{"summary": summary, "source": "db-1", "severity": "error", "class": class}}
		}
		send("/integrations/"+rtWebAM, amBody("firing", "HighLatency", "web-1", "web-2"))
		send("/integrations/"+rtWebAM, amBody("firing", "DiskFull", "web-1"))
		send("/integrations/"+rtWebGeneric, map[string]any{"summary": "Nightly export failed", "severity": "error"})
		send("/v2/enqueue", v2("trigger", "db-lag", "Replication lag", ""))
		send("/v2/enqueue", v2("trigger", "watchdog", "Watchdog", "Watchdog"))
		send("/v2/enqueue", v2("resolve", "db-lag", "", ""))
		send("/integrations/"+rtWebAM, amBody("firing", "HighLatency", "web-3"))
		send("/integrations/"+rtWebAM, amBody("resolved", "DiskFull", "web-1"))

		token := createToken(t, storeArgs)
		want := productionIncidents(t, srv, token)

		cfgPath := filepath.Join(t.TempDir(), "hypercare.yaml")
		if err := os.WriteFile(cfgPath, []byte(replayConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		export := runCLI(t, append([]string{"events", "export", "--from", "2000-01-01T00:00:00Z", "--config", cfgPath}, storeArgs...)...)
		if n := strings.Count(export, "\n"); n != 9 {
			t.Errorf("export wrote %d lines, want 9 (one per event):\n%s", n, export)
		}
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := replay.Run(context.Background(), cfg, strings.NewReader(export), replay.Options{TempDir: t.TempDir()})
		if err != nil {
			t.Fatalf("replay of the export: %v\n%s", err, export)
		}
		var got []string
		for _, inc := range rep.Incidents {
			keys := slices.Clone(inc.Alerts)
			slices.Sort(keys)
			got = append(got, fmt.Sprintf("#%d %s %s %v", inc.Number, inc.Service, inc.Status, keys))
		}
		if !slices.Equal(got, want) {
			t.Errorf("replay incidents:\n%s\nproduction:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if rep.Summary.Events != 9 || len(rep.Rules) != 1 || rep.Rules[0].Hits != 1 {
			t.Errorf("summary %+v, rules %+v: want 9 events and the Watchdog dropped once", rep.Summary, rep.Rules)
		}
	})
}

// productionIncidents describes the server's incidents as the replay test
// compares them: "#N service status [sorted dedup keys]".
func productionIncidents(t *testing.T, srv *server, token string) []string {
	t.Helper()
	keys := map[string][]string{}
	for _, a := range srv.allAlerts(t, token, nil) {
		keys[a.IncidentID] = append(keys[a.IncidentID], a.DedupKey)
	}
	incidents := srv.allIncidents(t, token)
	slices.SortFunc(incidents, func(a, b apiIncident) int { return int(a.Number - b.Number) })
	var out []string
	for _, inc := range incidents {
		k := keys[inc.ID]
		slices.Sort(k)
		out = append(out, fmt.Sprintf("#%d %s %s %v", inc.Number, inc.ServiceID, inc.Status, k))
	}
	if len(out) != 4 {
		t.Fatalf("production made %d incidents, want 4 (HighLatency, DiskFull, the export job, db-lag):\n%s",
			len(out), strings.Join(out, "\n"))
	}
	return out
}

// runCLI runs the hypercare command tree in process with args and returns
// its standard output; it fails the test on an error.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("hypercare %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}
