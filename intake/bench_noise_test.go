package intake_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// benchFamilies are the storm's kinds of alert; the number in each makes
// every summary different text that intelligent grouping reads as one.
var benchFamilies = []string{
	"High latency on web-%d: p99 above 2s",
	"Disk %d%% full on db-1",
	"Pod checkout-%d crashlooping",
	"HTTP 5xx rate above 5%% on lb-%d",
	"Replication lag %ds on db-2",
	"Queue backlog %d messages on orders",
	"Certificate for shop-%d.example.com expires soon",
	"Cache hit ratio dropped to %d%%",
	"Payment provider timeout after %dms",
	"Memory usage %d%% on worker-3",
}

// benchVia varies the wording of alerts of one family, so that in the
// "varied" mode most alerts match no incident's first or latest alert
// exactly and are scored against every candidate.
var benchVia = []string{"api", "web", "worker", "batch", "cron"}

// BenchmarkProcessGrouping measures live ingest with intelligent grouping
// against none, in the worst case for grouping: every event is a new
// alert (a new dedup key), so every one runs the grouping decision and its
// reads; with none each opens an incident, with intelligent each joins
// one of ten open incidents. Mode "intelligent" repeats each family's
// text (numbers aside), as a storm of one check on many hosts does; mode
// "varied" adds one of five words to it, so alerts are scored. 64
// concurrent callers per core, on each store.
func BenchmarkProcessGrouping(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, mode := range []string{"none", "intelligent", "varied"} {
			g := correlate.GroupIntelligent
			if mode == "none" {
				g = correlate.GroupNone
			}
			b.Run(fmt.Sprintf("%s/grouping=%s", eng.Name, mode), func(b *testing.B) {
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
				in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: g, Window: 15 * time.Minute},
					Flapping: correlate.DefaultFlapping}})
				var next atomic.Int64
				b.SetParallelism(64)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						n := next.Add(1)
						ev := trigger(fmt.Sprintf("storm-%d", n))
						ev.Summary = fmt.Sprintf(benchFamilies[n%int64(len(benchFamilies))], n%97)
						if mode == "varied" {
							ev.Summary += " via " + benchVia[(n/10)%int64(len(benchVia))]
						}
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

// TestBenchFamiliesGroupApart checks the benchmark measures what it says:
// the ten families are ten incidents under intelligent grouping.
func TestBenchFamiliesGroupApart(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	var cands []correlate.Candidate
	g := correlate.Grouping{Type: correlate.GroupIntelligent}
	for i, f := range benchFamilies {
		a := hypercare.Alert{Summary: fmt.Sprintf(f, 1), Source: "web-01", Component: "postgres", FirstSeenAt: now, CustomDetails: benchDetails}
		if m, ok := correlate.Group(g, &a, nil, cands, now); ok {
			t.Fatalf("family %d joined incident %d (%s)", i, m.Incident.Number, m.Reason)
		}
		enc := correlate.FeaturesOf(&a).Encode()
		inc := &hypercare.Incident{Number: int64(i + 1), Status: hypercare.StatusTriggered, Features: enc, LastFeatures: enc, LastAlertAt: now}
		cands = append(cands, correlate.Candidate{Incident: inc, Alerts: []hypercare.Alert{a}})
		b := a
		b.Summary = fmt.Sprintf(f, 42)
		if m, ok := correlate.Group(g, &b, nil, cands, now); !ok || m.Incident.Number != int64(i+1) {
			t.Fatalf("family %d: a second alert joined %+v, %v", i, m, ok)
		}
	}
}

// BenchmarkProcessStormGrouping is BenchmarkProcess's storm (1,000 alerts
// re-triggering, 20 event rules) with intelligent grouping on and off:
// the live-ingest mix BENCHMARKS.md compares against, where grouping runs
// for the first trigger of each alert only.
func BenchmarkProcessStormGrouping(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, g := range []correlate.GroupingType{correlate.GroupNone, correlate.GroupIntelligent} {
			b.Run(fmt.Sprintf("%s/rules=20/grouping=%s", eng.Name, g), func(b *testing.B) {
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
				in.SetRules(benchRules(b, 20))
				in.SetNoise(map[string]correlate.Noise{"shop": {Grouping: correlate.Grouping{Type: g, Window: 15 * time.Minute},
					Flapping: correlate.DefaultFlapping}})
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
