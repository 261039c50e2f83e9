package intake_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// recordingStore records the key of every Write and the grouping locks
// its transactions take.
type recordingStore struct {
	hypercare.Store
	mu          sync.Mutex
	keys, locks []string
}

func (r *recordingStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(recordingTx{Tx: tx, r: r}) })
}

func (r *recordingStore) record(s string) {
	r.mu.Lock()
	r.locks = append(r.locks, s)
	r.mu.Unlock()
}

// reset forgets what was recorded.
func (r *recordingStore) reset() {
	r.mu.Lock()
	r.keys, r.locks = nil, nil
	r.mu.Unlock()
}

type recordingTx struct {
	hypercare.Tx
	r *recordingStore
}

func (t recordingTx) LockGrouping(ctx context.Context, serviceID string) error {
	t.r.record("service " + serviceID)
	return t.Tx.LockGrouping(ctx, serviceID)
}

func (t recordingTx) LockNotificationGroup(ctx context.Context, serviceID, group string) error {
	t.r.record("group " + group)
	return t.Tx.LockNotificationGroup(ctx, serviceID, group)
}

// TestGroupLocksAndPeoplesWriters: a notification group's incident is
// decided under the group's lock alone on a service that does not group
// alerts, for every group of a batch (a second group's join, after the
// first group's run was written, once took the service's lock instead),
// and under the service's lock, then the group's, on one that does. A
// person's action on a group incident alone runs on the group's writer,
// where intake writes the group; a merge, or a service that groups
// alerts, on the service's.
func TestGroupLocksAndPeoplesWriters(t *testing.T) {
	ctx := context.Background()
	st := storetest.Engines(t)[0].Open(t)
	setupAM(t, st)
	storetest.StartRun(t, st)
	rec := &recordingStore{Store: st}
	clk := clocktest.New(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	in := intake.New(rec, clk)
	in.SetIntegrations([]hypercare.Integration{am})
	const a, b = `{}:{alertname="A"}`, `{}:{alertname="B"}`
	processAM(t, in, am, amAlert(a, "p1", hypercare.ActionTrigger))
	res := processAM(t, in, am, amAlert(b, "q1", hypercare.ActionTrigger))
	rec.reset()
	processAM(t, in, am, amAlert(a, "p2", hypercare.ActionTrigger), amAlert(b, "q2", hypercare.ActionTrigger))
	if want := []string{"group " + a, "group " + b}; !slices.Equal(rec.locks, want) {
		t.Errorf("ungrouped service: locks %q, want %q", rec.locks, want)
	}

	person := &incident.Service{Store: rec, Clock: clk}
	alice := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
	rec.reset()
	if _, err := person.Acknowledge(ctx, res[0].IncidentID, alice); err != nil {
		t.Fatal(err)
	}
	if want := []string{hypercare.GroupWriteKey("shop", b)}; !slices.Equal(rec.keys, want) {
		t.Errorf("acknowledge: writer keys %q, want %q", rec.keys, want)
	}
	first := processAM(t, in, am, amAlert(a, "p1", hypercare.ActionTrigger))
	rec.reset()
	if _, err := person.Merge(ctx, first[0].IncidentID, []string{res[0].IncidentID}, alice); err != nil {
		t.Fatal(err)
	}
	if want := []string{"shop"}; !slices.Equal(rec.keys, want) {
		t.Errorf("merge: writer keys %q, want %q", rec.keys, want)
	}

	grouped := map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: correlate.GroupIntelligent}}}
	in.SetNoise(grouped)
	person.Groupings = func(string) correlate.Grouping { return grouped["shop"].Grouping }
	rec.reset()
	processAM(t, in, am, amAlert(a, "p3", hypercare.ActionTrigger))
	if want := []string{"service shop", "group " + a}; !slices.Equal(rec.locks, want) {
		t.Errorf("grouped service: locks %q, want %q", rec.locks, want)
	}
	rec.reset()
	if _, err := person.Resolve(ctx, first[0].IncidentID, alice); err != nil {
		t.Fatal(err)
	}
	if want := []string{"shop"}; !slices.Equal(rec.keys, want) {
		t.Errorf("resolve on a grouped service: writer keys %q, want %q", rec.keys, want)
	}
}
