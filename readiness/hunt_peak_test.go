package readiness_test

import (
	"testing"

	"github.com/hypercare/hypercare/readiness"
)

// A round-robin level pages one target per incident, taking turns
// (escalate.levelUsers): on a turn that falls to a schedule with nobody
// on call, level 1 pages nobody. Readiness must report those minutes as a
// coverage gap, not count the level covered because another target of
// the turn order has someone.
func TestCoverageGapRoundRobinLevel(t *testing.T) {
	c, w := setup(t, `
schedules:
  - {id: s, time_zone: UTC, layers: [{id: l, start: "2026-06-01T12:00", shift: 12h, users: [ann, cat]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}, {user: bob}], mode: round_robin, escalate_after_minutes: 5},
                     {targets: [{user: cat}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
runbooks:
  - {id: rb, title: Web, url: "https://wiki.example.com/web", services: [web]}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-06-01T00:00", end: "2026-06-02T00:00"}
`)
	check(t, lines(c.Evaluate(w, before, nil), readiness.CoverageGap), []string{
		// schedule s has nobody on call until 12:00: every incident whose
		// turn is s's pages nobody at level 1.
		"coverage_gap blocking |web|p 06-01T00:00 06-01T12:00",
	})
}
