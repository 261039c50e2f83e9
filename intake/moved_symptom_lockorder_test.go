package intake

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// resolveHookStore runs after (a hook) its writes' FindOpenAlertToResolve
// with the alert it found: where a resolve holds its alert's row.
type resolveHookStore struct {
	hypercare.Store
	after func(*hypercare.Alert)
}

func (s resolveHookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(resolveHookTx{tx, s.after}) })
}

type resolveHookTx struct {
	hypercare.Tx
	after func(*hypercare.Alert)
}

func (t resolveHookTx) FindOpenAlertToResolve(ctx context.Context, serviceID, dedupKey string) (*hypercare.Alert, error) {
	a, err := t.Tx.FindOpenAlertToResolve(ctx, serviceID, dedupKey)
	if err == nil && a != nil {
		t.after(a)
	}
	return a, err
}

// TestResolveOfAMovedSymptomTakesItsNewIncidentInOrder (PostgreSQL, two
// nodes): the resolve of symptom s1 locks s1's upstream incident #1 and
// then s1 (FindOpenAlertToResolve), but a merge of #1 into #2 holding #1
// moves s1 to #2 while the resolve waits for #1. The resolve then held s1
// and locked #2 (to follow the symptom there) after it: a resolve of #2
// that took #2 in between and promotes its symptoms waits for s1, and each
// held what the other waited for until PostgreSQL aborted one after its
// deadlock_timeout and the store ran that batch again. Now the resolve
// takes a moved symptom's new incident without waiting (NOWAIT, with its
// next statement) and, when another holds it, is undone and run again in
// a transaction of its own (hypercare.ErrRunAlone), which locks the
// incident first: no deadlock, no batch run again.
func TestResolveOfAMovedSymptomTakesItsNewIncidentInOrder(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) { movedSymptomResolve(t, eng) })
	}
}

func movedSymptomResolve(t *testing.T, eng storetest.Engine) {
	ctx := context.Background()
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}})
	other := b.secondNode(t, nil)
	b.send("db", triggerOf("db1", "DB down", hypercare.SeverityCritical))
	b.send("db", triggerOf("db2", "DB replica down", hypercare.SeverityCritical))
	b.clk.Advance(time.Minute)
	if r := b.send("shop", triggerOf("s1", "Checkout errors", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
		t.Fatalf("s1: outcome %q, want symptom", r[0].Outcome)
	}
	incs := b.incidents()
	one, two := incs[0].ID, incs[1].ID
	probe := storetest.NewLockProbe(t, b.opts.DatabaseURL)
	// The second resolve of #2 (after the merge), holding #2 while the
	// symptom's resolve holds s1.
	promote := probe.Interleave(t, "", "the resolve of #2", func() error {
		_, err := (&incident.Service{Store: b.st, Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}).Resolve(ctx, "2", alice)
		return err
	})
	onResolveAlert := func(a *hypercare.Alert) {
		if a.SymptomOf == two {
			promote.Hook()
		}
	}
	resolver := New(resolveHookStore{other.st, onResolveAlert}, b.clk)
	resolver.SetIntegrations([]hypercare.Integration{b.its["shop"], b.its["db"], b.its["api"]})
	resolver.SetPolicies(map[string]hypercare.EscalationPolicy{"shop": harnessPolicy, "db": harnessPolicy, "api": harnessPolicy}, nil)
	// The symptom's resolve, started while the merge holds #1.
	resolve := probe.Interleave(t, "", "the symptom's resolve", func() error {
		_, err := resolver.Process(ctx, b.its["shop"], []hypercare.Event{action(hypercare.ActionResolve, "s1")})
		return err
	})
	responder := &incident.Service{Store: incidentHookStore{b.st, one, resolve.Hook},
		Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}
	if _, err := responder.Merge(ctx, "2", []string{"1"}, alice); err != nil {
		t.Fatal(err)
	}
	if err := resolve.Err(); err != nil {
		t.Fatal(err)
	}
	if err := promote.Err(); err != nil { // fails if the resolve never found s1 moved to #2
		t.Fatal(err)
	}
	noDeadlockRerun(t, b, other)
	if n := other.st.WriteStats().Alone; n != 1 {
		t.Errorf("the symptom's resolve was run again alone %d times, want once (its new incident was held)", n)
	}
	settledAlert(t, b, "s1", "s1", hypercare.StatusResolved)
}
