package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// benchClients is how many concurrent callers per GOMAXPROCS a benchmark
// runs: group commit needs many requests in flight, as an HTTP server
// under load has.
const benchClients = 64

var (
	benchDetails = json.RawMessage(`{"host":"db-1.prod.example.com","mount":"/var/lib/postgresql","free_bytes":1048576,` +
		`"threshold":"5%","labels":{"team":"web","env":"prod","region":"eu-west-1"},"runbook":"https://runbooks.example.com/disk"}`)
	benchPayload = json.RawMessage(`{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger",` +
		`"dedup_key":"disk-full-db-1","payload":{"summary":"Disk almost full on db-1 (/var/lib/postgresql)",` +
		`"source":"db-1.prod.example.com","severity":"critical","component":"postgres","group":"prod","class":"disk",` +
		`"custom_details":` + string(benchDetails) + `}}`)
)

// BenchmarkWriteParallel measures group-commit throughput with Run active:
// each op is one Write shaped like one ingested event.
func BenchmarkWriteParallel(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			b.Run("new-incident", func(b *testing.B) { benchWrite(b, e, newIncidentOp) })
			b.Run("dedup-hit", func(b *testing.B) { benchWrite(b, e, dedupHitOp) })
		})
	}
}

type benchOp func(ctx context.Context, s *store.Store, i int64) error

func benchWrite(b *testing.B, e storetest.Engine, op benchOp) {
	s := e.Open(b)
	ctx := context.Background()
	benchSeed(b, s)
	storetest.StartRun(b, s)
	var next atomic.Int64
	before, cpu0 := s.WriteStats(), cpuTime()
	b.SetParallelism(benchClients)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(ctx, s, next.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	// CPU time per write is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	after := s.WriteStats()
	if n := after.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(after.Requests-before.Requests)/float64(n), "req/batch")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const benchOpenAlerts = 1000

// benchSeed creates the service and the open alerts dedup-hit updates.
func benchSeed(b *testing.B, s *store.Store) {
	ctx := context.Background()
	err := s.Write(ctx, "seed", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, nil, []hypercare.Service{{ID: "svc", Name: "Service"}},
			[]hypercare.Integration{{ID: "int", ServiceID: "svc", Type: hypercare.IntegrationEventsV2, Key: "k"}}); err != nil {
			return err
		}
		if err := tx.InsertIncident(ctx, benchIncident("seed-inc", 0)); err != nil {
			return err
		}
		for i := range benchOpenAlerts {
			if err := tx.InsertAlert(ctx, benchAlert("seed-al-"+strconv.Itoa(i), "seed-inc", dedupKey(int64(i)))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func dedupKey(i int64) string { return "disk-full-" + strconv.FormatInt(i%benchOpenAlerts, 10) }

func benchIncident(id string, n int64) *hypercare.Incident {
	now := time.Now()
	return &hypercare.Incident{ID: id, Number: n, Title: "Disk almost full on db-1 (/var/lib/postgresql)",
		Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
		ServiceID: "svc", AlertCount: 1, OpenAlertCount: 1, CreatedAt: now, UpdatedAt: now}
}

func benchAlert(id, incidentID, dedup string) *hypercare.Alert {
	now := time.Now()
	return &hypercare.Alert{ID: id, ServiceID: "svc", IncidentID: incidentID, IntegrationID: "int", DedupKey: dedup,
		Status: hypercare.StatusTriggered, Summary: "Disk almost full on db-1 (/var/lib/postgresql)",
		Severity: hypercare.SeverityCritical, Source: "db-1.prod.example.com", Component: "postgres", Group: "prod",
		Class: "disk", CustomDetails: benchDetails, EventCount: 1, FirstSeenAt: now, LastSeenAt: now}
}

func benchEvent(id, alertID, incidentID, dedup, outcome string) *hypercare.EventRecord {
	return &hypercare.EventRecord{ID: id, ReceivedAt: time.Now(), IntegrationID: "int", ServiceID: "svc",
		Action: hypercare.ActionTrigger, DedupKey: dedup, AlertID: alertID, IncidentID: incidentID,
		Outcome: outcome, Payload: benchPayload}
}

// newIncidentOp is a trigger that opens a new incident: event log, incident
// number, incident, alert, timeline entry.
func newIncidentOp(ctx context.Context, s *store.Store, i int64) error {
	id := hypercare.NewID(time.Now()) // time-ordered, as in production
	dedup := "new-" + strconv.FormatInt(i, 10)
	return s.Write(ctx, "svc/"+dedup, func(tx hypercare.Tx) error {
		n, err := tx.NextIncidentNumber(ctx)
		if err != nil {
			return err
		}
		inc := benchIncident("inc-"+id, n)
		if err := tx.InsertIncident(ctx, inc); err != nil {
			return err
		}
		if err := tx.InsertAlert(ctx, benchAlert("al-"+id, inc.ID, dedup)); err != nil {
			return err
		}
		if err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: "tl-" + id, IncidentID: inc.ID, At: inc.CreatedAt,
			Type: hypercare.TimelineTriggered, Actor: hypercare.Actor{Type: hypercare.ActorIntegration, ID: "int"},
			Message: "Triggered through the API"}); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, benchEvent("ev-"+id, "al-"+id, inc.ID, dedup, hypercare.OutcomeCreated))
	})
}

// dedupHitOp is a trigger for an open alert: find it, count the event,
// log the event.
func dedupHitOp(ctx context.Context, s *store.Store, i int64) error {
	dedup := dedupKey(i)
	return s.Write(ctx, "svc/"+dedup, func(tx hypercare.Tx) error {
		a, err := tx.FindOpenAlert(ctx, "svc", dedup)
		if err != nil {
			return err
		}
		a.EventCount++
		a.LastSeenAt = time.Now()
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, benchEvent(hypercare.NewID(time.Now()), a.ID, a.IncidentID, dedup, hypercare.OutcomeUpdated))
	})
}
