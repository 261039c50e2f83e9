package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkEventLogSQLite logs 100 events per write on SQLite, one
// statement per event ("one-by-one", as before events_later.go) against
// multi-row statements ("together"), in the same run: µs/event is the
// whole write's time (inserts and the durable COMMIT) per event.
func BenchmarkEventLogSQLite(b *testing.B) {
	for _, mode := range []string{"one-by-one", "together"} {
		b.Run(mode, func(b *testing.B) {
			s := storetest.OpenStore(b, store.Options{DataDir: b.TempDir()})
			s.DeferEventsForTest(mode == "together")
			ctx := context.Background()
			const perWrite = 100
			at := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := range b.N {
				err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
					for j := range perWrite {
						n := i*perWrite + j
						e := &hypercare.EventRecord{ID: fmt.Sprintf("ev-%012d", n), ReceivedAt: at.Add(time.Duration(n)),
							IntegrationID: "checkout-v2", ServiceID: "checkout", Action: hypercare.ActionTrigger,
							DedupKey: fmt.Sprintf("key-%d", n%1000), AlertID: fmt.Sprintf("al-%d", n%1000),
							IncidentID: "inc-1", Outcome: hypercare.OutcomeUpdated, Payload: benchPayload}
						if err := tx.InsertEvent(ctx, e); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*perWrite), "µs/event")
		})
	}
}
