package intake

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// TestMergedIncidentsSymptomsArePromotedAsTheirService: two database
// incidents, the first one recovering (its alert resolved) with two
// checkout symptoms a rule gave low urgency and P4; a responder merges it
// into the second. The symptoms must go with it, still symptoms (nobody
// paged, no checkout incident), and when the merged-into incident
// resolves they must be promoted as any symptom is: grouped as checkout
// groups its alerts (one incident, not one each), at the rule's urgency
// and priority, paging through checkout's policy. A merge resolves its
// sources, and a resolve promotes symptoms still attached: the merge must
// never promote them without the service's policy and grouping.
func TestMergedIncidentsSymptomsArePromotedAsTheirService(t *testing.T) {
	batch := rules.Spec{ID: "shop-low", When: `summary startsWith "Checkout"`, Then: rules.Then{Urgency: hypercare.UrgencyLow, Priority: "P4"}}
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		b := newNoiseHarness(t, eng, map[string]correlate.Noise{"db": {SymptomGrace: 10 * time.Minute},
			"shop": {Upstream: []string{"db"}, Grouping: correlate.Grouping{Type: correlate.GroupTime, Window: 15 * time.Minute}}}, batch)
		responder := &incident.Service{Store: b.st, Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}
		alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
		ctx := context.Background()
		b.send("db", triggerOf("db1", "DB down", hypercare.SeverityCritical))
		b.send("db", triggerOf("db2", "DB replica down", hypercare.SeverityCritical))
		for _, k := range []string{"s1", "s2"} {
			b.clk.Advance(time.Minute)
			if r := b.send("shop", triggerOf(k, "Checkout errors on "+k, hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
				t.Fatalf("%s: outcome %q, want symptom", k, r[0].Outcome)
			}
		}
		b.send("db", action(hypercare.ActionResolve, "db1")) // #1 recovering
		if _, err := responder.Merge(ctx, "2", []string{"1"}, alice); err != nil {
			t.Fatal(err)
		}
		incs := b.incidents()
		if len(incs) != 2 || incs[0].Status != hypercare.StatusResolved || incs[1].Status != hypercare.StatusTriggered {
			t.Fatalf("after the merge: %+v; want #1 resolved into #2, no checkout incident", incs)
		}
		for _, a := range b.alerts() {
			if a.ServiceID == "shop" && (a.SymptomOf != incs[1].ID || a.IncidentID != "") {
				t.Fatalf("symptom %s after the merge: incident %q, symptom of %q; want a symptom of #2", a.DedupKey, a.IncidentID, a.SymptomOf)
			}
		}
		b.clk.Advance(15 * time.Minute) // #1's grace would have ended: nothing of it is left
		if _, err := responder.Resolve(ctx, "2", alice); err != nil {
			t.Fatal(err)
		}
		incs = b.incidents()
		if len(incs) != 3 || incs[2].ServiceID != "shop" || incs[2].AlertCount != 2 || incs[2].OpenAlertCount != 2 {
			t.Fatalf("after #2 resolved: %+v; want one checkout incident with both symptoms", incs)
		}
		if got := incs[2]; got.Urgency != hypercare.UrgencyLow || got.Priority != "P4" {
			t.Errorf("promoted incident: urgency %s, priority %q; want the rule's low, P4", got.Urgency, got.Priority)
		}
		if st := b.esc(incs[2].ID); st.Status != hypercare.EscalationActive || st.Urgency != hypercare.UrgencyLow {
			t.Errorf("the promoted incident's escalation %+v, want active at low urgency", st)
		}
	})
}
