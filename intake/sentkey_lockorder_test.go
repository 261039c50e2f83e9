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

// TestSentKeySymptomResolveTakesTheIncidentFirst (PostgreSQL, two nodes)
// is TestSymptomResolveTakesTheIncidentFirst for a symptom whose trigger
// a rule rewrote the key of ("s1" stored as "rk-s1"): its resolve arrives
// under the key as sent and finds the alert by it (rekeyedAlert,
// FindOpenAlertBySentKey). That lookup locked the symptom's row and then
// the resolve locked its upstream incident #1, while a merge of #1 or a
// resolve promoting its symptoms on another node holds #1 and then locks
// its symptoms: each held what the other waited for until PostgreSQL
// aborted one after its deadlock_timeout and the store ran that batch
// again. The lookup by sent key now locks the upstream incident first.
func TestSentKeySymptomResolveTakesTheIncidentFirst(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	for _, tc := range []struct {
		name string
		act  func(ctx context.Context, responder *incident.Service) error
	}{
		{"merge", func(ctx context.Context, responder *incident.Service) error {
			_, err := responder.Merge(ctx, "2", []string{"1"}, alice)
			return err
		}},
		{"promote", func(ctx context.Context, responder *incident.Service) error {
			_, err := responder.Resolve(ctx, "1", alice)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eng := range storetest.Engines(t) {
				if eng.Name != "postgres" {
					continue // one writer: nothing runs in between
				}
				t.Run(eng.Name, func(t *testing.T) { sentKeyResolveBeside(t, eng, tc.act) })
			}
		})
	}
}

// sentKeyResolveBeside runs TestSentKeySymptomResolveTakesTheIncidentFirst
// with act (on the first node) holding incident #1 while the second node
// resolves the rewritten symptom by the key it was sent with.
func sentKeyResolveBeside(t *testing.T, eng storetest.Engine, act func(context.Context, *incident.Service) error) {
	rewrite := rules.Spec{ID: "rekey", When: `action == "trigger" && dedup_key == "s1"`,
		Then: rules.Then{DedupKey: `"rk-" + dedup_key`}}
	b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}}, rewrite)
	other := b.secondNode(t, nil)
	b.send("db", triggerOf("db1", "DB down", hypercare.SeverityCritical))
	b.send("db", triggerOf("db2", "DB replica down", hypercare.SeverityCritical))
	b.clk.Advance(time.Minute)
	if r := b.send("shop", triggerOf("s1", "Checkout errors", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom || r[0].DedupKey != "rk-s1" {
		t.Fatalf("s1: outcome %q under %q, want a symptom under rk-s1", r[0].Outcome, r[0].DedupKey)
	}
	resolveBesideAction(t, b, other, act, "s1", "rk-s1")
}
