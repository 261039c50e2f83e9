package readiness_test

import (
	"testing"

	"github.com/hypercare/hypercare/readiness"
)

// A round-robin level pages one target per incident, taking turns, and a
// turn that falls on a target with nobody on call passes to the level's
// next target (escalate.Directory.roundRobin): level 1 pages nobody only
// while none of its targets has anyone. Readiness reports those minutes as
// a coverage gap, and no more: a blocking finding for minutes another
// target covers would send a team to fix a gap the engine does not have.
func TestCoverageGapRoundRobinLevel(t *testing.T) {
	c, w := setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T12:00", shift: 12h, users: [ann, cat]}]}
  - {id: r, time_zone: UTC, layers: [{id: l, start: "2026-06-01T06:00", shift: 12h, users: [bob]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}, {schedule: r}], mode: round_robin, escalate_after_minutes: 5},
                     {targets: [{user: cat}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
runbooks:
  - {id: rb, title: Web, url: "https://wiki.example.com/web", services: [web]}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T00:00"}
`)
	check(t, lines(c.Evaluate(w, before, nil), readiness.CoverageGap), []string{
		// Until 06:00 neither s nor r has anyone; from 06:00 r's bob
		// takes the turns that fall on s until s's shift starts at 12:00.
		"coverage_gap blocking |web|p 06-01T00:00 06-01T06:00",
	})
}
