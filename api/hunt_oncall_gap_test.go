package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// GET /api/v1/oncall in a gap of a schedule says so: the schedule is in
// nobody_on_call, with when someone next comes on call (null when nobody
// does within 90 days). It answered an empty oncall list, the same answer
// as a schedule that is not there to ask about, and said nothing of when
// the gap ends.
func TestOnCallSaysNobodyInAGap(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		office := &oncall.Schedule{ID: "office", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "days",
			Start: oncall.LocalDateTime{Year: 2026, Month: 11, Day: 2, Hour: 9}, Shift: 24 * time.Hour, Users: []string{"alice", "bob"},
			Restrictions: []oncall.Restriction{{From: oncall.TimeOfDay{Hour: 9}, To: oncall.TimeOfDay{Hour: 17}}}}}}
		// "later" starts in June 2027: nobody within 90 days.
		never := &oncall.Schedule{ID: "later", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "new",
			Start: oncall.LocalDateTime{Year: 2027, Month: 6, Day: 1}, Shift: 24 * time.Hour, Users: []string{"carol"}}}}
		e := newScheduleEnv(t, eng, nil, office, never)
		var oc struct {
			OnCall       []json.RawMessage `json:"oncall"`
			NobodyOnCall []struct {
				Schedule string
				Until    *time.Time
			} `json:"nobody_on_call"`
		}
		if code := e.do("GET", "/api/v1/oncall?at=2026-11-27T20:00:00Z&schedule=office", e.viewer, nil, &oc); code != 200 {
			t.Fatalf("oncall: %d", code)
		}
		want := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
		if len(oc.OnCall) != 0 || len(oc.NobodyOnCall) != 1 || oc.NobodyOnCall[0].Schedule != "office" ||
			oc.NobodyOnCall[0].Until == nil || !oc.NobodyOnCall[0].Until.Equal(want) {
			t.Fatalf("office at 20:00: oncall %s, nobody_on_call %+v; want nobody until %s", oc.OnCall, oc.NobodyOnCall, want)
		}
		oc.NobodyOnCall = nil
		if code := e.do("GET", "/api/v1/oncall?at=2026-11-27T10:00:00Z", e.viewer, nil, &oc); code != 200 {
			t.Fatalf("oncall: %d", code)
		}
		if len(oc.OnCall) != 1 || len(oc.NobodyOnCall) != 1 || oc.NobodyOnCall[0].Schedule != "later" || oc.NobodyOnCall[0].Until != nil {
			t.Fatalf("every schedule at 10:00: oncall %s, nobody_on_call %+v; want office on call, later nobody (until null)",
				oc.OnCall, oc.NobodyOnCall)
		}
	})
}
