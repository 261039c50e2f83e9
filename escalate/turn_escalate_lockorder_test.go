package escalate_test

import (
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// TestManualEscalationBesideALaterTurnRunsAlone (PostgreSQL, two nodes):
// a manual escalation (Engine.Escalate) shares its group-commit batch with
// the requests queued beside it. When an earlier one of them paged under
// policy pb and so holds pb's turn counter, the escalation of an incident
// under pa cannot lock pa's counter in the global order (pa before pb:
// LockTurns refuses), and it used to take it all the same as it paged:
// with another node's engine batch locking pa and then pb, each held what
// the other waited for until PostgreSQL aborted one after its
// deadlock_timeout and the store ran that batch again. Now the escalation
// is rolled back in that batch and run again in a transaction of its own
// (hypercare.ErrRunAlone), after the other node's batch: no deadlock, and
// it pages the next turn.
func TestManualEscalationBesideALaterTurnRunsAlone(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer, no row locks: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			clk := clocktest.New(t0)
			opts := eng.Options(t)
			a := twoTurnsNode(t, opts, clk)
			b := newNode(t, opts, clk, twoTurnsDirectory())
			x, y, z := a.open(t, integration, "x"), a.open(t, apiIntegration, "y"), a.open(t, integration, "z")
			// z is escalated by hand; only x and y are due for b's engine.
			err := a.st.Write(a.ctx, "test", func(tx hypercare.Tx) error {
				st, err := tx.GetEscalation(a.ctx, z)
				if err != nil {
					return err
				}
				st.DueAt = t0.Add(time.Hour)
				return tx.SaveEscalation(a.ctx, st)
			})
			if err != nil {
				t.Fatal(err)
			}
			zInc, err := a.st.GetIncident(a.ctx, z)
			if err != nil {
				t.Fatal(err)
			}
			clk.Set(t0.Add(time.Minute))
			probe := storetest.NewLockProbe(t, opts.DatabaseURL)

			// r0 keeps shop's writer busy until r1 and the escalation
			// are queued behind it: they then run as one batch.
			release, busy := make(chan struct{}), make(chan struct{})
			// Released on every way out: a writer still held would keep
			// the nodes' cleanup (the store's Run) waiting forever.
			unblock := sync.OnceFunc(func() { close(release) })
			defer unblock()
			r0 := make(chan error, 1)
			go func() {
				r0 <- a.st.Write(a.ctx, "shop", func(hypercare.Tx) error { close(busy); <-release; return nil })
			}()
			<-busy
			step := probe.Interleave(t, "", "b's batch", func() error { _, err := b.eng.RunDue(b.ctx); return err })
			r1 := make(chan error, 1)
			r1Turn := -1 // pb's turn r1 took, in its last (committed) run
			go func() {
				r1 <- a.st.Write(a.ctx, "shop", func(tx hypercare.Tx) error {
					// As a request paging api's incident under pb; then
					// b's batch, until it ended or waits for a lock (pb's).
					turn, err := tx.NextTurn(a.ctx, "pb", 0)
					if err != nil {
						return err
					}
					r1Turn = turn
					step.Hook()
					return nil
				})
			}()
			queued := func(n int) {
				t.Helper()
				for deadline := time.Now().Add(30 * time.Second); a.st.WriteStats().Queued < n; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("%d writes queued in 30 s, want %d", a.st.WriteStats().Queued, n)
					}
				}
			}
			queued(1)
			escalated := make(chan error, 1)
			go func() {
				_, err := a.eng.Escalate(a.ctx, zInc, 0, hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"})
				escalated <- err
			}()
			queued(2)
			unblock()
			for name, c := range map[string]chan error{"r0": r0, "r1": r1, "escalation": escalated} {
				if err := <-c; err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			if err := step.Err(); err != nil {
				t.Fatal(err)
			}
			if ra, rb := a.st.WriteStats().Retries, b.st.WriteStats().Retries; ra+rb != 0 {
				t.Errorf("batches run again after a deadlock: %d on a, %d on b; want none", ra, rb)
			}
			if n := a.st.WriteStats().Alone; n != 1 {
				t.Errorf("%d writes run again alone on a, want 1 (the escalation)", n)
			}
			// b's batch took pa's first turn (carol), the escalation pa's
			// second (dave). pb's first turn went to b's batch when a's
			// batch was rolled back and run again with savepoints (the
			// escalation had run a statement before LockTurns refused it),
			// else to r1, whose batch then committed before b's: either
			// way y and r1 hold different turns of pb.
			a.expectPages(t, x, "carol/carol-hook@1")
			a.expectPages(t, z, "dave/dave-hook@1")
			switch r1Turn {
			case 1:
				a.expectPages(t, y, "carol/carol-hook@1")
			case 0:
				a.expectPages(t, y, "dave/dave-hook@1")
			default:
				t.Fatalf("r1 took pb's turn %d, want 0 or 1", r1Turn)
			}
		})
	}
}
