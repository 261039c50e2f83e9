package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/storetest"
	"github.com/spf13/cobra"
)

// reportConfig gives the report tests a window over seed's incidents (in
// progress at seededNow) and a responder with a time zone.
const reportConfig = `
users:
  - {id: alice, name: Alice, time_zone: Europe/London, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/a"}]}
  - {id: bob, name: Bob, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/b"}]}
services:
  - {id: checkout, name: Checkout}
  - {id: search, name: Search}
hypercare_windows:
  - {id: thanks, name: Thanksgiving week, time_zone: America/New_York, start: "2026-11-22T00:00", end: "2026-11-30T00:00", change_freeze: true}
  - {id: xmas, name: Christmas, time_zone: UTC, start: "2026-12-20T00:00", end: "2026-12-27T00:00"}
`

// forEachReportServer is forEachServer with reportConfig's windows, seed's
// incidents, pages for #1 and #3 and a change during the freeze.
func forEachReportServer(t *testing.T, fn func(t *testing.T, e *cliEnv)) {
	cfg, err := config.Parse("r.yaml", []byte(reportConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t), apitest.WithReadiness(catalog))
		responder := srv.Token(hypercare.RoleResponder)
		e := &cliEnv{srv: srv, flags: []string{"--server", srv.URL, "--token", responder},
			viewer: srv.Token(hypercare.RoleViewer), api: client.New(srv.URL, responder)}
		seed(t, e)
		ctx := context.Background()
		one, _ := e.api.GetIncident(ctx, "1")
		three, _ := e.api.GetIncident(ctx, "3")
		page := func(id, user string, inc *hypercare.Incident, step int, d time.Duration) *hypercare.Notification {
			at := inc.CreatedAt.Add(d)
			return &hypercare.Notification{ID: id, IncidentID: inc.ID, UserID: user, ContactMethod: "h", Type: hypercare.ContactWebhook,
				Level: 1, Step: step, Reason: "level 1", Status: hypercare.NotificationSent, DueAt: at, CreatedAt: at}
		}
		err := srv.Store.Write(ctx, "t", func(tx hypercare.Tx) error {
			for _, n := range []*hypercare.Notification{page("n1", "alice", one, 1, 0), page("n2", "bob", one, 2, 13*time.Hour),
				page("n3", "alice", three, 1, 0)} {
				if err := tx.InsertNotification(ctx, n); err != nil {
					return err
				}
			}
			return tx.InsertChangeEvent(ctx, &hypercare.ChangeEvent{ID: "01KAZZZZZZZZZZZZZZZZZZZZZZ", ServiceID: "checkout",
				IntegrationID: "checkout-v2", Summary: "deploy v42\tmidweek", Source: "ci", Timestamp: seededNow.Add(-2 * time.Hour),
				ReceivedAt: seededNow.Add(-2 * time.Hour), FreezeWindow: "thanks"})
		})
		if err != nil {
			t.Fatal(err)
		}
		fn(t, e)
	})
}

// executeCmd runs a command tree built on env like main does.
func executeCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestIncidentsFeedback(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		if got := e.run(t, "feedback", "1", "noise", "--note", "flaps nightly"); got != "Marked incident 1 noise.\n" {
			t.Errorf("output %q", got)
		}
		inc, err := e.api.GetIncident(context.Background(), "1")
		if err != nil || inc.Feedback == nil || inc.Feedback.Verdict != hypercare.VerdictNoise || inc.Feedback.Note != "flaps nightly" {
			t.Fatalf("incident feedback = %+v, %v", inc, err)
		}
		out := e.run(t, "feedback", "1", "actionable", "-o", "json")
		if !strings.Contains(out, `"verdict": "actionable"`) {
			t.Errorf("json output lacks the verdict: %s", out)
		}
		if _, _, err := execute(t, e.env(nil), append([]string{"feedback", "1", "meh"}, e.flags...)...); err == nil ||
			!strings.Contains(err.Error(), "noise or actionable") {
			t.Errorf("bad verdict: %v", err)
		}
		if _, _, err := execute(t, e.env(nil), append([]string{"feedback", "99", "noise"}, e.flags...)...); err == nil ||
			!strings.Contains(err.Error(), "not found") {
			t.Errorf("unknown incident: %v", err)
		}
	})
}

func TestNoiseReport(t *testing.T) {
	forEachReportServer(t, func(t *testing.T, e *cliEnv) {
		e.run(t, "feedback", "1", "noise")
		e.run(t, "feedback", "3", "actionable")
		args := append([]string{"report", "--from", "2026-11-22", "--to", "2026-11-26"}, e.flags...)
		out, err := executeCmd(t, newNoiseCmdEnv(e.env(nil)), args...)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "noise_report.golden", out)
		out, err = executeCmd(t, newNoiseCmdEnv(e.env(nil)), append(args, "-o", "json")...)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "noise_report.json.golden", out)
		out, err = executeCmd(t, newNoiseCmdEnv(e.env(nil)), append([]string{"report", "--from", "3d", "--service", "search"}, e.flags...)...)
		if err != nil || !strings.Contains(out, "service search, 2026-11-22 14:00 UTC to 2026-11-25 14:00 UTC") {
			t.Errorf("relative period: %v\n%s", err, out)
		}
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"report", "--from", "yesterday"}, `--from "yesterday"`},
			{[]string{"report", "--from", "2026-11-26", "--to", "2026-11-22"}, "from: must be before to"},
			{[]string{"report", "--service", "nope"}, "not found"},
		} {
			if _, err := executeCmd(t, newNoiseCmdEnv(e.env(nil)), append(tc.args, e.flags...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
			}
		}
	})
}

func TestWindowsSummary(t *testing.T) {
	forEachReportServer(t, func(t *testing.T, e *cliEnv) {
		e.run(t, "feedback", "1", "noise")
		out, err := executeCmd(t, newWindowsCmdEnv(e.env(nil)), append([]string{"summary", "thanks"}, e.flags...)...)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "windows_summary.golden", out)
		out, err = executeCmd(t, newWindowsCmdEnv(e.env(nil)), append([]string{"summary", "thanks", "-o", "json"}, e.flags...)...)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "windows_summary.json.golden", maskIDs(out))
		for _, tc := range []struct{ id, want string }{{"nope", "not found"}, {"xmas", "has not started"}} {
			if _, err := executeCmd(t, newWindowsCmdEnv(e.env(nil)), append([]string{"summary", tc.id}, e.flags...)...); err == nil ||
				!strings.Contains(err.Error(), tc.want) {
				t.Errorf("summary %s: %v, want an error with %q", tc.id, err, tc.want)
			}
		}
	})
}
