package escalate_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// turnHookStore runs after (a hook) each NextTurn of its writes: where a
// step holds a round-robin level's turn counter and has more to take.
type turnHookStore struct {
	hypercare.Store
	after func()
}

func (s turnHookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(turnHookTx{tx, s.after}) })
}

type turnHookTx struct {
	hypercare.Tx
	after func()
}

func (t turnHookTx) NextTurn(ctx context.Context, policyID string, level int) (int, error) {
	turn, err := t.Tx.NextTurn(ctx, policyID, level)
	if err == nil {
		t.after()
	}
	return turn, err
}

// apiIntegration is service api's, whose policy is pb (twoTurnsDirectory).
var apiIntegration = hypercare.Integration{ID: "api-v2", ServiceID: "api", Type: hypercare.IntegrationEventsV2,
	Key: "fedcba9876543210fedcba9876543210", Name: "Datadog"}

// twoTurnsDirectory: shop pages policy pa, api policy pb; each is one
// round-robin level taking turns between carol and dave.
func twoTurnsDirectory() *escalate.Directory {
	rr := func(id string) hypercare.EscalationPolicy {
		return hypercare.EscalationPolicy{ID: id, Name: id, Levels: []hypercare.EscalationLevel{{Mode: hypercare.RoundRobin,
			EscalateAfter: 30 * time.Minute, Targets: []hypercare.Target{{User: "carol"}, {User: "dave"}}}}}
	}
	return escalate.NewDirectory([]hypercare.User{user("carol"), user("dave")}, nil,
		[]hypercare.EscalationPolicy{rr("pa"), rr("pb")},
		[]hypercare.Service{{ID: "shop", EscalationPolicy: "pa"}, {ID: "api", EscalationPolicy: "pb"}}, nil)
}

// twoTurnsNode is a node of twoTurnsDirectory with services shop and api,
// whose engine takes every step (none in the ingest write).
func twoTurnsNode(t *testing.T, opts store.Options, clk *clocktest.Clock) *node {
	n := newNode(t, opts, clk, twoTurnsDirectory())
	err := n.st.Write(n.ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(n.ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true, EscalationPolicy: "pa"},
			{ID: "api", Name: "API", Active: true, EscalationPolicy: "pb"}}, []hypercare.Integration{integration, apiIntegration})
	})
	if err != nil {
		t.Fatal(err)
	}
	n.in.SetIntegrations([]hypercare.Integration{integration, apiIntegration})
	n.in.SetFirstStep(nil, nil)
	return n
}

// open triggers key on it and returns the incident it opened.
func (n *node) open(t *testing.T, it hypercare.Integration, key string) string {
	t.Helper()
	res, err := n.in.Process(n.ctx, it, []hypercare.Event{{Action: hypercare.ActionTrigger, DedupKey: key,
		Summary: "Down", Severity: hypercare.SeverityCritical}})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].IncidentID
}

// TestRoundRobinTurnsTakenInOneOrder (PostgreSQL, two nodes): a batch of
// due steps took each step's round-robin turn as it paged, so one node's
// batch (shop's incident x under pa, then api's y under pb) and another's
// (api's w, then shop's z) took the two policies' turn rows in opposite
// orders: each held one and waited for the other until PostgreSQL aborted
// one after its deadlock_timeout and the store ran that batch again. Every
// transaction now locks the turn counters its steps may take first, in one
// global order (policy, then level; Tx.LockTurns): the second batch waits
// for the first and takes the next turns. Also when it steps only w: pb's
// counter is locked with pa's before x pages, so w's turn follows y's.
func TestRoundRobinTurnsTakenInOneOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		zLater bool // b's batch is w alone: z is not due
	}{{"opposite orders", false}, {"second policy only", true}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eng := range storetest.Engines(t) {
				if eng.Name != "postgres" {
					continue // one writer: nothing runs in between
				}
				t.Run(eng.Name, func(t *testing.T) { turnsInOneOrder(t, eng, tc.zLater) })
			}
		})
	}
}

// turnsInOneOrder runs TestRoundRobinTurnsTakenInOneOrder's batches: a's
// steps x (pa) and y (pb) and, once a took x's turn, b's w (pb) and z (pa),
// or w alone (zLater).
func turnsInOneOrder(t *testing.T, eng storetest.Engine, zLater bool) {
	clk := clocktest.New(t0)
	opts := eng.Options(t)
	dir := twoTurnsDirectory()
	a, b := twoTurnsNode(t, opts, clk), newNode(t, opts, clk, dir)
	open := func(it hypercare.Integration, key string) string {
		defer clk.Advance(time.Second)
		return a.open(t, it, key)
	}
	x, y, w, z := open(integration, "x"), open(apiIntegration, "y"), open(apiIntegration, "w"), open(integration, "z")
	// w and z fall due only after a's batch claimed its steps.
	due := []time.Time{t0.Add(2 * time.Minute), t0.Add(2*time.Minute + time.Second)}
	if zLater {
		due[1] = t0.Add(time.Hour)
	}
	err := a.st.Write(a.ctx, "test", func(tx hypercare.Tx) error {
		for i, id := range []string{w, z} {
			st, err := tx.GetEscalation(a.ctx, id)
			if err != nil {
				return err
			}
			st.DueAt = due[i]
			if err := tx.SaveEscalation(a.ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Minute))
	// The other node's batch, once a's took a turn; a's waits until it
	// ended or waits for a lock.
	step := storetest.NewLockProbe(t, opts.DatabaseURL).Interleave(t, "", "the other node's batch", func() error {
		clk.Set(t0.Add(3 * time.Minute)) // w (and z) are due
		_, err := b.eng.RunDue(b.ctx)
		return err
	})
	engA := escalate.New(turnHookStore{a.st, step.Hook}, clk, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if n, err := engA.RunDue(a.ctx); err != nil || n != 2 {
		t.Fatalf("a's batch: %d steps, %v; want x and y", n, err)
	}
	if err := step.Err(); err != nil {
		t.Fatal(err)
	}
	if ra, rb := a.st.WriteStats().Retries, b.st.WriteStats().Retries; ra+rb != 0 {
		t.Errorf("batches run again after a deadlock: %d on a, %d on b; want none", ra, rb)
	}
	// Each policy's turns went carol (a's batch), then dave (b's).
	a.expectPages(t, x, "carol/carol-hook@1")
	a.expectPages(t, y, "carol/carol-hook@1")
	a.expectPages(t, w, "dave/dave-hook@3")
	if zLater {
		a.expectPages(t, z)
	} else {
		a.expectPages(t, z, "dave/dave-hook@3")
	}
}

// TestOpenedStepOutOfTurnOrderIsLeftToTheEngine: an ingest write takes
// the first steps of the incidents it opened (StepOpened), after the
// other requests of its batch. When one of those already holds a turn
// counter sorting after the one this step may take (pb before pa here),
// locking it now would break the global order (PostgreSQL): the step is
// left due, to the engine, which intake wakes after the commit, and pages
// as the ingest write would have. SQLite, without row locks, takes it at
// once, as before.
func TestOpenedStepOutOfTurnOrderIsLeftToTheEngine(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		clk := clocktest.New(t0)
		n := twoTurnsNode(t, eng.Options(t), clk)
		z := n.open(t, integration, "z") // pa, not stepped
		var pages int
		err := n.st.Write(n.ctx, "test", func(tx hypercare.Tx) error {
			// As an earlier request of the batch paging under pb left it.
			if _, err := tx.LockTurns(n.ctx, []hypercare.TurnKey{{PolicyID: "pb", Level: 0}}); err != nil {
				return err
			}
			var err error
			pages, err = n.eng.StepOpened(n.ctx, tx, nil, []string{z}, clk.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if n.st.Dialect() == "postgres" {
			want = 0
		}
		if pages != want {
			t.Fatalf("StepOpened paged %d, want %d", pages, want)
		}
		n.runDue(t)
		n.expectPages(t, z, "carol/carol-hook@0")
	})
}
