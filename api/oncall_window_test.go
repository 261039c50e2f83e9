package api_test

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// Inside a hypercare window with max_escalate_after_minutes, the on-call
// answer's escalate_after_minutes is the wait the engine applies
// (escalate.NextDue), not the configured one, and the level says which
// window shortened it and what the file configures; a window that opens
// during the wait shortens it too. Outside, the configured value stands.
func TestOnCallPolicyShowsEscalateAfterAsAWindowShortensIt(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		solo := &oncall.Schedule{ID: "solo", TimeZone: time.UTC, Layers: []oncall.Layer{{ID: "always",
			Start: oncall.LocalDateTime{Year: 2026, Month: 1, Day: 1}, Shift: 7 * 24 * time.Hour, Users: []string{"alice"}}}}
		windows := []hypercare.Window{
			{ID: "bfcm", Name: "BFCM", Start: time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC),
				End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), MaxEscalateAfter: 2 * time.Minute},
			{ID: "other", Name: "Other", Services: []string{"search"}, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
				End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), MaxEscalateAfter: time.Minute},
		}
		e := newScheduleEnv(t, eng, windows, solo)
		for _, c := range []struct {
			at          string
			after       float64
			shortenedBy string
		}{
			{"2026-11-27T12:00:00Z", 5, ""},
			{"2026-11-27T17:58:00Z", 4, "bfcm"}, // the window opens during the wait: 18:00 + 2 min
			{"2026-11-28T09:00:00Z", 2, "bfcm"},
		} {
			var oc hypercare.OnCall
			if code := e.do("GET", "/api/v1/oncall?policy=web&at="+c.at, e.viewer, nil, &oc); code != 200 {
				t.Fatalf("oncall: %d", code)
			}
			l := oc.Policy.Levels[0]
			if l.EscalateAfterMinutes != c.after || l.ConfiguredEscalateAfterMinutes != 5 || l.ShortenedBy != c.shortenedBy {
				t.Errorf("at %s: level 1 %+v, want escalate_after_minutes %g (configured 5) shortened by %q",
					c.at, l, c.after, c.shortenedBy)
			}
		}
	})
}
