package readiness_test

import (
	"testing"

	"github.com/hypercare/hypercare/readiness"
)

// service is one service on policy p, whose level 1 pages schedule s.
const service = `
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}], escalate_after_minutes: 5}, {targets: [{user: bob}, {user: cat}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
runbooks:
  - {id: rb, title: Web, url: "https://wiki.example.com/web", services: [web]}
`

// TestCoverageGaps: minutes in which level 1 resolves to nobody, as exact
// merged intervals, across DST changes in the window's zone and in the
// rota's, with overrides and temporary rosters applied.
func TestCoverageGaps(t *testing.T) {
	for _, tc := range []struct {
		name, schedule, window string
		want                   []string
	}{{
		// A New York window over US spring-forward, covered by a London
		// rota 09:00-17:00 (London is still on GMT = UTC): the gaps are
		// the London nights, whatever New York's clocks do.
		name: "New York window, London rota, US spring forward",
		schedule: `{id: s, time_zone: Europe/London, layers: [{id: day, start: "2026-03-02T09:00", shift: 1d, users: [ann],
		  restrictions: [{from: "09:00", to: "17:00"}]}]}`,
		window: `{id: w, name: W, time_zone: America/New_York, start: "2026-03-07T00:00", end: "2026-03-10T00:00"}`,
		want: []string{
			"coverage_gap blocking |web|p 03-07T05:00 03-07T09:00",
			"coverage_gap blocking |web|p 03-07T17:00 03-08T09:00",
			"coverage_gap blocking |web|p 03-08T17:00 03-09T09:00",
			"coverage_gap blocking |web|p 03-09T17:00 03-10T04:00", // midnight EDT is 04:00 UTC
		},
	}, {
		// The rota's own zone falls back inside the night: 17:00 EDT to
		// 09:00 EST is 17 hours.
		name: "New York rota, fall back inside a gap",
		schedule: `{id: s, time_zone: America/New_York, layers: [{id: day, start: "2026-10-26T09:00", shift: 1d, users: [ann],
		  restrictions: [{from: "09:00", to: "17:00"}]}]}`,
		window: `{id: w, name: W, time_zone: America/New_York, start: "2026-10-31T12:00", end: "2026-11-01T12:00"}`,
		want: []string{
			"coverage_gap blocking |web|p 10-31T21:00 11-01T14:00", // 17:00 EDT to 09:00 EST
		},
	}, {
		// A London window over UK fall-back, covered in the evenings by a
		// New York rota (still on EDT: US clocks change a week later).
		name: "London window, New York rota, UK fall back",
		schedule: `{id: s, time_zone: America/New_York, layers: [{id: eve, start: "2026-10-19T08:00", shift: 1d, users: [ann],
		  restrictions: [{from: "08:00", to: "20:00"}]}]}`,
		window: `{id: w, name: W, time_zone: Europe/London, start: "2026-10-24T12:00", end: "2026-10-26T00:00"}`,
		want: []string{
			"coverage_gap blocking |web|p 10-24T11:00 10-24T12:00", // the window opens at 12:00 BST
			"coverage_gap blocking |web|p 10-25T00:00 10-25T12:00", // and closes at 00:00 GMT
		},
	}, {
		// Overrides fill a gap back to back (no gap left between them); a
		// temporary roster with nobody in one hour leaves exactly that
		// hour, and its layers, not the normal ones, decide.
		name: "overrides and a temporary roster",
		schedule: `{id: s, time_zone: UTC,
		  layers: [{id: day, start: "2026-06-01T09:00", shift: 1d, users: [ann], restrictions: [{from: "09:00", to: "17:00"}]}],
		  overrides: [{user: bob, start: "2026-06-01T17:00", end: "2026-06-01T21:00"}, {user: cat, start: "2026-06-01T21:00", end: "2026-06-02T09:00"}],
		  temporary: [{id: t, start: "2026-06-02T09:00", end: "2026-06-02T12:00", layers: [
		    {id: r, start: "2026-06-02T10:00", shift: 2h, users: [bob]}]}]}`,
		window: `{id: w, name: W, time_zone: UTC, start: "2026-06-01T12:00", end: "2026-06-02T17:00"}`,
		want: []string{
			"coverage_gap blocking |web|p 06-02T09:00 06-02T10:00",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c, w := setup(t, "schedules: ["+tc.schedule+"]\nhypercare_windows: ["+tc.window+"]\n"+service)
			check(t, lines(c.Evaluate(w, before, nil), readiness.CoverageGap), tc.want)
		})
	}
}
