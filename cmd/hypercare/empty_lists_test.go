package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/replay"
	"github.com/hypercare/hypercare/storetest"
	"github.com/spf13/cobra"
)

// An empty list printed as a table was its header line alone, which reads
// like output cut short. Each list now says in a sentence that there is
// nothing (naming the filters when some were given); -o json is the same
// empty array as before, for scripts.
func TestEmptyListsSaySo(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t))
		// Incident 1 has no pages: apitest's intake starts no escalation.
		srv.Trigger(apitest.KeyCheckout, "disk-db-1", "Disk full on db-1", hypercare.SeverityCritical)
		run := func(build func(clientEnv) *cobra.Command, args ...string) string {
			t.Helper()
			cmd := build(clientEnv{getenv: func(string) string { return "" }, now: srv.Clock.Now, loc: time.UTC})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(io.Discard)
			cmd.SetArgs(append(args, "--server", srv.URL, "--token", srv.Token(hypercare.RoleAdmin)))
			if err := cmd.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out.String()
		}
		for _, tc := range []struct {
			name        string
			build       func(clientEnv) *cobra.Command
			args        []string
			table, json string
		}{
			{"incidents filtered", newIncidentsCmdEnv, []string{"list", "--status", "resolved"},
				"No incidents match these filters.\n", "{\n  \"incidents\": [],\n  \"next_cursor\": \"\"\n}\n"},
			{"incidents of a service", newIncidentsCmdEnv, []string{"list", "--service", "nope", "--all"},
				"No incidents match these filters.\n", "{\n  \"incidents\": [],\n  \"next_cursor\": \"\"\n}\n"},
			{"pages", newIncidentsCmdEnv, []string{"notifications", "1"},
				"Incident 1 has paged nobody.\n", "{\n  \"notifications\": []\n}\n"},
			{"silences", newSilencesCmdEnv, []string{"list"},
				"No silences.\n", "{\n  \"silences\": []\n}\n"},
			{"silences by state", newSilencesCmdEnv, []string{"list", "--state", "expired"},
				"No expired silences.\n", "{\n  \"silences\": []\n}\n"},
			{"calendar feeds", newCalendarCmdEnv, []string{"list"},
				"No calendar feeds.\n", "{\n  \"calendar_feeds\": []\n}\n"},
		} {
			if got := run(tc.build, tc.args...); got != tc.table {
				t.Errorf("%s, table: got %q, want %q", tc.name, got, tc.table)
			}
			if got := run(tc.build, append(tc.args, "-o", "json")...); got != tc.json {
				t.Errorf("%s, -o json: got %q, want %q", tc.name, got, tc.json)
			}
		}
		// No schedules in the config: oncall says so; its JSON is unchanged.
		if got := run(newOnCallCmdEnv); got != "No schedules.\n" {
			t.Errorf("oncall without schedules: got %q", got)
		}
		if got := run(newOnCallCmdEnv, "-o", "json"); !strings.Contains(got, `"oncall": []`) {
			t.Errorf("oncall without schedules, -o json: got %q", got)
		}
	})
}

// The reports with tables inside say so when a table would be empty too:
// a simulation nobody would be paged in, a replay that paged nobody, an
// incident without alerts or timeline entries.
func TestEmptyReportTablesSaySo(t *testing.T) {
	env := clientEnv{now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }, loc: time.UTC}
	var out bytes.Buffer
	sim := &escalate.Simulation{ServiceID: "checkout", PolicyID: "web", Urgency: hypercare.UrgencyHigh, At: env.now()}
	if err := writeSimulation(&out, env, sim); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Nobody would be paged.") || strings.Contains(out.String(), "AT  ") {
		t.Errorf("simulation without pages:\n%s", out.String())
	}
	out.Reset()
	if err := writeReplay(&out, &replay.Report{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "No incidents.") || !strings.Contains(out.String(), "Nobody was paged.") ||
		strings.Contains(out.String(), "INCIDENT") || strings.Contains(out.String(), "USER") {
		t.Errorf("empty replay:\n%s", out.String())
	}
	out.Reset()
	inc := &hypercare.Incident{Number: 7, Title: "t", CreatedAt: env.now()}
	if err := writeDetail(&out, env, &incidentDetail{Incident: inc}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "No alerts.") || !strings.Contains(out.String(), "No timeline entries.") ||
		strings.Contains(out.String(), "DEDUP KEY") || strings.Contains(out.String(), "AT  TYPE") {
		t.Errorf("incident without alerts or timeline:\n%s", out.String())
	}
}
