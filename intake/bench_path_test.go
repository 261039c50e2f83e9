package intake_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkIngestPath measures what one event costs the write path, the
// number issue 11's speed work is about: CPU time and allocations per
// event (steadier than wall time on a shared machine), for single events
// and Alertmanager-sized batches of 100, each with a fresh dedup key per
// event (every trigger opens an alert and an incident) and with 1,000 keys
// re-triggering. The batches are Alertmanager notifications, each its own
// group: with group=incident (incident_per: group, the default) a batch
// of new alerts opens one incident, with group=alert one per alert. Run
// with -benchtime=Nx so every variant sees the same store size.
func BenchmarkIngestPath(b *testing.B) {
	for _, eng := range storetest.Engines(b) {
		for _, batch := range []int{1, 100} {
			for _, keys := range []int{0, 1000} {
				name := fmt.Sprintf("%s/batch=%d/keys=%d", eng.Name, batch, keys)
				if batch == 1 {
					b.Run(name, func(b *testing.B) { benchPath(b, eng, batch, keys, false) })
					continue
				}
				for _, perGroup := range []bool{true, false} {
					name := name + map[bool]string{true: "/group=incident", false: "/group=alert"}[perGroup]
					b.Run(name, func(b *testing.B) { benchPath(b, eng, batch, keys, perGroup) })
				}
			}
		}
	}
}

func benchPath(b *testing.B, eng storetest.Engine, batch, keys int, perGroup bool) {
	it := it
	if batch > 1 {
		it.Type, it.GroupIncidents = hypercare.IntegrationAlertmanager, perGroup
	}
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
	var next atomic.Int64
	event := func() hypercare.Event {
		n := next.Add(1)
		key := fmt.Sprintf("fresh-%d", n)
		group := fmt.Sprintf("{}:{batch=\"%d\"}", n) // the request's first event's
		if keys > 0 {
			key = fmt.Sprintf("key-%d", n%int64(keys))
		}
		ev := trigger(key)
		ev.Component, ev.Group, ev.Class, ev.CustomDetails = "postgres", "prod", "disk", benchDetails
		if batch > 1 {
			ev.GroupKey = group
		}
		return ev
	}
	if keys > 0 { // open the storm's alerts first: the run measures re-triggers
		for range keys {
			if _, err := in.Process(ctx, it, []hypercare.Event{event()}); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Requests (each batch events) in flight: enough for group commit to
	// form batches as under HTTP load, few enough for 100-event requests.
	b.SetParallelism(max(1, 64/batch))
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		events := make([]hypercare.Event, batch)
		for pb.Next() {
			for i := range events {
				events[i] = event()
				events[i].GroupKey = events[0].GroupKey // one notification, one group
			}
			if _, err := in.Process(ctx, it, events); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	n := float64(b.N * batch)
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/n, "cpu-µs/event")
	b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
