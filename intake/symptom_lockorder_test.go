package intake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// incidentHookStore runs after (a hook) its writes' reads of incident id
// (GetIncident, which locks it on PostgreSQL): where a merge or a resolve
// holds that incident and has not yet locked its symptoms.
type incidentHookStore struct {
	hypercare.Store
	id    string
	after func()
}

func (s incidentHookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(incidentHookTx{tx, s.id, s.after}) })
}

type incidentHookTx struct {
	hypercare.Tx
	id    string
	after func()
}

func (t incidentHookTx) GetIncident(ctx context.Context, id string) (*hypercare.Incident, error) {
	inc, err := t.Tx.GetIncident(ctx, id)
	if err == nil && id == t.id {
		t.after()
	}
	return inc, err
}

// TestSymptomResolveTakesTheIncidentFirst (PostgreSQL, two nodes): a merge
// of incident #1, or a resolve of it that promotes its symptoms, locks #1
// and then its symptoms (LockSymptomsOf). The resolve of a symptom of #1
// on another node used to lock the symptom's alert row (the alert lookup)
// and then #1 (to follow the symptom on it): interleaved, each held what
// the other waited for, PostgreSQL aborted one after its deadlock_timeout
// and the store ran that batch again. The symptom's resolve now locks the
// upstream incident before the alert, so it waits for the merge or the
// resolve and then resolves the symptom where that left it.
func TestSymptomResolveTakesTheIncidentFirst(t *testing.T) {
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	for _, tc := range []struct {
		name string
		act  func(ctx context.Context, responder *incident.Service) error
		// check is the symptom as the resolve left it.
		check func(t *testing.T, b *noiseHarness, s1 hypercare.Alert)
	}{
		{"merge", func(ctx context.Context, responder *incident.Service) error {
			_, err := responder.Merge(ctx, "2", []string{"1"}, alice)
			return err
		}, func(t *testing.T, b *noiseHarness, s1 hypercare.Alert) {
			if into := b.incidents()[1].ID; s1.SymptomOf != into {
				t.Errorf("s1 is a symptom of %q, want of #2 (%s)", s1.SymptomOf, into)
			}
		}},
		{"promote", func(ctx context.Context, responder *incident.Service) error {
			_, err := responder.Resolve(ctx, "1", alice)
			return err
		}, func(t *testing.T, b *noiseHarness, s1 hypercare.Alert) {
			incs := b.incidents()
			if len(incs) != 3 || s1.SymptomOf != "" || s1.IncidentID != incs[2].ID || incs[2].Status != hypercare.StatusResolved {
				t.Errorf("s1 in incident %q, symptom of %q; incidents %+v; want promoted into #3, resolved with it", s1.IncidentID, s1.SymptomOf, incs)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eng := range storetest.Engines(t) {
				if eng.Name != "postgres" {
					continue // one writer: nothing runs in between
				}
				t.Run(eng.Name, func(t *testing.T) {
					b := newNoiseHarness(t, eng, map[string]correlate.Noise{"shop": {Upstream: []string{"db"}}})
					other := b.secondNode(t, nil)
					b.send("db", triggerOf("db1", "DB down", hypercare.SeverityCritical))
					b.send("db", triggerOf("db2", "DB replica down", hypercare.SeverityCritical))
					b.clk.Advance(time.Minute)
					if r := b.send("shop", triggerOf("s1", "Checkout errors", hypercare.SeverityCritical)); r[0].Outcome != hypercare.OutcomeSymptom {
						t.Fatalf("s1: outcome %q, want symptom", r[0].Outcome)
					}
					tc.check(t, b, resolveBesideAction(t, b, other, tc.act, "s1", "s1"))
				})
			}
		})
	}
}

// resolveBesideAction runs act on b's node (a merge of incident #1 or a
// resolve promoting its symptoms, which hold #1 and then lock its alerts
// and symptoms) and, once act has read #1, the resolve of key on other's
// node; it checks that no batch ran again after a deadlock and returns the
// alert (stored under storedKey) as the resolve left it: resolved after 2
// events.
func resolveBesideAction(t *testing.T, b, other *noiseHarness, act func(context.Context, *incident.Service) error, key, storedKey string) hypercare.Alert {
	t.Helper()
	return eventBesideAction(t, b, other, act, hypercare.ActionResolve, key, storedKey)
}

// eventBesideAction is resolveBesideAction for an event of any action
// that changes the alert's incident (resolve, acknowledge): the alert is
// returned as the event left it, in the action's status after 2 events.
func eventBesideAction(t *testing.T, b, other *noiseHarness, act func(context.Context, *incident.Service) error,
	evAction hypercare.Action, key, storedKey string) hypercare.Alert {
	t.Helper()
	want := map[hypercare.Action]hypercare.Status{hypercare.ActionResolve: hypercare.StatusResolved,
		hypercare.ActionAcknowledge: hypercare.StatusAcknowledged}[evAction]
	ctx := context.Background()
	event := storetest.NewLockProbe(t, b.opts.DatabaseURL).Interleave(t, "", fmt.Sprintf("the alert's %s", evAction), func() error {
		_, err := other.in.Process(ctx, b.its["shop"], []hypercare.Event{action(evAction, key)})
		return err
	})
	responder := &incident.Service{Store: incidentHookStore{b.st, b.incidents()[0].ID, event.Hook},
		Clock: b.clk, Policies: b.in.Policy, Groupings: b.in.Grouping}
	if err := act(ctx, responder); err != nil {
		t.Fatal(err)
	}
	if err := event.Err(); err != nil {
		t.Fatal(err)
	}
	noDeadlockRerun(t, b, other)
	return settledAlert(t, b, key, storedKey, want)
}

// noDeadlockRerun fails the test if either node ran a batch again after
// a deadlock.
func noDeadlockRerun(t *testing.T, b, other *noiseHarness) {
	t.Helper()
	if ra, rb := b.st.WriteStats().Retries, other.st.WriteStats().Retries; ra+rb != 0 {
		t.Errorf("batches run again after a deadlock: %d on the responder's node, %d on the resolving node; want none", ra, rb)
	}
}

// settledAlert returns the alert stored under storedKey, failing the test
// unless its two events (a trigger and one under key) left it in want.
func settledAlert(t *testing.T, b *noiseHarness, key, storedKey string, want hypercare.Status) hypercare.Alert {
	t.Helper()
	for _, a := range b.alerts() {
		if a.DedupKey == storedKey {
			if a.Status != want || a.EventCount != 2 {
				t.Errorf("%s: %s after %d events, want %s after 2", key, a.Status, a.EventCount, want)
			}
			return a
		}
	}
	t.Fatalf("%s not found", storedKey)
	return hypercare.Alert{}
}
