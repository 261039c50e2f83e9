package intake

import (
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// TestPromotedSymptomKeepsItsRulesUrgency: an event rule gives a nightly
// batch job's alert low urgency and P4 though it is critical. It fires
// while its upstream database is down, so it is a symptom; the database
// recovers and the batch alert is still firing, so it becomes an incident
// of its own. That incident must be the low-urgency P4 one the rule asked
// for: it used to take the urgency of its severity (high, paging through
// the night) and no priority.
func TestPromotedSymptomKeepsItsRulesUrgency(t *testing.T) {
	batch := rules.Spec{ID: "batch-low", When: `class == "batch"`, Then: rules.Then{Urgency: hypercare.UrgencyLow, Priority: "P4"}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}, "db": {}}, batch)
		b.send("db", triggerOf("db", "DB down", hypercare.SeverityCritical))
		ev := triggerOf("nightly", "Nightly export failed", hypercare.SeverityCritical)
		ev.Class = "batch"
		if r := b.send("shop", ev); r[0].Outcome != hypercare.OutcomeSymptom {
			t.Fatalf("outcome %q, want symptom", r[0].Outcome)
		}
		b.clk.Advance(time.Minute)
		b.send("db", action(hypercare.ActionResolve, "db")) // grace 0: promoted at once
		incs := b.incidents()
		if len(incs) != 2 || incs[1].ServiceID != "shop" {
			t.Fatalf("incidents %+v; want db's and the promoted one on shop", incs)
		}
		if got := incs[1]; got.Urgency != hypercare.UrgencyLow || got.Priority != "P4" {
			t.Errorf("promoted incident: urgency %s, priority %q; want the rule's low, P4", got.Urgency, got.Priority)
		}
		if st := b.esc(incs[1].ID); st.Urgency != hypercare.UrgencyLow {
			t.Errorf("promoted incident's escalation pages at %s urgency, want low", st.Urgency)
		}
	})
}
