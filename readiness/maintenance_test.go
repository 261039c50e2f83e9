package readiness_test

import (
	"testing"

	"github.com/hypercare/hypercare/readiness"
)

// TestMaintenanceHoldsPagesInTheWindow: a maintenance window that covers a
// service in scope during the hypercare window holds the first page of
// every new incident there until it ends, so nobody is reached: each
// occurrence inside the window is a blocking maintenance_hold finding
// (clipped to the window). One scoped by matchers holds only the alerts
// it matches: a warning. One on another service, or outside the window,
// is not reported.
func TestMaintenanceHoldsPagesInTheWindow(t *testing.T) {
	c, w := setup(t, `
escalation_policies:
  - {id: p, levels: [{targets: [{user: ann}, {user: bob}], escalate_after_minutes: 5}]}
services:
  - {id: web, name: Web, escalation_policy: p}
  - {id: db, name: DB, escalation_policy: p}
runbooks:
  - {id: rb, title: Web, url: "https://wiki.example.com/web", services: [web, db]}
hypercare_windows:
  - {id: w, name: W, time_zone: UTC, start: "2026-11-27T00:00", end: "2026-11-30T00:00", services: [web]}
maintenance:
  - {id: nightly, services: [web], start: "2026-11-20T23:00", end: "2026-11-21T01:00", time_zone: UTC, recurrence: {freq: daily}}
  - {id: backups, matchers: ['alertname="Backup"'], start: "2026-11-28T02:00", end: "2026-11-28T03:00", time_zone: UTC}
  - {id: db-only, services: [db], start: "2026-11-28T02:00", end: "2026-11-28T03:00", time_zone: UTC}
  - {id: before, services: [web], start: "2026-11-26T10:00", end: "2026-11-26T12:00", time_zone: UTC}
`)
	r := c.Evaluate(w, before, nil)
	check(t, lines(r, readiness.MaintenanceHold), []string{
		"maintenance_hold blocking |web| 11-27T00:00 11-27T01:00",
		"maintenance_hold blocking |web| 11-27T23:00 11-28T01:00",
		"maintenance_hold warning |web| 11-28T02:00 11-28T03:00",
		"maintenance_hold blocking |web| 11-28T23:00 11-29T01:00",
		"maintenance_hold blocking |web| 11-29T23:00 11-30T00:00",
	})
	if r.Ready {
		t.Error("ready, while every new web incident inside a maintenance window pages nobody until it ends")
	}
}
