package escalate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// TestPromotedSymptomTakesTheWindowsUrgencyFloor: inside a hypercare
// window whose urgency floor is high, a warning on checkout that was a
// symptom of payments' outage and is still firing when payments' grace
// ends becomes an incident opened in the window's scope, so it pages at
// high urgency like every incident intake opens there (it used to keep
// the low urgency of its warning: quiet hours and high-only phone rules
// left it unpaged on Black Friday).
func TestPromotedSymptomTakesTheWindowsUrgencyFloor(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.windows = []hypercare.Window{{ID: "bfcm", Start: t0.Add(-time.Hour), End: t0.Add(24 * time.Hour),
			Urgency: hypercare.UrgencyHigh}}
		w.restart() // windows are config: read at start
		w.send(payInt, hypercare.ActionTrigger, "db")
		w.after(0)
		ev := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "slow", Summary: "Checkout slow",
			Source: "mon", Severity: hypercare.SeverityWarning}
		if _, err := w.in.Process(context.Background(), checkInt, []hypercare.Event{ev}); err != nil {
			t.Fatal(err)
		}
		w.after(time.Minute)
		w.send(payInt, hypercare.ActionResolve, "db")
		w.after(10 * time.Minute) // the grace ends: checkout's warning is its own incident
		incs := w.incidents()
		if len(incs) != 2 || incs[1].ServiceID != "checkout" {
			t.Fatalf("incidents %+v, want payments' and the promoted one on checkout", incs)
		}
		if incs[1].Urgency != hypercare.UrgencyHigh {
			t.Errorf("promoted incident's urgency %q inside window bfcm (floor high), want high", incs[1].Urgency)
		}
		if tl := w.timeline(incs[1]); !strings.Contains(tl, "urgency_raised: Urgency raised to high by hypercare window bfcm (was low)") {
			t.Errorf("timeline of the promoted incident:\n%s", tl)
		}
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}
