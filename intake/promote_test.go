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

// TestPromotedSymptomsGroupAsTheirService: checkout groups its alerts
// (time, 15 min) and depends on the database. While the database is
// down, three checkout alerts fire as its symptoms; the database recovers
// and the three still fire. They must become the one incident checkout's
// grouping would have made of them (one failure, one page), not three
// incidents that each page.
func TestPromotedSymptomsGroupAsTheirService(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"db": {},
			"shop": {Upstream: []string{"db"}, Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: 15 * time.Minute}}})
		b.send("db", triggerOf("db", "DB down", hypercare.SeverityCritical))
		for _, k := range []string{"s1", "s2", "s3"} {
			b.clk.Advance(time.Minute)
			if r := b.send("shop", triggerOf(k, "Checkout errors on "+k, hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
				t.Fatalf("outcome %q, want symptom", r[0].Outcome)
			}
		}
		b.clk.Advance(time.Minute)
		b.send("db", action(hypercare.ActionResolve, "db")) // grace 0: promoted at once
		incs := b.incidents()
		if len(incs) != 2 || incs[1].ServiceID != "shop" || incs[1].AlertCount != 3 || incs[1].OpenAlertCount != 3 {
			t.Fatalf("incidents %+v; want db's and one on shop with its 3 alerts", incs)
		}
		for _, a := range b.alerts() {
			if a.ServiceID == "shop" && (a.IncidentID != incs[1].ID || a.SymptomOf != "") {
				t.Errorf("alert %s: incident %q, symptom of %q; want in incident %d", a.DedupKey, a.IncidentID, a.SymptomOf, incs[1].Number)
			}
		}
		if st := b.esc(incs[1].ID); st.Status != hypercare.EscalationActive {
			t.Errorf("the promoted incident's escalation %+v, want active", st)
		}
		// A later checkout alert joins it as any alert would.
		b.clk.Advance(time.Minute)
		if r := b.send("shop", triggerOf("s4", "Checkout errors on s4", hypercare.SeverityCritical)); r[0].IncidentID != incs[1].ID {
			t.Errorf("a new checkout alert went to %s, want the promoted incident", r[0].IncidentID)
		}
	})
}
