package readiness_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
)

// scoped has two services in scope (web with a runbook, api without one
// and without a policy) and one out of scope (batch, no runbook either).
const scoped = `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 12h, users: [ann, bob]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}, {targets: [{user: cat}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p, integrations: [{id: web-dd, name: Datadog, type: events-v2, key: 0123456789abcdef0123456789abcdef},
      {id: web-am, type: alertmanager, key: 1123456789abcdef0123456789abcdef}]}
  - {id: api, name: API}
  - {id: batch, name: Batch, escalation_policy: p, integrations: [{id: batch-gen, type: generic, key: 2123456789abcdef0123456789abcdef}]}
runbooks:
  - {id: rb, title: Web, url: "https://wiki.example.com/web", services: [web]}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T06:00", end: "2026-06-03T00:00", services: [web, api], silent_integration_days: 3, max_shift_hours: 24}
`

func TestRunbooksSilentAndScope(t *testing.T) {
	c, w := setup(t, scoped)
	at := time.Date(2026, 5, 30, 0, 0, 0, 0, time.UTC)
	last := map[string]time.Time{
		"web-dd":    at.Add(-72 * time.Hour), // exactly 3 days: silent
		"web-am":    at.Add(-71 * time.Hour), // not yet
		"batch-gen": at.Add(-90 * 24 * time.Hour),
	}
	r := c.Evaluate(w, at, last)
	check(t, lines(r), []string{
		"coverage_gap blocking |api| 06-01T06:00 06-03T00:00", // no policy: nobody is ever paged
		"single_responder warning cat||p 06-01T06:00 06-03T00:00",
		"no_runbook blocking |api|",
		"silent_integration warning |web| 05-27T00:00 05-30T00:00",
	})
	if r.Ready || len(r.Notes) != 0 || !strings.Contains(r.Findings[3].Message, "web-dd (Datadog) has sent nothing since 2026-05-27 00:00 UTC") {
		t.Errorf("report = %+v", r)
	}
	// Without the event log the check is skipped and says so; an
	// integration that never sent is silent.
	r = c.Evaluate(w, at, nil)
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "silent_integration not checked") {
		t.Errorf("notes = %q", r.Notes)
	}
	check(t, lines(c.Evaluate(w, at, map[string]time.Time{"web-dd": at}), readiness.SilentIntegration), []string{
		"silent_integration warning |web|", // web-am never sent: no interval
	})
}

// TestEvaluatedFromAt: only what is still ahead of at is checked, so a
// nightly run during the window is not failed by the past; after the
// window only runbooks and integrations are.
func TestEvaluatedFromAt(t *testing.T) {
	c, w := setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T00:00", shift: 1d, users: [ann], restrictions: [{from: "08:00", to: "20:00"}]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}, {targets: [{user: bob}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T12:00"}
`)
	at := time.Date(2026, 6, 1, 21, 30, 0, 0, time.UTC)
	r := c.Evaluate(w, at, map[string]time.Time{})
	check(t, lines(r, readiness.CoverageGap), []string{"coverage_gap blocking |web|p 06-01T21:30 06-02T08:00"})
	if !r.CheckedFrom.Equal(at) || !r.CheckedTo.Equal(w.End) {
		t.Errorf("checked %v to %v", r.CheckedFrom, r.CheckedTo)
	}
	r = c.Evaluate(w, w.End.Add(time.Minute), map[string]time.Time{})
	check(t, lines(r), []string{"no_runbook blocking |web|"})
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "the window ended") {
		t.Errorf("notes = %q", r.Notes)
	}
}

// TestFixedExampleIsReady is the README's story: the shipped example's
// Black Friday window is not ready (its rosters put people on call too
// long); replace the weekly rotations and the day-long overrides inside
// the window with 12-hour rosters covering it and it is.
func TestFixedExampleIsReady(t *testing.T) {
	data, err := os.ReadFile("../examples/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for _, r := range []struct{ old, new string }{
		// The web roster covers the whole window (18:00 EST is 23:00 in
		// London), 12 hours each, without Erin, who is on payments. It
		// starts with Carol (Alice's weekly turn ends as it begins) and runs
		// on past the window to a 12-hour boundary, so nobody goes from a
		// roster shift into a weekly turn a few hours later.
		{`      - {user: carol, start: "2026-11-28T12:00", end: "2026-11-29T00:00"}`, ""},
		{`        start: "2026-11-27T00:00"
        end: "2026-12-01T00:00"`, `        start: "2026-11-26T23:00"
        end: "2026-12-02T11:00"`},
		{`            start: "2026-11-27T00:00"
            shift: 12h                 # 00:00 and 12:00 London
            users: [alice, bob, carol, erin]`, `            start: "2026-11-26T23:00"
            shift: 12h
            users: [carol, alice, bob]`},
		// Payments: a 12-hour roster instead of the day-long overrides,
		// Dave first (Erin's weekly turn ends as it begins), to midnight
		// after the window.
		{`      - {user: dave, start: "2026-11-27T00:00", end: "2026-11-28T00:00"}
      - {user: erin, start: "2026-11-30T00:00", end: "2026-12-01T00:00"}`,
			`      []
    temporary:
      - {id: bfcm, start: "2026-11-27T00:00", end: "2026-12-02T00:00", layers: [
          {id: twelve, start: "2026-11-27T00:00", shift: 12h, users: [dave, erin]}]}`},
	} {
		if !strings.Contains(src, r.old) {
			t.Fatalf("the example no longer contains %q", r.old)
		}
		src = strings.Replace(src, r.old, r.new, 1)
	}
	src = strings.Replace(src, "    overrides:\n      # Payments peaks on Black Friday: Dave holds the pager all day, and\n      # Erin takes Cyber Monday.\n      []", "", 1)
	cfg, err := config.Parse("fixed.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	w, _ := c.Window("bfcm-2026")
	r := c.Evaluate(w, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), nil)
	if !r.Ready {
		t.Errorf("the fixed example is not ready:\n%s", strings.Join(lines(r), "\n"))
	}
}
