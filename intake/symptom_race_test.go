package intake

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// symptomHookStore runs after (a hook) each read of an incident's symptoms
// its writes make for writing them back: where a merge or a promotion has
// read them and not yet written them.
type symptomHookStore struct {
	hypercare.Store
	after func()
}

func (s symptomHookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(symptomHookTx{tx, s.after}) })
}

type symptomHookTx struct {
	hypercare.Tx
	after func()
}

func (t symptomHookTx) LockSymptomsOf(ctx context.Context, id string) ([]hypercare.Alert, error) {
	a, err := t.Tx.LockSymptomsOf(ctx, id)
	if err == nil && len(a) > 0 && t.after != nil {
		t.after()
	}
	return a, err
}

func (t symptomHookTx) SymptomsOf(ctx context.Context, id string) ([]hypercare.Alert, error) {
	a, err := t.Tx.SymptomsOf(ctx, id)
	if err == nil && len(a) > 0 && t.after != nil {
		t.after()
	}
	return a, err
}

// symptomRace sets up two database incidents (#1 and #2) on one node of
// PostgreSQL, #1 with the checkout symptom s1, and runs act (a merge or a
// resolve on a responder's store) with the hook: once act has read #1's
// symptoms, a second node re-triggers s1, and act goes on when that
// re-trigger committed or waits for a lock. It returns s1 as stored then.
func symptomRace(t *testing.T, eng storetest.Engine, act func(ctx context.Context, responder *incident.Service, b *noiseHarness)) hypercare.Alert {
	ctx := context.Background()
	b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}})
	other := b.secondNode(t, nil)
	b.send("db", triggerOf("db1", "DB down", hypercare.SeverityCritical))
	b.send("db", triggerOf("db2", "DB replica down", hypercare.SeverityCritical))
	b.clk.Advance(time.Minute)
	if r := b.send("shop", triggerOf("s1", "Checkout errors", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
		t.Fatalf("s1: outcome %q, want symptom", r[0].Outcome)
	}
	retrigger := storetest.NewLockProbe(t, b.opts.DatabaseURL).Interleave(t, "%alerts%", "the re-trigger", func() error {
		_, err := other.in.Process(ctx, b.its["shop"], []hypercare.Event{triggerOf("s1", "Checkout errors", hypercare.SeverityCritical)})
		return err
	})
	responder := &incident.Service{Store: symptomHookStore{b.st, retrigger.Hook}, Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}
	act(ctx, responder, b)
	if err := retrigger.Err(); err != nil {
		t.Fatal(err)
	}
	for _, a := range b.alerts() {
		if a.DedupKey == "s1" {
			return a
		}
	}
	t.Fatal("s1 not found")
	return hypercare.Alert{}
}

// TestMergeKeepsConcurrentSymptomRetrigger (PostgreSQL, two nodes): a
// merge reads the source's symptoms and writes each back attached to the
// target. A re-trigger of one committed by another node in between (on
// the symptom's own key, so another writer) used to be overwritten by the
// merge's older copy: the symptom counted one event fewer for good. The
// merge now locks the symptoms it moves, so the re-trigger waits for it
// and counts on the moved row.
func TestMergeKeepsConcurrentSymptomRetrigger(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
			var into string
			a := symptomRace(t, eng, func(ctx context.Context, responder *incident.Service, b *noiseHarness) {
				inc, err := responder.Merge(ctx, "2", []string{"1"}, alice)
				if err != nil {
					t.Fatal(err)
				}
				into = inc.ID
			})
			if a.EventCount != 2 || a.SymptomOf != into || a.Status != hypercare.StatusTriggered {
				t.Fatalf("symptom after a merge and a concurrent re-trigger: %d events, symptom of %q, %s; want 2, %q, triggered",
					a.EventCount, a.SymptomOf, a.Status, into)
			}
		})
	}
}

// TestPromoteKeepsConcurrentSymptomRetrigger (PostgreSQL, two nodes): a
// resolve promotes the incident's symptoms still firing, reading them and
// writing each back into an incident of its own. A re-trigger committed by
// another node in between used to be overwritten by the promotion's older
// copy (one event fewer). The promotion now locks the symptoms it reads.
func TestPromoteKeepsConcurrentSymptomRetrigger(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
			a := symptomRace(t, eng, func(ctx context.Context, responder *incident.Service, b *noiseHarness) {
				if _, err := responder.Resolve(ctx, "1", alice); err != nil {
					t.Fatal(err)
				}
			})
			if a.EventCount != 2 || a.SymptomOf != "" || a.IncidentID == "" || a.Status != hypercare.StatusTriggered {
				t.Fatalf("symptom after its promotion and a concurrent re-trigger: %d events, symptom of %q, incident %q, %s; "+
					"want 2, promoted into an incident, triggered", a.EventCount, a.SymptomOf, a.IncidentID, a.Status)
			}
		})
	}
}

// TestConcurrentSymptomRetriggersAndMerges (PostgreSQL, two nodes): while
// one node merges four database incidents, one at a time, into a fifth,
// the other re-triggers their checkout symptoms, every symptom several
// times. Every request succeeds (a lock cycle PostgreSQL broke is run
// again by the store; none is left failing or hanging), each symptom ends
// attached to the incident merged into, and counts every event it got.
func TestConcurrentSymptomRetriggersAndMerges(t *testing.T) {
	const sources, perIncident, rounds = 4, 3, 5
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs concurrently
		}
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}})
			other := b.secondNode(t, nil)
			var keys []string
			for i := 1; i <= sources; i++ {
				b.send("db", triggerOf(fmt.Sprintf("db%d", i), "DB down", hypercare.SeverityCritical))
				b.clk.Advance(time.Second)
				for j := 0; j < perIncident; j++ {
					k := fmt.Sprintf("s%d-%d", i, j)
					if r := b.send("shop", triggerOf(k, "Checkout errors", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
						t.Fatalf("%s: outcome %q, want symptom", k, r[0].Outcome)
					}
					keys = append(keys, k)
				}
			}
			b.send("db", triggerOf("db-target", "DB down", hypercare.SeverityCritical)) // #sources+1
			responder := &incident.Service{Store: b.st, Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}
			alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
			target := fmt.Sprint(sources + 1)
			var wg sync.WaitGroup
			errs := make(chan error, sources+len(keys)*rounds)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 1; i <= sources; i++ {
					if _, err := responder.Merge(ctx, target, []string{fmt.Sprint(i)}, alice); err != nil {
						errs <- fmt.Errorf("merge #%d: %w", i, err)
					}
				}
			}()
			for _, k := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						if _, err := other.in.Process(ctx, b.its["shop"], []hypercare.Event{triggerOf(k, "Checkout errors", hypercare.SeverityCritical)}); err != nil {
							errs <- fmt.Errorf("re-trigger %s: %w", k, err)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			incs := b.incidents()
			into := incs[sources].ID
			n := 0
			for _, a := range b.alerts() {
				if a.ServiceID != "shop" {
					continue
				}
				n++
				if a.EventCount != 1+rounds || a.SymptomOf != into || a.IncidentID != "" {
					t.Errorf("symptom %s: %d events, symptom of %q, incident %q; want %d, a symptom of #%s",
						a.DedupKey, a.EventCount, a.SymptomOf, a.IncidentID, 1+rounds, target)
				}
			}
			if n != len(keys) {
				t.Errorf("%d checkout alerts, want %d symptoms", n, len(keys))
			}
			t.Logf("batches run again after a deadlock: %d on the merging node, %d on the re-triggering node",
				b.st.WriteStats().Retries, other.st.WriteStats().Retries)
		})
	}
}
