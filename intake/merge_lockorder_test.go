package intake

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// TestOppositeMergesWaitForEachOther (PostgreSQL, two nodes): a merge of
// #2 into #1 on one node and of #1 into #2 on another at the same moment.
// Each merge used to lock its target and then its source: each held the
// incident the other waited for until PostgreSQL aborted one after its
// deadlock_timeout and the store ran that batch again. Merges now lock
// their incidents in ID order: the second waits for the first and is then
// refused (its source or target is resolved), with no deadlock.
func TestOppositeMergesWaitForEachOther(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			b := newNoiseHarness(t, eng, nil)
			other := b.secondNode(t, nil)
			b.send("shop", triggerOf("k1", "Checkout errors", hypercare.SeverityCritical))
			b.send("shop", triggerOf("k2", "Payment errors", hypercare.SeverityCritical))
			incs := b.incidents()
			if len(incs) != 2 {
				t.Fatalf("%d incidents, want 2", len(incs))
			}
			// b merges into the incident of the lower ID, which the old
			// order and the new both lock first.
			lo, hi := incs[0], incs[1]
			if hi.ID < lo.ID {
				lo, hi = hi, lo
			}
			peer := &incident.Service{Store: other.st, Clock: other.clk, Policies: other.in.Policy, Groupings: other.in.Grouping}
			theirs := storetest.NewLockProbe(t, b.opts.DatabaseURL).Interleave(t, "", "the other node's merge", func() error {
				_, err := peer.Merge(ctx, hi.ID, []string{lo.ID}, alice)
				return err
			})
			responder := &incident.Service{Store: incidentHookStore{b.st, lo.ID, theirs.Hook}, Clock: b.clk,
				Policies: b.in.Policy, Groupings: b.in.Grouping}
			_, mine := responder.Merge(ctx, lo.ID, []string{hi.ID}, alice)
			if err := theirs.Err(); (mine == nil) == (err == nil) {
				t.Fatalf("merges: %v and %v; want one done and one refused", mine, err)
			}
			noDeadlockRerun(t, b, other)
			open := 0
			for _, inc := range b.incidents() {
				if inc.Status != hypercare.StatusResolved {
					open++
				}
			}
			if open != 1 {
				t.Errorf("%d incidents open after the merges, want 1", open)
			}
		})
	}
}
