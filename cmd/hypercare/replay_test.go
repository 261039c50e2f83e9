package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/storetest"
)

const (
	replayTestConfig = "../../replay/testdata/hypercare.yaml"
	replayTestFile   = "../../replay/testdata/blackfriday.jsonl"
)

// runCmd runs the command tree with args and stdin, returning stdout,
// stderr and the error.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestReplayCommandTable: the default output is the summary, the
// incidents, pages per person and rule hits.
func TestReplayCommandTable(t *testing.T) {
	out, _, err := runCmd(t, "", "replay", replayTestFile, "--config", replayTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"8 events, 4 alerts, 3 incidents (2 paged), 3 pages; page reduction 50.0%",
		"#1        api      2026-11-27T10:00:00Z  2026-11-27T10:06:00Z  yes             2: api-5xx, a1b2c3d4e5f60718",
		"#2        db       2026-11-27T11:00:00Z  2026-11-27T11:01:00Z  no (transient)  1: db-blip",
		"alice  2", "bob    1", "disk-low       1     0", "drop-watchdog  1     0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestReplayCommandJSON: -o json is the library's report (the golden
// file), from a file or from stdin.
func TestReplayCommandJSON(t *testing.T) {
	golden, err := os.ReadFile("../../replay/testdata/blackfriday.json.golden")
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(replayTestFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{replayTestFile, "-"} {
		out, _, err := runCmd(t, string(in), "replay", file, "--config", replayTestConfig, "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		if out != string(golden) {
			t.Errorf("replay %s -o json:\n%s\nwant\n%s", file, out, golden)
		}
	}
}

// TestReplayCommandErrors: a bad line names the file, line and field;
// flags that are missing or wrong say so.
func TestReplayCommandErrors(t *testing.T) {
	bad := `{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","body":{}}` + "\n" +
		`{"received_at":"2026-11-27","key":"11111111111111111111111111111111","body":{}}`
	cases := []struct {
		stdin string
		args  []string
		want  string
	}{
		{bad, []string{"replay", "-", "--config", replayTestConfig}, "stdin: line 1: body.event_action"},
		{"", []string{"replay", "-"}, "--config is required"},
		{"", []string{"replay", "-", "--config", replayTestConfig, "-o", "yaml"}, `output format "yaml"`},
		{"", []string{"replay", "no-such-file.jsonl", "--config", replayTestConfig}, "no-such-file.jsonl"},
		{"", []string{"replay", "--config", replayTestConfig}, "missing arguments; usage: hypercare replay FILE"},
		{"", []string{"events", "export", "--config", replayTestConfig}, "--from is required"},
		{"", []string{"events", "export", "--from", "yesterday", "--config", replayTestConfig}, `--from "yesterday"`},
		{"", []string{"events", "export", "--from", "2026-11-27T00:00:00Z", "--to", "2026-11-26T00:00:00Z",
			"--config", replayTestConfig}, "is not after --from"},
		{"", []string{"events", "export", "--from", "2026-11-27T00:00:00Z"}, "--config is required"},
		{"", []string{"events", "export", "--from", "2026-11-27T00:00:00Z", "--config", replayTestConfig,
			"--data-dir", t.TempDir()}, "no database"},
	}
	for _, c := range cases {
		_, _, err := runCmd(t, c.stdin, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("hypercare %s: error %v, want it to contain %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// TestEventsExport: export writes the range's events oldest first, keyed
// from the config, skipping (and counting on stderr) events of
// integrations the config no longer has; its output replays.
func TestEventsExport(t *testing.T) {
	cfg, err := config.Load(replayTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	teams, services, integrations := cfg.Catalog()
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		st := storetest.OpenStore(t, opts)
		storetest.StartRun(t, st)
		base := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		rec := func(id, integ string, d time.Duration, payload string) *hypercare.EventRecord {
			return &hypercare.EventRecord{ID: id, ReceivedAt: base.Add(d), IntegrationID: integ, ServiceID: "api",
				Action: hypercare.ActionTrigger, DedupKey: "k", Outcome: hypercare.OutcomeCreated, Payload: []byte(payload)}
		}
		trigger := `{"event_action":"trigger","dedup_key":"k","summary":"API down","source":"api-1","severity":"critical"}`
		err := st.Write(t.Context(), "t", func(tx hypercare.Tx) error {
			if err := tx.ApplyCatalog(t.Context(), teams, services, integrations); err != nil {
				return err
			}
			for _, r := range []*hypercare.EventRecord{
				rec("01B", integrations[0].ID, time.Minute, `{"event_action":"resolve","dedup_key":"k"}`),
				rec("01A", integrations[0].ID, 0, trigger),
				rec("01C", "removed-integration", 2*time.Minute, trigger),
				rec("01D", integrations[0].ID, time.Hour, trigger), // after --to
			} {
				if err := tx.InsertEvent(t.Context(), r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"events", "export", "--from", "2026-11-27T10:00:00Z", "--to", "2026-11-27T10:30:00Z", "--config", replayTestConfig}
		if opts.DatabaseURL != "" {
			args = append(args, "--database-url", opts.DatabaseURL)
		} else {
			args = append(args, "--data-dir", opts.DataDir)
		}
		out, errOut, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatal(err)
		}
		key := integrations[0].Key
		want := `{"received_at":"2026-11-27T10:00:00Z","key":"` + key + `","format":"event","body":` + trigger + "}\n" +
			`{"received_at":"2026-11-27T10:01:00Z","key":"` + key + `","format":"event","body":{"event_action":"resolve","dedup_key":"k"}}` + "\n"
		if out != want {
			t.Errorf("export:\n%s\nwant\n%s", out, want)
		}
		if !strings.Contains(errOut, "skipped 1 event(s) of integrations not in the config: removed-integration (1)") {
			t.Errorf("stderr %q does not count the skipped event", errOut)
		}
		rep, _, err := runCmd(t, out, "replay", "-", "--config", replayTestConfig, "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Summary struct{ Events, Incidents int } `json:"summary"`
		}
		if err := json.Unmarshal([]byte(rep), &r); err != nil || r.Summary.Events != 2 || r.Summary.Incidents != 1 {
			t.Errorf("replay of the export: %v %s", err, rep)
		}
	})
}
