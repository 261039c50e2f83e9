package retention_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// t0 is when the simulated traffic starts.
var t0 = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

var integration = hypercare.Integration{ID: "shop-v2", ServiceID: "shop", Type: hypercare.IntegrationEventsV2,
	Key: "0123456789abcdef0123456789abcdef", Name: "Datadog"}

// world is a Hypercare pipeline on a real store with a fake clock:
// intake opens and resolves incidents, the escalation engine pages.
type world struct {
	st    *store.Store
	clock *clocktest.Clock
	in    *intake.Intake
	esc   *escalate.Engine
	seq   int
	// vacuum settles the store's files at the end of a simulated day:
	// PostgreSQL's autovacuum, SQLite's checkpoint (storm_test.go).
	vacuum func()
}

func newWorld(t testing.TB, opts store.Options) *world {
	t.Helper()
	st := storetest.OpenStore(t, opts)
	storetest.StartRun(t, st)
	clk := clocktest.New(t0)
	ctx := context.Background()
	policy := hypercare.EscalationPolicy{ID: "web", Name: "Web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}
	alice := hypercare.User{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
		ContactMethods:    []hypercare.ContactMethod{{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: "https://hooks.example.com/a", Verified: true}},
		NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-hook"}}}
	svc := hypercare.Service{ID: "shop", Name: "Shop", Active: true, EscalationPolicy: "web"}
	err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, nil, []hypercare.Service{svc}, []hypercare.Integration{integration})
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := escalate.NewDirectory([]hypercare.User{alice}, nil, []hypercare.EscalationPolicy{policy}, []hypercare.Service{svc}, nil)
	w := &world{st: st, clock: clk, in: intake.New(st, clk), esc: escalate.New(st, clk, dir, discard())}
	w.in.SetIntegrations([]hypercare.Integration{integration})
	w.in.SetPolicies(dir.PoliciesByService(), func() {})
	return w
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// send runs events with one action for keys through intake.
func (w *world) send(t testing.TB, action hypercare.Action, keys []string) {
	t.Helper()
	evs := make([]hypercare.Event, len(keys))
	for i, k := range keys {
		evs[i] = hypercare.Event{Action: action, DedupKey: k, Summary: "Checkout 5xx above 2% on " + k,
			Source: "web-1", Severity: hypercare.SeverityCritical,
			CustomDetails: []byte(`{"region":"eu-west-1","pod":"checkout-7d9f","value":0.031}`)}
	}
	if _, err := w.in.Process(context.Background(), integration, evs); err != nil {
		t.Fatal(err)
	}
}

// tick is one step of a steady storm: n new alerts open incidents and
// page, and the previous step's n resolve.
func (w *world) tick(t testing.TB, n int, prev []string) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		w.seq++
		keys[i] = fmt.Sprintf("storm-%d", w.seq)
	}
	w.send(t, hypercare.ActionTrigger, keys)
	for {
		k, err := w.esc.RunDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	if len(prev) > 0 {
		w.send(t, hypercare.ActionResolve, prev)
	}
	return keys
}
