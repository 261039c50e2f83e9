package intake

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // the lock-wait probe's driver
)

// hookStore runs after (a hook) each AlertsOfIncident read of its writes:
// where an acknowledgement has read the incident's alerts and not yet
// written them back.
type hookStore struct {
	hypercare.Store
	after func()
}

func (s hookStore) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	return s.Store.Write(ctx, key, func(tx hypercare.Tx) error { return fn(hookTx{tx, s.after}) })
}

type hookTx struct {
	hypercare.Tx
	after func()
}

func (t hookTx) AlertsOfIncident(ctx context.Context, id string) ([]hypercare.Alert, error) {
	a, err := t.Tx.AlertsOfIncident(ctx, id)
	if err == nil && t.after != nil {
		t.after()
	}
	return a, err
}

// TestAcknowledgeKeepsConcurrentRetrigger (PostgreSQL, two nodes): an
// acknowledgement reads the incident's alerts and writes each back with
// its new status. A re-trigger of one of them committed by another node
// in between (event_count, last_seen_at, details) used to be overwritten
// by the acknowledgement's older copy: the alert counted one event fewer
// for good. The acknowledgement now locks the alerts it read, so the
// re-trigger waits for it and then counts on the acknowledged row.
func TestAcknowledgeKeepsConcurrentRetrigger(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		if eng.Name != "postgres" {
			continue // one writer: nothing runs in between
		}
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			h := newNoiseHarness(t, eng, nil)
			other := h.secondNode(t, nil)
			res := h.send("shop", triggerOf("k1", "Checkout 5xx above 5%", hypercare.SeverityCritical))
			retrigger := storetest.NewLockProbe(t, h.opts.DatabaseURL).Interleave(t, "%alerts%", "the re-trigger", func() error {
				_, err := other.in.Process(ctx, h.its["shop"],
					[]hypercare.Event{triggerOf("k1", "Checkout 5xx above 5%", hypercare.SeverityCritical)})
				return err
			})
			svc := &incident.Service{Store: hookStore{h.st, retrigger.Hook}, Clock: h.clk}
			actor := hypercare.Actor{Type: hypercare.ActorUser, ID: "alice", Name: "Alice"}
			if _, err := svc.Acknowledge(ctx, res[0].IncidentID, actor); err != nil {
				t.Fatal(err)
			}
			if err := retrigger.Err(); err != nil {
				t.Fatal(err)
			}
			var a hypercare.Alert
			err := h.st.Write(ctx, "check", func(tx hypercare.Tx) error {
				alerts, err := tx.AlertsOfIncident(ctx, res[0].IncidentID)
				if err == nil && len(alerts) == 1 {
					a = alerts[0]
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if a.EventCount != 2 || a.Status != hypercare.StatusAcknowledged {
				t.Fatalf("alert after an acknowledgement and a concurrent re-trigger: %d events, %s; want 2, acknowledged",
					a.EventCount, a.Status)
			}
		})
	}
}
