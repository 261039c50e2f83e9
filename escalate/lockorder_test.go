package escalate_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // the lock-wait probe's driver
)

// alertsHookStore runs after (a hook) each AlertsOfIncident read of its
// writes: where an acknowledgement holds its incident's lock and has not
// yet stopped the escalation.
type alertsHookStore struct {
	hypercare.Store
	after func()
}

func (s alertsHookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(alertsHookTx{tx, s.after}) })
}

type alertsHookTx struct {
	hypercare.Tx
	after func()
}

func (t alertsHookTx) AlertsOfIncident(ctx context.Context, id string) ([]hypercare.Alert, error) {
	a, err := t.Tx.AlertsOfIncident(ctx, id)
	if err == nil && t.after != nil {
		t.after()
	}
	return a, err
}

// TestDueStepAndAcknowledgeDoNotDeadlock (PostgreSQL, two nodes): an
// acknowledgement locks its incident, then its escalation (to stop it).
// The engine used to claim due escalations (locked) and then lock each
// one's incident: one taking the step of the incident being acknowledged
// at that moment (a responder acknowledging as level 2 falls due) held the
// escalation the acknowledgement waited for while it waited for the
// incident. PostgreSQL broke the cycle after its deadlock_timeout (a
// second by default), failing one side, whose whole batch the store ran
// again. The claim now skips an escalation whose incident another
// transaction holds, as it skips one another node claimed, and takes it on
// a later pass, once the acknowledgement committed.
func TestDueStepAndAcknowledgeDoNotDeadlock(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			clk := clocktest.New(t0)
			opts := eng.Options(t)
			dir := directory(webPolicy())
			a, b := newNode(t, opts, clk, dir), newNode(t, opts, clk, dir)
			inc := a.trigger(t, "k1", hypercare.SeverityCritical) // level 1 paged at once
			clk.Advance(5 * time.Minute)                          // level 2 is due
			step := storetest.NewLockProbe(t, opts.DatabaseURL).Interleave(t, "%FROM incidents WHERE id%", "the other node's pass",
				func() error { _, err := b.eng.RunDue(b.ctx); return err })
			svc := &incident.Service{Store: alertsHookStore{a.st, step.Hook}, Clock: clk}
			if _, err := svc.Acknowledge(a.ctx, inc.ID, responder); err != nil {
				t.Fatal(err)
			}
			if err := step.Err(); err != nil {
				t.Fatal(err)
			}
			if ra, rb := a.st.WriteStats().Retries, b.st.WriteStats().Retries; ra+rb != 0 {
				t.Errorf("batches run again after a deadlock: %d on the acknowledging node, %d on the stepping node; want none", ra, rb)
			}
			b.runDue(t) // what the pass skipped: acknowledged now, nobody more is paged
			got, err := a.st.GetIncident(a.ctx, inc.ID)
			if err != nil || got.Status != hypercare.StatusAcknowledged {
				t.Fatalf("incident after the acknowledgement: %+v, %v; want acknowledged", got, err)
			}
			a.expectPages(t, inc.ID, "alice/alice-hook@0", "alice/alice-sms@2")
		})
	}
}
