package api_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// newScheduleEnv is a server whose directory holds the given schedules,
// users alice, bob and carol, and the escalation policy "web" (checkout)
// paging the first schedule.
func newScheduleEnv(t *testing.T, eng storetest.Engine, windows []hypercare.Window, scheds ...*oncall.Schedule) *env {
	t.Helper()
	var users []hypercare.User
	for _, id := range []string{"alice", "bob", "carol"} {
		users = append(users, hypercare.User{ID: id, Name: id, Role: hypercare.RoleResponder})
	}
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{Schedule: scheds[0].ID}}, EscalateAfter: 5 * time.Minute}}}
	dir := escalate.NewDirectory(users, scheds, []hypercare.EscalationPolicy{policy},
		[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, windows)
	st := eng.Open(t)
	return newEnvWith(t, st, 0, func(_ *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
		opts.Escalation = escalate.New(st, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	})
}

// GET /api/v1/oncall says "until" is the end of the current shift if it
// ends within 90 days, and null otherwise. A one-person layer is on call
// for good, yet the answer says "until" exactly 90 days after the moment
// asked: a made-up handoff that moves with every question.
func TestOnCallUntilIsNullForAShiftBeyond90Days(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		solo := &oncall.Schedule{ID: "solo", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "always",
			Start: oncall.LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 7 * 24 * time.Hour, Users: []string{"alice"}}}}
		e := newScheduleEnv(t, eng, nil, solo)
		var oc hypercare.OnCall
		if code := e.do("GET", "/api/v1/oncall?at=2026-11-27T09:00:00Z", e.viewer, nil, &oc); code != 200 {
			t.Fatalf("oncall: %d", code)
		}
		if len(oc.OnCall) != 1 || oc.OnCall[0].User != "alice" {
			t.Fatalf("on call: %+v", oc.OnCall)
		}
		if u := oc.OnCall[0].Until; u != nil {
			t.Fatalf("alice is on call for good, but until = %s (90 days after the moment asked)", u.Format(time.RFC3339))
		}
	})
}
