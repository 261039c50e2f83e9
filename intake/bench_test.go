package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/rules"
	"github.com/hypercare/hypercare/storetest"
)

// benchConditions are realistic rule conditions, none matching benchEvent,
// so every one is evaluated for every event (the worst case); half read
// labels or details, so custom details are decoded for every event.
var benchConditions = []string{
	`severity == "info" && component == "disk"`,
	`labels.team == "payments" && labels.env == "prod"`,
	`summary contains "heartbeat"`,
	`details.free_bytes < 1024`,
	`source startsWith "canary-" || source endsWith ".test"`,
	`class in ["Watchdog", "InfoInhibitor", "DeadMansSwitch"]`,
	`labels.severity == "none"`,
	`group == "batch" && action == "trigger"`,
	`integration_type == "grafana" && labels.grafana_folder == "sandbox"`,
	`summary matches "^\\[TEST\\]"`,
}

func benchRules(b *testing.B, n int) *rules.Set {
	var list []*rules.Rule
	for i := range n {
		r, err := rules.Compile(rules.Spec{ID: fmt.Sprintf("r%02d", i), When: benchConditions[i%len(benchConditions)],
			Then: rules.Then{Urgency: hypercare.UrgencyLow}})
		if err != nil {
			b.Fatal(err)
		}
		list = append(list, r)
	}
	return rules.NewSet(list, nil)
}

var benchDetails = json.RawMessage(`{"host":"db-1.prod.example.com","mount":"/var/lib/postgresql","free_bytes":1048576,` +
	`"threshold":"5%","labels":{"team":"web","env":"prod","region":"eu-west-1"},"runbook":"https://runbooks.example.com/disk"}`)

// BenchmarkProcess measures intake with and without 20 event rules: a
// storm of 1,000 alerts re-triggering, 64 concurrent callers per core as
// an HTTP server under load has, on each store.
func BenchmarkProcess(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, n := range []int{0, 20} {
			b.Run(fmt.Sprintf("%s/rules=%d", eng.Name, n), func(b *testing.B) {
				st := eng.Open(b)
				ctx := context.Background()
				err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
					return tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "shop", Name: "Shop", Active: true}}, []hypercare.Integration{it})
				})
				if err != nil {
					b.Fatal(err)
				}
				storetest.StartRun(b, st)
				in := intake.New(st, clocktest.New(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)))
				in.SetIntegrations([]hypercare.Integration{it})
				in.SetRules(benchRules(b, n))
				var next atomic.Int64
				b.SetParallelism(64)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						ev := trigger(fmt.Sprintf("key-%d", next.Add(1)%1000))
						ev.Component, ev.Group, ev.Class, ev.CustomDetails = "postgres", "prod", "disk", benchDetails
						if _, err := in.Process(ctx, it, []hypercare.Event{ev}); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
